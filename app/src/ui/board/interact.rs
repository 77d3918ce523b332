//! What a user does on the board: drag and drop with mouse, touch or pen
//! (pointer events), keyboard moves, quick create; and how each action goes
//! to the server. Actions apply at once through the model, then are sent
//! one at a time; a transport failure is retried with the same command id,
//! so it can never apply twice, and nothing is dropped silently.

use leptos::ev::{KeyboardEvent, PointerEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};
use std::collections::HashSet;
use std::time::Duration;

use super::model::BoardModel;
use super::{BoardCtx, Drag, live, notices};
use crate::api::live::ClientMessage;
use crate::api::{ApiError, execute_command};
use crate::domain::*;
use crate::ui::outbox;

/// Movement (px) that turns a press into a drag.
const DRAG_THRESHOLD: f64 = 4.0;
/// A touch must rest this long before it drags (a quicker swipe scrolls).
const TOUCH_HOLD_MS: f64 = 300.0;
/// Pointer distance (px) from an edge that scrolls the board or a column.
const SCROLL_EDGE: f64 = 56.0;

/// Starts the board's live parts once it runs in the browser.
pub fn start(ctx: BoardCtx) {
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            live::connect(ctx);
            let handles = [
                window_event_listener(leptos::ev::pointermove, move |e| pointer_move(ctx, e)),
                window_event_listener(leptos::ev::pointerup, move |e| pointer_up(ctx, e)),
                window_event_listener(leptos::ev::pointercancel, move |_| cancel_drag(ctx)),
                window_event_listener(leptos::ev::keydown, move |e| {
                    if e.key() == "Escape" {
                        cancel_drag(ctx);
                    }
                }),
            ];
            block_touch_scroll_while_dragging(ctx);
            on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));
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

/// Applies `command` at once and queues it for the server.
pub fn dispatch(ctx: BoardCtx, command: Command) {
    let id = random_command_id();
    let said = describe(&ctx.displayed.get_untracked(), &command);
    // The signed-in user and the browser's clock: the server uses its own.
    let context = Context::new(ctx.me.0.get_value(), UtcTime::from_unix_ms(now_ms()));
    match ctx
        .model
        .try_update(|m| m.enqueue(id, context, command.clone()))
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
                    outbox::online_or_after(backoff).await;
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

// ------------------------------------------------------------ pointer drag

pub fn pointer_down(ctx: BoardCtx, n: IssueNumber, ev: PointerEvent) {
    if !ctx.can_edit || ev.button() != 0 || ctx.drag.with_untracked(Option::is_some) {
        return;
    }
    // Links and controls inside a card keep their own behaviour.
    let on_control = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| {
            t.closest("a, button, input, select, textarea")
                .ok()
                .flatten()
        })
        .is_some();
    let Some(card) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<Element>().ok())
    else {
        return;
    };
    if on_control {
        return;
    }
    let rect = card.get_bounding_client_rect();
    let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
    ctx.drag.set(Some(Drag {
        issue: n,
        pointer: ev.pointer_id(),
        started: false,
        start: (x, y),
        at: (x, y),
        grab: (x - rect.left(), y - rect.top()),
        size: (rect.width(), rect.height()),
        over: None,
        touch: ev.pointer_type() == "touch",
        pressed_ms: now_ms() as f64,
    }));
}

fn pointer_move(ctx: BoardCtx, ev: PointerEvent) {
    let Some(mut drag) = ctx.drag.get_untracked() else {
        return;
    };
    if drag.pointer != ev.pointer_id() {
        return;
    }
    drag.at = (ev.client_x() as f64, ev.client_y() as f64);
    if !drag.started {
        let moved = (drag.at.0 - drag.start.0).hypot(drag.at.1 - drag.start.1);
        if drag.touch && (now_ms() as f64) - drag.pressed_ms < TOUCH_HOLD_MS {
            // A quick swipe is a scroll, not a drag.
            if moved > 2.0 * DRAG_THRESHOLD {
                ctx.drag.set(None);
            }
            return;
        }
        if moved < DRAG_THRESHOLD {
            return;
        }
        drag.started = true;
        live::send(ClientMessage::Dragging {
            issue: Some(drag.issue),
        });
        set_body_class("dragging-active", true);
        autoscroll::start(ctx);
    }
    ev.prevent_default();
    drag.over = hit_test(drag.at, drag.issue);
    ctx.drag.set(Some(drag));
}

