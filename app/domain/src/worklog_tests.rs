//! Time tracking: worklogs and the remaining estimate, by hand-computed cases.

use super::quantity::Minutes;
use super::tests::{alice, as_user_at, project_with_issues, run, run_as, user};
use super::time::{Date, UtcTime};
use super::*;

const N: IssueNumber = IssueNumber(1);

fn at(raw: &str) -> UtcTime {
    UtcTime::parse(raw).unwrap()
}

fn hours(h: u32) -> Minutes {
    Minutes(h * 60)
}

fn entry(spent: Minutes) -> WorkEntry {
    WorkEntry {
        started: at("2026-11-20 09:00"),
        spent,
        comment: LongText::parse("Pairing on the parser").unwrap(),
    }
}

fn log(spent: Minutes, remaining: RemainingAdjustment) -> Command {
    Command::LogWork {
        issue: N,
        entry: entry(spent),
        remaining,
    }
}

/// One issue with a 5h original (and so remaining) estimate.
fn estimated() -> ProjectState {
    let mut state = project_with_issues(1);
    let patch = IssuePatch {
        original_estimate: Some(Some(hours(5))),
        remaining_estimate: Some(Some(hours(5))),
        ..Default::default()
    };
    run(&mut state, Command::UpdateIssue { issue: N, patch }).unwrap();
    state
}

fn remaining(state: &ProjectState) -> Option<Minutes> {
    state.issues[&N].remaining_estimate
}

#[test]
fn logging_work_adjusts_the_remaining_estimate_in_each_mode() {
    use RemainingAdjustment::*;
    let mut state = estimated();
    let steps = [
        (log(hours(2), Auto), hours(3), hours(2)),
        (log(hours(4), Auto), hours(0), hours(6)), // never below zero
        (log(hours(1), Leave), hours(0), hours(7)),
        (log(Minutes(30), Set(hours(2))), hours(2), Minutes(450)),
        (
            log(Minutes(30), Manual(Minutes(90))),
            Minutes(30),
            Minutes(480),
        ),
    ];
    for (command, left, spent) in steps {
        run(&mut state, command).unwrap();
        assert_eq!(remaining(&state), Some(left));
        assert_eq!(state.issues[&N].time_spent(), spent);
    }
    let issue = &state.issues[&N];
    assert_eq!(issue.worklogs.len(), 5);
    assert_eq!(issue.worklogs[&WorklogNumber(1)].author, user("alice"));
    assert_eq!(
        issue.original_estimate,
        Some(hours(5)),
        "the original stays"
    );
}

#[test]
fn without_an_estimate_auto_leaves_it_unset() {
    let mut state = project_with_issues(1);
    let events = run(&mut state, log(hours(2), RemainingAdjustment::Auto)).unwrap();
    assert_eq!(events.len(), 1, "no estimate event: {events:?}");
    assert_eq!(remaining(&state), None);
    assert_eq!(state.issues[&N].time_spent(), hours(2));
}

