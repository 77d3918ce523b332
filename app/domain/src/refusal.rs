//! Refusals: why a well-formed command cannot be applied to the current
//! state (`DomainError`). It sits above the state, the roles and the query
//! language, whose values it names; below the rules that refuse.

use serde::{Deserialize, Serialize};

use super::error::Text;
use super::ids::{IssueKey, IssueNumber, ProjectKey, SprintNumber, StatusId, UserName};
use super::member::Role;
use super::model::SprintState;
use super::query::QueryError;
use super::rank::RankExhausted;

/// Why a well-formed command cannot be applied to the current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DomainError {
    /// Said the same whether or not the caller may see the project that
    /// holds the key: its existence is not theirs to learn.
    #[error("the key {0} is not available; choose another")]
    ProjectExists(ProjectKey),
    #[error("there is no project {0}")]
    ProjectNotFound(ProjectKey),
    #[error("the project does not exist yet")]
    NoProject,
    #[error("there is no issue {0}")]
    IssueNotFound(IssueKey),
    #[error("there is no status with id {0:?} in this workflow")]
    StatusNotFound(StatusId),
    #[error("a status named \"{0}\" already exists")]
    StatusExists(String),
    #[error("there is no sprint {0:?} in this project")]
    SprintNotFound(SprintNumber),
    #[error("the parent of a story, task or bug must be an epic")]
    ParentNotEpic,
    #[error("{0} has child issues, so its type cannot change")]
    HasChildren(IssueKey),
    #[error("an epic cannot have a parent")]
    EpicWithParent,
    #[error("a sub-task needs a parent issue that is not a sub-task")]
    SubTaskParent,
    #[error("issue {0} is not in this project")]
    ForeignIssue(IssueNumber),
    #[error("sprint {0:?} is {1}, so it cannot be {2}")]
    SprintState(SprintNumber, Text, Text),
    #[error("sprint {0:?} is already active; complete it first")]
    SprintAlreadyActive(SprintNumber),
    #[error("the end date must not be before the start date")]
    DatesReversed,
    #[error("a WIP limit must be between 1 and 999")]
    WipLimit,
    #[error("the stream is at version {current}, the command says {claimed}")]
    VersionAhead { current: u64, claimed: u64 },
    #[error("{}", RankExhausted)]
    RankExhausted,
    #[error("this project has reached its limit of {0} issues")]
    TooManyIssues(u32),
    #[error("an issue can carry at most {0} labels")]
    TooManyLabels(usize),
    #[error("time spent must be more than zero")]
    NoTimeSpent,
    #[error("the query does not parse: {0}")]
    BadQuery(QueryError),
    #[error("there is no saved filter \"{0}\"")]
    FilterNotFound(String),
    #[error("a project can keep at most {0} saved filters")]
    TooManyFilters(usize),
    #[error("a duration can be at most 10000h")]
    DurationTooLong,
    #[error("{0} has no worklog {1}")]
    WorklogNotFound(IssueKey, u32),
    #[error("an issue can have at most {0} worklogs")]
    TooManyWorklogs(usize),
    #[error(
        "when a worklog is edited the remaining estimate can be adjusted automatically, left, or set, but not reduced by hand"
    )]
    ManualAdjustOnEdit,
    #[error("{0} has no comment {1}")]
    CommentNotFound(IssueKey, u32),
    #[error("only {0}, who wrote it, or a project admin can change or delete this comment")]
    NotTheAuthor(UserName),
    #[error("only {0}, who logged it, or a project admin can change or delete this worklog")]
    NotTheWorklogAuthor(UserName),
    /// An issue may be assigned only to a member of its project (an issue
    /// keeps an assignee who later leaves).
    #[error("{0} is not a member of this project")]
    AssigneeNotMember(UserName),
    #[error("an issue can have at most {0} comments")]
    TooManyComments(usize),
    #[error("an issue cannot be linked to itself")]
    SelfLink,
    #[error("an issue can have at most {0} links")]
    TooManyLinks(usize),
    #[error("there is no such link")]
    LinkNotFound,
    #[error("this needs the {need} role; you are a {role} of this project")]
    Forbidden { role: Role, need: Role },
    #[error("{0} is already a member of this project")]
    AlreadyMember(UserName),
    #[error("{0} is not a member of this project")]
    NotAMember(UserName),
    #[error("{0} is the project's last admin; make someone else admin first")]
    LastAdmin(UserName),
    #[error("a project can have at most {0} members")]
    TooManyMembers(usize),
}

impl DomainError {
    /// Whether the command's own subject (its project, issue, comment,
    /// worklog, filter or link) does not exist: a 404, not a refusal.
    pub fn is_missing_subject(&self) -> bool {
        matches!(
            self,
            Self::ProjectNotFound(_)
                | Self::IssueNotFound(_)
                | Self::CommentNotFound(..)
                | Self::WorklogNotFound(..)
                | Self::FilterNotFound(_)
                | Self::LinkNotFound
                | Self::NotAMember(_)
        )
    }

    /// The sprint's state does not allow `action` (e.g. "started").
    pub fn sprint_state(sprint: SprintNumber, state: SprintState, action: &'static str) -> Self {
        Self::SprintState(sprint, state.label().into(), action.into())
    }
}

impl From<RankExhausted> for DomainError {
    fn from(_: RankExhausted) -> Self {
        Self::RankExhausted
    }
}
