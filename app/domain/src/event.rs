//! Events: facts in the log. Each variant's serialized name and shape are a
//! contract with every stored log and client. A shape that must change gets
//! a new [`SCHEMA_VERSION`], and `upcast` maps the stored old shape to the
//! current one on read; otherwise add a new variant instead.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::comment::{CommentBody, CommentNumber};
use super::duration::WorkCalendar;
use super::field::{AttemptedChange, Field};
use super::ids::*;
use super::link::IssueLink;
use super::member::Role;
use super::model::{IssueType, Priority, ProjectKind, Status, StreamRef};
use super::quantity::{Minutes, Points};
use super::rank::Rank;
use super::time::{Date, UtcTime};
use super::worklog::WorkEntry;

/// The shape of events this code writes, stored beside each event. 1: the
/// first; 2: `ConflictRecorded` keeps attempted field changes, not a command.
pub const SCHEMA_VERSION: u32 = 2;

/// Every event type's name in the log (webhook filters are checked against it).
pub const EVENT_TYPES: [&str; 41] = [
    "project_created",
    "project_renamed",
    "status_added",
    "status_renamed",
    "wip_limit_set",
    "issue_created",
    "issue_title_changed",
    "issue_description_changed",
    "issue_type_changed",
    "issue_priority_changed",
    "issue_assignee_changed",
    "issue_labels_changed",
    "issue_points_changed",
    "issue_parent_changed",
    "issue_sprint_changed",
    "issue_original_estimate_changed",
    "issue_remaining_estimate_changed",
    "issue_moved",
    "issue_ranked",
    "filter_saved",
    "filter_deleted",
    "member_added",
    "role_changed",
    "member_removed",
    "time_tracking_configured",
    "work_logged",
    "worklog_updated",
    "worklog_deleted",
    "comment_added",
    "comment_edited",
    "comment_deleted",
    "watcher_added",
    "watcher_removed",
    "issue_linked",
    "issue_unlinked",
    "sprint_created",
    "sprint_started",
    "sprint_completed",
    "sprint_committed",
    "sprint_outcome_recorded",
    "conflict_recorded",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    #[serde(rename = "project_created")]
    ProjectCreated {
        key: ProjectKey,
        name: ProjectName,
        kind: ProjectKind,
        statuses: Vec<Status>,
    },
    #[serde(rename = "project_renamed")]
    ProjectRenamed { name: ProjectName },
    #[serde(rename = "status_added")]
    StatusAdded { status: Status },
    #[serde(rename = "status_renamed")]
    StatusRenamed { status: StatusId, name: StatusName },
    #[serde(rename = "wip_limit_set")]
    WipLimitSet {
        status: StatusId,
        limit: Option<u32>,
    },

    #[serde(rename = "issue_created")]
    IssueCreated {
        issue: IssueNumber,
        title: Title,
        description: LongText,
        issue_type: IssueType,
        priority: Priority,
        status: StatusId,
        rank: Rank,
        reporter: UserName,
        assignee: Option<UserName>,
        labels: BTreeSet<Label>,
        points: Option<Points>,
        parent: Option<IssueNumber>,
        sprint: Option<SprintNumber>,
        original_estimate: Option<Minutes>,
    },
    #[serde(rename = "issue_title_changed")]
    IssueTitleChanged { issue: IssueNumber, title: Title },
    #[serde(rename = "issue_description_changed")]
    IssueDescriptionChanged {
        issue: IssueNumber,
        description: LongText,
    },
    #[serde(rename = "issue_type_changed")]
    IssueTypeChanged {
        issue: IssueNumber,
        issue_type: IssueType,
    },
    #[serde(rename = "issue_priority_changed")]
    IssuePriorityChanged {
        issue: IssueNumber,
        priority: Priority,
    },
    #[serde(rename = "issue_assignee_changed")]
    IssueAssigneeChanged {
        issue: IssueNumber,
        assignee: Option<UserName>,
    },
    #[serde(rename = "issue_labels_changed")]
    IssueLabelsChanged {
        issue: IssueNumber,
        labels: BTreeSet<Label>,
    },
    #[serde(rename = "issue_points_changed")]
    IssuePointsChanged {
        issue: IssueNumber,
        points: Option<Points>,
    },
    #[serde(rename = "issue_parent_changed")]
    IssueParentChanged {
        issue: IssueNumber,
        parent: Option<IssueNumber>,
    },
    #[serde(rename = "issue_sprint_changed")]
    IssueSprintChanged {
        issue: IssueNumber,
        sprint: Option<SprintNumber>,
    },
    #[serde(rename = "issue_original_estimate_changed")]
    IssueOriginalEstimateChanged {
        issue: IssueNumber,
        estimate: Option<Minutes>,
    },
    #[serde(rename = "issue_remaining_estimate_changed")]
    IssueRemainingEstimateChanged {
        issue: IssueNumber,
        estimate: Option<Minutes>,
    },
    /// A board move: a new column and/or a new place in it (`from == to` for a reorder).
    #[serde(rename = "issue_moved")]
    IssueMoved {
        issue: IssueNumber,
        from: StatusId,
        to: StatusId,
        rank: Rank,
    },
    /// A backlog re-rank.
    #[serde(rename = "issue_ranked")]
    IssueRanked { issue: IssueNumber, rank: Rank },

    #[serde(rename = "filter_saved")]
    FilterSaved { name: FilterName, query: String },
    #[serde(rename = "filter_deleted")]
    FilterDeleted { name: FilterName },
    #[serde(rename = "member_added")]
    MemberAdded { user: UserName, role: Role },
    #[serde(rename = "role_changed")]
    RoleChanged { user: UserName, role: Role },
    #[serde(rename = "member_removed")]
    MemberRemoved { user: UserName },

    #[serde(rename = "time_tracking_configured")]
    TimeTrackingConfigured { calendar: WorkCalendar },

    #[serde(rename = "work_logged")]
    WorkLogged {
        issue: IssueNumber,
        worklog: WorklogNumber,
        author: UserName,
        entry: WorkEntry,
    },
    #[serde(rename = "worklog_updated")]
    WorklogUpdated {
        issue: IssueNumber,
        worklog: WorklogNumber,
        entry: WorkEntry,
    },
    #[serde(rename = "worklog_deleted")]
    WorklogDeleted {
        issue: IssueNumber,
        worklog: WorklogNumber,
    },

    #[serde(rename = "comment_added")]
    CommentAdded {
        issue: IssueNumber,
        comment: CommentNumber,
        author: UserName,
        posted: UtcTime,
        body: CommentBody,
    },
    #[serde(rename = "comment_edited")]
    CommentEdited {
        issue: IssueNumber,
        comment: CommentNumber,
        edited: UtcTime,
        body: CommentBody,
    },
    #[serde(rename = "comment_deleted")]
    CommentDeleted {
        issue: IssueNumber,
        comment: CommentNumber,
    },
    #[serde(rename = "watcher_added")]
    WatcherAdded { issue: IssueNumber, user: UserName },
    #[serde(rename = "watcher_removed")]
    WatcherRemoved { issue: IssueNumber, user: UserName },
    #[serde(rename = "issue_linked")]
    IssueLinked { issue: IssueNumber, link: IssueLink },
    #[serde(rename = "issue_unlinked")]
    IssueUnlinked { issue: IssueNumber, link: IssueLink },

    #[serde(rename = "sprint_created")]
    SprintCreated {
        sprint: SprintNumber,
        name: SprintName,
        goal: LongText,
        start: Option<Date>,
        end: Option<Date>,
    },
    #[serde(rename = "sprint_started")]
    SprintStarted {
        sprint: SprintNumber,
        start: Date,
        end: Date,
    },
    #[serde(rename = "sprint_completed")]
    SprintCompleted { sprint: SprintNumber },
    /// What the team committed to when the sprint started (for velocity
    /// and burndown): the issues in it and their story points, in tenths.
    #[serde(rename = "sprint_committed")]
    SprintCommitted {
        sprint: SprintNumber,
        issues: Vec<IssueNumber>,
        points_tenths: u32,
    },
    /// What was done when the sprint completed, and what was carried over.
    #[serde(rename = "sprint_outcome_recorded")]
    SprintOutcomeRecorded {
        sprint: SprintNumber,
        completed: Vec<IssueNumber>,
        completed_points_tenths: u32,
        open: Vec<IssueNumber>,
        open_points_tenths: u32,
    },

    /// Audit only, changes no state: a command was refused because a change
    /// it did not see had touched the same fields (`fields`). The actor is
    /// the author of the refused command; `attempted` is what it asked for,
    /// field by field (schema 1 stored the whole command instead: `upcast`).
    #[serde(rename = "conflict_recorded")]
    ConflictRecorded {
        stream: StreamRef,
        base_version: u64,
        fields: Vec<Field>,
        /// Empty in the stored answer of a schema-1 conflict (that JSON is
        /// not upcast; its `command` is ignored).
        #[serde(default)]
        attempted: Vec<AttemptedChange>,
    },
}

