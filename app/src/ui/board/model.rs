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
        let shown = self.displayed();
        let events = predict(&shown, &context, &command)?;
        let target = command.target();
        let base_version = target.map_or(0, |t| shown.version_of(&t));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// bob, signed in to the board, at time 0.
    fn bob() -> Context {
        Context::new(UserName::parse("bob").unwrap(), UtcTime::from_unix_ms(0))
    }

    fn id(n: u8) -> CommandId {
        CommandId::from_random_bytes([n; 16])
    }

    fn rec(seq: u64, stream: StreamRef, version: u64, event: Event) -> Recorded {
        Recorded {
            seq,
            project: ProjectKey::parse("ABC").unwrap(),
            stream,
            version,
            actor: UserName::parse("bob").unwrap(),
            at_ms: 0,
            command_id: id(99),
            event,
        }
    }

    /// A project with two issues, as the server would send it: seqs 1..=4 (the project, its admin, two issues).
    fn server_log() -> Vec<Recorded> {
        let mut state = ProjectState::default();
        let create = Command::CreateProject {
            key: ProjectKey::parse("ABC").unwrap(),
            name: ProjectName::parse("Alpha").unwrap(),
            kind: ProjectKind::Kanban,
        };
        let new = |t: &str| {
            Command::CreateIssue(NewIssue::new(Title::parse(t).unwrap(), IssueType::Task))
        };
        let mut log = Vec::new();
        for c in [create, new("one"), new("two")] {
            for e in decide(&state, &bob(), &c).unwrap() {
                apply_mut(&mut state, &e);
                let stream = e.stream();
                log.push(rec(
                    log.len() as u64 + 1,
                    stream,
                    state.version_of(&stream),
                    e,
                ));
            }
        }
        log
    }

    fn model() -> BoardModel {
        let log = server_log();
        let mut m = BoardModel::new(ProjectState::default(), 0);
        m.apply_server(0, &log).unwrap();
        m
    }

    fn status_of(state: &ProjectState, n: u32) -> StatusId {
        state.issues[&IssueNumber(n)].status
    }

    fn move_cmd(n: u32, to: u32) -> Command {
        Command::MoveIssue {
            issue: IssueNumber(n),
            to: StatusId(to),
            after: None,
        }
    }

    #[test]
    fn a_move_shows_at_once_and_leaves_the_queue_when_its_event_arrives() {
        let mut m = model();
        m.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
        assert_eq!(status_of(&m.displayed(), 1), StatusId(3));
        assert_eq!(status_of(&m.confirmed, 1), StatusId(1));
        assert_eq!(m.next_to_send().unwrap().base_version, 1);

        // The server accepts it as seq 5; the socket has not delivered it yet.
        let mut after = m.displayed();
        let events = decide(&m.confirmed, &bob(), &move_cmd(1, 3)).unwrap();
        apply_mut(&mut after, &events[0]);
        let accepted = Outcome::Accepted {
            events: vec![rec(
                5,
                StreamRef::Issue(IssueNumber(1)),
                2,
                events[0].clone(),
            )],
        };
        m.answered(id(1), &accepted);
        assert_eq!(m.pending.len(), 1, "kept until the socket confirms it");
        assert!(m.next_to_send().is_none());
        assert_eq!(status_of(&m.displayed(), 1), StatusId(3));

        m.apply_server(
            4,
            &accepted.recorded().into_iter().cloned().collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(m.pending.is_empty());
        assert_eq!(
            status_of(&m.displayed(), 1),
            StatusId(3),
            "applied once, not twice"
        );
        assert_eq!(m.last_seq, 5);
    }

    #[test]
    fn own_events_arriving_before_the_answer_end_the_speculation() {
        let mut m = model();
        let create = Command::CreateIssue(NewIssue::new(
            Title::parse("three").unwrap(),
            IssueType::Task,
        ));
        // Shown at once with its real reporter: the signed-in user.
        let carol = Context::new(UserName::parse("carol").unwrap(), UtcTime::from_unix_ms(9));
        m.enqueue(id(7), carol, create.clone()).unwrap();
        assert_eq!(m.displayed().issues.len(), 3);
        assert_eq!(
            m.displayed().issues[&IssueNumber(3)].reporter.as_str(),
            "carol"
        );
        let event = decide(&m.confirmed, &bob(), &create).unwrap().remove(0);
        let mut r = rec(5, StreamRef::Issue(IssueNumber(3)), 1, event);
        r.command_id = id(7);
        m.apply_server(4, &[r]).unwrap();
        assert!(m.pending.is_empty());
        assert_eq!(m.displayed().issues.len(), 3, "the new issue shows once");
        // The HTTP answer that follows changes nothing.
        let before = m.clone();
        m.answered(id(7), &Outcome::Accepted { events: vec![] });
        assert_eq!(m, before);
    }

    #[test]
    fn replayed_events_are_skipped_and_a_gap_is_reported() {
        let log = server_log();
        let mut m = model();
        let before = m.clone();
        m.apply_server(0, &log).unwrap();
        assert_eq!(m, before, "events already applied are skipped");
        let later = rec(9, StreamRef::Issue(IssueNumber(1)), 2, move_cmd_event());
        assert_eq!(
            m.apply_server(7, &[later]),
            Err(Gap {
                have: 4,
                got_prev: 7
            })
        );
        assert_eq!(m, before, "nothing applied across a gap");
    }

    fn move_cmd_event() -> Event {
        Event::IssueMoved {
            issue: IssueNumber(1),
            from: StatusId(1),
            to: StatusId(2),
            rank: Rank::initial(),
        }
    }

    #[test]
    fn a_conflict_drops_the_speculation_and_shows_the_servers_state() {
        let mut m = model();
        m.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
        // Meanwhile someone else moved it to Done (seq 5).
        let theirs = decide(&m.confirmed, &bob(), &move_cmd(1, 4))
            .unwrap()
            .remove(0);
        m.apply_server(4, &[rec(5, StreamRef::Issue(IssueNumber(1)), 2, theirs)])
            .unwrap();
        // Our move, based on version 1, conflicts; the audit event is seq 6.
        let audit = Event::ConflictRecorded {
            stream: StreamRef::Issue(IssueNumber(1)),
            base_version: 1,
            fields: vec![Field::Status, Field::Rank],
            attempted: vec![],
        };
        let conflict = Outcome::Conflict {
            fields: vec![Field::Status],
            recorded: Box::new(rec(6, StreamRef::Issue(IssueNumber(1)), 3, audit)),
            changes: vec![],
            current: None,
        };
        m.answered(id(1), &conflict);
        assert!(m.pending.is_empty());
        assert_eq!(
            status_of(&m.displayed(), 1),
            StatusId(4),
            "the card settles where the server says"
        );
    }

    #[test]
    fn later_commands_on_the_same_card_are_rebased_when_an_earlier_one_is_refused() {
        let mut m = model();
        m.enqueue(id(1), bob(), move_cmd(1, 2)).unwrap();
        m.enqueue(id(2), bob(), move_cmd(1, 3)).unwrap();
        assert_eq!(
            m.pending[1].envelope.base_version, 2,
            "made against the first move's result"
        );
        // The first came back as a conflict: one audit event, not the predicted move.
        let audit = Event::ConflictRecorded {
            stream: StreamRef::Issue(IssueNumber(1)),
            base_version: 1,
            fields: vec![Field::Status],
            attempted: vec![],
        };
        let mut conflict_rec = rec(6, StreamRef::Issue(IssueNumber(1)), 3, audit);
        conflict_rec.version = 3;
        let conflict = Outcome::Conflict {
            fields: vec![Field::Status],
            recorded: Box::new(conflict_rec),
            changes: vec![],
            current: None,
        };
        m.answered(id(1), &conflict);
        // The second move was made on top of the refused first one: it now
        // claims only what the server had, so it conflicts in turn if the
        // other change touched the same fields.
        assert_eq!(m.next_to_send().unwrap().base_version, 1);
        m.enqueue(id(3), bob(), move_cmd(2, 2)).unwrap();
        m.enqueue(id(4), bob(), move_cmd(2, 3)).unwrap();
        // A no-op answer (no events where one was predicted) shifts it down too.
        m.answered(id(3), &Outcome::Accepted { events: vec![] });
        let fourth = m.pending.iter().find(|p| p.envelope.id == id(4)).unwrap();
        assert_eq!(fourth.envelope.base_version, 1);
    }

    #[test]
    fn a_command_that_cannot_be_done_is_refused_before_it_is_sent() {
        let mut m = model();
        let err = m.enqueue(id(1), bob(), move_cmd(42, 2)).unwrap_err();
        assert!(matches!(err, DomainError::IssueNotFound(_)));
        assert!(m.pending.is_empty());
    }

    #[test]
    fn commands_kept_over_a_reload_show_again_keep_their_bases_and_go_out_in_order() {
        let mut before = model();
        before.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
        before.enqueue(id(2), bob(), move_cmd(1, 2)).unwrap();
        let kept = before.unanswered();
        // The reloaded page starts from the server's state, then takes them back.
        let mut after = model();
        after.restore(&bob(), kept.clone());
        after.restore(&bob(), kept.clone());
        assert_eq!(after.unanswered(), kept, "once each, bases untouched");
        assert_eq!(status_of(&after.displayed(), 1), StatusId(2));
        assert_eq!(after.next_to_send().unwrap().id, id(1));
        // One answered: the other still waits (and is kept).
        after.answered(id(1), &Outcome::Accepted { events: vec![] });
        let waiting: Vec<CommandId> = after.unanswered().iter().map(|e| e.id).collect();
        assert_eq!(waiting, [id(2)]);
    }
}
