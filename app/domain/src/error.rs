//! Bad input: `ParseError`, the bottom of the crate (it names no other
//! module). It carries the offending value so the message can be shown to
//! the user as it is.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Static text in errors that must also deserialize (owned on the way in).
pub type Text = Cow<'static, str>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ParseError {
    #[error("the key must be 2–10 uppercase letters A–Z, like ABC (got \"{0}\")")]
    ProjectKey(String),
    #[error("\"{0}\" is not an issue key like ABC-123")]
    IssueKey(String),
    #[error("the {0} must not be empty")]
    Empty(Text),
    #[error("the {what} is too long: {len} characters, at most {max}")]
    TooLong { what: Text, max: usize, len: usize },
    #[error("the {0} must not contain control characters")]
    ControlCharacter(Text),
    #[error("\"{0}\" is not a user name (1–32 of a–z, 0–9, _ . -)")]
    UserName(String),
    #[error("\"{0}\" is not a label (1–40 characters, no spaces)")]
    Label(String),
    #[error("\"{0}\" is not a number of story points (0–1000, at most one decimal)")]
    Points(String),
    #[error("\"{0}\" is not a date like 2026-11-21")]
    Date(String),
    #[error("\"{0}\" is not a rank key")]
    Rank(String),
    #[error("\"{input}\" is not a duration like 1w 2d 3h 30m: {reason} (column {column})")]
    Duration {
        input: String,
        /// 1-based, for pointing at the character in the input.
        column: usize,
        reason: Text,
    },
    #[error(
        "a working day is 1–24 hours and a week 1–7 days (got {hours_per_day} h, {days_per_week} d)"
    )]
    Calendar {
        hours_per_day: u8,
        days_per_week: u8,
    },
    #[error("\"{0}\" is not a time like 2026-11-21 09:30 (UTC)")]
    Time(String),
    #[error(
        "{0} is not a time between 1970-01-01 00:00 and 9999-12-31 23:59 UTC (in Unix milliseconds)"
    )]
    TimeOutOfRange(i64),
    #[error("{0} is beyond the last possible sequence number (at most 9223372036854775807)")]
    LogPositionOutOfRange(u64),
    #[error("a duration can be at most 10000h, that is 600000 minutes (got {0} minutes)")]
    DurationTooLong(u64),
    #[error("\"{0}\" is not an e-mail address like ada@example.com")]
    Email(String),
    #[error("a password is {min}–{max} characters (got {len})")]
    PasswordLength { min: usize, max: usize, len: usize },
    #[error("\"{0}\" is not a theme (system, light or dark)")]
    Theme(String),
}
