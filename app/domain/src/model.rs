//! The state of a project's streams, as folded from its events.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::comment::{Comment, CommentNumber};
use super::duration::WorkCalendar;
use super::ids::*;
use super::link::{IssueLink, LinkView};
use super::member::Role;
use super::quantity::{Minutes, Points};
use super::rank::Rank;
use super::time::Date;
use super::worklog::Worklog;

/// Scrum boards show the active sprint; Kanban boards show all open issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Scrum,
    Kanban,
}

impl ProjectKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Scrum => "Scrum",
            Self::Kanban => "Kanban",
        }
    }
}

/// Which part of the flow a status belongs to; reports count `Done` as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    ToDo,
    InProgress,
    Done,
}

/// A workflow status: one column of the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub id: StatusId,
    pub name: StatusName,
    pub category: StatusCategory,
    pub wip_limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub key: ProjectKey,
    pub name: ProjectName,
    pub kind: ProjectKind,
    /// In board order, left to right.
    pub statuses: Vec<Status>,
    /// Added after the first release: older stored documents lack it.
    #[serde(default)]
    pub calendar: WorkCalendar,
    /// Saved searches by name, shared by the project.
    #[serde(default)]
    pub filters: BTreeMap<FilterName, String>,
    /// Added with roles: older stored documents lack it.
    #[serde(default)]
    pub members: super::member::Members,
    pub version: u64,
}

impl Project {
    pub fn status(&self, id: StatusId) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }
    /// The status new issues start in: the first column.
    pub fn initial_status(&self) -> Option<StatusId> {
        self.statuses.first().map(|s| s.id)
    }
    pub fn status_name(&self, id: StatusId) -> String {
        self.status(id)
            .map_or_else(|| format!("status {}", id.0), |s| s.name.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueType {
    Story,
    Task,
    Bug,
    Epic,
    SubTask,
}

impl IssueType {
    pub const ALL: [IssueType; 5] = [
        Self::Story,
        Self::Task,
        Self::Bug,
        Self::Epic,
        Self::SubTask,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Self::Story => "Story",
            Self::Task => "Task",
            Self::Bug => "Bug",
            Self::Epic => "Epic",
            Self::SubTask => "Sub-task",
        }
    }
}

/// Jira's five priorities, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Highest,
    High,
    Medium,
    Low,
    Lowest,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Self::Highest,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Lowest,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Self::Highest => "Highest",
            Self::High => "High",
            Self::Medium => "Medium",
            Self::Low => "Low",
            Self::Lowest => "Lowest",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub key: IssueKey,
    pub title: Title,
    pub description: LongText,
    pub issue_type: IssueType,
    pub priority: Priority,
    pub status: StatusId,
    pub rank: Rank,
    pub reporter: UserName,
    pub assignee: Option<UserName>,
    pub labels: BTreeSet<Label>,
    pub points: Option<Points>,
    /// The epic (for stories, tasks, bugs) or parent issue (for sub-tasks).
    pub parent: Option<IssueNumber>,
    pub sprint: Option<SprintNumber>,
    pub original_estimate: Option<Minutes>,
    pub remaining_estimate: Option<Minutes>,
    #[serde(default)]
    pub worklogs: BTreeMap<WorklogNumber, Worklog>,
    /// The highest worklog number ever given, so a deleted one is never reused.
    #[serde(default)]
    pub last_worklog: u32,
    #[serde(default)]
    pub comments: BTreeMap<CommentNumber, Comment>,
    #[serde(default)]
    pub last_comment: u32,
    #[serde(default)]
    pub watchers: BTreeSet<UserName>,
    /// Links made from this issue (see `ProjectState::links_of` for both sides).
    #[serde(default)]
    pub links: BTreeSet<IssueLink>,
    pub version: u64,
}

impl Issue {
    /// Story points in tenths (0 when unestimated).
    pub fn points_tenths(&self) -> u32 {
        self.points.map_or(0, Points::tenths)
    }

    /// The sum of the issue's own worklogs.
    pub fn time_spent(&self) -> Minutes {
        Minutes::total(self.worklogs.values().map(|w| w.entry.spent))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SprintState {
    Planned,
    Active,
    Closed,
}

impl SprintState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sprint {
    pub number: SprintNumber,
    pub name: SprintName,
    pub goal: LongText,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub state: SprintState,
    /// Story points (tenths) in the sprint when it started.
    #[serde(default)]
    pub committed_tenths: Option<u32>,
    /// Story points (tenths) done when it completed.
    #[serde(default)]
    pub completed_tenths: Option<u32>,
    pub version: u64,
}

/// Everything `decide` needs to judge a command on a project: the project
/// stream and all its issue and sprint streams. Versions are per stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectState {
    pub project: Option<Project>,
    pub issues: BTreeMap<IssueNumber, Issue>,
    pub sprints: BTreeMap<SprintNumber, Sprint>,
}

impl ProjectState {
    pub fn issue(&self, n: IssueNumber) -> Option<&Issue> {
        self.issues.get(&n)
    }

