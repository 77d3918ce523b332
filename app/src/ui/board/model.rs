//! The board's client-side state machine, free of any browser API so it is
//! tested natively.
//!
//! `confirmed` is the project as of `last_seq`, built only from server
//! events applied in sequence order. `pending` are this user's commands not
//! yet seen back from the server. What the board shows is `confirmed` with
//! the pending commands decided and applied on top, using the same domain
//! functions the server runs. A pending command leaves the queue when its
//! own events arrive in sequence (so it is never applied twice and never out
//! of order), or when the server refuses it.

use crate::domain::*;

/// The one place the browser decides a command optimistically: with the
/// same domain function the server runs, so the board shows now what the
/// server will record.
fn predict(
    state: &ProjectState,
    context: &Context,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    decide(state, context, command)
}

/// What the board keeps of a project: everything a card, a filter or an
/// optimistic command reads, without the issues' descriptions, comments,
/// worklogs, watchers and links. The board shows none of those, and on a
/// board of real issues they were most of the page's hydration data. Live
/// events about them still apply (`apply` tolerates a missing comment or
/// worklog), and the counters that number new ones are kept.
pub fn board_state(mut state: ProjectState) -> ProjectState {
    for issue in state.issues.values_mut() {
        issue.description = LongText::default();
        issue.comments.clear();
        issue.worklogs.clear();
        issue.watchers.clear();
        issue.links.clear();
    }
    state
}

/// One of this user's commands on its way to the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub envelope: CommandEnvelope,
    /// Who made it and when, as the browser saw it: the signed-in user and
    /// its clock, so an optimistic card or comment shows its real author.
    pub context: Context,
    /// How many events the command was expected to add to its target
    /// stream when it was made (to correct later bases if that differs).
    pub predicted: u64,
    /// The highest sequence number of its events, once the server accepted it.
    pub acknowledged: Option<u64>,
}

/// Events that do not follow on from what the client has: it must resume
/// from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub have: u64,
    pub got_prev: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoardModel {
    pub confirmed: ProjectState,
    pub last_seq: u64,
    pub pending: Vec<Pending>,
}

/// What a screen reader hears when others move cards (the user's own moves
/// are announced as they make them): "alice moved ABC-3 to Done." for the
/// first move by someone else in `events`, with how many more there were.
/// `state` is the board after `events`.
pub fn others_moves_said(
    state: &ProjectState,
    me: &UserName,
    events: &[Recorded],
) -> Option<String> {
    let mut moves = events.iter().filter_map(|r| match &r.event {
        Event::IssueMoved { issue, to, .. } if r.actor != *me => Some((r, *issue, *to)),
        _ => None,
    });
    let (first, issue, to) = moves.next()?;
    let column = state.project.as_ref()?.status_name(to);
    let key = IssueKey::new(first.project.clone(), issue);
    let said = format!("{} moved {key} to {column}.", first.actor);
    Some(match moves.count() {
        0 => said,
        1 => format!("{said} 1 more card moved."),
        more => format!("{said} {more} more cards moved."),
    })
}

impl BoardModel {
    pub fn new(state: ProjectState, last_seq: u64) -> Self {
        Self {
            confirmed: state,
            last_seq,
            pending: Vec::new(),
        }
    }

    pub fn key(&self) -> Option<&ProjectKey> {
        self.confirmed.project.as_ref().map(|p| &p.key)
    }

    /// What the board shows: the confirmed state with every pending command
    /// applied. A command that no longer decides cleanly shows nothing; the
    /// server's answer will settle it.
    pub fn displayed(&self) -> ProjectState {
        let mut state = self.confirmed.clone();
        for p in &self.pending {
            if let Ok(events) = predict(&state, &p.context, &p.envelope.command) {
                for e in &events {
                    apply_mut(&mut state, e);
                }
            }
        }
        state
    }

    /// Applies a batch from the server. Events already applied are skipped;
    /// a batch that does not follow on from `last_seq` is a gap.
    pub fn apply_server(&mut self, prev: u64, events: &[Recorded]) -> Result<(), Gap> {
        if prev > self.last_seq {
            return Err(Gap {
                have: self.last_seq,
                got_prev: prev,
            });
        }
        let fresh: Vec<&Recorded> = events.iter().filter(|e| e.seq > self.last_seq).collect();
        for e in &fresh {
            apply_mut(&mut self.confirmed, &e.event);
            self.last_seq = e.seq;
        }
        // Our own commands whose events just arrived leave the queue, even
        // before their HTTP answer: their effect is now confirmed.
        while let Some(index) = self
            .pending
            .iter()
            .position(|p| fresh.iter().any(|e| e.command_id == p.envelope.id))
        {
            let id = self.pending[index].envelope.id;
            let target = self.pending[index].envelope.command.target();
            let own = fresh
                .iter()
                .filter(|e| {
                    e.command_id == id
                        && Some(e.stream) == target
                        && !matches!(e.event, Event::ConflictRecorded { .. })
                })
                .count() as u64;
            self.rebase_after(index, own);
            self.pending.remove(index);
        }
        let last = self.last_seq;
        self.pending
            .retain(|p| p.acknowledged.is_none_or(|seq| seq > last));
        Ok(())
    }

