//! A card on the board.

use leptos::prelude::*;

use super::{BoardCtx, drag, keyboard};
use crate::domain::{IssueNumber, IssueType};
use crate::ui::common::{Avatar, PriorityIcon, TypeIcon};

#[component]
pub fn Card(n: IssueNumber) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let issue = Memo::new(move |_| ctx.displayed.with(|s| s.issues.get(&n).cloned()));
    // The epic's title, shown as a chip (sub-tasks name their parent's key instead).
    let epic = Memo::new(move |_| {
        ctx.displayed.with(|s| {
            let parent = s.issue(s.issues.get(&n)?.parent?)?;
            Some(if parent.issue_type == IssueType::Epic {
                parent.title.to_string()
            } else {
                parent.key.to_string()
            })
        })
    });
    // "Bob is moving this" while another viewer drags it.
    let dragged_by = move || {
        ctx.viewers.with(|vs| {
            vs.iter()
                .find(|v| v.dragging == Some(n) && v.user != ctx.me)
                .map(|v| format!("{} is moving this", v.user))
        })
    };
    let pending = move || {
        ctx.model.with(|m| {
            m.pending
                .iter()
                .any(|p| p.envelope.command.target() == Some(crate::domain::StreamRef::Issue(n)))
        })
    };
    move || {
        issue.get().map(|i| {
            let key = i.key.to_string();
            let href = ctx.issue_href(&key);
            let label = format!("{key} {}", i.title);
            let key_attr = key.clone();
            view! {
                <li
                    class="card"
                    class:dragging=move || ctx.drag.with(|d| d.as_ref().is_some_and(|d| d.issue == n && d.started))
                    class:drop-before=move || ctx.drag.with(|d| d.as_ref().is_some_and(|d| d.over_card() == Some(n)))
                    class:saving=pending
                    data-issue=n.0
                    data-key=key_attr
                    tabindex="0"
                    aria-label=label
                    aria-describedby="board-help"
                    on:pointerdown=move |ev| drag::pointer_down(ctx, n, ev)
                    on:click=move |_| drag::clicked(ctx, n)
                    on:keydown=move |ev| keyboard::key_down(ctx, n, ev)
                >
                    <div class="card-title">{i.title.to_string()}</div>
                    {move || epic.get().map(|e| view! { <span class="epic-chip" title="Parent">{e}</span> })}
                    <div class="card-meta">
                        <TypeIcon t=i.issue_type />
                        <a class="card-key" href=href draggable="false">{key}</a>
                        <PriorityIcon p=i.priority />
                        <span class="spacer"></span>
                        {i.points.map(|p| view! { <span class="points" title="Story points">{p.to_string()}</span> })}
                        {i.assignee.map(|a| view! { <Avatar user=a /> })}
                    </div>
                    {move || dragged_by().map(|who| view! { <div class="presence-badge">{who}</div> })}
                </li>
            }
            .into_any()
        })
    }
}