fn pointer_up(ctx: BoardCtx, ev: PointerEvent) {
    let Some(drag) = ctx.drag.get_untracked() else {
        return;
    };
    if drag.pointer != ev.pointer_id() {
        return;
    }
    end_drag(ctx);
    if !drag.started {
        // A click, not a drag.
        open_issue(drag.issue);
        return;
    }
    if let Some((status, before)) = drag.over {
        let after = after_for(&ctx.displayed.get_untracked(), status, before, drag.issue);
        dispatch(
            ctx,
            Command::MoveIssue {
                issue: drag.issue,
                to: status,
                after,
            },
        );
    }
}

fn cancel_drag(ctx: BoardCtx) {
    if ctx.drag.with_untracked(Option::is_some) {
        end_drag(ctx);
    }
}

fn end_drag(ctx: BoardCtx) {
    let was_dragging = ctx
        .drag
        .with_untracked(|d| d.as_ref().is_some_and(|d| d.started));
    ctx.drag.set(None);
    autoscroll::stop();
    set_body_class("dragging-active", false);
    if was_dragging {
        live::send(ClientMessage::Dragging { issue: None });
    }
}

/// The issue a card dropped before `before` (at the end for `None`) should
/// follow, in the full column (filtered-out cards included).
pub fn after_for(
    state: &ProjectState,
    status: StatusId,
    before: Option<IssueNumber>,
    moving: IssueNumber,
) -> Option<IssueNumber> {
    let column: Vec<IssueNumber> = state
        .column(status)
        .iter()
        .map(|i| i.key.number)
        .filter(|n| *n != moving)
        .collect();
    match before.and_then(|b| column.iter().position(|n| *n == b)) {
        Some(index) => index.checked_sub(1).map(|i| column[i]),
        None => column.last().copied(),
    }
}

/// The column under the pointer and the card the drop goes before.
fn hit_test((x, y): (f64, f64), moving: IssueNumber) -> Option<(StatusId, Option<IssueNumber>)> {
    let under = document().element_from_point(x as f32, y as f32)?;
    let column = under.closest("[data-status]").ok()??;
    let status = StatusId(column.get_attribute("data-status")?.parse().ok()?);
    let cards = column.query_selector_all(".card[data-issue]").ok()?;
    for i in 0..cards.length() {
        let Some(card) = cards.item(i).and_then(|c| c.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(n) = card
            .get_attribute("data-issue")
            .and_then(|a| a.parse().ok())
            .map(IssueNumber)
        else {
            continue;
        };
        if n == moving {
            continue;
        }
        let rect = card.get_bounding_client_rect();
        if y < rect.top() + rect.height() / 2.0 {
            return Some((status, Some(n)));
        }
    }
    Some((status, None))
}

/// Opens an issue's page through its card's link, so the router handles it.
fn open_issue(n: IssueNumber) {
    let link = card_element(n).and_then(|c| c.query_selector("a.card-key").ok().flatten());
    if let Some(link) = link.and_then(|l| l.dyn_into::<HtmlElement>().ok()) {
        link.click();
    }
}

fn card_element(n: IssueNumber) -> Option<Element> {
    document()
        .query_selector(&format!(".card[data-issue=\"{}\"]", n.0))
        .ok()
        .flatten()
}

fn set_body_class(class: &str, on: bool) {
    if let Some(body) = document().body() {
        let _ = if on {
            body.class_list().add_1(class)
        } else {
            body.class_list().remove_1(class)
        };
    }
}

/// Touch drags must not scroll the page: once a touch has rested long
/// enough to drag, its moves are taken from the browser. (Touch listeners
/// on the document are passive unless registered otherwise.)
fn block_touch_scroll_while_dragging(ctx: BoardCtx) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::closure::Closure;
        let handler =
            Closure::<dyn Fn(leptos::web_sys::Event)>::new(move |e: leptos::web_sys::Event| {
                let holding = ctx.drag.with_untracked(|d| {
                    d.as_ref().is_some_and(|d| {
                        d.started || (d.touch && (now_ms() as f64) - d.pressed_ms >= TOUCH_HOLD_MS)
                    })
                });
                if holding {
                    e.prevent_default();
                }
            });
        let options = leptos::web_sys::AddEventListenerOptions::new();
        options.set_passive(false);
        let _ = document().add_event_listener_with_callback_and_add_event_listener_options(
            "touchmove",
            handler.as_ref().unchecked_ref(),
            &options,
        );
        handler.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ctx;
}

