//! Errors of the domain: bad input (`ParseError`) and commands that the
//! current state does not allow (`DomainError`). Both carry the offending
//! value so the message can be shown to the user as it is.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Static text in errors that must also deserialize (owned on the way in).
pub type Text = Cow<'static, str>;

use super::ids::{IssueKey, IssueNumber, ProjectKey, SprintNumber, StatusId, UserName};
use super::model::SprintState;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ParseError {
    #[error("the key must be 2–10 uppercase letters A–Z, like ABC (got \"{0}\")")]
    ProjectKey(String),
    #[error("\"{0}\" is not an issue key like ABC-123")]
    IssueKey(String),
    #[error("the {0} must not be empty")]
    Empty(Text),
    #[error("the {what} is too long: {len} characters, at most {max}")]
    TooLong { what: Text, max: usize, len: usize },
    #[error("the {0} must not contain control characters")]
    ControlCharacter(Text),
    #[error("\"{0}\" is not a user name (1–32 of a–z, 0–9, _ . -)")]
    UserName(String),
    #[error("\"{0}\" is not a label (1–40 characters, no spaces)")]
    Label(String),
    #[error("\"{0}\" is not a number of story points (0–1000, at most one decimal)")]
    Points(String),
    #[error("\"{0}\" is not a date like 2026-11-21")]
    Date(String),
    #[error("\"{0}\" is not a rank key")]
    Rank(String),
    #[error("\"{input}\" is not a duration like 1w 2d 3h 30m: {reason} (column {column})")]
    Duration {
        input: String,
        /// 1-based, for pointing at the character in the input.
        column: usize,
        reason: Text,
    },
    #[error(
        "a working day is 1–24 hours and a week 1–7 days (got {hours_per_day} h, {days_per_week} d)"
    )]
    Calendar {
        hours_per_day: u8,
        days_per_week: u8,
    },
    #[error("\"{0}\" is not a time like 2026-11-21 09:30 (UTC)")]
    Time(String),
    #[error(
        "{0} is not a time between 1970-01-01 00:00 and 9999-12-31 23:59 UTC (in Unix milliseconds)"
    )]
    TimeOutOfRange(i64),
    #[error("{0} is beyond the last possible sequence number (at most 9223372036854775807)")]
    LogPositionOutOfRange(u64),
    #[error("a duration can be at most 10000h, that is 600000 minutes (got {0} minutes)")]
    DurationTooLong(u64),
    #[error("\"{0}\" is not an e-mail address like ada@example.com")]
    Email(String),
    #[error("a password is {min}–{max} characters (got {len})")]
    PasswordLength { min: usize, max: usize, len: usize },
}

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
    #[error("no more room in the rank space here")]
    RankExhausted,
    #[error("this project has reached its limit of {0} issues")]
    TooManyIssues(u32),
    #[error("an issue can carry at most {0} labels")]
    TooManyLabels(usize),
    #[error("time spent must be more than zero")]
    NoTimeSpent,
    #[error("the query does not parse: {0}")]
    BadQuery(super::query::QueryError),
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
    Forbidden {
        role: super::member::Role,
        need: super::member::Role,
    },
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
