//! Server functions of the issue page: edit any field inline, comment,
//! watch, link and add child issues. Raw text is parsed here; each edit
//! carries the version its author saw, so a concurrent change to the same
//! field comes back as a conflict rather than being overwritten.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::functions::{acting_user, caller, issue_key, reply, run_at_head, run_command};
use crate::domain::*;

/// The fields the issue page edits, by the names its forms send.
pub const EDITABLE_FIELDS: [&str; 12] = [
    "title",
    "description",
    "status",
    "type",
    "priority",
    "assignee",
    "labels",
    "points",
    "parent",
    "sprint",
    "original_estimate",
    "remaining_estimate",
];

/// `Some(None)` for an empty value (clear the field), else the parsed value.
fn optional<T, E: ToString>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, String> {
    match raw.trim() {
        "" => Ok(None),
        text => parse(text).map(Some).map_err(|e| e.to_string()),
    }
}

/// The command that sets `field` of `issue` to the text `value`. The
/// browser builds it too, to queue an edit made offline.
pub fn field_command(
    project: &Project,
    issue: IssueNumber,
    field: &str,
    value: &str,
) -> Result<Command, ApiError> {
    let invalid = |message: String| ApiError::invalid(field, message);
    let by_label = |what: &str| format!("\"{}\" is not a {what}", value.trim());
    let mut patch = IssuePatch::default();
    match field {
        "title" => patch.title = Some(Title::parse(value).map_err(|e| invalid(e.to_string()))?),
        "description" => {
            patch.description = Some(LongText::parse(value).map_err(|e| invalid(e.to_string()))?)
        }
        "status" => {
            let to = value
                .trim()
                .parse()
                .ok()
                .map(StatusId)
                .filter(|id| project.status(*id).is_some())
                .ok_or_else(|| invalid(by_label("status of this workflow")))?;
            return Ok(Command::TransitionIssue { issue, to });
        }
        "type" => {
            let t = IssueType::ALL
                .into_iter()
                .find(|t| t.label().eq_ignore_ascii_case(value.trim()))
                .ok_or_else(|| invalid(by_label("issue type")))?;
            patch.issue_type = Some(t);
        }
        "priority" => {
            let p = Priority::ALL
                .into_iter()
                .find(|p| p.label().eq_ignore_ascii_case(value.trim()))
                .ok_or_else(|| invalid(by_label("priority")))?;
            patch.priority = Some(p);
        }
        "assignee" => patch.assignee = Some(optional(value, UserName::parse).map_err(invalid)?),
        "labels" => {
            let labels = value
                .split([',', ' '])
                .filter(|l| !l.trim().is_empty())
                .map(|l| Label::parse(l.trim()))
                .collect::<Result<_, _>>()
                .map_err(|e| invalid(e.to_string()))?;
            patch.labels = Some(labels);
        }
        "points" => patch.points = Some(optional(value, Points::parse).map_err(invalid)?),
        "parent" => {
            let parent = optional(value, |raw| {
                let key = IssueKey::parse(raw)?;
                if key.project != project.key {
                    return Err(ParseError::IssueKey(format!(
                        "{raw} (the parent must be in {})",
                        project.key
                    )));
                }
                Ok(key.number)
            })
            .map_err(invalid)?;
            patch.parent = Some(parent);
        }
        "sprint" => {
            let sprint = optional(value, |raw| {
                raw.parse()
                    .map(SprintNumber)
                    .map_err(|_| format!("\"{raw}\" is not a sprint"))
            })
            .map_err(invalid)?;
            patch.sprint = Some(sprint);
        }
        "original_estimate" | "remaining_estimate" => {
            let estimate = optional(value, |raw| project.calendar.parse(raw)).map_err(invalid)?;
            if field == "original_estimate" {
                patch.original_estimate = Some(estimate);
            } else {
                patch.remaining_estimate = Some(estimate);
            }
        }
        other => {
            return Err(ApiError::invalid(
                "field",
                format!("\"{other}\" is not a field that can be edited"),
            ));
        }
    }
    Ok(Command::UpdateIssue { issue, patch })
}

