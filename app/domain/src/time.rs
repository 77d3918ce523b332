//! Calendar dates and UTC times, shown the same on the server and in the
//! browser.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::error::ParseError;
use super::ids::string_form;

/// A calendar date `YYYY-MM-DD` (sprint dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The UTC calendar day of a Unix time in milliseconds (Howard Hinnant's
    /// days-to-civil algorithm).
    /// Times outside 1970–9999 give the first or last day of that span.
    pub fn from_unix_ms(ms: i64) -> Self {
        let ms = ms.clamp(UtcTime::MIN_MS, UtcTime::MAX_MS);
        let z = ms.div_euclid(86_400_000) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(0, 9999) as u16;
        Self { year, month, day }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::Date(raw.to_owned());
        let b = raw.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(bad());
        }
        let year: u16 = raw[0..4].parse().map_err(|_| bad())?;
        let month: u8 = raw[5..7].parse().map_err(|_| bad())?;
        let day: u8 = raw[8..10].parse().map_err(|_| bad())?;
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if !(1..=days_in_month).contains(&day) || year < 1970 {
            return Err(bad());
        }
        Ok(Self { year, month, day })
    }
    fn canonical(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
string_form!(Date);

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The next calendar day (9999-12-31 stays itself).
    pub fn next(self) -> Self {
        Self::from_unix_ms((self.days_since_epoch() + 1) * 86_400_000)
    }

    /// The date `n` days earlier (never before 1970-01-01).
    pub fn days_before(self, n: i64) -> Self {
        Self::from_unix_ms(
            self.days_since_epoch()
                .saturating_sub(n)
                .saturating_mul(86_400_000),
        )
    }
}

/// A moment to the minute, stored as Unix milliseconds, shown and entered in
/// UTC (`2026-11-21 09:30`): when a piece of work started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcTime(i64);

impl UtcTime {
    /// 1970-01-01 00:00 UTC: the earliest date a form accepts.
    pub const MIN_MS: i64 = 0;
    /// 9999-12-31 23:59 UTC: the last minute with a four-digit year.
    pub const MAX_MS: i64 = 253_402_300_740_000;

    /// A time entered as Unix milliseconds: refused outside
    /// [`Self::MIN_MS`]..=[`Self::MAX_MS`], rounded down to the minute.
    pub fn new(ms: i64) -> Result<Self, ParseError> {
        if (Self::MIN_MS..=Self::MAX_MS).contains(&ms) {
            Ok(Self::from_unix_ms(ms))
        } else {
            Err(ParseError::TimeOutOfRange(ms))
        }
    }

    /// A time from a trusted source (the server's clock, a stored row),
    /// brought into range rather than refused, so it can never panic.
    pub fn from_unix_ms(ms: i64) -> Self {
        let ms = ms.clamp(Self::MIN_MS, Self::MAX_MS);
        Self(ms - ms % 60_000)
    }

    /// Whether the time is one [`Self::new`] accepts (a deserialized value
    /// is taken as it is, so stored events always load).
    pub fn in_range(self) -> bool {
        (Self::MIN_MS..=Self::MAX_MS).contains(&self.0)
    }

    pub fn unix_ms(self) -> i64 {
        self.0
    }

    pub fn date(self) -> Date {
        Date::from_unix_ms(self.0)
    }

    /// `2026-11-21 09:30`, `2026-11-21T09:30` (an HTML datetime-local) or a
    /// bare date (midnight).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::Time(raw.to_owned());
        let text = raw.trim().trim_end_matches("UTC").trim_end();
        let (day, clock) = match text.len() {
            10 => (text, "00:00"),
            16 if matches!(text.as_bytes()[10], b' ' | b'T') => (&text[..10], &text[11..]),
            _ => return Err(bad()),
        };
        let date = Date::parse(day).map_err(|_| bad())?;
        let (h, m) = clock.split_once(':').ok_or_else(bad)?;
        let all_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(h) || !all_digits(m) {
            return Err(bad());
        }
        let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(Self((date.days_since_epoch() * 1440 + h * 60 + m) * 60_000))
    }

    /// The HTML datetime-local form, `2026-11-21T09:30`.
    pub fn html_value(self) -> String {
        utc_minute(self.0)
            .trim_end_matches(" UTC")
            .replacen(' ', "T", 1)
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&utc_minute(self.0))
    }
}

/// A Unix time in milliseconds as `2026-11-21 08:04 UTC`: the same text on
/// the server and in the browser, so rendering never depends on a time zone.
/// Times outside 1970–9999 show as its first or last minute.
pub fn utc_minute(ms: i64) -> String {
    let ms = ms.clamp(UtcTime::MIN_MS, UtcTime::MAX_MS);
    let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!(
        "{} {:02}:{:02} UTC",
        Date::from_unix_ms(ms),
        minutes / 60,
        minutes % 60
    )
}
