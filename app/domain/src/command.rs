//! Commands: what a user asks for. `decide` turns one into events or refuses
//! it; a command itself builds no events.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::comment::{CommentBody, CommentNumber};
use super::duration::WorkCalendar;
use super::field::Field;
use super::ids::*;
use super::link::{IssueLink, LinkKind};
use super::member::Role;
use super::model::{IssueType, Priority, ProjectKind, StatusCategory, StreamRef};
use super::quantity::{Minutes, Points};
use super::time::Date;
use super::worklog::{RemainingAdjustment, WorkEntry};

/// A command as it travels from a client: with its id (for idempotency) and
/// the version of the target stream its author saw (for merge/conflict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    pub id: CommandId,
    pub project: ProjectKey,
    pub base_version: u64,
    pub command: Command,
}

/// Who runs a command and when is not part of it: that is the [`Context`]
/// beside it. Fields a client sent before (`author`, `posted`, `editor`,
/// `edited`, `reporter`, `admin`, `user` of a watch) are ignored on the way
/// in, like any unknown field, so old clients and old queued commands still
/// deserialize.
///
/// [`Context`]: crate::Context
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    CreateProject {
        key: ProjectKey,
        name: ProjectName,
        kind: ProjectKind,
    },
    RenameProject {
        name: ProjectName,
    },
    AddStatus {
        name: StatusName,
        category: StatusCategory,
    },
    RenameStatus {
        status: StatusId,
        name: StatusName,
    },
    SetWipLimit {
        status: StatusId,
        limit: Option<u32>,
    },
    CreateIssue(NewIssue),
    UpdateIssue {
        issue: IssueNumber,
        patch: IssuePatch,
    },
    /// Change the issue's status, keeping its place in the overall rank
    /// order (the issue page's status field; the board uses `MoveIssue`).
    TransitionIssue {
        issue: IssueNumber,
        to: StatusId,
    },
    /// Put the issue in column `to`, right after `after` (`None`: at the top).
    MoveIssue {
        issue: IssueNumber,
        to: StatusId,
        after: Option<IssueNumber>,
    },
    /// Re-rank in the backlog: right after `after` (`None`: at the top).
    RankIssue {
        issue: IssueNumber,
        after: Option<IssueNumber>,
    },
    CreateSprint {
        /// `None`: named like Jira's, `ABC Sprint 3`.
        #[serde(default)]
        name: Option<SprintName>,
        goal: LongText,
        start: Option<Date>,
        end: Option<Date>,
    },
    StartSprint {
        sprint: SprintNumber,
        start: Date,
        end: Date,
    },
    /// Close the sprint; its unfinished issues go to `open_issues_to`
    /// (another sprint) or, with `None`, back to the backlog.
    CompleteSprint {
        sprint: SprintNumber,
        open_issues_to: Option<SprintNumber>,
    },
    /// Saves (or replaces) a named search for everyone in the project.
    SaveFilter {
        name: FilterName,
        query: String,
    },
    DeleteFilter {
        name: FilterName,
    },
    /// Hours per working day and days per week, for `1d` and `1w`.
    ConfigureTimeTracking {
        calendar: WorkCalendar,
    },
    LogWork {
        issue: IssueNumber,
        #[serde(flatten)]
        entry: WorkEntry,
        #[serde(default)]
        remaining: RemainingAdjustment,
    },
    UpdateWorklog {
        issue: IssueNumber,
        worklog: WorklogNumber,
        #[serde(flatten)]
        entry: WorkEntry,
        #[serde(default)]
        remaining: RemainingAdjustment,
    },
    DeleteWorklog {
        issue: IssueNumber,
        worklog: WorklogNumber,
        #[serde(default)]
        remaining: RemainingAdjustment,
    },
    AddComment {
        issue: IssueNumber,
        body: CommentBody,
    },
    /// Only the comment's author may edit it.
    EditComment {
        issue: IssueNumber,
        comment: CommentNumber,
        body: CommentBody,
    },
    /// Invite: `user` joins the project with `role`.
    AddMember {
        user: UserName,
        role: Role,
    },
    ChangeRole {
        user: UserName,
        role: Role,
    },
    RemoveMember {
        user: UserName,
    },
    DeleteComment {
        issue: IssueNumber,
        comment: CommentNumber,
    },
    /// Start (`watch: true`) or stop watching an issue.
    WatchIssue {
        issue: IssueNumber,
        watch: bool,
    },
    /// "`issue` {kind} `target`", stored on `issue`.
    LinkIssue {
        issue: IssueNumber,
        kind: LinkKind,
        target: IssueNumber,
    },
    /// Removes a link stored on `issue`.
    UnlinkIssue {
        issue: IssueNumber,
        link: IssueLink,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIssue {
    pub title: Title,
    #[serde(default)]
    pub description: LongText,
    pub issue_type: IssueType,
    pub priority: Priority,
    /// The column to start in; the workflow's first status when `None`.
    #[serde(default)]
    pub status: Option<StatusId>,
    #[serde(default)]
    pub assignee: Option<UserName>,
    #[serde(default)]
    pub labels: BTreeSet<Label>,
    #[serde(default)]
    pub points: Option<Points>,
    #[serde(default)]
    pub parent: Option<IssueNumber>,
    #[serde(default)]
    pub sprint: Option<SprintNumber>,
    #[serde(default)]
    pub original_estimate: Option<Minutes>,
}

impl NewIssue {
    /// A new issue with Jira's defaults: medium priority, in the first
    /// column, unassigned, no labels, points, parent, sprint or estimate.
    pub fn new(title: Title, issue_type: IssueType) -> Self {
        Self {
            title,
            description: LongText::default(),
            issue_type,
            priority: Priority::Medium,
            status: None,
            assignee: None,
            labels: BTreeSet::new(),
            points: None,
            parent: None,
            sprint: None,
            original_estimate: None,
        }
    }
}

/// A partial edit of an issue: `None` leaves a field alone. For optional
/// fields, `Some(None)` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LongText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_type: Option<IssueType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub assignee: Option<Option<UserName>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeSet<Label>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub points: Option<Option<Points>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub parent: Option<Option<IssueNumber>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub sprint: Option<Option<SprintNumber>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub original_estimate: Option<Option<Minutes>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub remaining_estimate: Option<Option<Minutes>>,
}

