//! The bounds a client's numbers must keep, checked before any command runs.

use super::command::Command;
use super::error::ParseError;
use super::quantity::Minutes;
use super::worklog::{RemainingAdjustment, WorkEntry};

/// A number of a command that is out of its range: the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct OutOfRange {
    pub field: &'static str,
    pub error: ParseError,
}

impl Command {
    /// Checks the numbers a client chose against the bounds its forms have.
    /// Stored events deserialize without these checks (so nothing already
    /// stored fails to load); every command is checked here before it runs,
    /// whichever way it came (form, REST, offline replay, raw JSON).
    pub fn check_bounds(&self) -> Result<(), OutOfRange> {
        let work = |field: &'static str, m: Option<Minutes>| match m {
            Some(m) if !m.is_work() => Err(OutOfRange {
                field,
                error: ParseError::DurationTooLong(u64::from(m.0)),
            }),
            _ => Ok(()),
        };
        let entry = |e: &WorkEntry, adjust: &RemainingAdjustment| {
            if !e.started.in_range() {
                return Err(OutOfRange {
                    field: "started",
                    error: ParseError::TimeOutOfRange(e.started.unix_ms()),
                });
            }
            work("spent", Some(e.spent))?;
            work("remaining_by", adjust.amount())
        };
        match self {
            Self::CreateIssue(new) => work("original_estimate", new.original_estimate),
            Self::UpdateIssue { patch, .. } => {
                work("original_estimate", patch.original_estimate.flatten())?;
                work("remaining_estimate", patch.remaining_estimate.flatten())
            }
            Self::LogWork {
                entry: e,
                remaining,
                ..
            }
            | Self::UpdateWorklog {
                entry: e,
                remaining,
                ..
            } => entry(e, remaining),
            Self::DeleteWorklog { remaining, .. } => work("remaining_by", remaining.amount()),
            _ => Ok(()),
        }
    }
}
