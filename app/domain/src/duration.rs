//! Durations of work in Jira's notation, `1w 2d 3h 30m`, against a project's
//! working calendar (hours per day, days per week): a "day" of work is 8
//! hours by default, not 24.

use serde::{Deserialize, Serialize};

use super::error::{ParseError, Text};
pub use super::quantity::MAX_MINUTES;
use super::quantity::Minutes;

/// How long a working day and week are, for turning `2d` into minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarFields", into = "CalendarFields")]
pub struct WorkCalendar {
    hours_per_day: u8,
    days_per_week: u8,
}

/// The serialized form, checked on the way in.
#[derive(Serialize, Deserialize)]
struct CalendarFields {
    hours_per_day: u8,
    days_per_week: u8,
}

impl TryFrom<CalendarFields> for WorkCalendar {
    type Error = ParseError;
    fn try_from(c: CalendarFields) -> Result<Self, ParseError> {
        Self::new(c.hours_per_day, c.days_per_week)
    }
}

impl From<WorkCalendar> for CalendarFields {
    fn from(c: WorkCalendar) -> Self {
        Self {
            hours_per_day: c.hours_per_day,
            days_per_week: c.days_per_week,
        }
    }
}

impl Default for WorkCalendar {
    /// Jira's defaults: 8-hour days, 5-day weeks.
    fn default() -> Self {
        Self {
            hours_per_day: 8,
            days_per_week: 5,
        }
    }
}

impl WorkCalendar {
    pub fn new(hours_per_day: u8, days_per_week: u8) -> Result<Self, ParseError> {
        if !(1..=24).contains(&hours_per_day) || !(1..=7).contains(&days_per_week) {
            return Err(ParseError::Calendar {
                hours_per_day,
                days_per_week,
            });
        }
        Ok(Self {
            hours_per_day,
            days_per_week,
        })
    }

    pub fn hours_per_day(self) -> u8 {
        self.hours_per_day
    }

    pub fn days_per_week(self) -> u8 {
        self.days_per_week
    }

    fn units(self) -> [(char, u32); 4] {
        let day = u32::from(self.hours_per_day) * 60;
        [
            ('w', day * u32::from(self.days_per_week)),
            ('d', day),
            ('h', 60),
            ('m', 1),
        ]
    }

    /// Parses `1w 2d 3h 30m`: each part a number (decimals allowed, `1.5h`)
    /// and a unit, each unit at most once, in any order, spaces optional.
    /// Fractions round to the nearest minute.
    pub fn parse(self, raw: &str) -> Result<Minutes, ParseError> {
        let err = |column: usize, reason: &'static str| ParseError::Duration {
            input: raw.to_owned(),
            column: column + 1,
            reason: Text::Borrowed(reason),
        };
        let text = raw.trim_end();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut seen = [false; 4];
        let mut total: u64 = 0;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
            let start = i;
            let (thousandths, end) = number(bytes, i)
                .ok_or_else(|| err(start, "expected a number, as in 3h or 1.5d"))?;
            i = end;
            let Some(&unit) = bytes.get(i) else {
                return Err(err(i, "a unit is missing: w, d, h or m"));
            };
            let Some(slot) = self
                .units()
                .iter()
                .position(|(u, _)| *u == unit.to_ascii_lowercase() as char)
            else {
                return Err(err(i, "unknown unit: use w, d, h or m"));
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(err(i, "this unit appears twice"));
            }
            i += 1;
            if bytes
                .get(i)
                .is_some_and(|b| !b.is_ascii_whitespace() && !b.is_ascii_digit())
            {
                return Err(err(i, "unexpected character after the unit"));
            }
            total += (thousandths * u64::from(self.units()[slot].1) + 500) / 1000;
            if total > u64::from(MAX_MINUTES) {
                return Err(err(start, "too long: at most 10000h"));
            }
        }
        if !seen.contains(&true) {
            return Err(err(0, "empty: write a duration such as 2h 30m"));
        }
        Ok(Minutes(total as u32))
    }

    /// The short form, largest units first: `1w 2d 3h 30m`; zero is `0m`.
    pub fn format(self, m: Minutes) -> String {
        if m.0 == 0 {
            return "0m".into();
        }
        let mut rest = m.0;
        let mut parts = Vec::new();
        for (unit, size) in self.units() {
            if rest >= size {
                parts.push(format!("{}{unit}", rest / size));
                rest %= size;
            }
        }
        parts.join(" ")
    }
}

