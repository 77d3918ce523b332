//! What server functions return, beyond the domain's own types.

use serde::{Deserialize, Serialize};

use crate::domain::{
    Burndown, ChangeRecord, Date, FlowDay, Issue, IssueKey, IssueNumber, IssueType, LinkView,
    Points, Project, ProjectKey, ProjectKind, ProjectName, ProjectState, Sprint, SprintState,
    Timesheet, Title, UserName, VelocityRow,
};

/// A project as listed on the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub key: ProjectKey,
    pub name: ProjectName,
    pub kind: ProjectKind,
    pub issues: u32,
}

/// A project's whole state, as of global sequence `last_seq`: what a board
/// starts from before it follows the live events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSnapshot {
    pub state: ProjectState,
    pub last_seq: u64,
    /// The caller's role: what the page offers them.
    pub role: crate::domain::Role,
}

/// One issue with its project (for status names) and its full history,
/// conflicts included, oldest first; with the issues around it and the
/// choices its fields offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueDetail {
    pub project: Project,
    pub issue: Issue,
    pub history: Vec<ChangeRecord>,
    pub parent: Option<IssueSummary>,
    /// An epic's issues or an issue's sub-tasks, in rank order.
    pub children: Vec<IssueSummary>,
    pub links: Vec<(LinkView, IssueSummary)>,
    /// The project's epics (parent choices) and open sprints.
    pub epics: Vec<IssueSummary>,
    pub sprints: Vec<Sprint>,
    /// Who can be assigned or `@mentioned`.
    pub people: Vec<UserName>,
    /// The project's last global sequence number in this view: where the
    /// page's live updates resume from.
    #[serde(default)]
    pub seq: u64,
    /// Whether the caller may change the issue (a member or admin).
    #[serde(default)]
    pub can_edit: bool,
}

/// Another issue as a line on an issue page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueSummary {
    pub key: IssueKey,
    pub title: Title,
    pub issue_type: IssueType,
    pub status: String,
    pub done: bool,
    pub points_tenths: u32,
    pub assignee: Option<UserName>,
}

impl IssueSummary {
    pub fn of(state: &ProjectState, issue: &Issue) -> Self {
        Self {
            key: issue.key.clone(),
            title: issue.title.clone(),
            issue_type: issue.issue_type,
            status: state
                .project
                .as_ref()
                .map(|p| p.status_name(issue.status))
                .unwrap_or_default(),
            done: state.is_done(issue),
            points_tenths: issue.points_tenths(),
            assignee: issue.assignee.clone(),
        }
    }
}

impl IssueDetail {
    /// Everything about issue `n` but its history; `None` if there is no such issue.
    pub fn from_state(state: &ProjectState, n: IssueNumber) -> Option<Self> {
        let project = state.project.clone()?;
        let issue = state.issue(n)?.clone();
        let summary = |i: &Issue| IssueSummary::of(state, i);
        let lookup = |n: IssueNumber| state.issue(n).map(summary);
        Some(Self {
            parent: issue.parent.and_then(lookup),
            children: state.children(n).into_iter().map(summary).collect(),
            links: state
                .links_of(n)
                .into_iter()
                .filter_map(|v| Some((v, lookup(v.other)?)))
                .collect(),
            epics: state
                .ranked()
                .into_iter()
                .filter(|i| i.issue_type == IssueType::Epic)
                .map(summary)
                .collect(),
            sprints: state
                .sprints
                .values()
                .filter(|s| s.state != SprintState::Closed || issue.sprint == Some(s.number))
                .cloned()
                .collect(),
            people: state.people().into_iter().collect(),
            seq: 0,
            can_edit: false,
            project,
            issue,
            history: Vec::new(),
        })
    }

    /// Children done, of all, and the same in story points (tenths).
    pub fn progress(&self) -> (usize, usize, u32, u32) {
        let done: Vec<&IssueSummary> = self.children.iter().filter(|c| c.done).collect();
        (
            done.len(),
            self.children.len(),
            Points::total_tenths(done.iter().map(|c| c.points_tenths)),
            Points::total_tenths(self.children.iter().map(|c| c.points_tenths)),
        )
    }
}

