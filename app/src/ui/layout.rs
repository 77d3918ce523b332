//! Pieces shared by every page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ApiError, who_am_i};
use crate::domain::{Outcome, Project};

/// A counter that goes up each time one of these actions succeeds: a page's
/// resource keyed on it reloads after a change that went through (and not
/// after bad input, which would clear what the user typed).
pub fn reload_after(values: Vec<MappedSignal<Option<Result<Outcome, ApiError>>>>) -> RwSignal<u32> {
    let changed = RwSignal::new(0u32);
    for value in values {
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                changed.update(|n| *n += 1);
            }
        });
    }
    changed
}

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
                            <crate::ui::outbox::SyncBadge user=p.name.clone() />
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

/// "{Project} board / {page}", above every project page but the board.
#[component]
pub fn Breadcrumb(project: Project, page: &'static str) -> impl IntoView {
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href=format!("/p/{}/board", project.key)>{format!("{} board", project.name)}</a>
            {format!(" / {page}")}
        </nav>
    }
}

/// A page's loaded data rendered by `page`, or the page for why it is not
/// there: "not found" (with a 404) or the error.
pub fn loaded<T>(result: Result<T, ApiError>, page: impl FnOnce(T) -> AnyView) -> AnyView {
    match result {
        Ok(value) => page(value),
        Err(e) if e.is_not_found() => view! { <NotFound /> }.into_any(),
        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="empty-page">
            <h1>"Not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Back to the projects"</a></p>
        </section>
    }
}
