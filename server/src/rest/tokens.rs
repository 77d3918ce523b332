//! `/api/v1/tokens`: the caller's own personal access tokens, with their
//! scope. Read only: creating and revoking a token needs a browser session
//! (account settings), so a leaked token cannot mint or keep others alive.

use app::api::{ApiTokenView, TokenScope};
use axum::extract::State;
use kanri_domain::UtcTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::idempotency::Reply;
use super::problem::Problem;
use super::request::Authed;
use crate::routes::AppState;

/// What a token may do: `read` (every change is refused with 403) or
/// `read-write` (its owner's roles).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TokenScopeResource {
    Read,
    ReadWrite,
}

impl From<TokenScope> for TokenScopeResource {
    fn from(s: TokenScope) -> Self {
        match s {
            TokenScope::Read => Self::Read,
            TokenScope::ReadWrite => Self::ReadWrite,
        }
    }
}

/// A personal access token as its owner sees it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResource {
    pub id: i64,
    pub name: String,
    pub scope: TokenScopeResource,
    /// Unix time in milliseconds.
    pub created_ms: i64,
    /// The first moment it no longer works, Unix time in milliseconds; null: never.
    pub expires_ms: Option<i64>,
    /// Unix time in milliseconds, to the minute; null: never used.
    pub last_used_ms: Option<i64>,
}

impl From<ApiTokenView> for TokenResource {
    fn from(t: ApiTokenView) -> Self {
        Self {
            id: t.id,
            name: t.name,
            scope: t.scope.into(),
            created_ms: t.created.unix_ms(),
            expires_ms: t.expires.map(UtcTime::unix_ms),
            last_used_ms: t.last_used.map(UtcTime::unix_ms),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses(
        (status = 200, description = "Your live tokens, newest first", body = Vec<TokenResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn list(State(state): State<AppState>, Authed(user): Authed) -> Result<Reply, Problem> {
    let tokens = state.use_cases().api_tokens(&user).await?;
    let items: Vec<TokenResource> = tokens.into_iter().map(Into::into).collect();
    Ok(Reply::ok(None, &items))
}
