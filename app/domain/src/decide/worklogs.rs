//! Rules for worklogs and the remaining estimate they move.

use crate::event::Event;
use crate::ids::{UserName, WorklogNumber};
use crate::model::Issue;
use crate::quantity::{MAX_MINUTES, Minutes};
use crate::refusal::DomainError;
use crate::worklog::{MAX_WORKLOGS, RemainingAdjustment, WorkEntry, Worklog};

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
