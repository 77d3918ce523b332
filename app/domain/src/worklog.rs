//! Worklogs: who worked how long on an issue, starting when, and what that
//! does to the issue's remaining estimate (Jira's adjustment modes).

use serde::{Deserialize, Serialize};

use super::duration::MAX_MINUTES;
use super::error::DomainError;
use super::event::Event;
use super::ids::*;
use super::model::Issue;

/// Worklogs per issue; an issue logged every working day for 40 years fits.
pub const MAX_WORKLOGS: usize = 10_000;

/// The part of a worklog its author enters (and may later edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkEntry {
    pub started: UtcTime,
    pub spent: Minutes,
    #[serde(default)]
    pub comment: LongText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worklog {
    pub number: WorklogNumber,
    pub author: UserName,
    #[serde(flatten)]
    pub entry: WorkEntry,
}

/// What logging, editing or deleting work does to the remaining estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "by", rename_all = "snake_case")]
pub enum RemainingAdjustment {
    /// Log: reduce by the time spent. Edit: by how much the time spent grew
    /// (or give back what it shrank). Delete: give the time spent back.
    /// Never below zero; an unset estimate stays unset.
    #[default]
    Auto,
    /// Leave the remaining estimate as it is.
    Leave,
    /// Set the remaining estimate to this.
    Set(Minutes),
    /// Log: reduce by this much. Delete: increase by this much. Not for edits.
    Manual(Minutes),
}

impl RemainingAdjustment {
    /// Whether it sets an absolute value. Relative adjustments commute with
    /// concurrent worklogs; setting one conflicts with a concurrent estimate edit.
    pub fn sets_value(self) -> bool {
        matches!(self, Self::Set(_))
    }

    /// The duration it sets or moves by, if any.
    pub fn amount(self) -> Option<Minutes> {
        match self {
            Self::Set(m) | Self::Manual(m) => Some(m),
            Self::Auto | Self::Leave => None,
        }
    }
}

fn check_duration(m: Minutes) -> Result<(), DomainError> {
    if m.0 > MAX_MINUTES {
        Err(DomainError::DurationTooLong)
    } else {
        Ok(())
    }
}

fn check_entry(entry: &WorkEntry, adjust: RemainingAdjustment) -> Result<(), DomainError> {
    if entry.spent.0 == 0 {
        return Err(DomainError::NoTimeSpent);
    }
    check_duration(entry.spent)?;
    match adjust {
        RemainingAdjustment::Set(m) | RemainingAdjustment::Manual(m) => check_duration(m),
        _ => Ok(()),
    }
}

/// The remaining estimate after adding `delta` minutes of work (negative:
/// work taken away), under `adjust`; `Manual` moves it by its own amount in
/// the direction of `delta`.
fn remaining_after(
    current: Option<Minutes>,
    adjust: RemainingAdjustment,
    delta: i64,
) -> Option<Minutes> {
    let shift = |by: i64| {
        current.map(|r| Minutes((i64::from(r.0) - by).clamp(0, i64::from(MAX_MINUTES)) as u32))
    };
    match adjust {
        RemainingAdjustment::Auto => shift(delta),
        RemainingAdjustment::Leave => current,
        RemainingAdjustment::Set(m) => Some(m),
        RemainingAdjustment::Manual(m) => shift(i64::from(m.0) * delta.signum()),
    }
}

/// The estimate event, if the remaining estimate changes.
fn estimate_event(issue: &Issue, remaining: Option<Minutes>) -> Option<Event> {
    (remaining != issue.remaining_estimate).then_some(Event::IssueRemainingEstimateChanged {
        issue: issue.key.number,
        estimate: remaining,
    })
}

fn worklog(issue: &Issue, n: WorklogNumber) -> Result<&Worklog, DomainError> {
    issue
        .worklogs
        .get(&n)
        .ok_or_else(|| DomainError::WorklogNotFound(issue.key.clone(), n.0))
}

pub(super) fn log_work(
    issue: &Issue,
    author: &UserName,
    entry: &WorkEntry,
    adjust: RemainingAdjustment,
) -> Result<Vec<Event>, DomainError> {
    check_entry(entry, adjust)?;
    if issue.worklogs.len() >= MAX_WORKLOGS {
        return Err(DomainError::TooManyWorklogs(MAX_WORKLOGS));
    }
    let remaining = remaining_after(issue.remaining_estimate, adjust, i64::from(entry.spent.0));
    let logged = Event::WorkLogged {
        issue: issue.key.number,
        worklog: WorklogNumber(issue.last_worklog + 1),
        author: author.clone(),
        entry: entry.clone(),
    };
    Ok(std::iter::once(logged)
        .chain(estimate_event(issue, remaining))
        .collect())
}

pub(super) fn update_worklog(
    issue: &Issue,
    n: WorklogNumber,
    entry: &WorkEntry,
    adjust: RemainingAdjustment,
) -> Result<Vec<Event>, DomainError> {
    if matches!(adjust, RemainingAdjustment::Manual(_)) {
        return Err(DomainError::ManualAdjustOnEdit);
    }
    check_entry(entry, adjust)?;
    let old = worklog(issue, n)?;
    if old.entry == *entry && !adjust.sets_value() {
        return Ok(vec![]);
    }
    let delta = i64::from(entry.spent.0) - i64::from(old.entry.spent.0);
    let remaining = remaining_after(issue.remaining_estimate, adjust, delta);
    let updated = (old.entry != *entry).then(|| Event::WorklogUpdated {
        issue: issue.key.number,
        worklog: n,
        entry: entry.clone(),
    });
    Ok(updated
        .into_iter()
        .chain(estimate_event(issue, remaining))
        .collect())
}

pub(super) fn delete_worklog(
    issue: &Issue,
    n: WorklogNumber,
    adjust: RemainingAdjustment,
) -> Result<Vec<Event>, DomainError> {
    if let RemainingAdjustment::Set(m) | RemainingAdjustment::Manual(m) = adjust {
        check_duration(m)?;
    }
    let old = worklog(issue, n)?;
    let remaining = remaining_after(
        issue.remaining_estimate,
        adjust,
        -i64::from(old.entry.spent.0),
    );
    let deleted = Event::WorklogDeleted {
        issue: issue.key.number,
        worklog: n,
    };
    Ok(std::iter::once(deleted)
        .chain(estimate_event(issue, remaining))
        .collect())
}
