//! The board by keyboard: arrows move the focus between cards, Alt+arrows
//! move the focused card, Enter opens it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;

use super::drag::{after_for, card_element, open_issue};
use super::{BoardCtx, interact::dispatch};
use crate::domain::*;

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
