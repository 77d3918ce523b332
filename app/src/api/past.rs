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
            let now = backend.issue(who.clone(), key.clone()).await?;
            let past = backend.project_as_of(who, key.project.clone(), at).await?;
            let not_yet = || ApiError::NotFound(format!("issue {key} at that moment"));
            let mut detail =
                super::IssueDetail::from_state(&past.state, key.number).ok_or_else(not_yet)?;
            // One stop per event (an event may change several fields).
            let mut stops: Vec<u64> = now.history.iter().map(|r| r.seq).collect();
            stops.dedup();
            detail.history = now.history.into_iter().filter(|r| r.seq <= at).collect();
            Ok(PastIssue {
                detail,
                seq: past.seq,
                at_ms: past.at_ms,
                stops,
            })
        }
        .await,
    )
}
