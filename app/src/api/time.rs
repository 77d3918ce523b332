//! Server functions of time tracking: log and delete work on an issue, and
//! the project's timesheet. Durations are parsed here, with the project's
//! working calendar, so every form gets the same errors in the same words.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::FormErrors;
#[cfg(feature = "ssr")]
use super::functions::{caller, date_range, issue_key, now_ms, project_key, reply, run_command};
use super::{ApiError, TimesheetPage};
use crate::domain::Outcome;
#[cfg(feature = "ssr")]
use crate::domain::*;

/// The raw text of a worklog form, as the issue page sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WorkForm {
    pub spent: String,
    /// Empty for "now".
    pub started: String,
    pub comment: String,
    /// `auto`, `leave`, `set` or `manual`; the last two take `remaining_by`.
    pub remaining: String,
    pub remaining_by: String,
}

#[cfg(feature = "ssr")]
impl WorkForm {
    /// Parses every field with the project's calendar, reporting all errors at once.
    fn parse(&self, calendar: WorkCalendar) -> Result<(WorkEntry, RemainingAdjustment), ApiError> {
        let mut form = FormErrors::default();
        let spent = form.check("spent", calendar.parse(&self.spent));
        let started = if self.started.trim().is_empty() {
            Some(UtcTime::from_unix_ms(now_ms()))
        } else {
            form.check("started", UtcTime::parse(&self.started))
        };
        let comment = form.check("comment", LongText::parse(&self.comment));
        let by = || calendar.parse(&self.remaining_by);
        let remaining = match self.remaining.as_str() {
            "auto" => Some(RemainingAdjustment::Auto),
            "leave" => Some(RemainingAdjustment::Leave),
            "set" => form
                .check("remaining_by", by())
                .map(RemainingAdjustment::Set),
            "manual" => form
                .check("remaining_by", by())
                .map(RemainingAdjustment::Manual),
            other => form.check(
                "remaining",
                Err(format!(
                    "\"{other}\" is not a way to adjust the remaining estimate"
                )),
            ),
        };
        form.finish()?;
        match (spent, started, comment, remaining) {
            (Some(spent), Some(started), Some(comment), Some(remaining)) => Ok((
                WorkEntry {
                    started,
                    spent,
                    comment,
                },
                remaining,
            )),
            _ => unreachable!("FormErrors::finish reports any missing field"),
        }
    }
}

/// Logs work on an issue from the issue page's form.
#[server(prefix = "/api/fn", endpoint = "log_work")]
pub async fn log_work(issue: String, version: u64, work: WorkForm) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let (backend, who) = caller().await?;
            let calendar = backend.issue(who, key.clone()).await?.project.calendar;
            let (entry, remaining) = work.parse(calendar)?;
            let command = Command::LogWork {
                issue: key.number,
                entry,
                remaining,
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

/// Edits a worklog: its time, start and comment, and the remaining estimate.
#[server(prefix = "/api/fn", endpoint = "update_worklog")]
pub async fn update_worklog(
    issue: String,
    version: u64,
    worklog: u32,
    work: WorkForm,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let (backend, who) = caller().await?;
            let calendar = backend.issue(who, key.clone()).await?.project.calendar;
            let (entry, remaining) = work.parse(calendar)?;
            let command = Command::UpdateWorklog {
                issue: key.number,
                worklog: WorklogNumber(worklog),
                entry,
                remaining,
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

/// Deletes a worklog and gives its time back to the remaining estimate.
#[server(prefix = "/api/fn", endpoint = "delete_worklog")]
pub async fn delete_worklog(
    issue: String,
    version: u64,
    worklog: u32,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::DeleteWorklog {
                issue: key.number,
                worklog: WorklogNumber(worklog),
                remaining: RemainingAdjustment::Auto,
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

/// The timesheet of `from..=to` (dates like 2026-11-21); by default the
/// seven days ending today (UTC).
#[server(prefix = "/api/fn", endpoint = "timesheet")]
pub async fn load_timesheet(
    key: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<TimesheetPage, ApiError> {
    reply(
        async {
            let project = project_key(&key)?;
            let (from, to) = date_range(from, to, 7)?;
            if let Err(e) = days_between(from, to) {
                return Err(ApiError::invalid("to", e.to_string()));
            }
            let (backend, who) = caller().await?;
            let (project, sheet) = backend.timesheet(who, project, from, to).await?;
            Ok(TimesheetPage { project, sheet })
        }
        .await,
    )
}
