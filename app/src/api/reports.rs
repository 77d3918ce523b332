//! The reports server function: burndown, velocity and cumulative flow of a
//! project, computed from its event log (also the JSON form of the reports).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{caller, date_range, project_key, reply, today};
use super::{ApiError, ReportsPage};
#[cfg(feature = "ssr")]
use crate::domain::*;

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
            let log = backend.log(who, key.clone()).await?;
            let state = replay(log.iter().map(|r| &r.event));
            let project = state
                .project
                .clone()
                .ok_or_else(|| ApiError::NotFound(format!("project {key}")))?;
            let mut sprints: Vec<Sprint> = state
                .sprints
                .values()
                .filter(|s| s.state != SprintState::Planned)
                .cloned()
                .collect();
            sprints.reverse();
            let chosen = sprint.map(SprintNumber).or_else(|| {
                state
                    .active_sprint()
                    .map(|s| s.number)
                    .or_else(|| sprints.first().map(|s| s.number))
            });
            let flow = cumulative_flow(&log, from, to)
                .map_err(|e| ApiError::invalid("to", e.to_string()))?;
            Ok(ReportsPage {
                burndown: chosen.and_then(|n| burndown(&log, n, today())),
                velocity: velocity(&state, VELOCITY_SPRINTS),
                project,
                sprints,
                flow_from: from,
                flow_to: to,
                flow,
            })
        }
        .await,
    )
}
