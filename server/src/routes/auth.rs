//! Sign-up, sign-in and sign-out. Plain form posts (they work before the
//! page hydrates) answered with a redirect, or JSON for JSON clients.
//! Sessions are tower-sessions' in the same database; the middleware here
//! turns a session into the request's `Caller`, and sends a browser without
//! one to the sign-in page.

use app::api::{Caller, Credential};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use kanri_domain::{DisplayName, Email, Password, UserName, safe_next};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tower_sessions::Session;

use super::AppState;
use crate::accounts::{AccountError, SignUp};
use crate::service::now_ms;

/// The session key holding the user name.
const USER: &str = crate::sessions::USER_KEY;

/// Who is asking (`Caller`) and how they authenticated (`Credential`): the
/// owner of a personal access token (`Authorization: Bearer`), else the
/// session's user. A bearer that is no live token is
/// refused outright rather than treated as anonymous, so a client learns
/// at once that its token was revoked or mistyped. The `Credential` used
/// goes along, for what must end with it (a board socket).
pub async fn identify(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(token) = bearer(req.headers()) {
        return match state.tokens.authenticate(token, now_ms()).await {
            Ok(Some((user, credential))) => {
                req.extensions_mut().insert(Caller::User(user));
                req.extensions_mut().insert(credential);
                next.run(req).await
            }
            Ok(None) => crate::rest::Problem::unauthorized(
                "the bearer token is not a live API token (revoked, expired or mistyped)",
            )
            .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "API token check failed");
                crate::rest::Problem::from(app::api::ApiError::Unavailable).into_response()
            }
        };
    }
    if let Ok(Some(name)) = session.get::<UserName>(USER).await {
        req.extensions_mut().insert(Caller::User(name));
        if let Some(id) = session.id() {
            req.extensions_mut()
                .insert(Credential::Session(id.to_string()));
        }
    } else if is_private_page(&req) {
        let here = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let query = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{query}")).into_response();
    }
    next.run(req).await
}

/// The credentials of `Authorization: Bearer …`, if given.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A page that needs an account: every page a browser navigates to, but
/// the sign-in and sign-up pages and the static files. APIs answer 401
/// themselves, in their own format.
fn is_private_page(req: &Request) -> bool {
    const PUBLIC: [&str; 7] = [
        "/login", "/signup", "/auth/", "/api/", "/pkg/", "/healthz", "/s/",
    ];
    let path = req.uri().path();
    req.method() == http::Method::GET
        && !PUBLIC.iter().any(|p| path.starts_with(p))
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// A form or JSON body, and which of the two the client speaks.
pub struct Input<T> {
    value: T,
    json: bool,
}

impl<S: Send + Sync, T: DeserializeOwned + 'static> FromRequest<S> for Input<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let json = wants_json(req.headers());
        let value = if json {
            Json::<T>::from_request(req, state)
                .await
                .map_err(|e| problem(StatusCode::BAD_REQUEST, &e.body_text(), None))?
                .0
        } else {
            Form::<T>::from_request(req, state)
                .await
                .map_err(|e| problem(StatusCode::BAD_REQUEST, &e.body_text(), None))?
                .0
        };
        Ok(Self { value, json })
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    let has = |name, what| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(what))
    };
    has(header::CONTENT_TYPE, "application/json") || has(header::ACCEPT, "application/json")
}

fn problem(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let body = serde_json::json!({ "error": message, "field": field });
    (status, Json(body)).into_response()
}

/// The client's address as the account limits count it: the peer's, or
/// what a trusted proxy forwarded (see `accounts::TrustedProxies`).
pub struct ClientAddress(IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned()
        else {
            tracing::error!("the router is served without connect info");
            return Err(problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server cannot tell the client's address",
                None,
            ));
        };
        let proxies = state.accounts.trusted_proxies();
        Ok(Self(proxies.client_address(peer.ip(), &parts.headers)))
    }
}

/// "Not now" answers (limits, a full hashing pool): their status and how
/// long to wait.
fn not_now(e: &AccountError) -> Option<(StatusCode, Duration)> {
    match e {
        AccountError::Throttled(wait) | AccountError::SignUpLimited(wait) => {
            Some((StatusCode::TOO_MANY_REQUESTS, *wait))
        }
        AccountError::Busy => Some((StatusCode::SERVICE_UNAVAILABLE, crate::accounts::BUSY_RETRY)),
        _ => None,
    }
}

