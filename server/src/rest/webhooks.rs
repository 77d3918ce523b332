//! `/api/v1` webhooks of a project (its admins only): register, list,
//! delete, and read the delivery log.

use app::api::Caller;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use kanri_domain::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::idempotency::Reply;
use super::issues::{page_size, project_key};
use super::problem::Problem;
use super::request::{Authed, IdempotencyKey, Write, json, query};
use super::write::or_problem;
use crate::routes::AppState;

/// A webhook as its project's admins see it (never its secret).
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct WebhookResource {
    pub id: i64,
    pub url: String,
    /// The event types it receives; empty for all.
    pub events: Vec<String>,
    pub created_by: String,
    pub created_ms: i64,
}

impl From<app::api::WebhookView> for WebhookResource {
    fn from(v: app::api::WebhookView) -> Self {
        Self {
            id: v.id,
            url: v.url,
            events: v.events,
            created_by: v.created_by,
            created_ms: v.created_ms,
        }
    }
}

/// A webhook just created, with the secret that signs its deliveries.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct NewWebhook {
    pub webhook: WebhookResource,
    /// Verify `Kanri-Signature: t=…,v1=…` as HMAC-SHA256 of `{t}.{body}` with this.
    /// Shown once: a repeat of the request under the same `Idempotency-Key`
    /// answers without it (it is never stored in plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One event sent (or being sent) to a webhook, with its latest attempt.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct DeliveryResource {
    pub id: i64,
    /// The event's global sequence number.
    pub seq: u64,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` (gave up) or `cancelled` (webhook deleted).
    pub state: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    /// What went wrong with the last attempt, in a short sentence.
    pub last_error: Option<String>,
    /// Its class: `refused` (the target is not a public address; nothing was
    /// sent), `dns`, `unreachable`, `timeout`, `tls`, `http` (a non-2xx
    /// answer) or `error`.
    pub last_failure: Option<String>,
    pub last_attempt_ms: Option<i64>,
    pub next_attempt_ms: Option<i64>,
}

impl From<app::api::DeliveryView> for DeliveryResource {
    fn from(v: app::api::DeliveryView) -> Self {
        Self {
            id: v.id,
            seq: v.seq,
            event_type: v.event_type,
            state: v.state,
            attempts: v.attempts,
            last_status: v.last_status,
            last_error: v.last_error,
            last_failure: v.last_failure,
            last_attempt_ms: v.last_attempt_ms,
            next_attempt_ms: v.next_attempt_ms,
        }
    }
}

fn forbidden() -> Problem {
    app::api::ApiError::Rejected(DomainError::Forbidden {
        role: Role::Member,
        need: Role::Admin,
    })
    .into()
}

fn resources(list: Vec<app::api::WebhookView>) -> Vec<WebhookResource> {
    list.into_iter().map(WebhookResource::from).collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    /// Where to POST: an `http` or `https` URL on a public address.
    #[schema(max_length = 2000)]
    pub url: String,
    /// Event types to send (e.g. `issue_created`); empty or absent for all.
    #[serde(default)]
    pub events: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/webhooks", tag = "webhooks",
    params(("key" = String, Path, description = "Project key")),
    responses(
        (status = 200, description = "The project's webhooks (admins only)", body = Vec<WebhookResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let list = state
        .use_cases()
        .webhooks(&Caller::User(user), &key)
        .await?
        .ok_or_else(forbidden)?;
    Ok(Reply::ok(None, &resources(list)))
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/webhooks", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"),
        IdempotencyKey),
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Registered; it receives the events from now on", body = NewWebhook),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn create(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    let parsed = (|| Ok((project_key(&key)?, json::<NewWebhookBody>(&body)?)))();
    or_problem(parsed, |(key, input)| async move {
        let who = Caller::User(w.user.clone());
        // A repeat shows the webhook only to who may still administer it.
        let may_see = async {
            state.use_cases().allowed(&who, &key, Role::Admin).await?;
            Ok::<(), Problem>(())
        };
        state
            .answers
            .once(&w, &body, may_see, |_| async {
                let new = state
                    .use_cases()
                    .create_webhook(who.clone(), &key, &input.url, &input.events)
                    .await?;
                let shown = NewWebhook {
                    webhook: new.webhook.into(),
                    secret: Some(new.secret),
                };
                let kept = NewWebhook {
                    secret: None,
                    ..shown.clone()
                };
                Ok(Reply::json(StatusCode::CREATED, None, &shown).keeping(&kept))
            })
            .await
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/projects/{key}/webhooks/{id}", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"), ("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Deleted: nothing more is sent, pending deliveries are cancelled", body = Vec<WebhookResource>),
    ))]
#[tracing::instrument(skip(state, w), fields(user = %w.user))]
pub async fn delete(
    State(state): State<AppState>,
    w: Write,
    Path((key, id)): Path<(String, i64)>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let use_cases = state.use_cases();
    let who = Caller::User(w.user);
    use_cases.delete_webhook(who.clone(), &key, id).await?;
    let list = use_cases
        .webhooks(&who, &key)
        .await?
        .ok_or_else(forbidden)?;
    Ok(Reply::ok(None, &resources(list)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLog {
    /// 1–200, default 50: the newest first.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/webhooks/{id}/deliveries", tag = "webhooks",
    params(("key" = String, Path, description = "Project key"), ("id" = i64, Path, description = "Webhook id"), DeliveryLog),
    responses(
        (status = 200, description = "The newest deliveries and their last attempt", body = Vec<DeliveryResource>),
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
    let limit = page_size(params.limit, 50)? as u32;
    let log = state
        .use_cases()
        .webhook_deliveries(&Caller::User(user), &key, id, limit)
        .await?;
    let log: Vec<DeliveryResource> = log.into_iter().map(Into::into).collect();
    Ok(Reply::ok(None, &log))
}
