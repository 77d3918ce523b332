//! Server functions of the backlog: create, start and complete sprints, move
//! issues between the backlog and sprints in bulk, and create issues inline.
//! Raw form text is parsed here, so every form reports errors the same way.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::FormErrors;
#[cfg(feature = "ssr")]
use super::functions::{project_key, reply, run_at_head, run_command as run};
use crate::domain::Outcome;
#[cfg(feature = "ssr")]
use crate::domain::*;

/// Issues one bulk move may carry; more is refused, not truncated.
pub const MAX_BULK_ISSUES: usize = 100;

/// A new planned sprint named like Jira's: `ABC Sprint 3`.
#[server(prefix = "/api/fn", endpoint = "create_sprint")]
pub async fn create_sprint(project: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let command = Command::CreateSprint {
                name: None,
                goal: LongText::default(),
                start: None,
                end: None,
            };
            run(key, 0, command).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "start_sprint")]
pub async fn start_sprint(
    project: String,
    sprint: u32,
    version: u64,
    start: String,
    end: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let mut form = FormErrors::default();
            let start = form.check("start", Date::parse(start.trim()));
            let end = form.check("end", Date::parse(end.trim()));
            form.finish()?;
            let (Some(start), Some(end)) = (start, end) else {
                unreachable!("FormErrors::finish reports any missing field");
            };
            let command = Command::StartSprint {
                sprint: SprintNumber(sprint),
                start,
                end,
            };
            run(key, version, command).await
        }
        .await,
    )
}

/// `open_to` is empty for the backlog, or the number of a planned sprint.
#[server(prefix = "/api/fn", endpoint = "complete_sprint")]
pub async fn complete_sprint(
    project: String,
    sprint: u32,
    version: u64,
    open_to: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let open_issues_to = match open_to.trim() {
                "" => None,
                n => Some(SprintNumber(n.parse().map_err(|_| {
                    ApiError::invalid("open_to", format!("\"{n}\" is not a sprint"))
                })?)),
            };
            let command = Command::CompleteSprint {
                sprint: SprintNumber(sprint),
                open_issues_to,
            };
            run(key, version, command).await
        }
        .await,
    )
}

/// Puts `issues` into sprint `sprint` (`None`: back to the backlog), each
/// as its own command. Returns how many changed.
#[server(prefix = "/api/fn", endpoint = "move_issues")]
pub async fn move_issues(
    project: String,
    issues: Vec<u32>,
    sprint: Option<u32>,
) -> Result<usize, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            if issues.is_empty() {
                return Err(ApiError::invalid("issues", "Select at least one issue"));
            }
            if issues.len() > MAX_BULK_ISSUES {
                return Err(ApiError::invalid(
                    "issues",
                    format!("At most {MAX_BULK_ISSUES} issues can be moved at once"),
                ));
            }
            let mut moved = 0;
            for n in issues {
                let patch = IssuePatch {
                    sprint: Some(sprint.map(SprintNumber)),
                    ..Default::default()
                };
                let command = Command::UpdateIssue {
                    issue: IssueNumber(n),
                    patch,
                };
                if !run_at_head(key.clone(), command)
                    .await?
                    .recorded()
                    .is_empty()
                {
                    moved += 1;
                }
            }
            Ok(moved)
        }
        .await,
    )
}

/// Re-ranks an issue in the backlog: right after `after` (`None`: first).
/// One event, one rank written; the rank is the issue's everywhere (board
/// columns and sprints are ordered by it too).
#[server(prefix = "/api/fn", endpoint = "rank_issue")]
pub async fn rank_issue(
    project: String,
    issue: u32,
    after: Option<u32>,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let command = Command::RankIssue {
                issue: IssueNumber(issue),
                after: after.map(IssueNumber),
            };
            run_at_head(key, command).await
        }
        .await,
    )
}

/// Creates a story at the bottom of the backlog from its title alone.
#[server(prefix = "/api/fn", endpoint = "create_backlog_issue")]
pub async fn create_backlog_issue(project: String, title: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let title = ApiError::field("title", Title::parse(&title))?;
            run(
                key,
                0,
                Command::CreateIssue(NewIssue::new(title, IssueType::Story)),
            )
            .await
        }
        .await,
    )
}