/// A JSON error with `Retry-After` in whole seconds.
fn retry_later(status: StatusCode, wait: Duration, message: &str) -> Response {
    let mut res = problem(status, message, None);
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

/// Back to a form page with the error (and what to prefill) in the query.
fn back_to(page: &str, message: &str, keep: &[(&str, &str)]) -> Response {
    let mut query = vec![("error", message)];
    query.extend_from_slice(keep);
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    Redirect::to(&format!("{page}?{query}")).into_response()
}

#[derive(Deserialize)]
pub struct SignUpForm {
    name: String,
    email: String,
    display_name: String,
    password: String,
    next: Option<String>,
}

/// Every field's problem at once, so a form shows them together.
fn parse_sign_up(f: &SignUpForm) -> Result<SignUp, (String, &'static str)> {
    let name = UserName::parse(f.name.trim()).map_err(|e| (e.to_string(), "name"));
    let email = Email::parse(&f.email).map_err(|e| (e.to_string(), "email"));
    let display = DisplayName::parse(&f.display_name).map_err(|e| (e.to_string(), "display_name"));
    let password = Password::parse(&f.password).map_err(|e| (e.to_string(), "password"));
    Ok(SignUp {
        name: name?,
        email: email?,
        display_name: display?,
        password: password?,
    })
}

#[tracing::instrument(skip_all)]
pub async fn sign_up(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(from): ClientAddress,
    headers: HeaderMap,
    input: Input<SignUpForm>,
) -> Response {
    let Input { value: form, json } = input;
    let keep = [
        ("name", form.name.as_str()),
        ("email", form.email.as_str()),
        ("display_name", form.display_name.as_str()),
    ];
    let new = match parse_sign_up(&form) {
        Ok(new) => new,
        Err((message, field)) if json => {
            return problem(StatusCode::UNPROCESSABLE_ENTITY, &message, Some(field));
        }
        Err((message, _)) => return back_to("/signup", &message, &keep),
    };
    match state.accounts.sign_up_from(new, from, now_ms()).await {
        Ok(profile) => {
            // A theme chosen before signing up becomes the account's.
            let theme = app::api::theme_of(&headers);
            if theme != kanri_domain::Theme::System
                && let Err(e) = state.accounts.set_theme(&profile.name, theme).await
            {
                tracing::warn!(error = %e, "the new account's theme could not be kept");
            }
            start_session(&session, &profile.name, json, &form.next, &profile).await
        }
        Err(e @ (AccountError::NameTaken(_) | AccountError::EmailTaken)) => {
            let field = if matches!(e, AccountError::EmailTaken) {
                "email"
            } else {
                "name"
            };
            if json {
                problem(StatusCode::CONFLICT, &e.to_string(), Some(field))
            } else {
                back_to("/signup", &e.to_string(), &keep)
            }
        }
        Err(e) => match not_now(&e) {
            Some((status, wait)) if json => retry_later(status, wait, &e.to_string()),
            Some(_) => back_to("/signup", &e.to_string(), &keep),
            None => internal(e),
        },
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    next: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(from): ClientAddress,
    input: Input<SignInForm>,
) -> Response {
    let Input { value: form, json } = input;
    match state
        .accounts
        .sign_in(&form.login, &form.password, from, now_ms())
        .await
    {
        Ok(profile) => {
            // The account's theme follows it to this browser.
            let theme = state.accounts.theme(&profile.name).await;
            let response = start_session(&session, &profile.name, json, &form.next, &profile).await;
            match theme {
                Ok(theme) => with_theme(response, theme),
                Err(e) => {
                    tracing::warn!(error = %e, "the account's theme could not be read");
                    response
                }
            }
        }
        Err(e) if matches!(e, AccountError::WrongCredentials) || not_now(&e).is_some() => {
            if !json {
                let next = safe_next(form.next.as_deref().unwrap_or("/"));
                return back_to(
                    "/login",
                    &e.to_string(),
                    &[("login", &form.login), ("next", next)],
                );
            }
            match not_now(&e) {
                Some((status, wait)) => retry_later(status, wait, &e.to_string()),
                None => problem(StatusCode::UNAUTHORIZED, &e.to_string(), None),
            }
        }
        Err(e) => internal(e),
    }
}

/// `response` with the cookie that has the server render pages in `theme`.
fn with_theme(mut response: Response, theme: kanri_domain::Theme) -> Response {
    response
        .headers_mut()
        .append(header::SET_COOKIE, app::api::theme_cookie(theme));
    response
}

/// A new session id on every sign-in, so a planted cookie is useless.
async fn start_session(
    session: &Session,
    name: &UserName,
    json: bool,
    next: &Option<String>,
    profile: &kanri_domain::Profile,
) -> Response {
    let stored = async {
        session.cycle_id().await?;
        session.insert(USER, name).await
    };
    if let Err(e) = stored.await {
        tracing::error!(error = %e, "session store error");
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "sessions are unavailable",
            None,
        );
    }
    if json {
        Json(profile).into_response()
    } else {
        Redirect::to(safe_next(next.as_deref().unwrap_or("/"))).into_response()
    }
}

/// Ends this session, and closes the sockets opened with it (only this
/// session's: the user's other sessions stay signed in).
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let id = session.id();
    match session.flush().await {
        Ok(()) => {
            if let Some(id) = id {
                state.sessions.signed_out(id.to_string()).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "session store error"),
    }
    if wants_json(&headers) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

/// The signed-in user's profile, 401 without a session.
pub async fn me(State(state): State<AppState>, req: Request) -> Response {
    let Some(Caller::User(name)) = req.extensions().get::<Caller>().cloned() else {
        return problem(StatusCode::UNAUTHORIZED, "not signed in", None);
    };
    match state.accounts.profile(&name).await {
        Ok(Some(profile)) => Json(profile).into_response(),
        Ok(None) => problem(StatusCode::UNAUTHORIZED, "not signed in", None),
        Err(e) => internal(e),
    }
}

fn internal(e: AccountError) -> Response {
    tracing::error!(error = %e, "account error");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "accounts are unavailable; try again",
        None,
    )
}
