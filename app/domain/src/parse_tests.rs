//! Parsing the newtypes from untrusted input, and the events' stable JSON names.

use super::quantity::Points;
use super::tests::{project_with_issues, run, user};
use super::time::Date;
use super::*;

#[test]
fn project_keys_parse_only_two_to_ten_uppercase_letters() {
    for good in ["AB", "ABC", "ABCDEFGHIJ"] {
        assert_eq!(ProjectKey::parse(good).unwrap().as_str(), good);
    }
    for bad in ["", "A", "abc", "AB1", "ABCDEFGHIJK", "A B", "ÄBC", " ABC"] {
        assert!(ProjectKey::parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn names_are_trimmed_and_must_not_be_empty_or_too_long() {
    assert_eq!(ProjectName::parse("  Apollo  ").unwrap().as_str(), "Apollo");
    assert_eq!(
        ProjectName::parse("   "),
        Err(ParseError::Empty("project name".into()))
    );
    let long = "x".repeat(81);
    assert!(matches!(
        ProjectName::parse(&long),
        Err(ParseError::TooLong {
            max: 80,
            len: 81,
            ..
        })
    ));
    assert!(ProjectName::parse("a\u{7}b").is_err());
    assert!(Title::parse(&"é".repeat(255)).is_ok());
}

#[test]
fn issue_keys_points_dates_and_labels_parse_strictly() {
    let k = IssueKey::parse("ABC-123").unwrap();
    assert_eq!((k.project.as_str(), k.number.0), ("ABC", 123));
    assert_eq!(k.to_string(), "ABC-123");
    for bad in [
        "ABC",
        "ABC-",
        "ABC-0",
        "abc-1",
        "ABC-1x",
        "ABC--1",
        "ABC-+1",
        "ABC-99999999999",
    ] {
        assert!(IssueKey::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(Points::parse("0.5").unwrap().to_string(), "0.5");
    assert_eq!(Points::parse("13").unwrap().tenths(), 130);
    for bad in ["", "-1", "1.25", "1001", "abc", ".5"] {
        assert!(Points::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
    for bad in [
        "2023-02-29",
        "2026-13-01",
        "2026-1-01",
        "26-01-01",
        "2026-04-31",
    ] {
        assert!(Date::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert!(Label::parse("front-end").is_ok());
    assert!(Label::parse("two words").is_err());
    assert_eq!(user("mary.jones").initials(), "MJ");
    assert_eq!(
        Minutes(5 * 480 + 2 * 480 + 3 * 60 + 30).to_string(),
        "1w 2d 3h 30m"
    );
}

#[test]
fn event_names_in_json_equal_their_stable_type_names() {
    let mut state = project_with_issues(2);
    let mut events = vec![];
    let mut go = |c| events.extend(run(&mut state, c).unwrap());
    go(Command::MoveIssue {
        issue: IssueNumber(1),
        to: StatusId(2),
        after: None,
    });
    go(Command::RankIssue {
        issue: IssueNumber(2),
        after: None,
    });
    go(Command::SetWipLimit {
        status: StatusId(2),
        limit: Some(3),
    });
    go(Command::CreateSprint {
        name: Some(SprintName::parse("S1").unwrap()),
        goal: LongText::default(),
        start: None,
        end: None,
    });
    let patch = IssuePatch {
        title: Some(Title::parse("New").unwrap()),
        points: Some(Some(Points::parse("3").unwrap())),
        ..Default::default()
    };
    go(Command::UpdateIssue {
        issue: IssueNumber(1),
        patch,
    });
    assert_eq!(events.len(), 6);
    for e in &events {
        let json = serde_json::to_value(e).unwrap();
        assert_eq!(json["type"], e.type_name(), "{json}");
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), *e);
    }
}
