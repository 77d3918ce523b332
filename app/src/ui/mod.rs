//! The Leptos UI. Every page renders completely on the server; hydration
//! then makes it interactive.
//!
//! Modules by role, and who may import whom:
//! - `platform`: the browser behind small functions (clock, timers, ids,
//!   socket address, storage); imports nothing of the UI.
//! - `common`: widgets more than one screen shows (avatar, icons,
//!   breadcrumb, Markdown, …); imports `platform` only.
//! - `live` (the one reconnecting live-event client) and `outbox` (changes
//!   waiting for the server): services of the screens; import `platform`.
//! - the screens (`board`, `issue`, `backlog`, …) and the frame around them
//!   (`layout`, `palette`): import the layers above, never one another; a
//!   screen's parts are its submodules. This module routes to them.

mod account;
mod account_settings;
mod backlog;
pub mod board;
mod common;
mod home;
mod issue;
mod layout;
pub mod live;
mod outbox;
mod palette;
mod past;
pub mod platform;
mod reports;
mod search;
mod settings;
mod timesheet;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::{SsrMode, path};

use common::NotFound;
use home::HomePage;
use layout::TopBar;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // The user's theme, if they chose one; else the device's.
        <html lang="en" data-theme=common::rendered_theme_attribute()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // No favicon request: a 404 would show up as a console error.
                <link rel="icon" href="data:," />
                <AutoReload options=options.clone() />
                // The style sheet's name carries its hash in a release build.
                <HashedStylesheet id="kanri" options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(common::Refresh(RwSignal::new(0)));
    outbox::SyncStatus::provide();
    common::ThemeChoice::provide();
    // Effects run in the browser only: the mark says hydration has finished.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
        outbox::keep_pages_for_offline();
    });
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Kanri".to_string() } else { format!("{page} · Kanri") } />
        <Router>
            <TopBar />
            <palette::CommandPalette />
            <main>
                // Async mode: the HTML is sent once the data is in, so pages
                // are complete without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=account::SignInPage />
                    <Route path=path!("/signup") view=account::SignUpPage />
                    <Route path=path!("/account") view=account_settings::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/board") view=BoardRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/issues/:issue") view=IssueRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/timesheet") view=timesheet::TimesheetRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/backlog") view=backlog::BacklogPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/reports") view=reports::ReportsRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/search") view=search::SearchRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/settings") view=settings::SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token") view=board::SharedBoardPage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token/issues/:issue") view=issue::SharedIssuePage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// A page live, or as it was after event `?at={seq}` of the log (time
/// travel): `past` gets the path parameter `param` and the sequence number.
fn live_or_past(
    param: &'static str,
    live: fn() -> AnyView,
    past: fn(String, u64) -> AnyView,
) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let at = Memo::new(move |_| query.with(|q| q.get("at").and_then(|a| a.parse::<u64>().ok())));
    move || match at.get() {
        Some(at) => past(params.with(|p| p.get(param).unwrap_or_default()), at),
        None => live(),
    }
}

#[component]
fn BoardRoute() -> impl IntoView {
    live_or_past(
        "key",
        || view! { <board::BoardPage /> }.into_any(),
        |key, at| view! { <past::PastBoard key at /> }.into_any(),
    )
}

#[component]
fn IssueRoute() -> impl IntoView {
    live_or_past(
        "issue",
        || view! { <issue::IssuePage /> }.into_any(),
        |key, at| view! { <past::PastIssueView key at /> }.into_any(),
    )
}
