//! The board on a phone: one column per screen width (the style sheet
//! snaps them), a switcher naming every column with its count, and a
//! "Move to…" sheet that a tap on a card opens (a long press still drags).

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;

use super::drag::after_for;
use super::{BoardCtx, interact};
use crate::domain::*;

/// The board's columns as buttons: a tap scrolls that column into view;
/// the one in view is marked. Shown by the style sheet on narrow screens.
#[component]
pub fn ColumnSwitcher(statuses: Memo<Vec<Status>>, in_view: RwSignal<usize>) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let buttons = move || {
        statuses
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, status)| {
                let id = status.id;
                let count = move || ctx.displayed.with(|s| s.board_column(id).len());
                view! {
                    <button
                        type="button"
                        aria-current=move || (in_view.get() == index).then_some("true")
                        on:click=move |_| show_column(id)
                    >
                        {status.name.to_string()}
                        " "
                        <span class="count">{count}</span>
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <nav class="column-switcher" aria-label="Columns" data-testid="column-switcher">
            {buttons}
        </nav>
    }
}

/// Scrolls the board so column `id` fills it.
fn show_column(id: StatusId) {
    let board = document().query_selector(".board").ok().flatten();
    let column = document()
        .query_selector(&format!(".board [data-status=\"{}\"]", id.0))
        .ok()
        .flatten();
    if let (Some(board), Some(column)) = (
        board.and_then(|b| b.dyn_into::<HtmlElement>().ok()),
        column.and_then(|c| c.dyn_into::<HtmlElement>().ok()),
    ) {
        board.set_scroll_left(column.offset_left() - board.offset_left());
    }
}

/// Which column fills the board now, from its scroll position (columns are
/// the board's width apart, plus the gap).
pub fn column_in_view(board: &HtmlElement) -> usize {
    const GAP: f64 = 12.0;
    let stride = f64::from(board.client_width()) + GAP;
    if stride <= GAP {
        return 0;
    }
    (f64::from(board.scroll_left()) / stride).round().max(0.0) as usize
}

/// Where the tapped card can go: every other column (to its top), or its
/// page. Closed by Cancel, Escape or a tap outside.
#[component]
pub fn MoveSheet() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let close = move || ctx.sheet.set(None);
    let handle = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" && ctx.sheet.get_untracked().is_some() {
            close();
        }
    });
    on_cleanup(move || handle.remove());
    move || {
        let n = ctx.sheet.get()?;
        let (key, title, at, statuses) = ctx.displayed.with(|s| {
            let issue = s.issues.get(&n)?;
            let statuses = s.project.as_ref()?.statuses.clone();
            Some((
                issue.key.to_string(),
                issue.title.to_string(),
                issue.status,
                statuses,
            ))
        })?;
        let href = ctx.issue_href(&key);
        let targets = statuses
            .into_iter()
            .map(|status| {
                let to = status.id;
                let here = to == at;
                let go = move |_| {
                    close();
                    let state = ctx.displayed.get_untracked();
                    let top = ctx.visible_column(to).first().copied();
                    let after = after_for(&state, to, top, n);
                    interact::dispatch(
                        ctx,
                        Command::MoveIssue {
                            issue: n,
                            to,
                            after,
                        },
                    );
                };
                view! {
                    <li>
                        <button type="button" disabled=here on:click=go>
                            {status.name.to_string()}
                            {here.then_some(" (here)")}
                        </button>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="sheet-backdrop" on:click=move |_| close()></div>
            <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="move-sheet-title" data-testid="move-sheet">
                <h2 id="move-sheet-title">{format!("Move {key} to…")}</h2>
                <p class="muted sheet-subtitle">{title}</p>
                <ul class="sheet-targets">{targets}</ul>
                <div class="sheet-actions">
                    <a href=href class="header-link">{format!("Open {key}")}</a>
                    <button type="button" on:click=move |_| close()>"Cancel"</button>
                </div>
            </div>
        })
    }
}