impl Command {
    /// The existing stream whose version the command is based on; `None`
    /// for commands that create a new stream.
    pub fn target(&self) -> Option<StreamRef> {
        match self {
            Self::CreateProject { .. } | Self::CreateIssue(_) | Self::CreateSprint { .. } => None,
            Self::RenameProject { .. }
            | Self::AddStatus { .. }
            | Self::RenameStatus { .. }
            | Self::SetWipLimit { .. }
            | Self::ConfigureTimeTracking { .. }
            | Self::SaveFilter { .. }
            | Self::DeleteFilter { .. }
            | Self::AddMember { .. }
            | Self::ChangeRole { .. }
            | Self::RemoveMember { .. } => Some(StreamRef::Project),
            Self::UpdateIssue { issue, .. }
            | Self::MoveIssue { issue, .. }
            | Self::TransitionIssue { issue, .. }
            | Self::RankIssue { issue, .. }
            | Self::LogWork { issue, .. }
            | Self::UpdateWorklog { issue, .. }
            | Self::DeleteWorklog { issue, .. }
            | Self::AddComment { issue, .. }
            | Self::EditComment { issue, .. }
            | Self::DeleteComment { issue, .. }
            | Self::WatchIssue { issue, .. }
            | Self::LinkIssue { issue, .. }
            | Self::UnlinkIssue { issue, .. } => Some(StreamRef::Issue(*issue)),
            Self::StartSprint { sprint, .. } | Self::CompleteSprint { sprint, .. } => {
                Some(StreamRef::Sprint(*sprint))
            }
        }
    }

    /// The fields of the target stream this command sets.
    pub fn fields(&self) -> BTreeSet<Field> {
        let fields: &[Field] = match self {
            Self::CreateProject { .. } | Self::CreateIssue(_) | Self::CreateSprint { .. } => &[],
            Self::RenameProject { .. } => &[Field::Name],
            Self::AddStatus { .. } | Self::RenameStatus { .. } | Self::SetWipLimit { .. } => {
                &[Field::Workflow]
            }
            Self::UpdateIssue { patch, .. } => return patch.fields(),
            Self::MoveIssue { .. } => &[Field::Status, Field::Rank],
            Self::TransitionIssue { .. } => &[Field::Status],
            Self::RankIssue { .. } => &[Field::Rank],
            Self::StartSprint { .. } => &[Field::SprintState, Field::Dates],
            Self::CompleteSprint { .. } => &[Field::SprintState],
            Self::ConfigureTimeTracking { .. } => &[Field::TimeTracking],
            Self::SaveFilter { .. } | Self::DeleteFilter { .. } => &[Field::Filters],
            Self::AddMember { .. } | Self::ChangeRole { .. } | Self::RemoveMember { .. } => {
                &[Field::Members]
            }
            // New comments, watchers and links are set additions: they commute.
            Self::AddComment { .. }
            | Self::WatchIssue { .. }
            | Self::LinkIssue { .. }
            | Self::UnlinkIssue { .. } => &[],
            Self::EditComment { comment, .. } | Self::DeleteComment { comment, .. } => {
                return [Field::Comment(*comment)].into();
            }
            // New work commutes with other worklogs; only an absolute
            // remaining estimate can collide with a concurrent estimate edit.
            Self::LogWork { remaining, .. } => {
                return remaining_field(*remaining).into_iter().collect();
            }
            Self::UpdateWorklog {
                worklog, remaining, ..
            }
            | Self::DeleteWorklog {
                worklog, remaining, ..
            } => {
                return std::iter::once(Field::Worklog(*worklog))
                    .chain(remaining_field(*remaining))
                    .collect();
            }
        };
        fields.iter().copied().collect()
    }
}

fn remaining_field(adjust: RemainingAdjustment) -> Option<Field> {
    adjust.sets_value().then_some(Field::RemainingEstimate)
}

impl IssuePatch {
    pub fn fields(&self) -> BTreeSet<Field> {
        [
            (self.title.is_some(), Field::Title),
            (self.description.is_some(), Field::Description),
            (self.issue_type.is_some(), Field::Type),
            (self.priority.is_some(), Field::Priority),
            (self.assignee.is_some(), Field::Assignee),
            (self.labels.is_some(), Field::Labels),
            (self.points.is_some(), Field::Points),
            (self.parent.is_some(), Field::Parent),
            (self.sprint.is_some(), Field::Sprint),
            (self.original_estimate.is_some(), Field::OriginalEstimate),
            (self.remaining_estimate.is_some(), Field::RemainingEstimate),
        ]
        .into_iter()
        .filter_map(|(set, field)| set.then_some(field))
        .collect()
    }
}

/// Serde for `Option<Option<T>>`: an absent key is `None`, `null` is `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