impl Event {
    /// The stream this event belongs to (its version is bumped by it).
    pub fn stream(&self) -> StreamRef {
        use Event::*;
        match self {
            ProjectCreated { .. }
            | ProjectRenamed { .. }
            | StatusAdded { .. }
            | StatusRenamed { .. }
            | WipLimitSet { .. }
            | TimeTrackingConfigured { .. }
            | FilterSaved { .. }
            | FilterDeleted { .. }
            | MemberAdded { .. }
            | RoleChanged { .. }
            | MemberRemoved { .. } => StreamRef::Project,
            IssueCreated { issue, .. }
            | IssueTitleChanged { issue, .. }
            | IssueDescriptionChanged { issue, .. }
            | IssueTypeChanged { issue, .. }
            | IssuePriorityChanged { issue, .. }
            | IssueAssigneeChanged { issue, .. }
            | IssueLabelsChanged { issue, .. }
            | IssuePointsChanged { issue, .. }
            | IssueParentChanged { issue, .. }
            | IssueSprintChanged { issue, .. }
            | IssueOriginalEstimateChanged { issue, .. }
            | IssueRemainingEstimateChanged { issue, .. }
            | IssueMoved { issue, .. }
            | IssueRanked { issue, .. }
            | WorkLogged { issue, .. }
            | WorklogUpdated { issue, .. }
            | WorklogDeleted { issue, .. }
            | CommentAdded { issue, .. }
            | CommentEdited { issue, .. }
            | CommentDeleted { issue, .. }
            | WatcherAdded { issue, .. }
            | WatcherRemoved { issue, .. }
            | IssueLinked { issue, .. }
            | IssueUnlinked { issue, .. } => StreamRef::Issue(*issue),
            SprintCreated { sprint, .. }
            | SprintStarted { sprint, .. }
            | SprintCompleted { sprint }
            | SprintCommitted { sprint, .. }
            | SprintOutcomeRecorded { sprint, .. } => StreamRef::Sprint(*sprint),
            ConflictRecorded { stream, .. } => *stream,
        }
    }

