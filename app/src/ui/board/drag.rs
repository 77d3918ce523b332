//! Drag and drop with mouse, touch or pen (pointer events): a press that
//! moves past a threshold (or, for a finger, rests first) drags the card,
//! the board and its columns scroll near their edges, and the drop becomes
//! a move through [`interact::dispatch`].

use leptos::ev::PointerEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};
use std::time::Duration;

use super::{BoardCtx, Drag, interact};
use crate::api::live::ClientMessage;
use crate::domain::*;
use crate::ui::live;
use crate::ui::platform::now_ms;

/// Movement (px) that turns a press into a drag.
const DRAG_THRESHOLD: f64 = 4.0;
/// A touch must rest this long before it drags (a quicker swipe scrolls).
const TOUCH_HOLD_MS: f64 = 300.0;
/// Pointer distance (px) from an edge that scrolls the board or a column.
const SCROLL_EDGE: f64 = 56.0;

/// Follows the pointer over the whole window while the board is shown.
pub fn listen(ctx: BoardCtx) {
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
}

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
    ctx.tapped.set_value(None);
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
        base_version: ctx
            .displayed
            .with_untracked(|s| s.version_of(&StreamRef::Issue(n))),
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
        // A click, not a drag. A finger's tap asks where the card should go,
        // once its click arrives: opened now, the sheet would take that click.
        if drag.touch {
            ctx.tapped.set_value(Some(drag.issue));
        } else {
            open_issue(drag.issue);
        }
        return;
    }
    if let Some((status, before)) = drag.over {
        let after = after_for(&ctx.displayed.get_untracked(), status, before, drag.issue);
        interact::dispatch_based(
            ctx,
            Command::MoveIssue {
                issue: drag.issue,
                to: status,
                after,
            },
            Some(drag.base_version),
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
/// The click on card `n` that ends a finger's tap: opens its "Move to…"
/// sheet, the first choice focused.
pub fn clicked(ctx: BoardCtx, n: IssueNumber) {
    if ctx.tapped.try_update_value(Option::take).flatten() != Some(n) {
        return;
    }
    ctx.sheet.set(Some(n));
    request_animation_frame(|| {
        let first = document()
            .query_selector(".sheet button:not([disabled])")
            .ok()
            .flatten();
        if let Some(first) = first.and_then(|b| b.dyn_into::<HtmlElement>().ok()) {
            let _ = first.focus();
        }
    });
}

pub(super) fn open_issue(n: IssueNumber) {
    let link = card_element(n).and_then(|c| c.query_selector("a.card-key").ok().flatten());
    if let Some(link) = link.and_then(|l| l.dyn_into::<HtmlElement>().ok()) {
        link.click();
    }
}

pub(super) fn card_element(n: IssueNumber) -> Option<Element> {
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
