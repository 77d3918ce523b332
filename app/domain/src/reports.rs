//! Reports computed from the event log, so every figure traces to events:
//! the sprint burndown (points and remaining time per day, the ideal line,
//! scope changes), velocity (committed vs completed per sprint) and the
//! cumulative flow (issues per status per day).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::apply::apply_mut;
use super::event::Event;
use super::ids::*;
use super::log::Recorded;
use super::model::{ProjectState, SprintState};
use super::quantity::Points;
use super::time::Date;
use super::timesheet::{RangeError, days_between};

/// One day of a burndown: what was left at the end of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurndownDay {
    pub day: Date,
    pub points_tenths: u32,
    pub remaining_minutes: u32,
}

/// Work added to or removed from a sprint after it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub day: Date,
    pub issue: IssueNumber,
    /// Story points added (positive) or removed (negative), in tenths.
    pub delta_tenths: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burndown {
    pub sprint: SprintNumber,
    pub name: SprintName,
    pub start: Date,
    pub end: Date,
    pub committed_tenths: u32,
    /// From the start to the end, today or the completion, whichever is first.
    pub days: Vec<BurndownDay>,
    /// The straight line from the commitment to zero, one value per day of
    /// the whole sprint.
    pub ideal_tenths: Vec<u32>,
    pub scope: Vec<ScopeChange>,
}

/// What is left in `sprint` now: points and remaining estimate of its
/// issues that are not done.
fn left_in(state: &ProjectState, sprint: SprintNumber) -> (u32, u32) {
    state
        .sprint_issues(sprint)
        .into_iter()
        .filter(|i| !state.is_done(i))
        .fold((0u32, 0u32), |(p, m), i| {
            (
                p.saturating_add(i.points_tenths()),
                m.saturating_add(i.remaining_estimate.map_or(0, |r| r.0)),
            )
        })
}

/// The points an event adds to (or takes from) `sprint`, judged on the
/// state just before it.
fn scope_delta(before: &ProjectState, event: &Event, sprint: SprintNumber) -> i64 {
    let points = |n: &IssueNumber| before.issue(*n).map_or(0, |i| i64::from(i.points_tenths()));
    let in_sprint = |n: &IssueNumber| before.issue(*n).is_some_and(|i| i.sprint == Some(sprint));
    match event {
        Event::IssueCreated {
            sprint: Some(s),
            points: p,
            ..
        } if *s == sprint => p.map_or(0, |p| i64::from(p.tenths())),
        Event::IssueSprintChanged { issue, sprint: to } => {
            match (in_sprint(issue), *to == Some(sprint)) {
                (false, true) => points(issue),
                (true, false) => -points(issue),
                _ => 0,
            }
        }
        Event::IssuePointsChanged { issue, points: p } if in_sprint(issue) => {
            i64::from(p.map_or(0, Points::tenths)) - points(issue)
        }
        _ => 0,
    }
}

/// The value on each day of `days`: the last sample on or before it, or the
/// first sample for days before any.
fn carry_forward<T: Clone>(samples: &BTreeMap<Date, T>, days: &[Date]) -> Vec<(Date, T)> {
    let Some(first) = samples.values().next() else {
        return vec![];
    };
    days.iter()
        .map(|d| {
            let v = samples.range(..=*d).next_back().map_or(first, |(_, v)| v);
            (*d, v.clone())
        })
        .collect()
}

