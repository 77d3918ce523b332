//! The Leptos UI, one module per screen. Every page renders completely on
//! the server; hydration then makes it interactive.

mod account;
mod account_settings;
mod backlog;
pub mod board;
mod home;
mod issue;
mod layout;
mod markdown;
mod members;
mod outbox;
mod palette;
mod past;
mod reports;
mod search;
mod settings;
mod share_links;
mod shared;
mod time;
mod webhooks;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use home::HomePage;
use layout::{NotFound, TopBar};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // No favicon request: a 404 would show up as a console error.
                <link rel="icon" href="data:," />
                <AutoReload options=options.clone() />
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
    provide_context(palette::Refresh(RwSignal::new(0)));
    outbox::SyncStatus::provide();
    // Effects run in the browser only: the mark says hydration has finished.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
        outbox::keep_pages_for_offline();
    });
    view! {
        <Stylesheet id="kanri" href="/pkg/kanri.css" />
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
                    <Route path=path!("/p/:key/board") view=board::BoardPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/issues/:issue") view=issue::IssuePage ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/timesheet") view=time::TimesheetRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/backlog") view=backlog::BacklogPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/reports") view=reports::ReportsRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/search") view=search::SearchRoute ssr=SsrMode::Async />
                    <Route path=path!("/p/:key/settings") view=settings::SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token") view=shared::SharedBoardPage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token/issues/:issue") view=shared::SharedIssuePage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
