//! What every page is made of around its own content: the breadcrumb, the
//! "not found" page, a loaded resource or its error, and the signals that
//! reload a page after a change.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ApiError;
use crate::domain::{Outcome, Project};

/// Bumped after the command palette changed something, so the page shown
/// reloads.
#[derive(Clone, Copy)]
pub struct Refresh(pub RwSignal<u32>);

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

/// The token of the share link a page is read through (`/s/{token}/…`).
pub fn share_token() -> impl Fn() -> String + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || params.with(|p| p.get("token").unwrap_or_default())
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
