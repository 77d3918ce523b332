//! Numbers at and beyond their bounds: refused with an error where a user
//! enters them, and never a panic or an overflow where they are shown or
//! summed.

use super::quantity::{Minutes, Points};
use super::tests::{project_with_issues, user};
use super::time::{Date, UtcTime, utc_minute};
use super::*;

const EXTREME_MS: [i64; 6] = [
    i64::MIN,
    i64::MIN + 1,
    -1,
    UtcTime::MAX_MS + 1,
    i64::MAX - 1,
    i64::MAX,
];

#[test]
fn a_time_outside_1970_to_9999_is_refused_not_a_panic() {
    for ms in EXTREME_MS {
        assert_eq!(
            UtcTime::new(ms),
            Err(ParseError::TimeOutOfRange(ms)),
            "{ms}"
        );
    }
    assert_eq!(UtcTime::new(0).map(UtcTime::unix_ms), Ok(0));
    assert_eq!(
        UtcTime::new(UtcTime::MAX_MS).map(|t| t.to_string()),
        Ok("9999-12-31 23:59 UTC".to_owned())
    );
    assert_eq!(
        UtcTime::new(90_061_001).map(UtcTime::unix_ms),
        Ok(90_060_000),
        "rounded down to the minute"
    );
    let err = UtcTime::new(i64::MIN).unwrap_err().to_string();
    assert!(
        err.contains("1970-01-01") && err.contains("9999-12-31"),
        "{err}"
    );
}

#[test]
fn extreme_times_from_trusted_sources_show_without_panicking() {
    for ms in EXTREME_MS {
        let t = UtcTime::from_unix_ms(ms);
        assert!(t.in_range(), "{ms}");
        let shown = t.to_string();
        assert!(
            shown == "1970-01-01 00:00 UTC" || shown == "9999-12-31 23:59 UTC",
            "{ms}: {shown}"
        );
        assert_eq!(utc_minute(ms), shown);
        assert!(!t.html_value().is_empty());
        let day = Date::from_unix_ms(ms);
        assert!((1970..=9999).contains(&day.year), "{ms}: {day}");
    }
    // A stored (deserialized) value is taken as it is, and still shows.
    let stored: UtcTime = serde_json::from_str(&i64::MIN.to_string()).unwrap();
    assert!(!stored.in_range());
    assert_eq!(stored.to_string(), "1970-01-01 00:00 UTC");
    assert_eq!(stored.date().to_string(), "1970-01-01");
}

#[test]
fn date_arithmetic_stops_at_the_ends_of_the_calendar() {
    let last = Date::parse("9999-12-31").unwrap();
    assert_eq!(last.next(), last);
    let first = Date::parse("1970-01-01").unwrap();
    assert_eq!(first.days_before(1), first);
    assert_eq!(last.days_before(i64::MAX), first);
    assert_eq!(first.days_before(i64::MIN), last);
    for raw in [
        "0000-01-01",
        "1969-12-31",
        "10000-01-01",
        "9999-13-01",
        "-001-01-01",
    ] {
        assert!(Date::parse(raw).is_err(), "{raw}");
    }
    for raw in [
        "1969-12-31 23:59",
        "10000-01-01 00:00",
        "99999999999999999999",
    ] {
        assert!(UtcTime::parse(raw).is_err(), "{raw}");
    }
}

#[test]
fn a_duration_of_work_is_at_most_ten_thousand_hours() {
    assert_eq!(Minutes::of_work(0), Ok(Minutes(0)));
    assert_eq!(Minutes::of_work(MAX_MINUTES), Ok(Minutes(MAX_MINUTES)));
    for raw in [MAX_MINUTES + 1, u32::MAX] {
        let err = Minutes::of_work(raw).unwrap_err();
        assert_eq!(err, ParseError::DurationTooLong(u64::from(raw)));
        assert!(err.to_string().contains("10000h"), "{err}");
    }
    for raw in ["10001h", "99999999h", "1e9m", "-5m", "NaNh", "4294967296m"] {
        assert!(WorkCalendar::default().parse(raw).is_err(), "{raw}");
    }
}

#[test]
fn points_refuse_huge_negative_and_non_numbers() {
    for raw in [
        "1000.1",
        "1001",
        "99999",
        "4294967296",
        "-1",
        "NaN",
        "inf",
        "1e3",
        "0.05",
        "",
    ] {
        assert!(Points::parse(raw).is_err(), "{raw}");
    }
    assert!(Points::from_tenths(u32::MAX).is_err());
    assert!(serde_json::from_str::<Points>("10001").is_err());
    assert_eq!(Points::parse("1000").map(Points::tenths), Ok(10_000));
}

