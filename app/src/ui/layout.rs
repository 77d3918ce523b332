//! The app's frame around every page: the top bar with the brand, the main
//! navigation, the project's pages (a menu, for narrow screens), the theme
//! switch, and who this browser acts as.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::who_am_i;
use crate::ui::common::ThemeToggle;
use crate::ui::outbox::SyncBadge;

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"K"</span>
                "Kanri"
            </a>
            <nav aria-label="Main">
                <a href="/">"Projects"</a>
            </nav>
            <ProjectMenu />
            <Identity />
            <ThemeToggle />
        </header>
    }
}

/// Who this browser acts as: the signed-in account (with sign-out), or a
/// link to sign in.
#[component]
fn Identity() -> impl IntoView {
    let profile = Resource::new(|| (), |_| who_am_i());
    view! {
        <div class="identity">
            <Suspense>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(Some(p)) => view! {
                            <SyncBadge user=p.name.clone() />
                            // On a phone only the avatar shows: the same link.
                            <a class="signed-in" href="/account" title=format!("@{}: account settings", p.name)>
                                <span class="avatar" style=format!("background:{}", p.colour) aria-hidden="true">{p.initials()}</span>
                                <span class="signed-in-name">{p.display_name.to_string()}</span>
                            </a>
                            <form method="post" action="/auth/sign-out">
                                <button type="submit">"Sign out"</button>
                            </form>
                        }.into_any(),
                        _ => view! { <a href="/login">"Sign in"</a> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// A project's pages, in the order its board's header lists them.
const PROJECT_PAGES: [(&str, &str); 6] = [
    ("board", "Board"),
    ("backlog", "Backlog"),
    ("search", "Search"),
    ("timesheet", "Timesheet"),
    ("reports", "Reports"),
    ("settings", "Settings"),
];

/// The key of the project a path `/p/{KEY}/…` is in.
fn project_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/p/")?;
    let key = rest.split('/').next()?;
    crate::domain::ProjectKey::parse(key).ok().map(|_| key)
}

/// On a narrow screen, the project's pages behind one button (a
/// `<details>`, so it opens before the page hydrates too); wider screens
/// show them in the page (the style sheet hides this there).
#[component]
fn ProjectMenu() -> impl IntoView {
    let location = use_location();
    let menu = NodeRef::<leptos::html::Details>::new();
    // Closed once a page is chosen (the top bar stays across pages).
    Effect::new(move |_| {
        location.pathname.track();
        if let Some(menu) = menu.get_untracked() {
            let _ = menu.remove_attribute("open");
        }
    });
    move || {
        let path = location.pathname.get();
        let key = project_of(&path)?.to_owned();
        let links = PROJECT_PAGES
            .into_iter()
            .map(|(page, label)| {
                let href = format!("/p/{key}/{page}");
                let here = path == href;
                view! {
                    <li><a href=href aria-current=here.then_some("page")>{label}</a></li>
                }
            })
            .collect_view();
        Some(view! {
            <details class="project-menu" data-testid="project-menu" node_ref=menu>
                <summary>{format!("{key} menu")}</summary>
                <nav aria-label="Project pages">
                    <ul>{links}</ul>
                </nav>
            </details>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::project_of;

    #[test]
    fn the_project_is_read_from_project_paths_only() {
        assert_eq!(project_of("/p/ABC/board"), Some("ABC"));
        assert_eq!(project_of("/p/ABC/issues/ABC-1"), Some("ABC"));
        assert_eq!(project_of("/p/abc/board"), None);
        assert_eq!(project_of("/s/token"), None);
        assert_eq!(project_of("/"), None);
    }
}
