//! Field edits made while the browser is offline: queued in the browser
//! (see `ui::outbox`), listed on the page, and sent in order once the
//! network is back. A conflict is shown as on the board, one at a time.

use leptos::prelude::*;
use std::time::Duration;

use super::Reload;
use super::fields::conflict_text;
use crate::api::{ApiError, execute_command};
use crate::domain::*;
use crate::ui::outbox;
use crate::ui::platform::{online_or_after, random_command_id};

/// The queue's state on the issue page; it outlives the reloads of the
/// issue (provided once per page), so a replay's conflicts stay on screen.
#[derive(Clone, Copy)]
pub struct QueueState {
    /// The queued changes of this project, as last read.
    waiting: RwSignal<Vec<CommandEnvelope>>,
    conflicts: RwSignal<Vec<Replayed>>,
    /// Bumped to send what waits (the network is back, a retry was asked for).
    wake: RwSignal<u32>,
    sending: StoredValue<bool>,
}

impl QueueState {
    pub fn new() -> Self {
        Self {
            waiting: RwSignal::new(Vec::new()),
            conflicts: RwSignal::new(Vec::new()),
            wake: RwSignal::new(0),
            sending: StoredValue::new(false),
        }
    }
}

/// What the field editors need to queue an edit.
#[derive(Clone)]
pub struct Queue {
    pub me: UserName,
    pub project: Project,
    state: QueueState,
}

/// A queued change the server refused because someone changed the same
/// fields meanwhile (or refused outright).
#[derive(Debug, Clone, PartialEq)]
struct Replayed {
    envelope: CommandEnvelope,
    text: String,
    current_version: u64,
}

impl Queue {
    pub fn new(me: UserName, project: Project, state: QueueState) -> Self {
        Self { me, project, state }
    }

    /// Queues setting `field` of `issue` (as seen at `version`) to `value`.
    pub fn push(
        &self,
        id: CommandId,
        issue: IssueNumber,
        version: u64,
        field: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let command = crate::api::field_command(&self.project, issue, field, value)?;
        outbox::push(
            &self.me,
            CommandEnvelope {
                id,
                project: self.project.key.clone(),
                base_version: version,
                command,
            },
        );
        self.refresh();
        // Sent as soon as it can be (the server may be down while the
        // browser is online).
        self.state.wake.update(|w| *w += 1);
        Ok(())
    }

    fn refresh(&self) {
        self.state
            .waiting
            .set(outbox::for_project(&self.me, &self.project.key));
    }

    /// In the browser: reads the queue and sends it, again whenever the
    /// network comes back.
    pub fn start(&self, reload: Reload) {
        let queue = self.clone();
        let wake = self.state.wake;
        Effect::new(move |_| {
            wake.track();
            queue.refresh();
            if queue.state.sending.get_value() {
                return;
            }
            queue.state.sending.set_value(true);
            let queue = queue.clone();
            leptos::task::spawn_local(async move {
                queue.send_all(reload).await;
                queue.state.sending.set_value(false);
            });
        });
        Effect::new(move |_| {
            let handle = window_event_listener(leptos::ev::online, move |_| {
                wake.update(|w| *w += 1);
            });
            on_cleanup(move || handle.remove());
        });
    }

    /// Sends the queued changes of this project, oldest first, until none
    /// is left; waits for the network when it is gone.
    async fn send_all(&self, reload: Reload) {
        let mut backoff = Duration::from_millis(500);
        let mut changed = false;
        let mut answered = std::collections::HashSet::new();
        while let Some(envelope) = outbox::for_project(&self.me, &self.project.key)
            .into_iter()
            .next()
        {
            if answered.contains(&envelope.id) {
                // The browser did not keep the removal (storage is full or
                // gone): stop rather than send it again and again.
                break;
            }
            outbox::until_online().await;
            match execute_command(envelope.clone()).await {
                Ok(outcome) => {
                    if let Outcome::Conflict {
                        changes, current, ..
                    } = &outcome
                    {
                        let current_version = match current {
                            Some(Snapshot::Issue(i)) => i.version,
                            _ => envelope.base_version,
                        };
                        self.state.conflicts.update(|c| {
                            c.push(Replayed {
                                envelope: envelope.clone(),
                                text: conflict_text(changes),
                                current_version,
                            })
                        });
                    }
                    changed = true;
                    answered.insert(envelope.id);
                    outbox::remove(&self.me, envelope.id);
                }
                Err(ApiError::Transport(_) | ApiError::Unavailable) => {
                    online_or_after(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
                Err(e) => {
                    answered.insert(envelope.id);
                    outbox::remove(&self.me, envelope.id);
                    self.state.conflicts.update(|c| {
                        c.push(Replayed {
                            text: format!("It could not be saved: {e}."),
                            current_version: envelope.base_version,
                            envelope,
                        })
                    });
                }
            }
            self.refresh();
        }
        if changed {
            reload.now();
        }
    }
}

/// "Waiting to be sent: set the priority to High (ABC-3)", and the replay's
/// conflicts, oldest first, one at a time. `sprints` name the sprints an
/// edit sets.
#[component]
pub fn QueuedChanges(queue: Queue, sprints: Vec<Sprint>) -> impl IntoView {
    let Queue { me, project, state } = queue;
    let QueueState {
        waiting,
        conflicts,
        wake,
        ..
    } = state;
    let shown = ProjectState {
        project: Some(project.clone()),
        sprints: sprints.into_iter().map(|s| (s.number, s)).collect(),
        ..ProjectState::default()
    };
    let say = move |command: &Command| {
        let subject = match command.target() {
            Some(StreamRef::Issue(n)) => format!(" ({})", IssueKey::new(project.key.clone(), n)),
            _ => String::new(),
        };
        format!("{}{subject}", describe(&shown, command))
    };
    let say_waiting = say.clone();
    let list = move || {
        let entries = waiting.get();
        (!entries.is_empty()).then(|| {
            let items = entries
                .iter()
                .map(|e| view! { <li>{say_waiting(&e.command)}</li> })
                .collect_view();
            view! {
                <div class="live-notice queued" role="status" data-testid="queued-changes">
                    <span>"Waiting to be sent as soon as the server can be reached:"</span>
                    <ul>{items}</ul>
                </div>
            }
        })
    };
    let conflict = move || {
        let first = conflicts.with(|c| c.first().cloned())?;
        let more = conflicts.with(Vec::len) - 1;
        let settle = move || conflicts.update(|c| drop(c.remove(0)));
        let me = me.clone();
        Some(view! {
            <div class="conflict" role="alert" data-testid="replay-conflict">
                <strong>{format!("Not applied: {}.", say(&first.envelope.command))}</strong>
                <p>{first.text.clone()}</p>
                {(more > 0).then(|| view! { <p class="muted">{format!("{more} more after this one.")}</p> })}
                <button type="button" class="primary" on:click=move |_| {
                    settle();
                    outbox::push(&me, CommandEnvelope {
                        id: random_command_id(),
                        base_version: first.current_version,
                        ..first.envelope.clone()
                    });
                    wake.update(|w| *w += 1);
                }>"Save mine anyway"</button>
                <button type="button" on:click=move |_| settle()>"Keep theirs"</button>
            </div>
        })
    };
    view! {
        {list}
        {conflict}
    }
}