/// Scrolls the board sideways and a column up or down while a drag nears
/// their edges.
mod autoscroll {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static TIMER: Cell<Option<leptos::prelude::IntervalHandle>> = const { Cell::new(None) };
    }

    pub fn start(ctx: BoardCtx) {
        stop();
        let handle = set_interval_with_handle(move || tick(ctx), Duration::from_millis(16)).ok();
        TIMER.with(|t| t.set(handle));
    }

    pub fn stop() {
        if let Some(handle) = TIMER.with(|t| t.take()) {
            handle.clear();
        }
    }

    fn speed(distance_inside: f64) -> f64 {
        ((SCROLL_EDGE - distance_inside) / SCROLL_EDGE * 18.0).clamp(0.0, 18.0)
    }

    fn tick(ctx: BoardCtx) {
        let Some((x, y)) = ctx
            .drag
            .with_untracked(|d| d.as_ref().filter(|d| d.started).map(|d| d.at))
        else {
            return;
        };
        if let Some(board) = document().query_selector(".board").ok().flatten() {
            let r = board.get_bounding_client_rect();
            if x < r.left() + SCROLL_EDGE {
                board.scroll_by_with_x_and_y(-speed(x - r.left()), 0.0);
            } else if x > r.right() - SCROLL_EDGE {
                board.scroll_by_with_x_and_y(speed(r.right() - x), 0.0);
            }
        }
        let cards = document()
            .element_from_point(x as f32, y as f32)
            .and_then(|e| e.closest("[data-status]").ok().flatten())
            .and_then(|c| c.query_selector(".cards").ok().flatten());
        if let Some(list) = cards {
            let r = list.get_bounding_client_rect();
            if y < r.top() + SCROLL_EDGE {
                list.scroll_by_with_x_and_y(0.0, -speed(y - r.top()));
            } else if y > r.bottom() - SCROLL_EDGE {
                list.scroll_by_with_x_and_y(0.0, speed(r.bottom() - y));
            }
        }
    }
}

// ------------------------------------------------------------------ keyboard

pub fn key_down(ctx: BoardCtx, n: IssueNumber, ev: KeyboardEvent) {
    let key = ev.key();
    let state = ctx.displayed.get_untracked();
    let Some(issue) = state.issues.get(&n) else {
        return;
    };
    let statuses: Vec<StatusId> = state
        .project
        .as_ref()
        .map(|p| p.statuses.iter().map(|s| s.id).collect())
        .unwrap_or_default();
    let Some(col) = statuses.iter().position(|s| *s == issue.status) else {
        return;
    };
    let visible = ctx.visible_column(issue.status);
    let index = visible.iter().position(|x| *x == n).unwrap_or(0);
    let neighbour_column = |step: isize| statuses.get(col.checked_add_signed(step)?).copied();
    let handled = match (ev.alt_key() && ctx.can_edit, key.as_str()) {
        (true, "ArrowLeft" | "ArrowRight") => {
            let Some(to) = neighbour_column(if key == "ArrowLeft" { -1 } else { 1 }) else {
                return;
            };
            let before = ctx.visible_column(to).get(index).copied();
            dispatch(
                ctx,
                Command::MoveIssue {
                    issue: n,
                    to,
                    after: after_for(&state, to, before, n),
                },
            );
            true
        }
        (true, "ArrowUp") if index > 0 => {
            dispatch(
                ctx,
                Command::MoveIssue {
                    issue: n,
                    to: issue.status,
                    after: after_for(&state, issue.status, Some(visible[index - 1]), n),
                },
            );
            true
        }
        (true, "ArrowDown") if index + 1 < visible.len() => {
            dispatch(
                ctx,
                Command::MoveIssue {
                    issue: n,
                    to: issue.status,
                    after: Some(visible[index + 1]),
                },
            );
            true
        }
        (false, "ArrowUp") => focus_card(visible.get(index.wrapping_sub(1)).copied()),
        (false, "ArrowDown") => focus_card(visible.get(index + 1).copied()),
        (false, "ArrowLeft" | "ArrowRight") => {
            let to = neighbour_column(if key == "ArrowLeft" { -1 } else { 1 });
            focus_card(to.and_then(|to| {
                let cards = ctx.visible_column(to);
                cards.get(index.min(cards.len().saturating_sub(1))).copied()
            }))
        }
        (false, "Enter") => {
            open_issue(n);
            true
        }
        _ => false,
    };
    if handled {
        ev.prevent_default();
        if ev.alt_key() {
            // The card is re-rendered where it went; keep the focus on it.
            request_animation_frame(move || {
                focus_card(Some(n));
            });
        }
    }
}

fn focus_card(n: Option<IssueNumber>) -> bool {
    let Some(card) = n
        .and_then(card_element)
        .and_then(|c| c.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    let _ = card.focus();
    true
}

// -------------------------------------------------------------- quick create

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

// ---------------------------------------------------------- browser bits

pub fn random_command_id() -> CommandId {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = leptos::web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    CommandId::from_random_bytes(bytes)
}

pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    0
}

pub async fn sleep(d: Duration) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::sleep(d).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = d;
}
