//! Server functions of time tracking: log and delete work on an issue, and
//! the project's timesheet. Durations are parsed here, with the project's
//! working calendar, so every form gets the same errors in the same words.

use leptos::prelude::*;

use super::{ApiError, TimesheetPage};
#[cfg(feature = "ssr")]
use super::{FormErrors, functions::acting_user, functions::reply};
use crate::domain::Outcome;
#[cfg(feature = "ssr")]
use crate::domain::*;

/// Today's UTC date on the server's clock.
#[cfg(feature = "ssr")]
pub(super) fn today() -> Date {
    Date::from_unix_ms(now_ms())
}

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(feature = "ssr")]
fn issue_key(raw: &str) -> Result<IssueKey, ApiError> {
    IssueKey::parse(raw).map_err(|_| ApiError::NotFound(format!("issue {raw}")))
}

/// Logs work on an issue from the issue page's form (raw text fields).
/// `remaining` is `auto`, `leave`, `set` or `manual`; the last two take
/// `remaining_by`.
#[server(prefix = "/api/fn", endpoint = "log_work")]
pub async fn log_work(
    issue: String,
    version: u64,
    spent: String,
    started: String,
    comment: String,
    remaining: String,
    remaining_by: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let (backend, actor) = acting_user().await?;
            let calendar = backend.issue(key.clone()).await?.project.calendar;
            let mut form = FormErrors::default();
            let spent = form.check("spent", calendar.parse(&spent));
            let started = if started.trim().is_empty() {
                Some(UtcTime::from_unix_ms(now_ms()))
            } else {
                form.check("started", UtcTime::parse(&started))
            };
            let comment = form.check("comment", LongText::parse(&comment));
            let by = || calendar.parse(&remaining_by);
            let remaining = match remaining.as_str() {
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
            let (Some(spent), Some(started), Some(comment), Some(remaining)) =
                (spent, started, comment, remaining)
            else {
                unreachable!("FormErrors::finish reports any missing field");
            };
            let envelope = CommandEnvelope {
                id: backend.new_command_id(),
                project: key.project.clone(),
                base_version: version,
                command: Command::LogWork {
                    issue: key.number,
                    author: actor.clone(),
                    entry: WorkEntry {
                        started,
                        spent,
                        comment,
                    },
                    remaining,
                },
            };
            backend.execute(actor, envelope).await
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
            let (backend, actor) = acting_user().await?;
            let envelope = CommandEnvelope {
                id: backend.new_command_id(),
                project: key.project.clone(),
                base_version: version,
                command: Command::DeleteWorklog {
                    issue: key.number,
                    worklog: WorklogNumber(worklog),
                    remaining: RemainingAdjustment::Auto,
                },
            };
            backend.execute(actor, envelope).await
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
            let project = ProjectKey::parse(&key)
                .map_err(|_| ApiError::NotFound(format!("project {key}")))?;
            let today = today();
            let date = |raw: Option<String>, default: Date| match raw.filter(|r| !r.is_empty()) {
                Some(r) => Date::parse(&r),
                None => Ok(default),
            };
            let mut form = FormErrors::default();
            let to = form.check("to", date(to, today));
            let week_before = to.unwrap_or(today).days_before(6);
            let from = form.check("from", date(from, week_before));
            form.finish()?;
            let (Some(from), Some(to)) = (from, to) else {
                unreachable!("FormErrors::finish reports any missing field");
            };
            if let Err(e) = days_between(from, to) {
                return Err(ApiError::invalid("to", e.to_string()));
            }
            let (project, sheet) = super::backend()?.timesheet(project, from, to).await?;
            Ok(TimesheetPage { project, sheet })
        }
        .await,
    )
}
