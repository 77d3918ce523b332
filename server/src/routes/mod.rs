//! HTTP routes. Each handler only translates between HTTP and the service.

mod assets;
mod auth;
pub mod guard;
pub(crate) mod health;
mod live;
mod offline;
pub mod request_id;

use crate::sessions::SessionRows;
use app::api::Backend;
use app::ui::{App, shell};
use axum::Router;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::accounts::Accounts;
use crate::api_tokens::ApiTokens;
use crate::backend::ServerBackend;
use crate::service::Kanri;
use crate::sharing::ShareLinks;
use crate::usecases::UseCases;

/// What every handler can reach.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub kanri: Arc<Kanri>,
    pub accounts: Arc<Accounts>,
    pub shares: Arc<ShareLinks>,
    pub tokens: Arc<ApiTokens>,
    /// Sign-outs and password changes, for the sockets they close.
    pub sessions: Arc<crate::sessions::Sessions>,
    /// The first answers to idempotent REST requests.
    pub answers: Arc<crate::rest::Answers>,
    pub webhooks: Arc<crate::webhooks::Webhooks>,
    /// This node: its id and whether it hears the other nodes.
    pub node: Arc<crate::nodes::Node>,
    /// The latest probe of the database, which `/healthz` answers from.
    pub health: Arc<health::Health>,
    /// Turns true when the server shuts down (long-lived sockets then close).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// The use cases the server functions and the REST API share, so both
    /// apply the same rules.
    pub fn use_cases(&self) -> UseCases {
        UseCases {
            kanri: self.kanri.clone(),
            accounts: self.accounts.clone(),
            shares: self.shares.clone(),
            tokens: self.tokens.clone(),
            sessions: self.sessions.clone(),
            webhooks: self.webhooks.clone(),
        }
    }
}

/// Session cookies: HttpOnly and SameSite=Lax always, Secure when the site
/// is served over TLS; a session lasts two weeks from its last use.
pub fn sessions(store: SessionRows, secure: bool) -> SessionManagerLayer<SessionRows> {
    SessionManagerLayer::new(store)
        .with_name("kanri_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)))
}

/// The whole app. `panic_route` mounts `GET /__test/panic` (see
/// [`crate::config::Config::panic_route`]).
pub fn router(
    state: AppState,
    sessions: SessionManagerLayer<SessionRows>,
    panic_route: bool,
) -> Router {
    let routes = page_routes();
    let backend: Arc<dyn Backend> = Arc::new(ServerBackend(state.use_cases()));
    let options = state.leptos_options.clone();
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = assets::router(pkg, options.hash_files);
    // The fallback renders the app too (its 404 page and top bar), so it
    // needs the same context as the routes.
    let context = move || provide_context(backend.clone());
    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/offline.js", get(offline::worker))
        .merge(crate::rest::router())
        .route("/api/live/{key}", get(live::board_socket))
        .route("/auth/sign-up", post(auth::sign_up))
        .route("/auth/sign-in", post(auth::sign_in))
        .route("/auth/sign-out", post(auth::sign_out))
        .route("/auth/me", get(auth::me));
    if panic_route {
        app = app.route("/__test/panic", get(panic_for_the_tests));
    }
    app.leptos_routes_with_context(&state, routes, context.clone(), move || {
        guarded_shell(options.clone())
    })
    .fallback(leptos_axum::file_and_error_handler_with_context::<
        AppState,
        _,
    >(context, guarded_shell))
    .layer(axum::middleware::map_response(
        undecodable_arguments_are_400,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::identify,
    ))
    .layer(sessions)
    .layer(axum::middleware::from_fn(guard::same_origin))
    .layer(RequestBodyLimitLayer::new(guard::MAX_BODY))
    .layer(axum::middleware::from_fn(guard::plain_errors_as_json))
    .merge(files)
    .layer(CatchPanicLayer::custom(panic_answer))
    .layer(axum::middleware::from_fn(guard::security_headers))
    .layer(CompressionLayer::new())
    .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
    .layer(axum::middleware::from_fn(request_id::tag))
    .with_state(state)
}

/// A panic while a request is handled answers 500 to that request only; the
/// process and every other connection go on. The message goes to the log,
/// never to the client.
fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(a panic without a message)");
    tracing::error!(panic = message, "a request panicked; it was answered 500");
    (
        http::StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(serde_json::json!({ "error": "internal error" })),
    )
        .into_response()
}

/// `GET /__test/panic`, mounted only for the tests of [`panic_answer`].
async fn panic_for_the_tests() -> &'static str {
    panic!("the test panic route was asked to panic")
}

/// The app's page routes, generated once per process. Generating them runs
/// the app with resource loading switched off by a process-wide flag in
/// leptos_server; a resource that first polls meanwhile, in a page another
/// server of this process renders, waits forever (leptos#4773). Tests start
/// many servers in one process, and saw exactly that stall.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The app's HTML shell, with the page's content security policy.
fn guarded_shell(options: LeptosOptions) -> impl IntoView {
    guard::set_page_policy();
    shell(options)
}

/// Leptos answers 500 when a server function's arguments do not decode
/// (a missing or malformed field): that is bad input, not a server fault.
/// Every error our own functions return already carries its own status.
async fn undecodable_arguments_are_400(
    mut res: axum::response::Response,
) -> axum::response::Response {
    if res.status() == http::StatusCode::INTERNAL_SERVER_ERROR
        && res.headers().contains_key("serverfnerror")
    {
        *res.status_mut() = http::StatusCode::BAD_REQUEST;
    }
    res
}