/// A decimal number at `bytes[i..]` in thousandths (at most 3 decimals, at
/// most 7 integer digits), and where it ends.
fn number(bytes: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let digits = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let int_len = digits(i);
    if int_len == 0 || int_len > 7 {
        return None;
    }
    let int: u64 = std::str::from_utf8(&bytes[i..i + int_len])
        .ok()?
        .parse()
        .ok()?;
    i += int_len;
    let mut frac = 0;
    if bytes.get(i) == Some(&b'.') {
        let frac_len = digits(i + 1);
        if frac_len == 0 || frac_len > 3 {
            return None;
        }
        let text = std::str::from_utf8(&bytes[i + 1..i + 1 + frac_len]).ok()?;
        frac = text.parse::<u64>().ok()? * 10u64.pow(3 - frac_len as u32);
        i += 1 + frac_len;
    }
    Some((int * 1000 + frac, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jira() -> WorkCalendar {
        WorkCalendar::default()
    }

    fn column_of(raw: &str, cal: WorkCalendar) -> usize {
        match cal.parse(raw) {
            Err(ParseError::Duration { column, .. }) => column,
            other => panic!("{raw:?} should fail, got {other:?}"),
        }
    }

    #[test]
    fn parses_jira_notation_with_the_calendar() {
        let cal = jira();
        assert_eq!(
            cal.parse("1w 2d 3h 30m"),
            Ok(Minutes(2400 + 960 + 180 + 30))
        );
        assert_eq!(cal.parse("30m"), Ok(Minutes(30)));
        assert_eq!(cal.parse("1h30m"), Ok(Minutes(90)));
        assert_eq!(cal.parse("  2H 15M "), Ok(Minutes(135)));
        assert_eq!(cal.parse("30m 1h"), Ok(Minutes(90)));
        assert_eq!(cal.parse("1.5h"), Ok(Minutes(90)));
        assert_eq!(cal.parse("0.5d"), Ok(Minutes(240)));
        assert_eq!(cal.parse("0.01h"), Ok(Minutes(1)), "0.6 min rounds to 1");
        assert_eq!(cal.parse("0m"), Ok(Minutes(0)));
        let short = WorkCalendar::new(6, 4).unwrap();
        assert_eq!(short.parse("1w 1d"), Ok(Minutes(24 * 60 + 6 * 60)));
    }

    #[test]
    fn errors_point_at_the_column() {
        let cal = jira();
        assert_eq!(column_of("2", cal), 2, "unit missing after the number");
        assert_eq!(column_of("2x", cal), 2);
        assert_eq!(column_of("1h 2h", cal), 5);
        assert_eq!(column_of("1h abc", cal), 4);
        assert_eq!(column_of("1.h", cal), 1);
        assert_eq!(column_of("3hours", cal), 3);
        assert_eq!(column_of("", cal), 1);
        assert_eq!(column_of("   ", cal), 1);
        assert_eq!(column_of("-1h", cal), 1);
        assert_eq!(column_of("10001h", cal), 1);
        assert_eq!(column_of("99999999h", cal), 1);
        let err = cal.parse("2x").unwrap_err().to_string();
        assert!(
            err.contains("column 2") && err.contains("unknown unit"),
            "{err}"
        );
    }

    #[test]
    fn formats_largest_units_first() {
        let cal = jira();
        assert_eq!(cal.format(Minutes(0)), "0m");
        assert_eq!(cal.format(Minutes(90)), "1h 30m");
        assert_eq!(cal.format(Minutes(2400 + 960 + 180 + 30)), "1w 2d 3h 30m");
        assert_eq!(cal.format(Minutes(480)), "1d");
        assert_eq!(
            WorkCalendar::new(6, 4).unwrap().format(Minutes(480)),
            "1d 2h"
        );
    }

    #[test]
    fn calendars_are_bounded() {
        assert!(WorkCalendar::new(0, 5).is_err());
        assert!(WorkCalendar::new(25, 5).is_err());
        assert!(WorkCalendar::new(8, 8).is_err());
        assert!(WorkCalendar::new(24, 7).is_ok());
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(
            m in 0u32..=MAX_MINUTES,
            hours in 1u8..=24,
            days in 1u8..=7,
        ) {
            let cal = WorkCalendar::new(hours, days).unwrap();
            prop_assert_eq!(cal.parse(&cal.format(Minutes(m))), Ok(Minutes(m)));
        }
    }
}
