//! Identifiers and small value types. Each one parses from untrusted input
//! exactly once; holding a value of the type is the proof that it is valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::error::ParseError;

/// Implements `Display`, `FromStr` and string-based serde for a newtype whose
/// canonical form is a string, so stored JSON and URLs use one spelling.
macro_rules! string_form {
    ($ty:ty) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.canonical())
            }
        }
        impl FromStr for $ty {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse(s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.canonical())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(super) use string_form;

/// A project key such as `ABC`: 2–10 uppercase ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectKey(String);

impl ProjectKey {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok_len = (Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len());
        if ok_len && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::ProjectKey(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(ProjectKey);

/// Trims `raw` and checks it is non-empty and at most `max` characters.
fn bounded_text(raw: &str, max: usize, what: &'static str) -> Result<String, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty(what.into()));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ParseError::TooLong {
            what: what.into(),
            max,
            len,
        });
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(ParseError::ControlCharacter(what.into()));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                bounded_text(raw, Self::MAX_CHARS, $what).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            fn canonical(&self) -> String {
                self.0.clone()
            }
        }
        string_form!($name);
    };
}

text_newtype!(
    /// A project's display name, trimmed, 1–80 characters.
    ProjectName,
    80,
    "project name"
);
text_newtype!(
    /// An issue's summary line, trimmed, 1–255 characters.
    Title,
    255,
    "title"
);
text_newtype!(
    /// A workflow status (board column) name, 1–40 characters.
    StatusName,
    40,
    "status name"
);
text_newtype!(
    /// A sprint's name, 1–80 characters.
    SprintName,
    80,
    "sprint name"
);
text_newtype!(
    /// A person's name as shown (profile), 1–60 characters.
    DisplayName,
    60,
    "display name"
);
text_newtype!(
    /// A saved filter's name, 1–60 characters.
    FilterName,
    60,
    "filter name"
);

/// Free text (description, sprint goal): may be empty, bounded in size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 32_000;
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let len = raw.chars().count();
        if len > Self::MAX_CHARS {
            return Err(ParseError::TooLong {
                what: "text".into(),
                max: Self::MAX_CHARS,
                len,
            });
        }
        Ok(Self(raw.trim_end().to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for LongText {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}
impl From<LongText> for String {
    fn from(t: LongText) -> String {
        t.0
    }
}

/// A user's handle, the actor recorded on every event: 1–32 of `a-z 0-9 _ . -`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if (1..=32).contains(&raw.len()) && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::UserName(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Up to two letters for an avatar: `alice` → `AL`, `mary.jones` → `MJ`.
    pub fn initials(&self) -> String {
        let parts: Vec<&str> = self
            .0
            .split(['.', '_', '-'])
            .filter(|p| !p.is_empty())
            .collect();
        let letters: String = match parts.as_slice() {
            [first, second, ..] => first
                .chars()
                .take(1)
                .chain(second.chars().take(1))
                .collect(),
            _ => self.0.chars().take(2).collect(),
        };
        letters.to_uppercase()
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(UserName);

/// A label: 1–40 characters, no whitespace (as in Jira).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        if (1..=40).contains(&raw.chars().count()) && !raw.chars().any(char::is_whitespace) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::Label(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(Label);

/// The per-project issue counter value: the `123` in `ABC-123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssueNumber(pub u32);

impl fmt::Display for IssueNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An issue key such as `ABC-123`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssueKey {
    pub project: ProjectKey,
    pub number: IssueNumber,
}

impl IssueKey {
    pub fn new(project: ProjectKey, number: IssueNumber) -> Self {
        Self { project, number }
    }
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::IssueKey(raw.to_owned());
        let (project, number) = raw.split_once('-').ok_or_else(bad)?;
        let project = ProjectKey::parse(project).map_err(|_| bad())?;
        let digits_only = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        let number: u32 = if digits_only {
            number.parse().map_err(|_| bad())?
        } else {
            0
        };
        if number == 0 {
            return Err(bad());
        }
        Ok(Self {
            project,
            number: IssueNumber(number),
        })
    }
    fn canonical(&self) -> String {
        format!("{}-{}", self.project, self.number)
    }
}
string_form!(IssueKey);

/// A workflow status's stable id within its project (names can be renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusId(pub u32);

/// A sprint's number within its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SprintNumber(pub u32);

/// Client-chosen id of one command; a repeat of it is answered from the
/// record of the first, so offline replays and retries are safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(pub uuid::Uuid);

impl CommandId {
    /// Builds an id from 16 random bytes (the caller owns the entropy source,
    /// so this module stays free of I/O).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

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
    pub const MAX_WORK: u32 = super::duration::MAX_MINUTES;

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

/// The largest position in the event log (a global sequence number or a
/// stream version) a client may name: what SQLite's signed integers hold.
pub const MAX_LOG_POSITION: u64 = i64::MAX as u64;

/// A log position a client sent (`after`, `at`), refused beyond
/// [`MAX_LOG_POSITION`] rather than wrapped into a negative number.
pub fn log_position(raw: u64) -> Result<u64, ParseError> {
    if raw <= MAX_LOG_POSITION {
        Ok(raw)
    } else {
        Err(ParseError::LogPositionOutOfRange(raw))
    }
}

/// A worklog's number within its issue: 1, 2, 3…
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorklogNumber(pub u32);

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