/// Sets one field of an issue from its inline editor. The browser names
/// the command (`command`), so that an edit whose answer was lost can be
/// queued and replayed without applying twice; a plain form post leaves it
/// out and gets a fresh id.
#[server(prefix = "/api/fn", endpoint = "update_field")]
pub async fn update_field(
    issue: String,
    version: u64,
    field: String,
    value: String,
    #[server(default)] command: Option<CommandId>,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let (backend, who) = caller().await?;
            let project = backend.project_settings(who, key.project.clone()).await?;
            let change = field_command(&project, key.number, &field, &value)?;
            match command {
                Some(id) => {
                    let envelope = CommandEnvelope {
                        id,
                        project: key.project,
                        base_version: version,
                        command: change,
                    };
                    let (backend, actor) = acting_user().await?;
                    backend.execute(actor, envelope).await
                }
                None => run_command(key.project, version, change).await,
            }
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn comment_body(raw: &str) -> Result<CommentBody, ApiError> {
    ApiError::field("body", CommentBody::parse(raw))
}

#[server(prefix = "/api/fn", endpoint = "add_comment")]
pub async fn add_comment(issue: String, version: u64, body: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::AddComment {
                issue: key.number,
                body: comment_body(&body)?,
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "edit_comment")]
pub async fn edit_comment(
    issue: String,
    version: u64,
    comment: u32,
    body: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::EditComment {
                issue: key.number,
                comment: CommentNumber(comment),
                body: comment_body(&body)?,
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "delete_comment")]
pub async fn delete_comment(
    issue: String,
    version: u64,
    comment: u32,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::DeleteComment {
                issue: key.number,
                comment: CommentNumber(comment),
            };
            run_command(key.project, version, command).await
        }
        .await,
    )
}

/// Starts or stops the signed-in user watching the issue.
#[server(prefix = "/api/fn", endpoint = "watch_issue")]
pub async fn watch_issue(issue: String, watch: bool) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::WatchIssue {
                issue: key.number,
                watch,
            };
            run_at_head(key.project, command).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn link_kind(raw: &str) -> Result<LinkKind, ApiError> {
    LinkKind::from_slug(raw.trim()).ok_or_else(|| {
        ApiError::invalid(
            "kind",
            format!("\"{raw}\" is not a link type (blocks, is_blocked_by, relates_to, duplicates, is_duplicated_by)"),
        )
    })
}

/// "`issue` {kind} `target`"; the target is a key like ABC-12 or its number.
#[server(prefix = "/api/fn", endpoint = "link_issue")]
pub async fn link_issue(issue: String, kind: String, target: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let kind = link_kind(&kind)?;
            let raw = target.trim();
            let target = match raw.parse::<u32>() {
                Ok(n) => IssueNumber(n),
                Err(_) => match IssueKey::parse(raw) {
                    Ok(t) if t.project == key.project => t.number,
                    _ => {
                        return Err(ApiError::invalid(
                            "target",
                            format!("\"{raw}\" is not an issue of {}", key.project),
                        ));
                    }
                },
            };
            let command = Command::LinkIssue {
                issue: key.number,
                kind,
                target,
            };
            run_at_head(key.project, command).await
        }
        .await,
    )
}

/// Removes the link stored on issue `stored_on` of the issue's project.
#[server(prefix = "/api/fn", endpoint = "unlink_issue")]
pub async fn unlink_issue(
    issue: String,
    stored_on: u32,
    kind: String,
    target: u32,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&issue)?;
            let command = Command::UnlinkIssue {
                issue: IssueNumber(stored_on),
                link: IssueLink {
                    kind: link_kind(&kind)?,
                    target: IssueNumber(target),
                },
            };
            run_at_head(key.project, command).await
        }
        .await,
    )
}

/// A child of `parent`: a story in an epic (`epic: true`), or a sub-task
/// of any other issue (which joins its parent's sprint).
#[server(prefix = "/api/fn", endpoint = "create_child")]
pub async fn create_child(parent: String, epic: bool, title: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = issue_key(&parent)?;
            let title = ApiError::field("title", Title::parse(&title))?;
            let issue_type = if epic {
                IssueType::Story
            } else {
                IssueType::SubTask
            };
            let new = NewIssue {
                parent: Some(key.number),
                ..NewIssue::new(title, issue_type)
            };
            run_command(key.project, 0, Command::CreateIssue(new)).await
        }
        .await,
    )
}
