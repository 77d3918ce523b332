//! What an event changed, in words a person reads: the issue history and the
//! "who changed what, old → new" of a conflict report.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::comment::CommentNumber;
use super::duration::WorkCalendar;
use super::event::Event;
use super::field::{AttemptedChange, Field};
use super::ids::*;
use super::model::{ProjectState, StreamRef};
use super::quantity::Minutes;
use super::worklog::WorkEntry;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// The stream came into being.
    Created { summary: String },
    Field {
        field: Field,
        old: Option<String>,
        new: Option<String>,
    },
    /// A command was refused because these fields had changed meanwhile.
    Conflict {
        fields: Vec<Field>,
        attempted: String,
    },
}

/// A change with who made it and when: a row of an issue's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub seq: u64,
    pub stream: StreamRef,
    pub version: u64,
    pub actor: UserName,
    pub at_ms: i64,
    pub change: Change,
}

/// Longest text kept in history entries; the log keeps the full value.
const SHOWN_CHARS: usize = 200;

fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Story points given in tenths, as people write them: `12.5`, `8`.
pub fn tenths(t: u32) -> String {
    match t % 10 {
        0 => (t / 10).to_string(),
        r => format!("{}.{r}", t / 10),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

fn labels(l: &BTreeSet<Label>) -> Option<String> {
    (!l.is_empty()).then(|| l.iter().map(Label::as_str).collect::<Vec<_>>().join(", "))
}

/// The changes `event` makes to `before` (the state just before it).
pub fn changes(before: &ProjectState, event: &Event) -> Vec<Change> {
    use Event::*;
    let project = before.project.as_ref();
    let status_name =
        |id: StatusId| project.map_or_else(|| format!("status {}", id.0), |p| p.status_name(id));
    let issue_key = |n: IssueNumber| match project {
        Some(p) => IssueKey::new(p.key.clone(), n).to_string(),
        None => n.to_string(),
    };
    let sprint_name = |n: &Option<SprintNumber>| {
        n.map(|n| {
            before
                .sprints
                .get(&n)
                .map_or_else(|| format!("sprint {}", n.0), |s| s.name.to_string())
        })
    };
    let issue = match event.stream() {
        StreamRef::Issue(n) => before.issues.get(&n),
        _ => None,
    };
    let field =
        |field, old: Option<String>, new: Option<String>| vec![Change::Field { field, old, new }];
    let calendar = project.map(|p| p.calendar).unwrap_or_default();
    let duration = |m: &Option<Minutes>| m.map(|m| calendar.format(m));
    let work = |e: &WorkEntry| format!("{} from {}", calendar.format(e.spent), e.started);
    let said = |n: &CommentNumber| {
        issue
            .and_then(|i| i.comments.get(n))
            .map(|c| shown(c.body.as_str()))
    };
    let logged = |n: &WorklogNumber| {
        issue
            .and_then(|i| i.worklogs.get(n))
            .map(|w| work(&w.entry))
    };
    match event {
        ProjectCreated { key, name, .. } => vec![Change::Created {
            summary: format!("project {key} “{name}”"),
        }],
        IssueCreated {
            issue_type, title, ..
        } => {
            vec![Change::Created {
                summary: format!("{} “{}”", issue_type.label(), shown(title.as_str())),
            }]
        }
        SprintCreated { name, .. } => vec![Change::Created {
            summary: format!("sprint “{name}”"),
        }],
        ProjectRenamed { name } => field(
            Field::Name,
            project.map(|p| p.name.to_string()),
            Some(name.to_string()),
        ),
        StatusAdded { status } => field(
            Field::Workflow,
            None,
            Some(format!("added column “{}”", status.name)),
        ),
        StatusRenamed { status, name } => field(
            Field::Workflow,
            Some(status_name(*status)),
            Some(name.to_string()),
        ),
        WipLimitSet { status, limit } => {
            let old = project
                .and_then(|p| p.status(*status))
                .and_then(|s| s.wip_limit);
            let describe = |l: Option<u32>| {
                Some(l.map_or("no limit".into(), |l| {
                    format!("{}: WIP {l}", status_name(*status))
                }))
            };
            field(Field::Workflow, describe(old), describe(*limit))
        }
        IssueTitleChanged { title, .. } => field(
            Field::Title,
            issue.map(|i| shown(i.title.as_str())),
            Some(shown(title.as_str())),
        ),
        IssueDescriptionChanged { description, .. } => field(
            Field::Description,
            issue
                .map(|i| shown(i.description.as_str()))
                .filter(|d| !d.is_empty()),
            Some(shown(description.as_str())).filter(|d| !d.is_empty()),
        ),
        IssueTypeChanged { issue_type, .. } => field(
            Field::Type,
            issue.map(|i| i.issue_type.label().into()),
            Some(issue_type.label().into()),
        ),
        IssuePriorityChanged { priority, .. } => field(
            Field::Priority,
            issue.map(|i| i.priority.label().into()),
            Some(priority.label().into()),
        ),
        IssueAssigneeChanged { assignee, .. } => field(
            Field::Assignee,
            issue.and_then(|i| opt(&i.assignee)),
            opt(assignee),
        ),
        IssueLabelsChanged { labels: l, .. } => field(
            Field::Labels,
            issue.and_then(|i| labels(&i.labels)),
            labels(l),
        ),
        IssuePointsChanged { points, .. } => field(
            Field::Points,
            issue.and_then(|i| opt(&i.points)),
            opt(points),
        ),
        IssueParentChanged { parent, .. } => field(
            Field::Parent,
            issue.and_then(|i| i.parent.map(issue_key)),
            parent.map(issue_key),
        ),
        IssueSprintChanged { sprint, .. } => field(
            Field::Sprint,
            issue.and_then(|i| sprint_name(&i.sprint)),
            sprint_name(sprint),
        ),
        IssueOriginalEstimateChanged { estimate, .. } => field(
            Field::OriginalEstimate,
            issue.and_then(|i| duration(&i.original_estimate)),
            duration(estimate),
        ),
        IssueRemainingEstimateChanged { estimate, .. } => field(
            Field::RemainingEstimate,
            issue.and_then(|i| duration(&i.remaining_estimate)),
            duration(estimate),
        ),
        TimeTrackingConfigured { calendar: new } => {
            let days = |c: WorkCalendar| {
                Some(format!(
                    "{} h days, {} d weeks",
                    c.hours_per_day(),
                    c.days_per_week()
                ))
            };
            field(Field::TimeTracking, days(calendar), days(*new))
        }
        FilterSaved { name, query } => field(
            Field::Filters,
            project
                .and_then(|p| p.filters.get(name))
                .map(|q| format!("{name}: {q}")),
            Some(format!("{name}: {query}")),
        ),
        MemberAdded { user, role } => field(Field::Members, None, Some(format!("{user} ({role})"))),
        RoleChanged { user, role } => field(
            Field::Members,
            project
                .and_then(|p| p.role_of(user))
                .map(|r| format!("{user} ({r})")),
            Some(format!("{user} ({role})")),
        ),
        MemberRemoved { user } => field(
            Field::Members,
            project
                .and_then(|p| p.role_of(user))
                .map(|r| format!("{user} ({r})")),
            None,
        ),
        FilterDeleted { name } => field(
            Field::Filters,
            project
                .and_then(|p| p.filters.get(name))
                .map(|q| format!("{name}: {q}")),
            None,
        ),
        WorkLogged { worklog, entry, .. } => {
            field(Field::Worklog(*worklog), None, Some(work(entry)))
        }
        WorklogUpdated { worklog, entry, .. } => {
            field(Field::Worklog(*worklog), logged(worklog), Some(work(entry)))
        }
        WorklogDeleted { worklog, .. } => field(Field::Worklog(*worklog), logged(worklog), None),
        CommentAdded { comment, body, .. } => {
            field(Field::Comment(*comment), None, Some(shown(body.as_str())))
        }
        CommentEdited { comment, body, .. } => field(
            Field::Comment(*comment),
            said(comment),
            Some(shown(body.as_str())),
        ),
        CommentDeleted { comment, .. } => field(Field::Comment(*comment), said(comment), None),
        WatcherAdded { user, .. } => field(Field::Watchers, None, Some(user.to_string())),
        WatcherRemoved { user, .. } => field(Field::Watchers, Some(user.to_string()), None),
        IssueLinked { link, .. } => field(
            Field::Links,
            None,
            Some(format!("{} {}", link.kind.label(), issue_key(link.target))),
        ),
        IssueUnlinked { link, .. } => field(
            Field::Links,
            Some(format!("{} {}", link.kind.label(), issue_key(link.target))),
            None,
        ),
        IssueMoved { from, to, .. } if from == to => field(Field::Rank, None, None),
        IssueMoved { from, to, .. } => {
            let mut c = field(
                Field::Status,
                Some(status_name(*from)),
                Some(status_name(*to)),
            );
            c.extend(field(Field::Rank, None, None));
            c
        }
        IssueRanked { .. } => field(Field::Rank, None, None),
        SprintStarted { start, end, .. } => {
            let mut c = field(
                Field::SprintState,
                Some("planned".into()),
                Some("active".into()),
            );
            c.extend(field(Field::Dates, None, Some(format!("{start} – {end}"))));
            c
        }
        SprintCompleted { .. } => field(
            Field::SprintState,
            Some("active".into()),
            Some("closed".into()),
        ),
        SprintCommitted {
            issues,
            points_tenths,
            ..
        } => vec![Change::Created {
            summary: format!(
                "commitment: {} issues, {} points",
                issues.len(),
                tenths(*points_tenths)
            ),
        }],
        SprintOutcomeRecorded {
            completed,
            completed_points_tenths,
            open,
            ..
        } => vec![Change::Created {
            summary: format!(
                "outcome: {} issues done ({} points), {} carried over",
                completed.len(),
                tenths(*completed_points_tenths),
                open.len()
            ),
        }],
        ConflictRecorded {
            fields, attempted, ..
        } => {
            vec![Change::Conflict {
                fields: fields.clone(),
                attempted: describe_attempt(before, attempted),
            }]
        }
    }
}

/// What a refused command had attempted, in the words of the history:
/// "move to Done", "rename to “…”", "set the priority to high".
pub fn describe_attempt(before: &ProjectState, attempted: &[AttemptedChange]) -> String {
    let has = |f: fn(&Field) -> bool| attempted.iter().find(|a| f(&a.field));
    let project = before.project.as_ref();
    let status_name = |raw: &str| {
        let id = StatusId(raw.parse().unwrap_or_default());
        project.map_or_else(|| format!("status {}", id.0), |p| p.status_name(id))
    };
    if let Some(a) = has(|f| matches!(f, Field::Worklog(_))) {
        return match (&a.wanted, &a.found) {
            (Some(_), None) => "log work",
            (None, _) => "delete a worklog",
            _ => "edit a worklog",
        }
        .into();
    }
    if let Some(a) = has(|f| matches!(f, Field::Comment(_))) {
        return match (&a.wanted, &a.found) {
            (Some(_), None) => "comment",
            (None, _) => "delete a comment",
            _ => "edit a comment",
        }
        .into();
    }
    if let Some(a) = has(|f| *f == Field::Members) {
        let user = |v: &str| v.split(" (").next().unwrap_or_default().to_owned();
        let role = |v: &str| {
            v.split_once(" (")
                .map(|(_, r)| r.trim_end_matches(')').to_owned())
                .unwrap_or_default()
        };
        return match (&a.wanted, &a.found) {
            (Some(w), None) => format!("add {} as {}", user(w), role(w)),
            (Some(w), Some(_)) => format!("make {} {}", user(w), role(w)),
            (None, f) => format!("remove {}", user(f.as_deref().unwrap_or_default())),
        };
    }
    if let Some(a) = has(|f| *f == Field::Filters) {
        return match (&a.wanted, &a.found) {
            (Some(name), _) => format!("save the filter “{name}”"),
            (None, name) => format!(
                "delete the filter “{}”",
                name.as_deref().unwrap_or_default()
            ),
        };
    }
    if let Some(a) = has(|f| *f == Field::Status) {
        return format!(
            "move to {}",
            status_name(a.wanted.as_deref().unwrap_or_default())
        );
    }
    if let Some(a) = has(|f| *f == Field::SprintState) {
        return match a.wanted.as_deref() {
            Some("active") => "start the sprint",
            _ => "complete the sprint",
        }
        .into();
    }
    if let Some(a) = has(|f| *f == Field::Name) {
        return format!("rename to “{}”", a.wanted.as_deref().unwrap_or_default());
    }
    if has(|f| *f == Field::Workflow).is_some() {
        return "change the workflow".into();
    }
    if has(|f| *f == Field::TimeTracking).is_some() {
        return "change time tracking".into();
    }
    if let Some(a) = has(|f| *f == Field::Watchers) {
        return match a.wanted {
            Some(_) => "watch",
            None => "stop watching",
        }
        .into();
    }
    if has(|f| *f == Field::Links).is_some() {
        return "change the links".into();
    }
    if has(|f| *f == Field::Rank).is_some() {
        return "re-rank".into();
    }
    let said: Vec<String> = attempted
        .iter()
        .map(
            |a| match (a.field, shown_value(before, a.field, a.wanted.as_deref())) {
                (Field::Title, Some(title)) => format!("rename to “{title}”"),
                (Field::Description, Some(_)) => "edit the description".into(),
                (field, Some(value)) => format!("set the {} to {value}", field.label()),
                (field, None) => format!("clear the {}", field.label()),
            },
        )
        .collect();
    if said.is_empty() {
        "change nothing".into()
    } else {
        said.join(", ")
    }
}

/// An attempted issue field's value as the history shows it: ids named as
/// they were named in `before`, durations in its working calendar.
fn shown_value(before: &ProjectState, field: Field, raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let project = before.project.as_ref();
    let number = || raw.parse::<u32>().unwrap_or_default();
    Some(match field {
        Field::Title | Field::Description => shown(raw),
        Field::Parent => match project {
            Some(p) => IssueKey::new(p.key.clone(), IssueNumber(number())).to_string(),
            None => raw.to_owned(),
        },
        Field::Sprint => before
            .sprints
            .get(&SprintNumber(number()))
            .map_or_else(|| format!("sprint {raw}"), |s| s.name.to_string()),
        Field::OriginalEstimate | Field::RemainingEstimate => project
            .map(|p| p.calendar)
            .unwrap_or_default()
            .format(Minutes(number())),
        _ => raw.to_owned(),
    })
}
