//! `apply`: fold one event into the state. Total and pure: the server uses it
//! authoritatively, the browser optimistically, replay and time travel over
//! the whole log. Every event bumps the version of its stream by one.

use super::comment::Comment;
use super::event::Event;
use super::model::*;
use super::worklog::Worklog;

pub fn apply(mut state: ProjectState, event: &Event) -> ProjectState {
    apply_mut(&mut state, event);
    state
}

/// In-place form of [`apply`], for folding long logs without moving the state.
pub fn apply_mut(state: &mut ProjectState, event: &Event) {
    use Event::*;
    match event {
        ProjectCreated {
            key,
            name,
            kind,
            statuses,
        } => {
            state.project = Some(Project {
                key: key.clone(),
                name: name.clone(),
                kind: *kind,
                statuses: statuses.clone(),
                calendar: Default::default(),
                filters: Default::default(),
                members: Default::default(),
                version: 0,
            });
        }
        IssueCreated {
            issue,
            title,
            description,
            issue_type,
            priority,
            status,
            rank,
            reporter,
            assignee,
            labels,
            points,
            parent,
            sprint,
            original_estimate,
        } => {
            let Some(key) = state.project.as_ref().map(|p| p.key.clone()) else {
                return;
            };
            state.issues.insert(
                *issue,
                Issue {
                    key: super::ids::IssueKey::new(key, *issue),
                    title: title.clone(),
                    description: description.clone(),
                    issue_type: *issue_type,
                    priority: *priority,
                    status: *status,
                    rank: rank.clone(),
                    reporter: reporter.clone(),
                    assignee: assignee.clone(),
                    labels: labels.clone(),
                    points: *points,
                    parent: *parent,
                    sprint: *sprint,
                    original_estimate: *original_estimate,
                    // Jira starts the remaining estimate at the original one.
                    remaining_estimate: *original_estimate,
                    worklogs: Default::default(),
                    last_worklog: 0,
                    comments: Default::default(),
                    last_comment: 0,
                    watchers: Default::default(),
                    links: Default::default(),
                    version: 0,
                },
            );
        }
        SprintCreated {
            sprint,
            name,
            goal,
            start,
            end,
        } => {
            state.sprints.insert(
                *sprint,
                Sprint {
                    number: *sprint,
                    name: name.clone(),
                    goal: goal.clone(),
                    start: *start,
                    end: *end,
                    state: SprintState::Planned,
                    committed_tenths: None,
                    completed_tenths: None,
                    version: 0,
                },
            );
        }
        _ => {}
    }
    match event.stream() {
        StreamRef::Project => {
            if let Some(p) = state.project.as_mut() {
                apply_to_project(p, event);
                p.version += 1;
            }
        }
        StreamRef::Issue(n) => {
            if let Some(i) = state.issues.get_mut(&n) {
                apply_to_issue(i, event);
                i.version += 1;
            }
        }
        StreamRef::Sprint(n) => {
            if let Some(s) = state.sprints.get_mut(&n) {
                apply_to_sprint(s, event);
                s.version += 1;
            }
        }
    }
}

fn apply_to_project(p: &mut Project, event: &Event) {
    use Event::*;
    match event {
        ProjectRenamed { name } => p.name = name.clone(),
        StatusAdded { status } => p.statuses.push(status.clone()),
        StatusRenamed { status, name } => {
            if let Some(s) = p.statuses.iter_mut().find(|s| s.id == *status) {
                s.name = name.clone();
            }
        }
        WipLimitSet { status, limit } => {
            if let Some(s) = p.statuses.iter_mut().find(|s| s.id == *status) {
                s.wip_limit = *limit;
            }
        }
        TimeTrackingConfigured { calendar } => p.calendar = *calendar,
        FilterSaved { name, query } => {
            p.filters.insert(name.clone(), query.clone());
        }
        FilterDeleted { name } => {
            p.filters.remove(name);
        }
        MemberAdded { user, role } | RoleChanged { user, role } => {
            p.members.insert(user.clone(), *role);
        }
        MemberRemoved { user } => {
            p.members.remove(user);
        }
        _ => {}
    }
}

fn apply_to_issue(i: &mut Issue, event: &Event) {
    use Event::*;
    match event {
        IssueTitleChanged { title, .. } => i.title = title.clone(),
        IssueDescriptionChanged { description, .. } => i.description = description.clone(),
        IssueTypeChanged { issue_type, .. } => i.issue_type = *issue_type,
        IssuePriorityChanged { priority, .. } => i.priority = *priority,
        IssueAssigneeChanged { assignee, .. } => i.assignee = assignee.clone(),
        IssueLabelsChanged { labels, .. } => i.labels = labels.clone(),
        IssuePointsChanged { points, .. } => i.points = *points,
        IssueParentChanged { parent, .. } => i.parent = *parent,
        IssueSprintChanged { sprint, .. } => i.sprint = *sprint,
        IssueOriginalEstimateChanged { estimate, .. } => i.original_estimate = *estimate,
        IssueRemainingEstimateChanged { estimate, .. } => i.remaining_estimate = *estimate,
        IssueMoved { to, rank, .. } => {
            i.status = *to;
            i.rank = rank.clone();
        }
        IssueRanked { rank, .. } => i.rank = rank.clone(),
        WorkLogged {
            worklog,
            author,
            entry,
            ..
        } => {
            i.last_worklog = i.last_worklog.max(worklog.0);
            i.worklogs.insert(
                *worklog,
                Worklog {
                    number: *worklog,
                    author: author.clone(),
                    entry: entry.clone(),
                },
            );
        }
        WorklogUpdated { worklog, entry, .. } => {
            if let Some(w) = i.worklogs.get_mut(worklog) {
                w.entry = entry.clone();
            }
        }
        WorklogDeleted { worklog, .. } => {
            i.worklogs.remove(worklog);
        }
        CommentAdded {
            comment,
            author,
            posted,
            body,
            ..
        } => {
            i.last_comment = i.last_comment.max(comment.0);
            i.comments.insert(
                *comment,
                Comment {
                    number: *comment,
                    author: author.clone(),
                    posted: *posted,
                    body: body.clone(),
                    edited: None,
                },
            );
        }
        CommentEdited {
            comment,
            edited,
            body,
            ..
        } => {
            if let Some(c) = i.comments.get_mut(comment) {
                c.body = body.clone();
                c.edited = Some(*edited);
            }
        }
        CommentDeleted { comment, .. } => {
            i.comments.remove(comment);
        }
        WatcherAdded { user, .. } => {
            i.watchers.insert(user.clone());
        }
        WatcherRemoved { user, .. } => {
            i.watchers.remove(user);
        }
        IssueLinked { link, .. } => {
            i.links.insert(*link);
        }
        IssueUnlinked { link, .. } => {
            i.links.remove(link);
        }
        _ => {}
    }
}

fn apply_to_sprint(s: &mut Sprint, event: &Event) {
    match event {
        Event::SprintStarted { start, end, .. } => {
            s.start = Some(*start);
            s.end = Some(*end);
            s.state = SprintState::Active;
        }
        Event::SprintCompleted { .. } => s.state = SprintState::Closed,
        Event::SprintCommitted { points_tenths, .. } => s.committed_tenths = Some(*points_tenths),
        Event::SprintOutcomeRecorded {
            completed_points_tenths,
            ..
        } => s.completed_tenths = Some(*completed_points_tenths),
        _ => {}
    }
}

/// The state after folding `events` into an empty project.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> ProjectState {
    let mut state = ProjectState::default();
    for e in events {
        apply_mut(&mut state, e);
    }
    state
}