/// A project as it was after global sequence `seq`: time travel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastProject {
    pub state: ProjectState,
    /// The project's last event at or before the moment asked for (0: none).
    pub seq: u64,
    /// When that event happened (Unix ms; 0 for none).
    pub at_ms: i64,
    /// The project's first and latest events now: the slider's range.
    pub first: u64,
    pub head: u64,
}

/// An issue as it was after global sequence `seq`, with the changes up to then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastIssue {
    pub detail: IssueDetail,
    pub seq: u64,
    pub at_ms: i64,
    /// The sequence numbers of all of the issue's changes now: the slider's stops.
    pub stops: Vec<u64>,
}

/// A project's timesheet, with the project for its name and calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesheetPage {
    pub project: Project,
    pub sheet: Timesheet,
}

/// The reports of a project: the burndown of one sprint, velocity and the
/// cumulative flow over a date range. All computed from the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsPage {
    pub project: Project,
    /// Sprints that have started, newest first (the burndown's choices).
    pub sprints: Vec<Sprint>,
    pub burndown: Option<Burndown>,
    pub velocity: Vec<VelocityRow>,
    pub flow_from: Date,
    pub flow_to: Date,
    pub flow: Vec<FlowDay>,
}

/// The first issues matching a query, and how many matched in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHits {
    pub project: Project,
    pub issues: Vec<Issue>,
    pub total: usize,
}

/// Who is asking, as the server established it (a request extension put
/// there by its session middleware): a signed-in user, or the anonymous
/// reader of one project's share link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User(crate::domain::UserName),
    Link(crate::domain::ProjectKey),
}

impl Caller {
    /// Whether this caller may do what needs `need` in `project`. Someone
    /// with no access is told the project does not exist.
    pub fn check(
        &self,
        project: &Project,
        need: crate::domain::Role,
    ) -> Result<(), crate::domain::DomainError> {
        use crate::domain::{DomainError, Role};
        match self {
            Self::User(user) => crate::domain::require(project, user, need),
            Self::Link(key) if *key != project.key => {
                Err(DomainError::ProjectNotFound(project.key.clone()))
            }
            Self::Link(_) if need > Role::Viewer => Err(DomainError::Forbidden {
                role: Role::Viewer,
                need,
            }),
            Self::Link(_) => Ok(()),
        }
    }

    /// The caller's role in `project`, if any.
    pub fn role_in(&self, project: &Project) -> Option<crate::domain::Role> {
        match self {
            Self::User(user) => project.role_of(user),
            Self::Link(key) => (*key == project.key).then_some(crate::domain::Role::Viewer),
        }
    }
}

/// A read-only share link as its project's admins see it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLinkView {
    pub id: i64,
    pub label: String,
    pub created_by: UserName,
    pub created: crate::domain::UtcTime,
    pub expires: Option<crate::domain::UtcTime>,
    pub last_used: Option<crate::domain::UtcTime>,
}

/// A webhook as its project's admins see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// The event types it receives; empty for all.
    pub events: Vec<String>,
    pub created_by: String,
    pub created_ms: i64,
}

/// A webhook just created, with the secret that signs its deliveries
/// (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhookView {
    pub webhook: WebhookView,
    pub secret: String,
}

/// One event sent (or being sent) to a webhook, with its latest attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub seq: u64,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` (gave up) or `cancelled`.
    pub state: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    /// What went wrong with the last attempt, in a short sentence.
    pub last_error: Option<String>,
    /// Its class: `refused` (not a public address), `dns`, `unreachable`,
    /// `timeout`, `tls`, `http` or `error`; none on rows from before classes.
    pub last_failure: Option<String>,
    pub last_attempt_ms: Option<i64>,
    pub next_attempt_ms: Option<i64>,
}

/// A personal access token as its owner sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// What the token may do: `read` or `read-write`.
    pub scope: super::TokenScope,
    pub created: crate::domain::UtcTime,
    pub expires: Option<crate::domain::UtcTime>,
    pub last_used: Option<crate::domain::UtcTime>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub token: ApiTokenView,
    /// `kanri_…`, for `Authorization: Bearer`.
    pub secret: String,
}

/// A link just created: the only time its address (with the token) is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShareLink {
    pub link: ShareLinkView,
    /// `/s/{token}`.
    pub path: String,
}