/// The burndown of `sprint` from the project's log (in sequence order), as
/// of `today`. `None` if the sprint never started.
pub fn burndown(log: &[Recorded], sprint: SprintNumber, today: Date) -> Option<Burndown> {
    let mut state = ProjectState::default();
    let mut samples: BTreeMap<Date, (u32, u32)> = BTreeMap::new();
    let mut scope = Vec::new();
    let (mut running, mut closed_on) = (false, None);
    for r in log {
        let day = Date::from_unix_ms(r.at_ms);
        if running {
            let delta = scope_delta(&state, &r.event, sprint);
            if delta != 0 {
                scope.push(ScopeChange {
                    day,
                    issue: match r.stream {
                        super::model::StreamRef::Issue(n) => n,
                        _ => IssueNumber(0),
                    },
                    delta_tenths: delta,
                });
            }
        }
        apply_mut(&mut state, &r.event);
        match &r.event {
            Event::SprintStarted { sprint: s, .. } if *s == sprint => running = true,
            // Sampled before the carry-over events that follow it.
            Event::SprintCompleted { sprint: s } if *s == sprint => {
                samples.insert(day, left_in(&state, sprint));
                running = false;
                closed_on = Some(day);
            }
            _ => {}
        }
        if running {
            samples.insert(day, left_in(&state, sprint));
        }
    }
    let s = state.sprints.get(&sprint)?;
    let (start, end) = (s.start?, s.end?);
    let until = closed_on.unwrap_or(today).min(end);
    let shown = days_between(start, until).unwrap_or_default();
    let all = days_between(start, end).unwrap_or_else(|_| vec![start]);
    let committed = s.committed_tenths.unwrap_or(0);
    let steps = (all.len() as u64).saturating_sub(1).max(1);
    Some(Burndown {
        sprint,
        name: s.name.clone(),
        start,
        end,
        committed_tenths: committed,
        days: carry_forward(&samples, &shown)
            .into_iter()
            .map(|(day, (points_tenths, remaining_minutes))| BurndownDay {
                day,
                points_tenths,
                remaining_minutes,
            })
            .collect(),
        ideal_tenths: (0..all.len() as u64)
            .map(|i| ((u64::from(committed) * (steps - i.min(steps)) + steps / 2) / steps) as u32)
            .collect(),
        scope,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VelocityRow {
    pub sprint: SprintNumber,
    pub name: SprintName,
    pub committed_tenths: u32,
    pub completed_tenths: u32,
}

/// Committed vs completed points of the last `n` closed sprints, oldest first.
pub fn velocity(state: &ProjectState, n: usize) -> Vec<VelocityRow> {
    let closed: Vec<VelocityRow> = state
        .sprints
        .values()
        .filter(|s| s.state == SprintState::Closed)
        .map(|s| VelocityRow {
            sprint: s.number,
            name: s.name.clone(),
            committed_tenths: s.committed_tenths.unwrap_or(0),
            completed_tenths: s.completed_tenths.unwrap_or(0),
        })
        .collect();
    closed[closed.len().saturating_sub(n)..].to_vec()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowDay {
    pub day: Date,
    /// Issues per status, in workflow order (left to right on the board).
    pub counts: Vec<u32>,
}

/// Issues per status at the end of each day of `from..=to`, from the log.
pub fn cumulative_flow(log: &[Recorded], from: Date, to: Date) -> Result<Vec<FlowDay>, RangeError> {
    let days = days_between(from, to)?;
    let mut state = ProjectState::default();
    let mut samples: BTreeMap<Date, Vec<u32>> = BTreeMap::new();
    for r in log {
        let day = Date::from_unix_ms(r.at_ms);
        if day > to {
            break;
        }
        apply_mut(&mut state, &r.event);
        let Some(project) = &state.project else {
            continue;
        };
        let counts = project
            .statuses
            .iter()
            .map(|s| state.issues.values().filter(|i| i.status == s.id).count() as u32)
            .collect();
        samples.insert(day, counts);
    }
    // Days before the first event have nothing yet.
    let width = state.project.as_ref().map_or(0, |p| p.statuses.len());
    let first = samples.keys().next().copied();
    Ok(carry_forward(&samples, &days)
        .into_iter()
        .map(|(day, counts)| FlowDay {
            day,
            counts: if first.is_some_and(|f| day < f) {
                vec![0; width]
            } else {
                let mut c = counts;
                c.resize(width, 0);
                c
            },
        })
        .collect())
}
