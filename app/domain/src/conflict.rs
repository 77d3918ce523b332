//! What a refused command had attempted, field by field: the record a
//! `ConflictRecorded` keeps instead of the command itself, so a command's
//! shape can change without touching the log.

use crate::change::describe_attempt;
use crate::command::Command;
use crate::comment::CommentNumber;
use crate::field::{AttemptedChange, Field};
use crate::ids::*;
use crate::model::{Issue, ProjectState};
use crate::quantity::Minutes;
use crate::worklog::RemainingAdjustment;

/// The fields `command` sets with the values it wanted and the values
/// `state` holds, in the log's own terms (ids and numbers, not names).
/// For a command that changes something that must exist (a role, a
/// worklog, a comment), a value `state` does not know is found as `""`:
/// there was one, its value is not known (so it is never `None`, which
/// means "nothing there").
pub fn attempted(state: &ProjectState, command: &Command) -> Vec<AttemptedChange> {
    let change = |field, wanted: Option<String>, found: Option<String>| AttemptedChange {
        field,
        wanted,
        found,
    };
    let known = |v: Option<String>| v.or_else(|| Some(String::new()));
    let project = state.project.as_ref();
    let issue = |n: &IssueNumber| state.issue(*n);
    let num = |n: u32| Some(n.to_string());
    let minutes = |m: Option<Minutes>| m.map(|m| m.0.to_string());
    let member = |user: &UserName| {
        project
            .and_then(|p| p.role_of(user))
            .map(|r| format!("{user} ({r})"))
    };
    let remaining = |i: &IssueNumber, adjust: &RemainingAdjustment| match adjust {
        RemainingAdjustment::Set(m) => vec![change(
            Field::RemainingEstimate,
            num(m.0),
            issue(i).and_then(|i| minutes(i.remaining_estimate)),
        )],
        _ => vec![],
    };
    match command {
        Command::CreateProject { .. } | Command::CreateIssue(_) | Command::CreateSprint { .. } => {
            vec![]
        }
        Command::RenameProject { name } => vec![change(
            Field::Name,
            Some(name.to_string()),
            project.map(|p| p.name.to_string()),
        )],
        Command::AddStatus { name, .. } => {
            vec![change(Field::Workflow, Some(name.to_string()), None)]
        }
        Command::RenameStatus { status, name } => vec![change(
            Field::Workflow,
            Some(name.to_string()),
            known(
                project
                    .and_then(|p| p.status(*status))
                    .map(|s| s.name.to_string()),
            ),
        )],
        Command::SetWipLimit { status, limit } => vec![change(
            Field::Workflow,
            limit.map(|l| l.to_string()),
            project
                .and_then(|p| p.status(*status))
                .and_then(|s| s.wip_limit)
                .map(|l| l.to_string()),
        )],
        Command::UpdateIssue { issue: n, patch } => {
            let current = issue(n);
            let labels = |l: &std::collections::BTreeSet<Label>| {
                (!l.is_empty()).then(|| l.iter().map(Label::as_str).collect::<Vec<_>>().join(", "))
            };
            let text = |t: &str| Some(t.to_owned()).filter(|t| !t.is_empty());
            [
                patch.title.as_ref().map(|t| {
                    change(
                        Field::Title,
                        Some(t.to_string()),
                        current.map(|i: &Issue| i.title.to_string()),
                    )
                }),
                patch.description.as_ref().map(|d| {
                    change(
                        Field::Description,
                        text(d.as_str()),
                        current.and_then(|i: &Issue| text(i.description.as_str())),
                    )
                }),
                patch.issue_type.map(|t| {
                    change(
                        Field::Type,
                        Some(t.label().into()),
                        current.map(|i: &Issue| i.issue_type.label().into()),
                    )
                }),
                patch.priority.map(|p| {
                    change(
                        Field::Priority,
                        Some(p.label().into()),
                        current.map(|i: &Issue| i.priority.label().into()),
                    )
                }),
                patch.assignee.as_ref().map(|a| {
                    change(
                        Field::Assignee,
                        a.as_ref().map(|u| u.to_string()),
                        current.and_then(|i: &Issue| i.assignee.as_ref().map(|u| u.to_string())),
                    )
                }),
                patch.labels.as_ref().map(|l| {
                    change(
                        Field::Labels,
                        labels(l),
                        current.and_then(|i: &Issue| labels(&i.labels)),
                    )
                }),
                patch.points.map(|p| {
                    change(
                        Field::Points,
                        p.map(|p| p.to_string()),
                        current.and_then(|i: &Issue| i.points.map(|p| p.to_string())),
                    )
                }),
                patch.parent.map(|p| {
                    change(
                        Field::Parent,
                        p.map(|p| p.0.to_string()),
                        current.and_then(|i: &Issue| i.parent.map(|p| p.0.to_string())),
                    )
                }),
                patch.sprint.map(|s| {
                    change(
                        Field::Sprint,
                        s.map(|s| s.0.to_string()),
                        current.and_then(|i: &Issue| i.sprint.map(|s| s.0.to_string())),
                    )
                }),
                patch.original_estimate.map(|m| {
                    change(
                        Field::OriginalEstimate,
                        minutes(m),
                        current.and_then(|i: &Issue| minutes(i.original_estimate)),
                    )
                }),
                patch.remaining_estimate.map(|m| {
                    change(
                        Field::RemainingEstimate,
                        minutes(m),
                        current.and_then(|i: &Issue| minutes(i.remaining_estimate)),
                    )
                }),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
        Command::TransitionIssue { issue: n, to } | Command::MoveIssue { issue: n, to, .. } => {
            let status = change(
                Field::Status,
                num(to.0),
                issue(n).and_then(|i| num(i.status.0)),
            );
            match command {
                Command::MoveIssue { after, .. } => vec![status, rank(*after, issue(n))],
                _ => vec![status],
            }
        }
        Command::RankIssue { issue: n, after } => vec![rank(*after, issue(n))],
        Command::StartSprint { start, end, .. } => vec![
            change(Field::SprintState, Some("active".into()), None),
            change(Field::Dates, Some(format!("{start} – {end}")), None),
        ],
        Command::CompleteSprint { .. } => {
            vec![change(Field::SprintState, Some("closed".into()), None)]
        }
        // A saved filter is named by its name: saving wants it, deleting finds it.
        Command::SaveFilter { name, .. } => {
            vec![change(Field::Filters, Some(name.to_string()), None)]
        }
        Command::DeleteFilter { name } => {
            vec![change(Field::Filters, None, Some(name.to_string()))]
        }
        Command::ConfigureTimeTracking { calendar } => vec![change(
            Field::TimeTracking,
            Some(format!(
                "{}h {}d",
                calendar.hours_per_day(),
                calendar.days_per_week()
            )),
            project.map(|p| {
                format!(
                    "{}h {}d",
                    p.calendar.hours_per_day(),
                    p.calendar.days_per_week()
                )
            }),
        )],
        Command::AddMember { user, role } => {
            vec![change(
                Field::Members,
                Some(format!("{user} ({role})")),
                None,
            )]
        }
        Command::ChangeRole { user, role } => vec![change(
            Field::Members,
            Some(format!("{user} ({role})")),
            member(user).or_else(|| Some(user.to_string())),
        )],
        Command::RemoveMember { user } => vec![change(
            Field::Members,
            None,
            member(user).or_else(|| Some(user.to_string())),
        )],
        Command::LogWork {
            issue: n,
            entry,
            remaining: adjust,
        } => {
            let next = WorklogNumber(issue(n).map_or(0, |i| i.last_worklog) + 1);
            std::iter::once(change(Field::Worklog(next), num(entry.spent.0), None))
                .chain(remaining(n, adjust))
                .collect()
        }
        Command::UpdateWorklog {
            issue: n,
            worklog,
            entry,
            remaining: adjust,
        } => std::iter::once(change(
            Field::Worklog(*worklog),
            num(entry.spent.0),
            known(logged(issue(n), *worklog)),
        ))
        .chain(remaining(n, adjust))
        .collect(),
        Command::DeleteWorklog {
            issue: n,
            worklog,
            remaining: adjust,
        } => std::iter::once(change(
            Field::Worklog(*worklog),
            None,
            known(logged(issue(n), *worklog)),
        ))
        .chain(remaining(n, adjust))
        .collect(),
        Command::EditComment {
            issue: n,
            comment,
            body,
        } => vec![change(
            Field::Comment(*comment),
            Some(body.as_str().to_owned()),
            known(
                issue(n)
                    .and_then(|i| i.comments.get(comment))
                    .map(|c| c.body.as_str().to_owned()),
            ),
        )],
        Command::DeleteComment { issue: n, comment } => vec![change(
            Field::Comment(*comment),
            None,
            known(
                issue(n)
                    .and_then(|i| i.comments.get(comment))
                    .map(|c| c.body.as_str().to_owned()),
            ),
        )],
        Command::AddComment { body, .. } => {
            vec![change(
                Field::Comment(CommentNumber(0)),
                Some(body.as_str().to_owned()),
                None,
            )]
        }
        Command::WatchIssue { watch, .. } => vec![change(
            Field::Watchers,
            watch.then(|| "watch".into()),
            (!watch).then(|| "watch".into()),
        )],
        Command::LinkIssue { kind, target, .. } => vec![change(
            Field::Links,
            Some(format!("{} {}", kind.label(), target.0)),
            None,
        )],
        Command::UnlinkIssue { link, .. } => vec![change(
            Field::Links,
            None,
            Some(format!("{} {}", link.kind.label(), link.target.0)),
        )],
    }
}

fn rank(after: Option<IssueNumber>, issue: Option<&Issue>) -> AttemptedChange {
    AttemptedChange {
        field: Field::Rank,
        wanted: after.map(|a| format!("after {}", a.0)),
        found: issue.map(|i| i.rank.to_string()),
    }
}

fn logged(issue: Option<&Issue>, n: WorklogNumber) -> Option<String> {
    issue
        .and_then(|i| i.worklogs.get(&n))
        .map(|w| w.entry.spent.0.to_string())
}

/// A short description of what a command asks for, e.g. "move to Done":
/// the same words the history shows for a refused one.
pub fn describe(state: &ProjectState, command: &Command) -> String {
    describe_attempt(state, &attempted(state, command))
}
