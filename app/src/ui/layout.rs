//! Pieces shared by every page.

use leptos::prelude::*;
use leptos_meta::Title;

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
        </header>
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
