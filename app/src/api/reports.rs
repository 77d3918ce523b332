//! The reports server function: burndown, velocity and cumulative flow of a
//! project, computed from its event log (also the JSON form of the reports).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{caller, date_range, project_key, reply};
use super::{ApiError, ReportsPage};
#[cfg(feature = "ssr")]
use crate::domain::SprintNumber;

/// Closed sprints the velocity chart shows.
pub const VELOCITY_SPRINTS: usize = 7;

/// `sprint` picks the burndown (default: the active sprint, else the last
/// started one); `from`/`to` bound the cumulative flow (default: the last
/// 14 days).
#[server(prefix = "/api/fn", endpoint = "reports")]
pub async fn load_reports(
    key: String,
    sprint: Option<u32>,
    from: Option<String>,
    to: Option<String>,
) -> Result<ReportsPage, ApiError> {
    reply(
        async {
            let key = project_key(&key)?;
            let (from, to) = date_range(from, to, 14)?;
            let (backend, who) = caller().await?;
            backend
                .reports(who, key, sprint.map(SprintNumber), from, to)
                .await
        }
        .await,
    )
}
