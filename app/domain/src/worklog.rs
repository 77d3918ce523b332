//! Worklogs: who worked how long on an issue, starting when, and what that
//! does to the remaining estimate (Jira's adjustment modes).

use serde::{Deserialize, Serialize};

use super::ids::*;
use super::quantity::Minutes;
use super::time::UtcTime;

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
