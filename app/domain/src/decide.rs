//! `decide`: judge a command against the current state and return the events
//! that carry it out, or say why not. Pure: no clock, no I/O, no randomness,
//! so the browser can run it for optimistic updates and get what the server gets.

use super::command::{Command, IssuePatch, NewIssue};
use super::comment;
use super::error::DomainError;
use super::event::Event;
use super::ids::*;
use super::link;
use super::member::{self, Role};
use super::model::*;
use super::query::Query;
use super::rank::Rank;
use super::worklog;

/// Issues per project; far beyond Jira's 5,000-item board cap.
pub const MAX_ISSUES: u32 = 1_000_000;
pub const MAX_LABELS: usize = 20;
const MAX_WIP: u32 = 999;
/// Saved filters per project.
pub const MAX_FILTERS: usize = 200;

pub fn decide(state: &ProjectState, command: &Command) -> Result<Vec<Event>, DomainError> {
    if let Command::CreateProject {
        key,
        name,
        kind,
        admin,
    } = command
    {
        return match &state.project {
            Some(p) => Err(DomainError::ProjectExists(p.key.clone())),
            None => Ok(vec![
                Event::ProjectCreated {
                    key: key.clone(),
                    name: name.clone(),
                    kind: *kind,
                    statuses: default_workflow(),
                },
                Event::MemberAdded {
                    user: admin.clone(),
                    role: Role::Admin,
                },
            ]),
        };
    }
    let project = state.project.as_ref().ok_or(DomainError::NoProject)?;
    let ctx = Ctx { state, project };
    match command {
        Command::CreateProject { .. } => unreachable!("handled above"),
        Command::RenameProject { name } => Ok(unless_same(&project.name, name, || {
            Event::ProjectRenamed { name: name.clone() }
        })),
        Command::AddStatus { name, category } => ctx.add_status(name, *category),
        Command::RenameStatus { status, name } => {
            let current = ctx.status(*status)?;
            if current.name == *name {
                return Ok(vec![]);
            }
            ctx.ensure_status_name_free(name)?;
            Ok(vec![Event::StatusRenamed {
                status: *status,
                name: name.clone(),
            }])
        }
        Command::SetWipLimit { status, limit } => {
            let current = ctx.status(*status)?;
            if limit.is_some_and(|l| l == 0 || l > MAX_WIP) {
                return Err(DomainError::WipLimit);
            }
            Ok(unless_same(&current.wip_limit, limit, || {
                Event::WipLimitSet {
                    status: *status,
                    limit: *limit,
                }
            }))
        }
        Command::AddMember { user, role } => member::add_member(project, user, *role),
        Command::ChangeRole { user, role } => member::change_role(project, user, *role),
        Command::RemoveMember { user } => member::remove_member(project, user),
        Command::CreateIssue(new) => ctx.create_issue(new),
        Command::UpdateIssue { issue, patch } => ctx.update_issue(*issue, patch),
        Command::MoveIssue { issue, to, after } => ctx.move_issue(*issue, *to, *after),
        Command::TransitionIssue { issue, to } => {
            let moving = ctx.issue(*issue)?;
            // Right after the last card of the column that ranks above it.
            let after = state
                .column(*to)
                .into_iter()
                .take_while(|i| i.rank < moving.rank)
                .filter(|i| i.key.number != *issue)
                .last()
                .map(|i| i.key.number);
            ctx.move_issue(*issue, *to, after)
        }
        Command::RankIssue { issue, after } => ctx.rank_issue(*issue, *after),
        Command::CreateSprint {
            name,
            goal,
            start,
            end,
        } => {
            if let (Some(s), Some(e)) = (start, end)
                && e < s
            {
                return Err(DomainError::DatesReversed);
            }
            let number = SprintNumber(state.sprints.keys().last().map_or(1, |n| n.0 + 1));
            let name = match name {
                Some(name) => name.clone(),
                None => SprintName::parse(&format!("{} Sprint {}", project.key, number.0))
                    .expect("a key and a number make a valid sprint name"),
            };
            Ok(vec![Event::SprintCreated {
                sprint: number,
                name,
                goal: goal.clone(),
                start: *start,
                end: *end,
            }])
        }
        Command::StartSprint { sprint, start, end } => {
            let s = ctx.sprint(*sprint)?;
            if s.state != SprintState::Planned {
                return Err(DomainError::sprint_state(*sprint, s.state, "started"));
            }
            if let Some(active) = state.active_sprint() {
                return Err(DomainError::SprintAlreadyActive(active.number));
            }
            if end < start {
                return Err(DomainError::DatesReversed);
            }
            let committed = state.sprint_issues(*sprint);
            Ok(vec![
                Event::SprintStarted {
                    sprint: *sprint,
                    start: *start,
                    end: *end,
                },
                Event::SprintCommitted {
                    sprint: *sprint,
                    issues: committed.iter().map(|i| i.key.number).collect(),
                    points_tenths: Points::total_tenths(
                        committed.iter().map(|i| i.points_tenths()),
                    ),
                },
            ])
        }
        Command::CompleteSprint {
            sprint,
            open_issues_to,
        } => ctx.complete_sprint(*sprint, *open_issues_to),
        Command::SaveFilter { name, query } => {
            Query::parse(query).map_err(DomainError::BadQuery)?;
            if !project.filters.contains_key(name) && project.filters.len() >= MAX_FILTERS {
                return Err(DomainError::TooManyFilters(MAX_FILTERS));
            }
            Ok(unless_same(
                &project.filters.get(name),
                &Some(query),
                || Event::FilterSaved {
                    name: name.clone(),
                    query: query.clone(),
                },
            ))
        }
        Command::DeleteFilter { name } => {
            if !project.filters.contains_key(name) {
                return Err(DomainError::FilterNotFound(name.to_string()));
            }
            Ok(vec![Event::FilterDeleted { name: name.clone() }])
        }
        Command::ConfigureTimeTracking { calendar } => {
            Ok(unless_same(&project.calendar, calendar, || {
                Event::TimeTrackingConfigured {
                    calendar: *calendar,
                }
            }))
        }
        Command::LogWork {
            issue,
            author,
            entry,
            remaining,
        } => worklog::log_work(ctx.issue(*issue)?, author, entry, *remaining),
        Command::UpdateWorklog {
            issue,
            worklog: n,
            entry,
            remaining,
        } => worklog::update_worklog(ctx.issue(*issue)?, *n, entry, *remaining),
        Command::DeleteWorklog {
            issue,
            worklog: n,
            remaining,
        } => worklog::delete_worklog(ctx.issue(*issue)?, *n, *remaining),
        Command::AddComment {
            issue,
            author,
            posted,
            body,
        } => comment::add_comment(state, ctx.issue(*issue)?, author, *posted, body),
        // Who may edit or delete (author or admin) is `member::authorize`'s.
        Command::EditComment {
            issue,
            comment: n,
            edited,
            body,
            ..
        } => comment::edit_comment(state, ctx.issue(*issue)?, *n, *edited, body),
        Command::DeleteComment {
            issue, comment: n, ..
        } => comment::delete_comment(ctx.issue(*issue)?, *n),
        Command::WatchIssue { issue, user, watch } => {
            Ok(comment::watch(ctx.issue(*issue)?, user, *watch))
        }
        Command::LinkIssue {
            issue,
            kind,
            target,
        } => link::link(state, ctx.issue(*issue)?, *kind, *target),
        Command::UnlinkIssue { issue, link: l } => link::unlink(ctx.issue(*issue)?, *l),
    }
}

