//! Quantities: story points and durations of work.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::ParseError;

/// Longest duration accepted anywhere (an estimate, a worklog): 10,000 hours.
pub const MAX_MINUTES: u32 = 10_000 * 60;

/// Story points, held in tenths so `0.5` is exact: 0 to 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Points(u32);

impl Points {
    const MAX_TENTHS: u32 = 10_000;
    pub fn from_tenths(tenths: u32) -> Result<Self, ParseError> {
        if tenths <= Self::MAX_TENTHS {
            Ok(Self(tenths))
        } else {
            Err(ParseError::Points(format!("{}", tenths as f64 / 10.0)))
        }
    }
    /// Parses `3`, `0.5` or `13`; at most one decimal place.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::Points(raw.to_owned());
        let raw = raw.trim();
        let (whole, tenth) = match raw.split_once('.') {
            Some((w, t)) if t.len() == 1 => (w, t),
            Some(_) => return Err(bad()),
            None => (raw, "0"),
        };
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(tenth) {
            return Err(bad());
        }
        let tenths = whole.parse::<u32>().map_err(|_| bad())? * 10
            + tenth.parse::<u32>().map_err(|_| bad())?;
        Self::from_tenths(tenths).map_err(|_| bad())
    }
    pub fn tenths(self) -> u32 {
        self.0
    }

    /// A sum of points in tenths (a sprint's commitment), stopping at
    /// `u32::MAX` rather than wrapping or panicking: a million issues of
    /// 1000 points each would not fit.
    pub fn total_tenths(all: impl IntoIterator<Item = u32>) -> u32 {
        all.into_iter().fold(0, u32::saturating_add)
    }
}
impl TryFrom<u32> for Points {
    type Error = ParseError;
    fn try_from(t: u32) -> Result<Self, ParseError> {
        Self::from_tenths(t)
    }
}
impl From<Points> for u32 {
    fn from(p: Points) -> u32 {
        p.0
    }
}
impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "{}", self.0 / 10),
            t => write!(f, "{}.{}", self.0 / 10, t),
        }
    }
}

/// A duration of work in whole minutes (estimates, time spent).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Minutes(pub u32);

impl Minutes {
    /// The longest piece of work or estimate anyone can enter: 10,000 hours.
    pub const MAX_WORK: u32 = MAX_MINUTES;

    /// A duration of work entered as a number of minutes (an estimate, time
    /// spent): 0 to [`Self::MAX_WORK`]. Sums of them (time spent on an issue,
    /// timesheet totals) may be larger and are built with [`Self::total`].
    pub fn of_work(raw: u32) -> Result<Self, ParseError> {
        if raw <= Self::MAX_WORK {
            Ok(Self(raw))
        } else {
            Err(ParseError::DurationTooLong(u64::from(raw)))
        }
    }

    /// Whether a user could have entered this as one duration.
    pub fn is_work(self) -> bool {
        self.0 <= Self::MAX_WORK
    }

    /// The sum, stopping at `u32::MAX` minutes (8,000 years) rather than
    /// wrapping or panicking.
    pub fn total(all: impl IntoIterator<Item = Minutes>) -> Self {
        Self(all.into_iter().fold(0, |sum, m| sum.saturating_add(m.0)))
    }
}

impl fmt::Display for Minutes {
    /// Jira's short form with 8-hour days and 5-day weeks: `1w 2d 3h 30m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0m");
        }
        let units = [("w", 5 * 8 * 60), ("d", 8 * 60), ("h", 60), ("m", 1)];
        let mut rest = self.0;
        let mut parts = Vec::new();
        for (suffix, size) in units {
            if rest >= size {
                parts.push(format!("{}{suffix}", rest / size));
                rest %= size;
            }
        }
        f.write_str(&parts.join(" "))
    }
}
