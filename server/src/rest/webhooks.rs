//! `/api/v1` webhooks of a project (its admins only): register, list,
//! delete, and read the delivery log.

use app::api::Caller;
use app::domain::*;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::idempotency::Reply;
use super::issues::{MAX_PAGE, project_key};
use super::problem::Problem;
use super::request::{Authed, Write, json, query};
use super::write::or_problem;
use crate::routes::AppState;
use crate::service::now_ms;
use crate::webhooks::{DeliveryResource, MAX_URL, NewWebhook, WebhookError, WebhookResource};

impl From<WebhookError> for Problem {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::TooMany => Problem::invalid("url", e.to_string()),
            WebhookError::Sql(_) => {
                tracing::error!(error = %e, "webhook store error");
                app::api::ApiError::Unavailable.into()
            }
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    /// Where to POST: an `http` or `https` URL.
    #[schema(max_length = 2000)]
    pub url: String,
    /// Event types to send (e.g. `issue_created`); empty or absent for all.
    #[serde(default)]
    pub events: Vec<String>,
}

/// An admin of the project, or the problem.
async fn admin(state: &AppState, user: UserName, key: &ProjectKey) -> Result<UserName, Problem> {
    state
        .backend()
        .allowed(&Caller::User(user.clone()), key, Role::Admin)
        .await?;
    Ok(user)
}

fn url(raw: &str) -> Result<String, Problem> {
    let bad = |why: &str| Problem::invalid("url", why);
    if raw.len() > MAX_URL {
        return Err(bad("a URL has at most 2000 characters"));
    }
    let parsed = reqwest::Url::parse(raw.trim()).map_err(|e| bad(&format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(bad("the URL must be http:// or https:// with a host"));
    }
    Ok(parsed.to_string())
}

/// Every event type of the log, for validating filters.
fn known_event(kind: &str) -> bool {
    app::domain::EVENT_TYPES.contains(&kind)
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/webhooks", tag = "webhooks",
    params(("key" = String, Path, description = "Project key")),
    responses(
        (status = 200, description = "The project's webhooks (admins only)", body = Vec<WebhookResource>),
        (status = "4XX", description = "Problem", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    admin(&state, user, &key).await?;
    Ok(Reply::ok(None, &state.webhooks.list(&key).await?))
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/webhooks", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats get the first answer")),
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Registered; it receives the events from now on", body = NewWebhook),
        (status = "4XX", description = "Problem", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn create(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    let parsed = async {
        let key = project_key(&key)?;
        let input: NewWebhookBody = json(&body)?;
        let url = url(&input.url)?;
        if let Some(bad) = input.events.iter().find(|e| !known_event(e)) {
            return Err(Problem::invalid(
                "events",
                format!("{bad:?} is no event type"),
            ));
        }
        admin(&state, w.user.clone(), &key).await?;
        Ok((key, url, input.events))
    }
    .await;
    or_problem(parsed, |(key, url, events)| async move {
        state
            .answers
            .once(&w, &body, |_| async {
                let head = state
                    .kanri
                    .store()
                    .head(None)
                    .await
                    .map_err(|_| Problem::from(app::api::ApiError::Unavailable))?;
                let new = state
                    .webhooks
                    .create(&key, &url, &events, &w.user, head, now_ms())
                    .await?;
                tracing::info!(project = %key, webhook = new.webhook.id, "webhook registered");
                Ok(Reply::json(StatusCode::CREATED, None, &new))
            })
            .await
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/projects/{key}/webhooks/{id}", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"), ("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Deleted: nothing more is sent, pending deliveries are cancelled", body = Vec<WebhookResource>),
        (status = "4XX", description = "Problem", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state))]
pub async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((key, id)): Path<(String, i64)>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let user = admin(&state, user, &key).await?;
    if !state.webhooks.delete(&key, id, &user, now_ms()).await? {
        return Err(Problem::not_found(format!("webhook {id}")));
    }
    tracing::info!(project = %key, webhook = id, "webhook deleted");
    Ok(Reply::ok(None, &state.webhooks.list(&key).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLog {
    /// 1–200, default 50: the newest first.
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/webhooks/{id}/deliveries", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"), ("id" = i64, Path, description = "Webhook id"), DeliveryLog),
    responses(
        (status = 200, description = "The newest deliveries and their last attempt", body = Vec<DeliveryResource>),
        (status = "4XX", description = "Problem", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state, raw))]
pub async fn deliveries(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((key, id)): Path<(String, i64)>,
    RawQuery(raw): RawQuery,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let params: DeliveryLog = query(raw)?;
    let limit = match params.limit.unwrap_or(50) {
        n @ 1..=200 if (n as usize) <= MAX_PAGE => n,
        _ => return Err(Problem::invalid("limit", "1 to 200 deliveries")),
    };
    admin(&state, user, &key).await?;
    let log = state
        .webhooks
        .deliveries(&key, id, limit)
        .await?
        .ok_or_else(|| Problem::not_found(format!("webhook {id}")))?;
    Ok(Reply::ok(None, &log))
}
