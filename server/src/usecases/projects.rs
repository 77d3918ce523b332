//! Reading projects: the caller's list, one project's state, its log (in
//! pages or whole), its timesheet, and time travel.

use app::api::{
    ApiError, Caller, IssueDetail, PastIssue, PastProject, ProjectSnapshot, ProjectSummary,
};
use kanri_domain::*;

use super::{UseCases, unavailable};
use crate::store::Until;
use crate::subscribers::time;

/// Events read per query when reading a whole log.
const LOG_PAGE: u32 = 10_000;

impl UseCases {
    /// The projects the caller may read, with their issue counts.
    #[tracing::instrument(skip(self))]
    pub async fn projects(&self, who: &Caller) -> Result<Vec<ProjectSummary>, ApiError> {
        let rows = self.kanri.store().projects().await.map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .filter(|(p, _)| who.role_in(p).is_some())
            .map(|(p, issues)| ProjectSummary {
                key: p.key,
                name: p.name,
                kind: p.kind,
                issues,
            })
            .collect())
    }

    /// A copy of the project's current state, its last sequence and the
    /// caller's role there.
    #[tracing::instrument(skip(self))]
    pub async fn project(
        &self,
        who: &Caller,
        key: &ProjectKey,
    ) -> Result<ProjectSnapshot, ApiError> {
        let role = self.readable(who, key).await?;
        match self.kanri.project_state(key).await.map_err(unavailable)? {
            Some((state, last_seq)) => Ok(ProjectSnapshot {
                state,
                last_seq,
                role,
            }),
            None => Err(ApiError::NotFound(format!("project {key}"))),
        }
    }

    /// The project stream alone (name, workflow, calendar, filters).
    #[tracing::instrument(skip(self))]
    pub async fn project_settings(
        &self,
        who: &Caller,
        key: &ProjectKey,
    ) -> Result<Project, ApiError> {
        self.read_as(who, key, Role::Viewer, |state, _| {
            state.project.clone().expect("read only sees projects")
        })
        .await
    }

    /// Up to `limit` of the project's events after global sequence `after`.
    #[tracing::instrument(skip(self))]
    pub async fn events_after(
        &self,
        who: &Caller,
        key: &ProjectKey,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, ApiError> {
        self.readable(who, key).await?;
        self.kanri
            .store()
            .events_after(Some(key), after, u32::try_from(limit).unwrap_or(u32::MAX))
            .await
            .map_err(unavailable)
    }

    /// The project's whole log in sequence order.
    #[tracing::instrument(skip(self))]
    pub async fn log(&self, who: &Caller, key: &ProjectKey) -> Result<Vec<Recorded>, ApiError> {
        self.readable(who, key).await?;
        let store = self.kanri.store();
        let mut log: Vec<Recorded> = Vec::new();
        loop {
            let after = log.last().map_or(0, |r| r.seq);
            let page = store
                .events_after(Some(key), after, LOG_PAGE)
                .await
                .map_err(unavailable)?;
            let full = page.len() == LOG_PAGE as usize;
            log.extend(page);
            if !full {
                return Ok(log);
            }
        }
    }

    /// Time logged in the project on the days `from..=to`.
    #[tracing::instrument(skip(self))]
    pub async fn timesheet(
        &self,
        who: &Caller,
        key: &ProjectKey,
        from: Date,
        to: Date,
    ) -> Result<(Project, Timesheet), ApiError> {
        self.readable(who, key).await?;
        let rows = time::logged_between(self.kanri.store().db(), key, from, to)
            .await
            .map_err(unavailable)?;
        let built = self
            .kanri
            .read(key, |state, _| {
                let project = state.project.clone()?;
                Some(Timesheet::build(state, from, to, &rows).map(|sheet| (project, sheet)))
            })
            .await
            .map_err(unavailable)?
            .flatten()
            .ok_or_else(|| ApiError::NotFound(format!("project {key}")))?;
        built.map_err(|e| ApiError::invalid("to", e.to_string()))
    }

    /// Time travel: the project as it was after global sequence `seq`,
    /// with the range of its log now (the slider's ends).
    #[tracing::instrument(skip(self))]
    pub async fn project_as_of(
        &self,
        who: &Caller,
        key: &ProjectKey,
        seq: u64,
    ) -> Result<PastProject, ApiError> {
        self.readable(who, key).await?;
        let store = self.kanri.store();
        let past = self
            .kanri
            .past(key, Until::Seq(seq))
            .await
            .map_err(unavailable)?;
        let head = store.head(Some(key)).await.map_err(unavailable)?;
        if head == 0 {
            return Err(ApiError::NotFound(format!("project {key}")));
        }
        let first = store
            .events_after(Some(key), 0, 1)
            .await
            .map_err(unavailable)?
            .first()
            .map_or(0, |r| r.seq);
        Ok(PastProject {
            seq: past.seq,
            at_ms: past.at_ms,
            state: past.state,
            first,
            head,
        })
    }

    /// Time travel for one issue: its page after global sequence `seq`,
    /// its history up to then, and the sequences of all its changes now
    /// (the slider's stops).
    #[tracing::instrument(skip(self))]
    pub async fn issue_as_of(
        &self,
        who: &Caller,
        key: &IssueKey,
        seq: u64,
    ) -> Result<PastIssue, ApiError> {
        let now = self.issue(who, key).await?;
        let past = self.project_as_of(who, &key.project, seq).await?;
        let not_yet = || ApiError::NotFound(format!("issue {key} at that moment"));
        let mut detail = IssueDetail::from_state(&past.state, key.number).ok_or_else(not_yet)?;
        // One stop per event (an event may change several fields).
        let mut stops: Vec<u64> = now.history.iter().map(|r| r.seq).collect();
        stops.dedup();
        detail.history = now.history.into_iter().filter(|r| r.seq <= seq).collect();
        Ok(PastIssue {
            detail,
            seq: past.seq,
            at_ms: past.at_ms,
            stops,
        })
    }
}