#[test]
fn editing_and_deleting_give_time_back_and_numbers_are_never_reused() {
    use RemainingAdjustment::*;
    let mut state = estimated();
    run(&mut state, log(hours(2), Auto)).unwrap(); // remaining 3h
    run(&mut state, log(hours(1), Auto)).unwrap(); // remaining 2h
    let edit = |spent, remaining| Command::UpdateWorklog {
        issue: N,
        worklog: WorklogNumber(1),
        entry: entry(spent),
        remaining,
    };
    run(&mut state, edit(hours(3), Auto)).unwrap();
    assert_eq!(remaining(&state), Some(hours(1)), "grew by 1h");
    run(&mut state, edit(Minutes(90), Auto)).unwrap();
    assert_eq!(remaining(&state), Some(Minutes(150)), "shrank by 1h 30m");
    assert_eq!(
        decide(&state, &alice(), &edit(hours(1), Manual(hours(1)))),
        Err(DomainError::ManualAdjustOnEdit)
    );
    assert_eq!(
        decide(&state, &alice(), &edit(Minutes(90), Auto)),
        Ok(vec![]),
        "no-op"
    );
    let delete = |worklog, remaining| Command::DeleteWorklog {
        issue: N,
        worklog: WorklogNumber(worklog),
        remaining,
    };
    run(&mut state, delete(2, Auto)).unwrap();
    assert_eq!(remaining(&state), Some(Minutes(210)), "the 1h given back");
    run(&mut state, delete(1, Manual(Minutes(15)))).unwrap();
    assert_eq!(remaining(&state), Some(Minutes(225)), "increased by 15m");
    assert_eq!(state.issues[&N].time_spent(), Minutes(0));
    assert!(matches!(
        decide(&state, &alice(), &delete(1, Auto)),
        Err(DomainError::WorklogNotFound(_, 1))
    ));
    let events = run(&mut state, log(hours(1), Leave)).unwrap();
    assert!(
        matches!(
            events[0],
            Event::WorkLogged {
                worklog: WorklogNumber(3),
                ..
            }
        ),
        "{events:?}"
    );
}

#[test]
fn bad_worklogs_are_refused() {
    let state = estimated();
    let auto = RemainingAdjustment::Auto;
    assert_eq!(
        decide(&state, &alice(), &log(Minutes(0), auto)),
        Err(DomainError::NoTimeSpent)
    );
    assert_eq!(
        decide(&state, &alice(), &log(Minutes(MAX_MINUTES + 1), auto)),
        Err(DomainError::DurationTooLong)
    );
    assert_eq!(
        decide(
            &state,
            &alice(),
            &log(hours(1), RemainingAdjustment::Set(Minutes(MAX_MINUTES + 1)))
        ),
        Err(DomainError::DurationTooLong)
    );
    let mut missing = log(hours(1), auto);
    if let Command::LogWork { issue, .. } = &mut missing {
        *issue = IssueNumber(9);
    }
    assert!(matches!(
        decide(&state, &alice(), &missing),
        Err(DomainError::IssueNotFound(_))
    ));
}

#[test]
fn concurrent_worklogs_merge_and_an_absolute_estimate_conflicts() {
    use RemainingAdjustment::*;
    let mut state = estimated();
    let base = state.issues[&N].version;
    let bob = run(&mut state, log(hours(1), Auto)).unwrap();
    let now = state.issues[&N].version;
    assert_eq!(
        rebase(&log(hours(2), Auto), base, now, &bob),
        Ok(Rebase::Merge)
    );
    run(&mut state, log(hours(2), Auto)).unwrap();
    assert_eq!(remaining(&state), Some(hours(2)), "both reductions count");

    let set_estimate = Command::UpdateIssue {
        issue: N,
        patch: IssuePatch {
            remaining_estimate: Some(Some(hours(8))),
            ..Default::default()
        },
    };
    let fields = [Field::RemainingEstimate].into_iter().collect();
    assert_eq!(
        rebase(&set_estimate, base, now, &bob),
        Ok(Rebase::Conflict(fields)),
        "bob's worklog changed the remaining estimate meanwhile"
    );
    let base = state.issues[&N].version;
    let edit_1 = Command::UpdateWorklog {
        issue: N,
        worklog: WorklogNumber(1),
        entry: entry(hours(3)),
        remaining: Leave,
    };
    let edited = run(&mut state, edit_1.clone()).unwrap();
    let now = state.issues[&N].version;
    let delete_2 = Command::DeleteWorklog {
        issue: N,
        worklog: WorklogNumber(2),
        remaining: Leave,
    };
    assert_eq!(rebase(&delete_2, base, now, &edited), Ok(Rebase::Merge));
    let delete_1 = Command::DeleteWorklog {
        issue: N,
        worklog: WorklogNumber(1),
        remaining: Leave,
    };
    let fields = [Field::Worklog(WorklogNumber(1))].into_iter().collect();
    assert_eq!(
        rebase(&delete_1, base, now, &edited),
        Ok(Rebase::Conflict(fields))
    );
}