    /// The fields this event changed (empty for creations and audit events:
    /// a creation cannot be concurrent with an edit based on it).
    pub fn fields(&self) -> BTreeSet<Field> {
        use Event::*;
        let fields: &[Field] = match self {
            ProjectCreated { .. }
            | IssueCreated { .. }
            | SprintCreated { .. }
            | ConflictRecorded { .. }
            | SprintCommitted { .. }
            | SprintOutcomeRecorded { .. } => &[],
            ProjectRenamed { .. } => &[Field::Name],
            StatusAdded { .. } | StatusRenamed { .. } | WipLimitSet { .. } => &[Field::Workflow],
            IssueTitleChanged { .. } => &[Field::Title],
            IssueDescriptionChanged { .. } => &[Field::Description],
            IssueTypeChanged { .. } => &[Field::Type],
            IssuePriorityChanged { .. } => &[Field::Priority],
            IssueAssigneeChanged { .. } => &[Field::Assignee],
            IssueLabelsChanged { .. } => &[Field::Labels],
            IssuePointsChanged { .. } => &[Field::Points],
            IssueParentChanged { .. } => &[Field::Parent],
            IssueSprintChanged { .. } => &[Field::Sprint],
            IssueOriginalEstimateChanged { .. } => &[Field::OriginalEstimate],
            IssueRemainingEstimateChanged { .. } => &[Field::RemainingEstimate],
            IssueMoved { from, to, .. } if from == to => &[Field::Rank],
            IssueMoved { .. } => &[Field::Status, Field::Rank],
            IssueRanked { .. } => &[Field::Rank],
            SprintStarted { .. } => &[Field::SprintState, Field::Dates],
            SprintCompleted { .. } => &[Field::SprintState],
            TimeTrackingConfigured { .. } => &[Field::TimeTracking],
            FilterSaved { .. } | FilterDeleted { .. } => &[Field::Filters],
            MemberAdded { .. } | RoleChanged { .. } | MemberRemoved { .. } => &[Field::Members],
            WorkLogged { worklog, .. }
            | WorklogUpdated { worklog, .. }
            | WorklogDeleted { worklog, .. } => return [Field::Worklog(*worklog)].into(),
            CommentAdded { comment, .. }
            | CommentEdited { comment, .. }
            | CommentDeleted { comment, .. } => return [Field::Comment(*comment)].into(),
            WatcherAdded { .. } | WatcherRemoved { .. } => &[Field::Watchers],
            IssueLinked { .. } | IssueUnlinked { .. } => &[Field::Links],
        };
        fields.iter().copied().collect()
    }