/// The workflow every new project starts with.
pub fn default_workflow() -> Vec<Status> {
    [
        ("To Do", StatusCategory::ToDo),
        ("In Progress", StatusCategory::InProgress),
        ("In Review", StatusCategory::InProgress),
        ("Done", StatusCategory::Done),
    ]
    .into_iter()
    .zip(1..)
    .map(|((name, category), id)| Status {
        id: StatusId(id),
        name: StatusName::parse(name).expect("static status name"),
        category,
        wip_limit: None,
    })
    .collect()
}

fn unless_same<T: PartialEq>(current: &T, wanted: &T, event: impl FnOnce() -> Event) -> Vec<Event> {
    if current == wanted {
        vec![]
    } else {
        vec![event()]
    }
}

struct Ctx<'a> {
    state: &'a ProjectState,
    project: &'a Project,
}

impl Ctx<'_> {
    fn status(&self, id: StatusId) -> Result<&Status, DomainError> {
        self.project
            .status(id)
            .ok_or(DomainError::StatusNotFound(id))
    }

    fn issue(&self, n: IssueNumber) -> Result<&Issue, DomainError> {
        self.state
            .issue(n)
            .ok_or_else(|| DomainError::IssueNotFound(IssueKey::new(self.project.key.clone(), n)))
    }

    fn sprint(&self, n: SprintNumber) -> Result<&Sprint, DomainError> {
        self.state
            .sprints
            .get(&n)
            .ok_or(DomainError::SprintNotFound(n))
    }

    fn ensure_status_name_free(&self, name: &StatusName) -> Result<(), DomainError> {
        let taken = self
            .project
            .statuses
            .iter()
            .any(|s| s.name.as_str().eq_ignore_ascii_case(name.as_str()));
        if taken {
            Err(DomainError::StatusExists(name.to_string()))
        } else {
            Ok(())
        }
    }

    fn add_status(
        &self,
        name: &StatusName,
        category: StatusCategory,
    ) -> Result<Vec<Event>, DomainError> {
        self.ensure_status_name_free(name)?;
        let id = StatusId(
            self.project
                .statuses
                .iter()
                .map(|s| s.id.0)
                .max()
                .unwrap_or(0)
                + 1,
        );
        Ok(vec![Event::StatusAdded {
            status: Status {
                id,
                name: name.clone(),
                category,
                wip_limit: None,
            },
        }])
    }

    /// Someone an issue may be assigned to: a member of the project (in any role).
    fn check_assignee(&self, user: &UserName) -> Result<(), DomainError> {
        match self.project.role_of(user) {
            Some(_) => Ok(()),
            None => Err(DomainError::AssigneeNotMember(user.clone())),
        }
    }

    /// A sprint an issue may be put into: it exists and is not closed.
    fn open_sprint(&self, n: SprintNumber) -> Result<(), DomainError> {
        match self.sprint(n)?.state {
            SprintState::Closed => Err(DomainError::sprint_state(
                n,
                SprintState::Closed,
                "given issues",
            )),
            _ => Ok(()),
        }
    }

    /// Jira's hierarchy: epics are top level, stories/tasks/bugs may sit under
    /// an epic, sub-tasks must sit under a story, task or bug.
    fn check_parent(
        &self,
        issue_type: IssueType,
        parent: Option<IssueNumber>,
    ) -> Result<(), DomainError> {
        let parent_type = parent
            .map(|p| self.issue(p).map(|i| i.issue_type))
            .transpose()?;
        match (issue_type, parent_type) {
            (IssueType::Epic, Some(_)) => Err(DomainError::EpicWithParent),
            (IssueType::SubTask, Some(IssueType::Story | IssueType::Task | IssueType::Bug)) => {
                Ok(())
            }
            (IssueType::SubTask, _) => Err(DomainError::SubTaskParent),
            (_, None | Some(IssueType::Epic)) => Ok(()),
            (_, Some(_)) => Err(DomainError::ParentNotEpic),
        }
    }

    fn create_issue(&self, new: &NewIssue) -> Result<Vec<Event>, DomainError> {
        let number = self.state.issues.keys().last().map_or(1, |n| n.0 + 1);
        if number > MAX_ISSUES {
            return Err(DomainError::TooManyIssues(MAX_ISSUES));
        }
        let status = match new.status {
            Some(s) => self.status(s)?.id,
            None => self
                .project
                .initial_status()
                .ok_or(DomainError::StatusNotFound(StatusId(0)))?,
        };
        self.check_parent(new.issue_type, new.parent)?;
        if let Some(a) = &new.assignee {
            self.check_assignee(a)?;
        }
        if let Some(s) = new.sprint {
            self.open_sprint(s)?;
        }
        // A sub-task created without a sprint joins its parent's, as in Jira.
        let sprint = match (new.issue_type, new.sprint, new.parent) {
            (IssueType::SubTask, None, Some(parent)) => self
                .state
                .issue(parent)
                .and_then(|p| p.sprint)
                .filter(|s| self.open_sprint(*s).is_ok()),
            _ => new.sprint,
        };
        if new.labels.len() > MAX_LABELS {
            return Err(DomainError::TooManyLabels(MAX_LABELS));
        }
        // New issues go to the bottom of the backlog, as in Jira.
        let last = self.state.issues.values().map(|i| &i.rank).max();
        Ok(vec![Event::IssueCreated {
            issue: IssueNumber(number),
            title: new.title.clone(),
            description: new.description.clone(),
            issue_type: new.issue_type,
            priority: new.priority,
            status,
            rank: Rank::between(last, None)?,
            reporter: new.reporter.clone(),
            assignee: new.assignee.clone(),
            labels: new.labels.clone(),
            points: new.points,
            parent: new.parent,
            sprint,
            original_estimate: new.original_estimate,
        }])
    }

    fn update_issue(&self, n: IssueNumber, patch: &IssuePatch) -> Result<Vec<Event>, DomainError> {
        let issue = self.issue(n)?;
        let new_type = patch.issue_type.unwrap_or(issue.issue_type);
        let new_parent = patch.parent.unwrap_or(issue.parent);
        if new_type != issue.issue_type && self.state.issues.values().any(|i| i.parent == Some(n)) {
            return Err(DomainError::HasChildren(issue.key.clone()));
        }
        if new_type != issue.issue_type || new_parent != issue.parent {
            self.check_parent(new_type, new_parent)?;
        }
        if let Some(Some(s)) = patch.sprint
            && issue.sprint != Some(s)
        {
            self.open_sprint(s)?;
        }
        // Only a new assignment is checked: an issue keeps an assignee who
        // has since left the project.
        if let Some(Some(a)) = &patch.assignee
            && issue.assignee.as_ref() != Some(a)
        {
            self.check_assignee(a)?;
        }
        if patch.labels.as_ref().is_some_and(|l| l.len() > MAX_LABELS) {
            return Err(DomainError::TooManyLabels(MAX_LABELS));
        }
        Ok(patch
            .events(n)
            .into_iter()
            .filter(|e| !leaves_as_is(issue, e))
            .collect())
    }

    /// The rank for placing `moving` right after `after` in `list` (ranked,
    /// without `moving`), or `None` when it already sits exactly there.
    fn place(
        &self,
        moving: &Issue,
        list: &[&Issue],
        after: Option<IssueNumber>,
    ) -> Result<Option<Rank>, DomainError> {
        // If `after` has meanwhile left the list, keep its place in rank order.
        let slot = match after {
            None => 0,
            Some(a) => {
                let anchor = &self.issue(a)?.rank;
                list.partition_point(|i| i.rank <= *anchor)
            }
        };
        let lo = slot.checked_sub(1).map(|i| &list[i].rank);
        let hi = list.get(slot).map(|i| &i.rank);
        let already_there =
            lo.is_none_or(|lo| *lo < moving.rank) && hi.is_none_or(|hi| moving.rank < *hi);
        if already_there {
            return Ok(None);
        }
        let taken = self
            .state
            .issues
            .values()
            .filter(|i| i.key != moving.key)
            .map(|i| &i.rank);
        Rank::between_free(lo, hi, taken).map(Some)
    }

    fn move_issue(
        &self,
        n: IssueNumber,
        to: StatusId,
        after: Option<IssueNumber>,
    ) -> Result<Vec<Event>, DomainError> {
        let issue = self.issue(n)?;
        self.status(to)?;
        if after == Some(n) {
            return Ok(vec![]);
        }
        let column: Vec<&Issue> = self
            .state
            .column(to)
            .into_iter()
            .filter(|i| i.key.number != n)
            .collect();
        let same_column = issue.status == to;
        match self.place(issue, &column, after)? {
            None if same_column => Ok(vec![]),
            // A column change keeps the rank when it already falls in the right spot.
            placed => Ok(vec![Event::IssueMoved {
                issue: n,
                from: issue.status,
                to,
                rank: placed.unwrap_or_else(|| issue.rank.clone()),
            }]),
        }
    }

    fn rank_issue(
        &self,
        n: IssueNumber,
        after: Option<IssueNumber>,
    ) -> Result<Vec<Event>, DomainError> {
        let issue = self.issue(n)?;
        if after == Some(n) {
            return Ok(vec![]);
        }
        let list: Vec<&Issue> = self
            .state
            .ranked()
            .into_iter()
            .filter(|i| i.key.number != n)
            .collect();
        Ok(self
            .place(issue, &list, after)?
            .map(|rank| Event::IssueRanked { issue: n, rank })
            .into_iter()
            .collect())
    }

    fn complete_sprint(
        &self,
        n: SprintNumber,
        to: Option<SprintNumber>,
    ) -> Result<Vec<Event>, DomainError> {
        let sprint = self.sprint(n)?;
        if sprint.state != SprintState::Active {
            return Err(DomainError::sprint_state(n, sprint.state, "completed"));
        }
        if let Some(target) = to {
            let t = self.sprint(target)?;
            if t.state != SprintState::Planned {
                return Err(DomainError::sprint_state(
                    target,
                    t.state,
                    "given the open issues",
                ));
            }
        }
        let (done, open): (Vec<&Issue>, Vec<&Issue>) = self
            .state
            .sprint_issues(n)
            .into_iter()
            .partition(|i| self.state.is_done(i));
        let numbers = |list: &[&Issue]| list.iter().map(|i| i.key.number).collect();
        let points = |list: &[&Issue]| Points::total_tenths(list.iter().map(|i| i.points_tenths()));
        let mut events = vec![
            Event::SprintCompleted { sprint: n },
            Event::SprintOutcomeRecorded {
                sprint: n,
                completed: numbers(&done),
                completed_points_tenths: points(&done),
                open: numbers(&open),
                open_points_tenths: points(&open),
            },
        ];
        events.extend(open.iter().map(|i| Event::IssueSprintChanged {
            issue: i.key.number,
            sprint: to,
        }));
        Ok(events)
    }
}

/// Whether `event` would leave `issue` as it is: a patch may repeat current
/// values, and repeating one is no change.
fn leaves_as_is(issue: &Issue, event: &Event) -> bool {
    match event {
        Event::IssueTitleChanged { title, .. } => *title == issue.title,
        Event::IssueDescriptionChanged { description, .. } => *description == issue.description,
        Event::IssueTypeChanged { issue_type, .. } => *issue_type == issue.issue_type,
        Event::IssuePriorityChanged { priority, .. } => *priority == issue.priority,
        Event::IssueAssigneeChanged { assignee, .. } => *assignee == issue.assignee,
        Event::IssueLabelsChanged { labels, .. } => *labels == issue.labels,
        Event::IssuePointsChanged { points, .. } => *points == issue.points,
        Event::IssueParentChanged { parent, .. } => *parent == issue.parent,
        Event::IssueSprintChanged { sprint, .. } => *sprint == issue.sprint,
        Event::IssueOriginalEstimateChanged { estimate, .. } => {
            *estimate == issue.original_estimate
        }
        Event::IssueRemainingEstimateChanged { estimate, .. } => {
            *estimate == issue.remaining_estimate
        }
        _ => false,
    }
}
