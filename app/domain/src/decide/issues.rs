//! Rules for issues: creating, editing, moving and ranking them, and
//! closing a sprint over them.

use super::{MAX_ISSUES, MAX_LABELS, Scope};
use crate::command::{IssuePatch, NewIssue};
use crate::event::Event;
use crate::ids::*;
use crate::model::*;
use crate::quantity::Points;
use crate::rank::Rank;
use crate::refusal::DomainError;

impl Scope<'_> {
    /// Someone an issue may be assigned to: a member of the project (in any role).
    pub(super) fn check_assignee(&self, user: &UserName) -> Result<(), DomainError> {
        match self.project.role_of(user) {
            Some(_) => Ok(()),
            None => Err(DomainError::AssigneeNotMember(user.clone())),
        }
    }

    /// A sprint an issue may be put into: it exists and is not closed.
    pub(super) fn open_sprint(&self, n: SprintNumber) -> Result<(), DomainError> {
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
    pub(super) fn check_parent(
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

    pub(super) fn create_issue(
        &self,
        new: &NewIssue,
        reporter: &UserName,
    ) -> Result<Vec<Event>, DomainError> {
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
            reporter: reporter.clone(),
            assignee: new.assignee.clone(),
            labels: new.labels.clone(),
            points: new.points,
            parent: new.parent,
            sprint,
            original_estimate: new.original_estimate,
        }])
    }

    pub(super) fn update_issue(
        &self,
        n: IssueNumber,
        patch: &IssuePatch,
    ) -> Result<Vec<Event>, DomainError> {
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
        Ok(patch_events(patch, n)
            .into_iter()
            .filter(|e| !leaves_as_is(issue, e))
            .collect())
    }

    /// The rank for placing `moving` right after `after` in `list` (ranked,
    /// without `moving`), or `None` when it already sits exactly there.
    pub(super) fn place(
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
        Ok(Some(Rank::between_free(lo, hi, taken)?))
    }

    pub(super) fn move_issue(
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

    pub(super) fn rank_issue(
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

    pub(super) fn complete_sprint(
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

/// One event per field the patch sets, whether or not the issue already
/// has that value (`decide` drops those; a description of the patch
/// keeps them).
/// One event per field the patch sets, whether or not the issue already
/// has that value (`decide` drops those).
pub fn patch_events(patch: &IssuePatch, issue: IssueNumber) -> Vec<Event> {
    [
        patch
            .title
            .clone()
            .map(|title| Event::IssueTitleChanged { issue, title }),
        patch
            .description
            .clone()
            .map(|description| Event::IssueDescriptionChanged { issue, description }),
        patch
            .issue_type
            .map(|issue_type| Event::IssueTypeChanged { issue, issue_type }),
        patch
            .priority
            .map(|priority| Event::IssuePriorityChanged { issue, priority }),
        patch
            .assignee
            .clone()
            .map(|assignee| Event::IssueAssigneeChanged { issue, assignee }),
        patch
            .labels
            .clone()
            .map(|labels| Event::IssueLabelsChanged { issue, labels }),
        patch
            .points
            .map(|points| Event::IssuePointsChanged { issue, points }),
        patch
            .parent
            .map(|parent| Event::IssueParentChanged { issue, parent }),
        patch
            .sprint
            .map(|sprint| Event::IssueSprintChanged { issue, sprint }),
        patch
            .original_estimate
            .map(|estimate| Event::IssueOriginalEstimateChanged { issue, estimate }),
        patch
            .remaining_estimate
            .map(|estimate| Event::IssueRemainingEstimateChanged { issue, estimate }),
    ]
    .into_iter()
    .flatten()
    .collect()
}
