//! The app's frame around every page: the top bar with the brand, the main
//! navigation, and who this browser acts as.

use leptos::prelude::*;

use crate::api::who_am_i;
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
            <Identity />
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
                            <span class="avatar" style=format!("background:{}", p.colour) aria-hidden="true">{p.initials()}</span>
                            <SyncBadge user=p.name.clone() />
                            <a class="signed-in" href="/account" title=format!("@{}: account settings", p.name)>{p.display_name.to_string()}</a>
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