    /// The stable name stored in the log's `event_type` column.
    pub fn type_name(&self) -> &'static str {
        use Event::*;
        match self {
            ProjectCreated { .. } => "project_created",
            ProjectRenamed { .. } => "project_renamed",
            StatusAdded { .. } => "status_added",
            StatusRenamed { .. } => "status_renamed",
            WipLimitSet { .. } => "wip_limit_set",
            IssueCreated { .. } => "issue_created",
            IssueTitleChanged { .. } => "issue_title_changed",
            IssueDescriptionChanged { .. } => "issue_description_changed",
            IssueTypeChanged { .. } => "issue_type_changed",
            IssuePriorityChanged { .. } => "issue_priority_changed",
            IssueAssigneeChanged { .. } => "issue_assignee_changed",
            IssueLabelsChanged { .. } => "issue_labels_changed",
            IssuePointsChanged { .. } => "issue_points_changed",
            IssueParentChanged { .. } => "issue_parent_changed",
            IssueSprintChanged { .. } => "issue_sprint_changed",
            IssueOriginalEstimateChanged { .. } => "issue_original_estimate_changed",
            IssueRemainingEstimateChanged { .. } => "issue_remaining_estimate_changed",
            IssueMoved { .. } => "issue_moved",
            IssueRanked { .. } => "issue_ranked",
            SprintCreated { .. } => "sprint_created",
            SprintStarted { .. } => "sprint_started",
            SprintCompleted { .. } => "sprint_completed",
            SprintCommitted { .. } => "sprint_committed",
            SprintOutcomeRecorded { .. } => "sprint_outcome_recorded",
            ConflictRecorded { .. } => "conflict_recorded",
            TimeTrackingConfigured { .. } => "time_tracking_configured",
            FilterSaved { .. } => "filter_saved",
            FilterDeleted { .. } => "filter_deleted",
            MemberAdded { .. } => "member_added",
            RoleChanged { .. } => "role_changed",
            MemberRemoved { .. } => "member_removed",
            WorkLogged { .. } => "work_logged",
            WorklogUpdated { .. } => "worklog_updated",
            WorklogDeleted { .. } => "worklog_deleted",
            CommentAdded { .. } => "comment_added",
            CommentEdited { .. } => "comment_edited",
            CommentDeleted { .. } => "comment_deleted",
            WatcherAdded { .. } => "watcher_added",
            WatcherRemoved { .. } => "watcher_removed",
            IssueLinked { .. } => "issue_linked",
            IssueUnlinked { .. } => "issue_unlinked",
        }
    }
}

#[cfg(test)]
mod event_type_tests {
    /// A new event variant must be listed in `EVENT_TYPES` too.
    #[test]
    fn every_event_type_is_listed() {
        let source = include_str!("event.rs");
        let renamed: Vec<&str> = source
            .split("#[serde(rename = \"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(renamed, super::EVENT_TYPES);
    }
}
