//! Time travel: a project's board, or one issue, as it was after any event
//! of the log, replayed from the log itself.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{caller, issue_key, project_key, reply};
use super::{ApiError, PastIssue, PastProject};

/// The project after global sequence `at`.
#[server(prefix = "/api/fn", endpoint = "project_as_of")]
pub async fn project_as_of(key: String, at: u64) -> Result<PastProject, ApiError> {
    reply(
        async {
            let key = project_key(&key)?;
            let at = ApiError::field("at", crate::domain::log_position(at))?;
            let (backend, who) = caller().await?;
            backend.project_as_of(who, key, at).await
        }
        .await,
    )
}

/// The issue after global sequence `at`, with its history up to then.
#[server(prefix = "/api/fn", endpoint = "issue_as_of")]
pub async fn issue_as_of(key: String, at: u64) -> Result<PastIssue, ApiError> {
    reply(
        async {
            let key = issue_key(&key)?;
            let at = ApiError::field("at", crate::domain::log_position(at))?;
            let (backend, who) = caller().await?;
            backend.issue_as_of(who, key, at).await
        }
        .await,
    )
}
