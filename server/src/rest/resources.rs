//! What the REST API sends: the public shape of projects, issues, changes and
//! log entries, decoupled from the domain's internal types so those can
//! change without breaking clients.

use kanri_domain::*;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema listing the values `items` serialize to.
fn one_of<T: Serialize>(items: &[T]) -> Schema {
    let values = items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect::<Vec<_>>();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

pub fn issue_type_schema() -> Schema {
    one_of(&IssueType::ALL)
}

pub fn priority_schema() -> Schema {
    one_of(&Priority::ALL)
}

pub fn link_kind_schema() -> Schema {
    one_of(&LinkKind::ALL)
}

pub fn category_schema() -> Schema {
    one_of(&[
        StatusCategory::ToDo,
        StatusCategory::InProgress,
        StatusCategory::Done,
    ])
}

pub fn kind_schema() -> Schema {
    one_of(&[ProjectKind::Scrum, ProjectKind::Kanban])
}

/// The name serde gives a domain enum value (`in_progress`).
fn name_of<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A field's stable name: `assignee`, `original_estimate`, `worklog:3`.
pub fn field_name(field: Field) -> String {
    match field {
        Field::Worklog(n) => format!("worklog:{}", n.0),
        Field::Comment(n) => format!("comment:{}", n.0),
        f => name_of(f),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResource {
    pub key: String,
    pub name: String,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    /// The project stream's version: its ETag.
    pub version: u64,
    /// The workflow in board order.
    pub statuses: Vec<StatusResource>,
    /// Your role here: `viewer`, `member` or `admin`.
    pub role: String,
    /// The global sequence of the last event in this project.
    pub last_seq: u64,
}

impl ProjectResource {
    pub fn new(project: &Project, role: Role, last_seq: u64) -> Self {
        Self {
            key: project.key.to_string(),
            name: project.name.to_string(),
            kind: name_of(project.kind),
            version: project.version,
            statuses: project.statuses.iter().map(StatusResource::from).collect(),
            role: name_of(role),
            last_seq,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResource {
    pub id: u32,
    pub name: String,
    #[schema(schema_with = category_schema)]
    pub category: String,
    pub wip_limit: Option<u32>,
}

impl From<&Status> for StatusResource {
    fn from(s: &Status) -> Self {
        Self {
            id: s.id.0,
            name: s.name.to_string(),
            category: name_of(s.category),
            wip_limit: s.wip_limit,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueResource {
    /// `ABC-123`.
    pub key: String,
    /// The issue stream's version: its ETag, and what `If-Match` names.
    pub version: u64,
    pub title: String,
    /// Markdown.
    pub description: String,
    #[schema(schema_with = issue_type_schema)]
    pub issue_type: String,
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    pub status: StatusResource,
    /// Sorts issues in backlog order (compare as strings).
    pub rank: String,
    pub reporter: String,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    /// Story points, in steps of 0.1.
    pub points: Option<f64>,
    /// The parent epic or issue, `ABC-7`.
    pub parent: Option<String>,
    pub sprint: Option<u32>,
    pub original_estimate_minutes: Option<u32>,
    pub remaining_estimate_minutes: Option<u32>,
    pub time_spent_minutes: u32,
    pub links: Vec<LinkResource>,
    pub watchers: Vec<String>,
    pub comments: usize,
    pub worklogs: usize,
}

/// "This issue {kind} {issue}".
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkResource {
    #[schema(schema_with = link_kind_schema)]
    pub kind: String,
    pub issue: String,
}

impl IssueResource {
    pub fn new(state: &ProjectState, issue: &Issue) -> Self {
        let project = &issue.key.project;
        let key_of = |n: IssueNumber| IssueKey::new(project.clone(), n).to_string();
        let status = state
            .project
            .as_ref()
            .and_then(|p| p.status(issue.status))
            .map_or_else(
                || StatusResource {
                    id: issue.status.0,
                    name: String::new(),
                    category: name_of(StatusCategory::ToDo),
                    wip_limit: None,
                },
                StatusResource::from,
            );
        Self {
            key: issue.key.to_string(),
            version: issue.version,
            title: issue.title.to_string(),
            description: issue.description.as_str().to_owned(),
            issue_type: name_of(issue.issue_type),
            priority: name_of(issue.priority),
            status,
            rank: issue.rank.to_string(),
            reporter: issue.reporter.to_string(),
            assignee: issue.assignee.as_ref().map(ToString::to_string),
            labels: issue.labels.iter().map(ToString::to_string).collect(),
            points: issue.points.map(|p| f64::from(p.tenths()) / 10.0),
            parent: issue.parent.map(key_of),
            sprint: issue.sprint.map(|s| s.0),
            original_estimate_minutes: issue.original_estimate.map(|m| m.0),
            remaining_estimate_minutes: issue.remaining_estimate.map(|m| m.0),
            time_spent_minutes: issue.time_spent().0,
            links: state
                .links_of(issue.key.number)
                .into_iter()
                .map(|l| LinkResource {
                    kind: name_of(l.kind),
                    issue: key_of(l.other),
                })
                .collect(),
            watchers: issue.watchers.iter().map(ToString::to_string).collect(),
            comments: issue.comments.len(),
            worklogs: issue.worklogs.len(),
        }
    }
}

/// One change to a resource: who, when, which field, old → new.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeResource {
    pub seq: u64,
    /// The resource's version after this change.
    pub version: u64,
    pub actor: String,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    /// `created`, `field` or `conflict` (a refused attempt, kept for the audit).
    pub kind: String,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    /// `created`: what was created; `conflict`: what was attempted.
    pub summary: Option<String>,
}

impl From<&ChangeRecord> for ChangeResource {
    fn from(r: &ChangeRecord) -> Self {
        let base = Self {
            seq: r.seq,
            version: r.version,
            actor: r.actor.to_string(),
            at_ms: r.at_ms,
            kind: String::new(),
            field: None,
            old: None,
            new: None,
            summary: None,
        };
        match &r.change {
            Change::Created { summary } => Self {
                kind: "created".into(),
                summary: Some(summary.clone()),
                ..base
            },
            Change::Field { field, old, new } => Self {
                kind: "field".into(),
                field: Some(field_name(*field)),
                old: old.clone(),
                new: new.clone(),
                ..base
            },
            Change::Conflict { fields, attempted } => Self {
                kind: "conflict".into(),
                field: Some(
                    fields
                        .iter()
                        .map(|f| field_name(*f))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                summary: Some(attempted.clone()),
                ..base
            },
        }
    }
}

/// An entry of the event log, for sync clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResource {
    /// Global sequence number: resume with `?after=` the last one you saw.
    pub seq: u64,
    /// The stream: `ABC`, `ABC-12` or `ABC/sprint-3`.
    pub stream: String,
    /// The stream's version after this event.
    pub version: u64,
    pub actor: String,
    pub at_ms: i64,
    pub command_id: String,
    /// The event's type, e.g. `issue_created`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event as stored in the log.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&Recorded> for EventResource {
    fn from(r: &Recorded) -> Self {
        let (kind, data) = match serde_json::to_value(&r.event) {
            Ok(serde_json::Value::Object(mut o)) => (
                o.remove("type")
                    .and_then(|t| t.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                o.remove("data").unwrap_or(serde_json::Value::Null),
            ),
            _ => (String::new(), serde_json::Value::Null),
        };
        Self {
            seq: r.seq,
            stream: r.stream.id(&r.project),
            version: r.version,
            actor: r.actor.to_string(),
            at_ms: r.at_ms,
            command_id: r.command_id.to_string(),
            kind,
            data: if data.is_object() {
                data
            } else {
                serde_json::json!({ "value": data })
            },
        }
    }
}

/// One page of a list; `next` is the cursor for the following page, absent
/// on the last one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The answer to a change: the resource as it is now, and the changes by
/// others it was merged over (empty when it was based on the latest version).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueChanged {
    pub issue: IssueResource,
    /// Non-empty: your version was stale, others had changed other fields,
    /// and your change was applied on top of theirs.
    pub merged_over: Vec<ChangeResource>,
}

pub fn sprint_state_schema() -> Schema {
    one_of(&[
        SprintState::Planned,
        SprintState::Active,
        SprintState::Closed,
    ])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SprintResource {
    pub number: u32,
    /// The sprint stream's version: its ETag.
    pub version: u64,
    pub name: String,
    pub goal: String,
    #[schema(schema_with = sprint_state_schema)]
    pub state: String,
    /// `YYYY-MM-DD`.
    pub start: Option<String>,
    pub end: Option<String>,
    /// Story points in the sprint when it started.
    pub committed_points: Option<f64>,
    /// Story points done when it completed.
    pub completed_points: Option<f64>,
    /// Its issues, in rank order.
    pub issues: Vec<String>,
}

impl SprintResource {
    pub fn new(state: &ProjectState, sprint: &Sprint) -> Self {
        let points = |t: Option<u32>| t.map(|t| f64::from(t) / 10.0);
        Self {
            number: sprint.number.0,
            version: sprint.version,
            name: sprint.name.to_string(),
            goal: sprint.goal.as_str().to_owned(),
            state: name_of(sprint.state),
            start: sprint.start.map(name_of),
            end: sprint.end.map(name_of),
            committed_points: points(sprint.committed_tenths),
            completed_points: points(sprint.completed_tenths),
            issues: state
                .sprint_issues(sprint.number)
                .iter()
                .map(|i| i.key.to_string())
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentResource {
    pub number: u32,
    pub author: String,
    /// Unix time in milliseconds.
    pub posted_ms: i64,
    /// Markdown.
    pub body: String,
    pub edited_ms: Option<i64>,
}

impl From<&Comment> for CommentResource {
    fn from(c: &Comment) -> Self {
        Self {
            number: c.number.0,
            author: c.author.to_string(),
            posted_ms: c.posted.unix_ms(),
            body: c.body.as_str().to_owned(),
            edited_ms: c.edited.map(UtcTime::unix_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorklogResource {
    pub number: u32,
    pub author: String,
    /// When the work started, Unix time in milliseconds.
    pub started_ms: i64,
    pub spent_minutes: u32,
    pub comment: String,
}

impl From<&Worklog> for WorklogResource {
    fn from(w: &Worklog) -> Self {
        Self {
            number: w.number.0,
            author: w.author.to_string(),
            started_ms: w.entry.started.unix_ms(),
            spent_minutes: w.entry.spent.0,
            comment: w.entry.comment.as_str().to_owned(),
        }
    }
}

/// The answer to a change of a sprint.
#[derive(Debug, Serialize, ToSchema)]
pub struct SprintChanged {
    pub sprint: SprintResource,
    /// As for issues: others' changes yours was merged over.
    pub merged_over: Vec<ChangeResource>,
}
