//! The small pictures every page shares: a user's avatar, an issue type's
//! and a priority's icon.

use leptos::prelude::*;

use crate::domain::{IssueType, Priority, UserName};

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
