//! `decide`: judge a command against the current state and return the events
//! that carry it out, or say why not. Pure: no clock, no I/O, no randomness,
//! so the browser can run it for optimistic updates and get what the server gets.

mod comments;
mod issues;
mod links;
mod members;
mod worklogs;

pub use issues::patch_events;

use crate::command::Command;
use crate::context::Context;
use crate::event::Event;
use crate::ids::*;
use crate::member::Role;
use crate::model::*;
use crate::quantity::Points;
use crate::query::Query;
use crate::refusal::DomainError;

/// Issues per project; far beyond Jira's 5,000-item board cap.
pub const MAX_ISSUES: u32 = 1_000_000;
pub const MAX_LABELS: usize = 20;
const MAX_WIP: u32 = 999;
/// Saved filters per project.
pub const MAX_FILTERS: usize = 200;

/// Judges `command`, run by `context.actor` at `context.now`, against
/// `state`: the events that carry it out, or why not.
pub fn decide(
    state: &ProjectState,
    context: &Context,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    let actor = &context.actor;
    if let Command::CreateProject { key, name, kind } = command {
        return match &state.project {
            Some(p) => Err(DomainError::ProjectExists(p.key.clone())),
            None => Ok(vec![
                Event::ProjectCreated {
                    key: key.clone(),
                    name: name.clone(),
                    kind: *kind,
                    statuses: default_workflow(),
                },
                // Its creator is its first admin.
                Event::MemberAdded {
                    user: actor.clone(),
                    role: Role::Admin,
                },
            ]),
        };
    }
    let project = state.project.as_ref().ok_or(DomainError::NoProject)?;
    let ctx = Scope { state, project };
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
        Command::AddMember { user, role } => members::add_member(project, user, *role),
        Command::ChangeRole { user, role } => members::change_role(project, user, *role),
        Command::RemoveMember { user } => members::remove_member(project, user),
        Command::CreateIssue(new) => ctx.create_issue(new, actor),
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
            entry,
            remaining,
        } => worklogs::log_work(ctx.issue(*issue)?, actor, entry, *remaining),
        Command::UpdateWorklog {
            issue,
            worklog: n,
            entry,
            remaining,
        } => worklogs::update_worklog(ctx.issue(*issue)?, *n, entry, *remaining),
        Command::DeleteWorklog {
            issue,
            worklog: n,
            remaining,
        } => worklogs::delete_worklog(ctx.issue(*issue)?, *n, *remaining),
        Command::AddComment { issue, body } => {
            comments::add_comment(state, ctx.issue(*issue)?, actor, context.now, body)
        }
        // Who may edit or delete (author or admin) is `member::authorize`'s.
        Command::EditComment {
            issue,
            comment: n,
            body,
        } => comments::edit_comment(state, ctx.issue(*issue)?, *n, context.now, body),
        Command::DeleteComment { issue, comment: n } => {
            comments::delete_comment(ctx.issue(*issue)?, *n)
        }
        Command::WatchIssue { issue, watch } => {
            Ok(comments::watch(ctx.issue(*issue)?, actor, *watch))
        }
        Command::LinkIssue {
            issue,
            kind,
            target,
        } => links::link(state, ctx.issue(*issue)?, *kind, *target),
        Command::UnlinkIssue { issue, link: l } => links::unlink(ctx.issue(*issue)?, *l),
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

pub(super) struct Scope<'a> {
    pub(super) state: &'a ProjectState,
    pub(super) project: &'a Project,
}

impl Scope<'_> {
    pub(super) fn status(&self, id: StatusId) -> Result<&Status, DomainError> {
        self.project
            .status(id)
            .ok_or(DomainError::StatusNotFound(id))
    }

    pub(super) fn issue(&self, n: IssueNumber) -> Result<&Issue, DomainError> {
        self.state
            .issue(n)
            .ok_or_else(|| DomainError::IssueNotFound(IssueKey::new(self.project.key.clone(), n)))
    }

    pub(super) fn sprint(&self, n: SprintNumber) -> Result<&Sprint, DomainError> {
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
}
