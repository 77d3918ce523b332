//! What server functions return, beyond the domain's own types.

use serde::{Deserialize, Serialize};

use crate::domain::{
    Burndown, ChangeRecord, Date, FlowDay, Issue, Project, ProjectKey, ProjectKind, ProjectName,
    ProjectState, Sprint, Timesheet, VelocityRow,
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
}

/// One issue with its project (for status names) and its full history,
/// conflicts included, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueDetail {
    pub project: Project,
    pub issue: Issue,
    pub history: Vec<ChangeRecord>,
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