#[test]
fn sums_of_many_maximal_values_saturate() {
    assert_eq!(
        Minutes::total(vec![Minutes(MAX_MINUTES); 10_000]),
        Minutes(u32::MAX)
    );
    assert_eq!(Minutes::total([Minutes(1), Minutes(2)]), Minutes(3));
    assert_eq!(Points::total_tenths(vec![10_000; 500_000]), u32::MAX);

    // An issue with as many worklogs as allowed, each as long as allowed.
    let mut state = project_with_issues(1);
    let issue = state.issues.values_mut().next().unwrap();
    for n in 1..=MAX_WORKLOGS as u32 {
        let entry = WorkEntry {
            started: UtcTime::from_unix_ms(0),
            spent: Minutes(MAX_MINUTES),
            comment: LongText::default(),
        };
        let author = user("alice");
        let number = WorklogNumber(n);
        issue.worklogs.insert(
            number,
            Worklog {
                number,
                author,
                entry,
            },
        );
    }
    assert_eq!(issue.time_spent(), Minutes(u32::MAX));

    // A timesheet whose one day holds all of it.
    let day = Date::parse("2026-11-02").unwrap();
    let rows: Vec<LoggedTime> = (0..MAX_WORKLOGS as u32)
        .map(|n| LoggedTime {
            issue: IssueNumber(n % 7 + 1),
            author: user("alice"),
            day,
            minutes: Minutes(MAX_MINUTES),
        })
        .collect();
    let sheet = Timesheet::build(&state, day, day, &rows).unwrap();
    assert_eq!(sheet.per_day, vec![Minutes(u32::MAX)]);
    assert_eq!(sheet.users[0].total, Minutes(u32::MAX));
}

fn log_work(started: i64, spent: u32, remaining: RemainingAdjustment) -> Command {
    Command::LogWork {
        issue: IssueNumber(1),
        entry: WorkEntry {
            started: serde_json::from_str(&started.to_string()).unwrap(),
            spent: Minutes(spent),
            comment: LongText::default(),
        },
        remaining,
    }
}

fn field_out_of_range(command: &Command) -> Option<&'static str> {
    command.check_bounds().err().map(|e| e.field)
}

#[test]
fn commands_from_raw_json_are_checked_against_the_forms_bounds() {
    use RemainingAdjustment::*;
    let now = 1_790_000_000_000;
    assert_eq!(field_out_of_range(&log_work(now, 90, Auto)), None);
    assert_eq!(
        field_out_of_range(&log_work(now, MAX_MINUTES, Set(Minutes(MAX_MINUTES)))),
        None
    );
    assert_eq!(
        field_out_of_range(&log_work(i64::MIN, 90, Auto)),
        Some("started")
    );
    assert_eq!(
        field_out_of_range(&log_work(i64::MAX, 90, Auto)),
        Some("started")
    );
    assert_eq!(
        field_out_of_range(&log_work(now, u32::MAX, Auto)),
        Some("spent")
    );
    assert_eq!(
        field_out_of_range(&log_work(now, 90, Manual(Minutes(u32::MAX)))),
        Some("remaining_by")
    );

    let mut new = NewIssue::new(Title::parse("Big").unwrap(), IssueType::Task);
    new.original_estimate = Some(Minutes(MAX_MINUTES + 1));
    assert_eq!(
        field_out_of_range(&Command::CreateIssue(new)),
        Some("original_estimate")
    );
    let patch = IssuePatch {
        remaining_estimate: Some(Some(Minutes(u32::MAX))),
        ..Default::default()
    };
    let update = Command::UpdateIssue {
        issue: IssueNumber(1),
        patch,
    };
    assert_eq!(field_out_of_range(&update), Some("remaining_estimate"));
    let clear = Command::UpdateIssue {
        issue: IssueNumber(1),
        patch: IssuePatch {
            remaining_estimate: Some(None),
            ..Default::default()
        },
    };
    assert_eq!(field_out_of_range(&clear), None);
    let delete = Command::DeleteWorklog {
        issue: IssueNumber(1),
        worklog: WorklogNumber(1),
        remaining: Set(Minutes(MAX_MINUTES + 1)),
    };
    assert_eq!(field_out_of_range(&delete), Some("remaining_by"));
}
