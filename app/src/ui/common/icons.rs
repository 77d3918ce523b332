//! The small pictures every page shares: a user's avatar, an issue type's
//! and a priority's icon.

use leptos::prelude::*;

use crate::domain::{IssueType, Priority, UserName};

/// A round avatar with the user's initials, coloured by name.
#[component]
pub fn Avatar(user: UserName) -> impl IntoView {
    // The same colour as the user's own avatar in the top bar.
    let colour = crate::domain::avatar_colour(&user);
    view! {
        <span class="avatar" style=format!("background:{colour}") role="img" title=user.to_string() aria-label=user.to_string()>
            {user.initials()}
        </span>
    }
}

/// An issue type's icon. The pictures live in the style sheet (`.t-…`), so
/// a card carries a class name instead of an inline `<svg>` (on a board of
/// a thousand cards that was half the HTML).
#[component]
pub fn TypeIcon(t: IssueType) -> impl IntoView {
    let class = match t {
        IssueType::Story => "icon t-story",
        IssueType::Task => "icon t-task",
        IssueType::Bug => "icon t-bug",
        IssueType::Epic => "icon t-epic",
        IssueType::SubTask => "icon t-sub_task",
    };
    view! { <span class=class role="img" aria-label=t.label() title=t.label()></span> }
}

/// A priority's icon, drawn by the style sheet (`.p-…`) as the type's is.
#[component]
pub fn PriorityIcon(p: Priority) -> impl IntoView {
    let class = match p {
        Priority::Highest => "icon p-highest",
        Priority::High => "icon p-high",
        Priority::Medium => "icon p-medium",
        Priority::Low => "icon p-low",
        Priority::Lowest => "icon p-lowest",
    };
    view! { <span class=class role="img" aria-label=p.label() title=format!("{} priority", p.label())></span> }
}
