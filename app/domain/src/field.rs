//! Fields of a stream: the unit of merge and conflict, and of what a refused
//! command had attempted.

use serde::{Deserialize, Serialize};

use super::comment::CommentNumber;
use super::ids::WorklogNumber;

/// A field of a stream, the unit of merge and conflict: two concurrent
/// changes conflict only when they touch the same field of the same stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Workflow,
    Title,
    Description,
    Type,
    Priority,
    Status,
    Rank,
    Assignee,
    Labels,
    Points,
    Parent,
    Sprint,
    OriginalEstimate,
    RemainingEstimate,
    Goal,
    Dates,
    SprintState,
    TimeTracking,
    Filters,
    Members,
    /// One worklog of an issue: edits of different worklogs merge.
    Worklog(WorklogNumber),
    /// One comment of an issue.
    Comment(CommentNumber),
    Watchers,
    Links,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Workflow => "workflow",
            Self::Title => "title",
            Self::Description => "description",
            Self::Type => "type",
            Self::Priority => "priority",
            Self::Status => "status",
            Self::Rank => "rank",
            Self::Assignee => "assignee",
            Self::Labels => "labels",
            Self::Points => "story points",
            Self::Parent => "parent",
            Self::Sprint => "sprint",
            Self::OriginalEstimate => "original estimate",
            Self::RemainingEstimate => "remaining estimate",
            Self::Goal => "goal",
            Self::Dates => "dates",
            Self::SprintState => "sprint state",
            Self::TimeTracking => "time tracking",
            Self::Filters => "saved filters",
            Self::Members => "members",
            Self::Worklog(_) => "worklog",
            Self::Comment(_) => "comment",
            Self::Watchers => "watchers",
            Self::Links => "links",
        }
    }
}

/// One field a refused command wanted to set: the value it wanted and the
/// value it found, both in the log's own terms (ids and numbers, not
/// names), so the history can show them as they were named at the time.
/// `None` is "no value" (a cleared field, a deleted comment); `found` is
/// `None` too for conflicts recorded before the found value was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptedChange {
    pub field: Field,
    pub wanted: Option<String>,
    pub found: Option<String>,
}