#[test]
fn history_shows_work_in_the_projects_calendar() {
    let mut state = estimated();
    let calendar = WorkCalendar::new(6, 4).unwrap();
    run(&mut state, Command::ConfigureTimeTracking { calendar }).unwrap();
    let before = state.clone();
    let events = run(&mut state, log(hours(7), RemainingAdjustment::Auto)).unwrap();
    assert_eq!(
        changes(&before, &events[0]),
        vec![Change::Field {
            field: Field::Worklog(WorklogNumber(1)),
            old: None,
            new: Some("1d 1h from 2026-11-20 09:00 UTC".into()),
        }]
    );
    assert_eq!(
        changes(&before, &events[1]),
        vec![Change::Field {
            field: Field::RemainingEstimate,
            old: Some("5h".into()),
            new: Some("0m".into()),
        }]
    );
}

#[test]
fn worklog_commands_and_events_keep_their_json_shape() {
    let command = log(Minutes(90), RemainingAdjustment::Set(hours(1)));
    let json = serde_json::to_value(&command).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "type": "log_work", "issue": 1,
            "started": 1_795_165_200_000_i64, "spent": 90, "comment": "Pairing on the parser",
            "remaining": {"mode": "set", "by": 60}
        })
    );
    assert_eq!(serde_json::from_value::<Command>(json).unwrap(), command);
    // An old client still sends the author it used to: ignored.
    let minimal = serde_json::json!({
        "type": "log_work", "issue": 1, "author": "alice", "started": 0, "spent": 5
    });
    assert!(matches!(
        serde_json::from_value::<Command>(minimal).unwrap(),
        Command::LogWork {
            remaining: RemainingAdjustment::Auto,
            ..
        }
    ));
    let bad_calendar = serde_json::json!({
        "type": "configure_time_tracking", "calendar": {"hours_per_day": 0, "days_per_week": 5}
    });
    assert!(serde_json::from_value::<Command>(bad_calendar).is_err());
    let mut state = estimated();
    for e in run(&mut state, command).unwrap() {
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], e.type_name());
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), e);
    }
}

