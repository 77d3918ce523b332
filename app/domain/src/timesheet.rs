//! The timesheet: time logged in a date range, per user per day, and rolled
//! up per issue, epic and sprint. Pure: the server feeds it the rows of its
//! `worklogs` projection and the project's current state.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::ids::*;
use super::model::{IssueType, ProjectState};
use super::quantity::Minutes;
use super::time::Date;

/// Longest range a timesheet covers, in days.
pub const MAX_TIMESHEET_DAYS: i64 = 92;

/// Minutes logged on one issue by one author on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedTime {
    pub issue: IssueNumber,
    pub author: UserName,
    pub day: Date,
    pub minutes: Minutes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTime {
    pub user: UserName,
    /// One entry per day of the range, in order.
    pub per_day: Vec<Minutes>,
    pub total: Minutes,
}

/// Time logged on one issue, an epic (with its children and their
/// sub-tasks) or a sprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTime {
    /// An issue key, or `None` for "no epic" / "no sprint".
    pub key: Option<String>,
    pub label: String,
    pub logged: Minutes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timesheet {
    pub from: Date,
    pub to: Date,
    pub days: Vec<Date>,
    pub users: Vec<UserTime>,
    pub per_day: Vec<Minutes>,
    pub issues: Vec<GroupTime>,
    pub epics: Vec<GroupTime>,
    pub sprints: Vec<GroupTime>,
    pub total: Minutes,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RangeError {
    #[error("the range ends before it starts")]
    Reversed,
    #[error("a timesheet covers at most {MAX_TIMESHEET_DAYS} days")]
    TooLong,
}

/// The days `from..=to`, if that is a valid timesheet range.
pub fn days_between(from: Date, to: Date) -> Result<Vec<Date>, RangeError> {
    let span = to.days_since_epoch() - from.days_since_epoch();
    if span < 0 {
        return Err(RangeError::Reversed);
    }
    if span >= MAX_TIMESHEET_DAYS {
        return Err(RangeError::TooLong);
    }
    Ok(std::iter::successors(Some(from), |d| Some(d.next()))
        .take(span as usize + 1)
        .collect())
}

fn add(m: &mut Minutes, more: Minutes) {
    m.0 = m.0.saturating_add(more.0);
}

impl Timesheet {
    pub fn build(
        state: &ProjectState,
        from: Date,
        to: Date,
        rows: &[LoggedTime],
    ) -> Result<Self, RangeError> {
        let days = days_between(from, to)?;
        let column = |d: Date| days.iter().position(|x| *x == d);
        let mut users: BTreeMap<&UserName, Vec<Minutes>> = BTreeMap::new();
        let mut issues: BTreeMap<IssueNumber, Minutes> = BTreeMap::new();
        let mut epics: BTreeMap<Option<IssueNumber>, Minutes> = BTreeMap::new();
        let mut sprints: BTreeMap<Option<SprintNumber>, Minutes> = BTreeMap::new();
        let mut per_day = vec![Minutes(0); days.len()];
        for row in rows {
            let Some(col) = column(row.day) else { continue };
            add(
                &mut users
                    .entry(&row.author)
                    .or_insert_with(|| vec![Minutes(0); days.len()])[col],
                row.minutes,
            );
            add(&mut per_day[col], row.minutes);
            add(issues.entry(row.issue).or_default(), row.minutes);
            add(
                epics.entry(epic_of(state, row.issue)).or_default(),
                row.minutes,
            );
            add(
                sprints.entry(sprint_of(state, row.issue)).or_default(),
                row.minutes,
            );
        }
        let key = |n: IssueNumber| {
            state
                .issue(n)
                .map_or_else(|| n.to_string(), |i| i.key.to_string())
        };
        let title = |n: IssueNumber| {
            state
                .issue(n)
                .map(|i| i.title.to_string())
                .unwrap_or_default()
        };
        let total = Minutes::total(per_day.iter().copied());
        Ok(Self {
            from,
            to,
            users: users
                .into_iter()
                .map(|(user, per_day)| UserTime {
                    user: user.clone(),
                    total: Minutes::total(per_day.iter().copied()),
                    per_day,
                })
                .collect(),
            days,
            per_day,
            issues: issues
                .into_iter()
                .map(|(n, logged)| GroupTime {
                    key: Some(key(n)),
                    label: title(n),
                    logged,
                })
                .collect(),
            epics: epics
                .into_iter()
                .map(|(n, logged)| GroupTime {
                    key: n.map(key),
                    label: n.map_or_else(|| "No epic".into(), title),
                    logged,
                })
                .collect(),
            sprints: sprints
                .into_iter()
                .map(|(n, logged)| GroupTime {
                    key: None,
                    label: n.map_or_else(
                        || "No sprint".into(),
                        |n| {
                            state
                                .sprints
                                .get(&n)
                                .map_or_else(|| format!("Sprint {}", n.0), |s| s.name.to_string())
                        },
                    ),
                    logged,
                })
                .collect(),
            total,
        })
    }
}

/// The epic an issue's time counts towards: itself, its parent, or (for a
/// sub-task) its parent's parent.
fn epic_of(state: &ProjectState, n: IssueNumber) -> Option<IssueNumber> {
    let mut current = state.issue(n)?;
    for _ in 0..3 {
        if current.issue_type == IssueType::Epic {
            return Some(current.key.number);
        }
        current = state.issue(current.parent?)?;
    }
    None
}

/// The sprint an issue's time counts towards: its own, or its parent's for
/// a sub-task (which follows its parent, as in Jira).
fn sprint_of(state: &ProjectState, n: IssueNumber) -> Option<SprintNumber> {
    let issue = state.issue(n)?;
    match issue.issue_type {
        IssueType::SubTask => issue
            .parent
            .and_then(|p| state.issue(p))
            .and_then(|p| p.sprint),
        _ => issue.sprint,
    }
}
