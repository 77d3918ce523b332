//! A card on the board, and the small icons cards and pages share.

use leptos::prelude::*;

use super::{BoardCtx, interact};
use crate::domain::{IssueNumber, IssueType, Priority, UserName};

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
                    on:pointerdown=move |ev| interact::pointer_down(ctx, n, ev)
                    on:keydown=move |ev| interact::key_down(ctx, n, ev)
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

/// A round avatar with the user's initials, coloured by name.
#[component]
pub fn Avatar(user: UserName) -> impl IntoView {
    const COLOURS: [&str; 8] = [
        "#4f5bd5", "#0d8f6f", "#c2410c", "#9333ea", "#0369a1", "#be185d", "#4d7c0f", "#b45309",
    ];
    let hash = user
        .as_str()
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    let colour = COLOURS[hash as usize % COLOURS.len()];
    view! {
        <span class="avatar" style=format!("background:{colour}") title=user.to_string() aria-label=user.to_string()>
            {user.initials()}
        </span>
    }
}

#[component]
pub fn TypeIcon(t: IssueType) -> impl IntoView {
    let (colour, path) = match t {
        IssueType::Story => ("#36b37e", "M5 3.5h6v9l-3-2-3 2z"),
        IssueType::Task => ("#4bade8", "M4.5 8.2l2.3 2.3 4.7-4.9"),
        IssueType::Bug => ("#e5493a", "M8 4.8a3.2 3.2 0 1 1 0 6.4a3.2 3.2 0 1 1 0-6.4z"),
        IssueType::Epic => ("#904ee2", "M9 2.8L4.8 9h3l-1 4.2L11.2 7h-3z"),
        IssueType::SubTask => ("#4bade8", "M4 4h4v4H4zM8 8h4v4H8z"),
    };
    let filled = !matches!(t, IssueType::Task);
    view! {
        <svg class="icon type-icon" viewBox="0 0 16 16" width="16" height="16" role="img" aria-label=t.label()>
            <title>{t.label()}</title>
            <rect width="16" height="16" rx="3" fill=colour />
            <path
                d=path
                fill=if filled { "#fff" } else { "none" }
                stroke="#fff"
                stroke-width=if filled { "0" } else { "1.8" }
                stroke-linecap="round"
                stroke-linejoin="round"
            />
        </svg>
    }
}

#[component]
pub fn PriorityIcon(p: Priority) -> impl IntoView {
    let (colour, path) = match p {
        Priority::Highest => ("#d04437", "M3 9l5-5 5 5M3 13l5-5 5 5"),
        Priority::High => ("#e5493a", "M3 11l5-5 5 5"),
        Priority::Medium => ("#e8a317", "M3 6h10M3 10h10"),
        Priority::Low => ("#2a8735", "M3 5l5 5 5-5"),
        Priority::Lowest => ("#2a8735", "M3 3l5 5 5-5M3 7l5 5 5-5"),
    };
    view! {
        <svg class="icon priority-icon" viewBox="0 0 16 16" width="16" height="16" role="img" aria-label=p.label()>
            <title>{format!("{} priority", p.label())}</title>
            <path d=path fill="none" stroke=colour stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}