#[test]
fn utc_times_parse_strictly_and_round_trip() {
    let t = at("2026-11-21 09:30");
    assert_eq!(t.unix_ms(), 1_795_253_400_000);
    assert_eq!(at("2026-11-21T09:30"), t);
    assert_eq!(at("2026-11-21 09:30 UTC"), t);
    assert_eq!(t.to_string(), "2026-11-21 09:30 UTC");
    assert_eq!(t.html_value(), "2026-11-21T09:30");
    assert_eq!(at("2026-11-21").date().to_string(), "2026-11-21");
    assert_eq!(
        at("2024-02-29 23:59").date().next().to_string(),
        "2024-03-01"
    );
    for bad in [
        "",
        "2026-11-21 24:00",
        "2026-11-21 9:30",
        "2026-02-30 10:00",
        "noon",
        "2026-11-21 09:60",
    ] {
        assert!(UtcTime::parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn the_timesheet_rolls_time_up_by_user_day_issue_epic_and_sprint() {
    let mut state = project_with_issues(0);
    run(
        &mut state,
        Command::CreateSprint {
            name: Some(SprintName::parse("Sprint 1").unwrap()),
            goal: LongText::default(),
            start: None,
            end: None,
        },
    )
    .unwrap();
    let mut create = |title: &str, t: IssueType, parent: Option<u32>, sprint: Option<u32>| {
        let mut new = NewIssue::new(Title::parse(title).unwrap(), t);
        new.parent = parent.map(IssueNumber);
        new.sprint = sprint.map(SprintNumber);
        run(&mut state, Command::CreateIssue(new)).unwrap();
    };
    create("Epic", IssueType::Epic, None, None); // ABC-1
    create("Story", IssueType::Story, Some(1), Some(1)); // ABC-2
    create("Sub-task", IssueType::SubTask, Some(2), None); // ABC-3, follows ABC-2's sprint
    create("Chore", IssueType::Task, None, None); // ABC-4
    let row = |issue, author, day, minutes| LoggedTime {
        issue: IssueNumber(issue),
        author: user(author),
        day: Date::parse(day).unwrap(),
        minutes: Minutes(minutes),
    };
    let rows = [
        row(2, "alice", "2026-11-16", 120),
        row(3, "alice", "2026-11-16", 30),
        row(4, "bob", "2026-11-17", 60),
        row(1, "bob", "2026-11-18", 15),
        row(2, "alice", "2026-11-25", 999), // outside the range
    ];
    let day = |d| Date::parse(d).unwrap();
    let sheet = Timesheet::build(&state, day("2026-11-16"), day("2026-11-18"), &rows).unwrap();
    let m = |v: &[u32]| v.iter().map(|x| Minutes(*x)).collect::<Vec<_>>();
    assert_eq!(sheet.days.len(), 3);
    assert_eq!(sheet.users[0].user, user("alice"));
    assert_eq!(sheet.users[0].per_day, m(&[150, 0, 0]));
    assert_eq!(sheet.users[0].total, Minutes(150));
    assert_eq!(sheet.users[1].per_day, m(&[0, 60, 15]));
    assert_eq!(sheet.per_day, m(&[150, 60, 15]));
    assert_eq!(sheet.total, Minutes(225));
    let logged = |groups: &[GroupTime]| {
        groups
            .iter()
            .map(|g| (g.label.clone(), g.logged.0))
            .collect::<Vec<_>>()
    };
    let pairs = |v: &[(&str, u32)]| {
        v.iter()
            .map(|(l, n)| (l.to_string(), *n))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        logged(&sheet.issues),
        pairs(&[
            ("Epic", 15),
            ("Story", 120),
            ("Sub-task", 30),
            ("Chore", 60)
        ])
    );
    assert_eq!(
        logged(&sheet.epics),
        pairs(&[("No epic", 60), ("Epic", 165)])
    );
    assert_eq!(
        logged(&sheet.sprints),
        pairs(&[("No sprint", 75), ("Sprint 1", 150)])
    );
    assert_eq!(
        days_between(day("2026-11-18"), day("2026-11-16")),
        Err(RangeError::Reversed)
    );
    assert_eq!(
        days_between(day("2026-01-01"), day("2026-12-31")),
        Err(RangeError::TooLong)
    );
}

#[test]
fn a_worklog_is_changed_by_its_author_or_an_admin_only() {
    let mut state = estimated();
    for (name, role) in [("bob", Role::Member), ("vera", Role::Viewer)] {
        let add = Command::AddMember {
            user: user(name),
            role,
        };
        run(&mut state, add).unwrap();
    }
    let by_bob = Command::LogWork {
        issue: N,
        entry: entry(hours(1)),
        remaining: RemainingAdjustment::Leave,
    };
    run_as(&mut state, &as_user_at("bob", 0), by_bob).unwrap();
    let edit = Command::UpdateWorklog {
        issue: N,
        worklog: WorklogNumber(1),
        entry: entry(hours(2)),
        remaining: RemainingAdjustment::Leave,
    };
    let delete = Command::DeleteWorklog {
        issue: N,
        worklog: WorklogNumber(1),
        remaining: RemainingAdjustment::Leave,
    };
    for command in [&edit, &delete] {
        assert_eq!(
            authorize(&state, &user("bob"), command),
            Ok(()),
            "the author"
        );
        assert_eq!(
            authorize(&state, &user("alice"), command),
            Ok(()),
            "an admin"
        );
        assert!(matches!(
            authorize(&state, &user("vera"), command),
            Err(DomainError::Forbidden { .. })
        ));
    }
    let carol = Command::AddMember {
        user: user("carol"),
        role: Role::Member,
    };
    run(&mut state, carol).unwrap();
    assert_eq!(
        authorize(&state, &user("carol"), &edit),
        Err(DomainError::NotTheWorklogAuthor(user("bob")))
    );
}
