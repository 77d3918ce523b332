//! The reports: a sprint's burndown, velocity and cumulative flow, computed
//! from the project's log, with their defaults chosen here once.

use app::api::{ApiError, Caller, ReportsPage, VELOCITY_SPRINTS};
use kanri_domain::*;

use super::UseCases;

/// The sprint a burndown shows when none is asked for: the active one,
/// else the last one started.
pub fn default_sprint(state: &ProjectState) -> Option<SprintNumber> {
    state.active_sprint().map(|s| s.number).or_else(|| {
        state
            .sprints
            .values()
            .rev()
            .find(|s| s.state != SprintState::Planned)
            .map(|s| s.number)
    })
}

impl UseCases {
    /// The reports of the project: the burndown of `sprint` (default:
    /// [`default_sprint`]) as of `today`, velocity over the last closed
    /// sprints, and the cumulative flow of the days `from..=to`.
    #[tracing::instrument(skip(self))]
    pub async fn reports(
        &self,
        who: &Caller,
        key: &ProjectKey,
        sprint: Option<SprintNumber>,
        (from, to): (Date, Date),
        today: Date,
    ) -> Result<ReportsPage, ApiError> {
        let log = self.log(who, key).await?;
        let state = replay(log.iter().map(|r| &r.event));
        let project = state
            .project
            .clone()
            .ok_or_else(|| ApiError::NotFound(format!("project {key}")))?;
        let sprints: Vec<Sprint> = state
            .sprints
            .values()
            .rev()
            .filter(|s| s.state != SprintState::Planned)
            .cloned()
            .collect();
        let chosen = sprint.or_else(|| default_sprint(&state));
        let flow =
            cumulative_flow(&log, from, to).map_err(|e| ApiError::invalid("to", e.to_string()))?;
        Ok(ReportsPage {
            burndown: chosen.and_then(|n| burndown(&log, n, today)),
            velocity: velocity(&state, VELOCITY_SPRINTS),
            project,
            sprints,
            flow_from: from,
            flow_to: to,
            flow,
        })
    }
}
