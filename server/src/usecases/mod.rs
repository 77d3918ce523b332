//! The use cases: every entry point (the server functions through
//! [`crate::backend`], the REST routes in [`crate::rest`]) calls these, so
//! each rule (who may read or change what, how issues are listed and
//! paged, which sprint the reports default to, time travel, the capped
//! secret resources) is written once. An adapter parses its input, calls
//! one use case and shapes the answer; errors come back as [`ApiError`],
//! which both adapters already translate (a problem document, a server
//! function error), with internal details logged here and never shown.

mod access;
mod commands;
mod issues;
mod projects;
mod reports;
mod secrets;

pub use commands::Written;
pub use issues::{IssueFilter, IssuePage, PageAfter};

use app::api::ApiError;
use std::sync::Arc;

use crate::accounts::{AccountError, Accounts};
use crate::api_tokens::ApiTokens;
use crate::capped::CapError;
use crate::service::{ExecError, Kanri};
use crate::sharing::ShareLinks;
use crate::store::StoreError;
use crate::webhooks::Webhooks;

/// What the use cases work with: the service and the side stores.
#[derive(Clone)]
pub struct UseCases {
    pub kanri: Arc<Kanri>,
    pub accounts: Arc<Accounts>,
    pub shares: Arc<ShareLinks>,
    pub tokens: Arc<ApiTokens>,
    pub sessions: Arc<crate::sessions::Sessions>,
    pub webhooks: Arc<Webhooks>,
}

pub(crate) fn unavailable(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "store error");
    ApiError::Unavailable
}

fn accounts_down(e: AccountError) -> ApiError {
    tracing::error!(error = %e, "account error");
    ApiError::Unavailable
}

impl From<CapError> for ApiError {
    fn from(e: CapError) -> Self {
        match e {
            CapError::TooMany(cap) => ApiError::invalid(cap.field, e.to_string()),
            CapError::Sql(_) => {
                tracing::error!(error = %e, "secret resource store error");
                ApiError::Unavailable
            }
        }
    }
}

impl From<ExecError> for ApiError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Domain(d) => ApiError::Rejected(d),
            ExecError::KeyMismatch { .. } | ExecError::CommandIdTaken(_) => {
                ApiError::invalid("command", e.to_string())
            }
            ExecError::OutOfRange(e) => ApiError::invalid(e.field, e.error.to_string()),
            ExecError::Store(s) => unavailable(s),
        }
    }
}