    /// Issues in `status`, in rank order.
    pub fn column(&self, status: StatusId) -> Vec<&Issue> {
        let mut cards: Vec<&Issue> = self
            .issues
            .values()
            .filter(|i| i.status == status)
            .collect();
        cards.sort_by(|a, b| a.rank.cmp(&b.rank));
        cards
    }

    /// Whether the issue is a card on the board: on a Scrum board, the issues
    /// of the active sprint (none without one); on a Kanban board, all.
    pub fn on_board(&self, issue: &Issue) -> bool {
        match self.project.as_ref().map(|p| p.kind) {
            Some(ProjectKind::Kanban) => true,
            Some(ProjectKind::Scrum) => {
                issue.sprint.is_some() && issue.sprint == self.active_sprint().map(|s| s.number)
            }
            None => false,
        }
    }

    /// The board's cards in `status`, in rank order.
    pub fn board_column(&self, status: StatusId) -> Vec<&Issue> {
        let mut column = self.column(status);
        column.retain(|i| self.on_board(i));
        column
    }

    /// All issues in rank order (the backlog order).
    pub fn ranked(&self) -> Vec<&Issue> {
        let mut all: Vec<&Issue> = self.issues.values().collect();
        all.sort_by(|a, b| a.rank.cmp(&b.rank));
        all
    }

    /// The version of the stream a command or event addresses (0 if it does not exist yet).
    pub fn version_of(&self, stream: &StreamRef) -> u64 {
        match stream {
            StreamRef::Project => self.project.as_ref().map_or(0, |p| p.version),
            StreamRef::Issue(n) => self.issues.get(n).map_or(0, |i| i.version),
            StreamRef::Sprint(n) => self.sprints.get(n).map_or(0, |s| s.version),
        }
    }

    /// Whether the issue sits in a `Done`-category column.
    pub fn is_done(&self, issue: &Issue) -> bool {
        self.project
            .as_ref()
            .and_then(|p| p.status(issue.status))
            .is_some_and(|s| s.category == StatusCategory::Done)
    }

    /// The sprint's issues in rank order.
    pub fn sprint_issues(&self, sprint: SprintNumber) -> Vec<&Issue> {
        self.ranked()
            .into_iter()
            .filter(|i| i.sprint == Some(sprint))
            .collect()
    }

    /// Everyone who has taken part in the project: reporters, assignees,
    /// authors of work and comments, and watchers. Until projects have
    /// member lists, these are the people `@mentions` resolve to.
    pub fn people(&self) -> BTreeSet<UserName> {
        let mut people = BTreeSet::new();
        for i in self.issues.values() {
            people.insert(i.reporter.clone());
            people.extend(i.assignee.iter().cloned());
            people.extend(i.worklogs.values().map(|w| w.author.clone()));
            people.extend(i.comments.values().map(|c| c.author.clone()));
            people.extend(i.watchers.iter().cloned());
        }
        people
    }

    /// The issue's children (an epic's issues, or a parent's sub-tasks) in rank order.
    pub fn children(&self, parent: IssueNumber) -> Vec<&Issue> {
        self.ranked()
            .into_iter()
            .filter(|i| i.parent == Some(parent))
            .collect()
    }

    pub fn active_sprint(&self) -> Option<&Sprint> {
        self.sprints
            .values()
            .find(|s| s.state == SprintState::Active)
    }
}

/// A stream within a project: the project itself, one issue or one sprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum StreamRef {
    Project,
    Issue(IssueNumber),
    Sprint(SprintNumber),
}

impl StreamRef {
    /// The stream's id in the log: `ABC`, `ABC-12` or `ABC/sprint-3`.
    pub fn id(&self, project: &ProjectKey) -> String {
        match self {
            Self::Project => project.to_string(),
            Self::Issue(n) => format!("{project}-{n}"),
            Self::Sprint(n) => format!("{project}/sprint-{}", n.0),
        }
    }
}

impl ProjectState {
    /// Every link of issue `n`, from its side, both directions, sorted.
    pub fn links_of(&self, n: IssueNumber) -> Vec<LinkView> {
        let own = self.issues.get(&n).into_iter().flat_map(|i| {
            i.links.iter().map(move |l| LinkView {
                kind: l.kind,
                other: l.target,
                stored_on: n,
            })
        });
        let inverse = self.issues.values().flat_map(|i| {
            i.links.iter().filter(|l| l.target == n).map(|l| LinkView {
                kind: l.kind.inverse(),
                other: i.key.number,
                stored_on: i.key.number,
            })
        });
        let mut all: Vec<LinkView> = own.chain(inverse).collect();
        all.sort();
        // The same relation stored on both sides shows once.
        all.dedup_by_key(|v| (v.kind, v.other));
        all
    }
}

impl Project {
    pub fn role_of(&self, user: &UserName) -> Option<Role> {
        self.members.get(user).copied()
    }

    pub(crate) fn admins(&self) -> usize {
        self.members.values().filter(|r| **r == Role::Admin).count()
    }
}