    /// Queues a command made in `context` against what the board shows
    /// now. Returns the events it is expected to produce, or why it cannot
    /// be done.
    pub fn enqueue(
        &mut self,
        id: CommandId,
        context: Context,
        command: Command,
    ) -> Result<Vec<Event>, DomainError> {
        self.enqueue_based(id, context, command, None)
    }

    /// [`Self::enqueue`], based on `base_version` of the target instead of
    /// the version shown now, when the user decided earlier (a drag is
    /// decided when the card is picked up).
    pub fn enqueue_based(
        &mut self,
        id: CommandId,
        context: Context,
        command: Command,
        base_version: Option<u64>,
    ) -> Result<Vec<Event>, DomainError> {
        let shown = self.displayed();
        let events = predict(&shown, &context, &command)?;
        let target = command.target();
        let base_version =
            target.map_or(0, |t| base_version.unwrap_or_else(|| shown.version_of(&t)));
        let predicted = target.map_or(0, |t| {
            events.iter().filter(|e| e.stream() == t).count() as u64
        });
        let project = self.key().cloned().ok_or(DomainError::NoProject)?;
        self.pending.push(Pending {
            envelope: CommandEnvelope {
                id,
                project,
                base_version,
                command,
            },
            context,
            predicted,
            acknowledged: None,
        });
        Ok(events)
    }

    /// Takes back commands queued before a reload (the browser kept them),
    /// in order, behind those already queued. Their bases stay as they were
    /// made: what someone changed meanwhile merges or conflicts as it would
    /// have then. They are shown as made in `context` (the signed-in user,
    /// now): the browser kept only the commands.
    pub fn restore(&mut self, context: &Context, envelopes: Vec<CommandEnvelope>) {
        for envelope in envelopes {
            if self.pending.iter().any(|p| p.envelope.id == envelope.id) {
                continue;
            }
            let target = envelope.command.target();
            let predicted = match (
                target,
                predict(&self.displayed(), context, &envelope.command),
            ) {
                (Some(t), Ok(events)) => events.iter().filter(|e| e.stream() == t).count() as u64,
                _ => 0,
            };
            self.pending.push(Pending {
                envelope,
                context: context.clone(),
                predicted,
                acknowledged: None,
            });
        }
    }

    /// The commands the server has not answered yet, oldest first: what
    /// must survive a reload.
    pub fn unanswered(&self) -> Vec<CommandEnvelope> {
        self.pending
            .iter()
            .filter(|p| p.acknowledged.is_none())
            .map(|p| p.envelope.clone())
            .collect()
    }

    /// The next command to send: the oldest one the server has not answered.
    pub fn next_to_send(&self) -> Option<&CommandEnvelope> {
        self.pending
            .iter()
            .find(|p| p.acknowledged.is_none())
            .map(|p| &p.envelope)
    }

    /// Records the server's answer to command `id`.
    pub fn answered(&mut self, id: CommandId, outcome: &Outcome) {
        let Some(index) = self.pending.iter().position(|p| p.envelope.id == id) else {
            return;
        };
        let own = match outcome {
            Outcome::Accepted { .. } | Outcome::Merged { .. } => {
                let target = self.pending[index].envelope.command.target();
                target.map_or(0, |t| {
                    outcome.recorded().iter().filter(|r| r.stream == t).count() as u64
                })
            }
            // The audit event is not this user's change: it was not "seen".
            Outcome::Conflict { .. } => 0,
        };
        let waits = matches!(outcome, Outcome::Accepted { .. } | Outcome::Merged { .. })
            && outcome.last_seq() > self.last_seq;
        self.rebase_after(index, own);
        if waits {
            self.pending[index].acknowledged = Some(outcome.last_seq());
        } else {
            // Nothing left to wait for: already confirmed, no events, or a conflict.
            self.pending.remove(index);
        }
    }

    /// Drops command `id` (the server refused it outright).
    pub fn refused(&mut self, id: CommandId) {
        if let Some(index) = self.pending.iter().position(|p| p.envelope.id == id) {
            self.rebase_after(index, 0);
            self.pending.remove(index);
        }
    }

    /// Later commands on the same stream counted on the predicted events of
    /// command `index`; `own` of them really happened. Shift their bases, so
    /// they claim to have seen exactly what happened (and conflict if a
    /// refused change they built on clashes with someone else's).
    fn rebase_after(&mut self, index: usize, own: u64) {
        let target = self.pending[index].envelope.command.target();
        let predicted = self.pending[index].predicted;
        if own == predicted {
            return;
        }
        for p in self.pending.iter_mut().skip(index + 1) {
            if p.acknowledged.is_none() && target.is_some() && p.envelope.command.target() == target
            {
                p.envelope.base_version = (p.envelope.base_version + own).saturating_sub(predicted);
            }
        }
    }
}
