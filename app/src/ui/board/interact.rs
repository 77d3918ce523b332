//! What a user does on the board goes to the server from here. Actions
//! (drag and drop in `drag`, keys in `keyboard`, quick create below) apply
//! at once through the model, then are sent one at a time; a transport
//! failure is retried with the same command id, so it can never apply
//! twice, and nothing is dropped silently.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use std::collections::HashSet;
use std::time::Duration;

use super::model::BoardModel;
use super::{BoardCtx, drag, notices};
use crate::api::{ApiError, execute_command};
use crate::domain::*;
use crate::ui::live::{self, Subscription};
use crate::ui::outbox;
use crate::ui::platform::{now_ms, online_or_after, random_command_id};

/// Starts the board's live parts once it runs in the browser.
pub fn start(ctx: BoardCtx) {
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            let to = Subscription {
                project: ctx.key.get_value(),
                share: ctx.share.get_value(),
            };
            live::follow(to, ctx);
            drag::listen(ctx);
            if ctx.can_edit {
                keep_queue_in_browser(ctx);
            }
        }
    });
}

/// Takes back the changes a reload interrupted, and from then on keeps the
/// browser's copy of the queue equal to what still waits for the server.
fn keep_queue_in_browser(ctx: BoardCtx) {
    let me = ctx.me.0.get_value();
    let key = ctx.key.get_value();
    let kept = outbox::for_project(&me, &key);
    let known = StoredValue::new(kept.iter().map(|e| e.id).collect::<HashSet<_>>());
    if !kept.is_empty() {
        let context = Context::new(me.clone(), UtcTime::from_unix_ms(now_ms()));
        ctx.model.update(|m| m.restore(&context, kept));
        send_pending(ctx);
    }
    // The model changes with every event from the server; the stored queue
    // only when what waits does, so only then is it read and written.
    let written = StoredValue::new(None::<Vec<CommandId>>);
    Effect::new(move |_| {
        let waiting = ctx.model.with(BoardModel::unanswered);
        let ids: Vec<CommandId> = waiting.iter().map(|e| e.id).collect();
        if written.with_value(|w| w.as_ref() == Some(&ids)) {
            return;
        }
        known.update_value(|k| k.extend(ids.iter().copied()));
        known.with_value(|known| outbox::keep_waiting(&me, &key, &waiting, known));
        written.set_value(Some(ids));
    });
}

/// Applies `command` at once and queues it for the server, based on what
/// the board shows now.
pub fn dispatch(ctx: BoardCtx, command: Command) {
    dispatch_based(ctx, command, None);
}

/// [`dispatch`], based on `base_version` of the command's target when the
/// user decided earlier than now (a drag: when the card was picked up).
pub fn dispatch_based(ctx: BoardCtx, command: Command, base_version: Option<u64>) {
    let id = random_command_id();
    let said = describe(&ctx.displayed.get_untracked(), &command);
    // The signed-in user and the browser's clock: the server uses its own.
    let context = Context::new(ctx.me.0.get_value(), UtcTime::from_unix_ms(now_ms()));
    match ctx
        .model
        .try_update(|m| m.enqueue_based(id, context, command.clone(), base_version))
    {
        Some(Ok(events)) => {
            ctx.announce.set(announcement(ctx, &events).unwrap_or(said));
            send_pending(ctx);
        }
        Some(Err(e)) => notices::error(ctx, format!("That cannot be done: {e}.")),
        None => {}
    }
}

/// "ABC-3 moved to Done, position 1 of 4."
fn announcement(ctx: BoardCtx, events: &[Event]) -> Option<String> {
    let state = ctx.displayed.get_untracked();
    events.iter().find_map(|e| match e {
        Event::IssueMoved { issue, to, .. } => {
            let column = state.board_column(*to);
            let position = column.iter().position(|i| i.key.number == *issue)? + 1;
            let name = state.project.as_ref()?.status_name(*to);
            let key = IssueKey::new(ctx.key.get_value(), *issue);
            Some(format!(
                "{key} moved to {name}, position {position} of {}.",
                column.len()
            ))
        }
        _ => None,
    })
}

/// Sends the queued commands one at a time, in order.
fn send_pending(ctx: BoardCtx) {
    if ctx.sending.get_untracked() {
        return;
    }
    ctx.sending.set(true);
    leptos::task::spawn_local(async move {
        let mut backoff = Duration::from_millis(500);
        while let Some(Some(envelope)) = ctx.model.try_with_untracked(|m| m.next_to_send().cloned())
        {
            outbox::until_online().await;
            let answer = execute_command(envelope.clone()).await;
            if ctx.model.is_disposed() {
                // The board is gone; the browser keeps what still waits.
                return;
            }
            match answer {
                Ok(outcome) => {
                    if let Outcome::Conflict { changes, .. } = &outcome {
                        notices::conflict(ctx, &envelope.command, changes, now_ms());
                    }
                    ctx.model.update(|m| m.answered(envelope.id, &outcome));
                    backoff = Duration::from_millis(500);
                }
                // Not an answer: try again later (at once when the network
                // is back), with the same id.
                Err(ApiError::Transport(_) | ApiError::Unavailable) => {
                    online_or_after(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
                Err(e) => {
                    ctx.model.update(|m| m.refused(envelope.id));
                    notices::error(ctx, format!("Not saved: {e}."));
                }
            }
        }
        ctx.sending.set(false);
    });
}

/// "+ Create issue" under a column: type a title, press Enter.
#[component]
pub fn QuickCreate(status: StatusId) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |input: leptos::web_sys::HtmlInputElement| match Title::parse(&input.value())
    {
        Ok(title) => {
            dispatch(
                ctx,
                Command::CreateIssue(NewIssue {
                    status: Some(status),
                    // On a Scrum board a new card joins the sprint it shows.
                    sprint: ctx
                        .displayed
                        .with_untracked(|s| s.active_sprint().map(|s| s.number)),
                    ..NewIssue::new(title, IssueType::Task)
                }),
            );
            input.set_value("");
            error.set(None);
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <div class="quick-create">
            <Show
                when=move || open.get()
                fallback=move || {
                    view! {
                        <button class="add-card" on:click=move |_| open.set(true)>
                            "+ Create issue"
                        </button>
                    }
                }
            >
                <input
                    class="quick-create-input"
                    type="text"
                    placeholder="What needs to be done?"
                    aria-label="New issue title"
                    maxlength="275"
                    autofocus
                    on:keydown=move |ev: KeyboardEvent| match ev.key().as_str() {
                        "Enter" => submit(event_target(&ev)),
                        "Escape" => open.set(false),
                        _ => {}
                    }
                />
                <small class="field-error">{move || error.get()}</small>
            </Show>
        </div>
    }
}
