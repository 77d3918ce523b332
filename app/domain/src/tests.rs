use super::*;
use super::quantity::{Minutes, Points};
use super::time::{Date, UtcTime};
use proptest::prelude::*;
use proptest::sample::Index;

pub(super) fn key(s: &str) -> ProjectKey {
    ProjectKey::parse(s).unwrap()
}

pub(super) fn user(s: &str) -> UserName {
    UserName::parse(s).unwrap()
}

pub(super) fn new_issue(title: &str) -> Command {
    Command::CreateIssue(NewIssue::new(
        Title::parse(title).unwrap(),
        IssueType::Story,
    ))
}

/// `name` running a command at Unix millisecond `ms`.
pub(super) fn as_user_at(name: &str, ms: i64) -> Context {
    Context::new(user(name), UtcTime::from_unix_ms(ms))
}

/// alice, the admin of the projects these tests make, at time 0.
pub(super) fn alice() -> Context {
    as_user_at("alice", 0)
}

/// Runs `command` as alice against `state`, applies its events and returns them.
pub(super) fn run(state: &mut ProjectState, command: Command) -> Result<Vec<Event>, DomainError> {
    run_as(state, &alice(), command)
}

/// Runs `command` in `context` against `state`, applies its events and returns them.
pub(super) fn run_as(
    state: &mut ProjectState,
    context: &Context,
    command: Command,
) -> Result<Vec<Event>, DomainError> {
    let events = decide(state, context, &command)?;
    for e in &events {
        apply_mut(state, e);
    }
    Ok(events)
}

pub(super) fn project_with_issues(n: usize) -> ProjectState {
    let mut state = ProjectState::default();
    let create = Command::CreateProject {
        key: key("ABC"),
        name: ProjectName::parse("Alpha").unwrap(),
        kind: ProjectKind::Scrum,
    };
    run(&mut state, create).unwrap();
    for i in 0..n {
        run(&mut state, new_issue(&format!("Issue {i}"))).unwrap();
    }
    state
}

fn column_numbers(state: &ProjectState, status: StatusId) -> Vec<u32> {
    state
        .column(status)
        .iter()
        .map(|i| i.key.number.0)
        .collect()
}

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

#[test]
fn creating_issues_numbers_them_and_ranks_them_last() {
    let state = project_with_issues(3);
    let numbers: Vec<u32> = state.ranked().iter().map(|i| i.key.number.0).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert!(
        state
            .issues
            .values()
            .all(|i| i.status == StatusId(1) && i.version == 1)
    );
    assert_eq!(
        state.issue(IssueNumber(2)).unwrap().key.to_string(),
        "ABC-2"
    );
}

#[test]
fn a_duplicate_project_and_commands_on_no_project_are_refused() {
    let state = project_with_issues(0);
    let again = Command::CreateProject {
        key: key("ABC"),
        name: ProjectName::parse("B").unwrap(),
        kind: ProjectKind::Kanban,
    };
    assert_eq!(
        decide(&state, &alice(), &again),
        Err(DomainError::ProjectExists(key("ABC")))
    );
    assert_eq!(
        decide(&ProjectState::default(), &alice(), &new_issue("x")),
        Err(DomainError::NoProject)
    );
}

#[test]
fn a_move_writes_only_the_moved_issues_rank() {
    let mut state = project_with_issues(4);
    let before = state.clone();
    let events = run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(4),
            to: StatusId(1),
            after: Some(IssueNumber(1)),
        },
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(column_numbers(&state, StatusId(1)), [1, 4, 2, 3]);
    for n in [1, 2, 3] {
        assert_eq!(
            state.issues[&IssueNumber(n)],
            before.issues[&IssueNumber(n)]
        );
    }
    // Moving it to where it already is writes nothing.
    let same = Command::MoveIssue {
        issue: IssueNumber(4),
        to: StatusId(1),
        after: Some(IssueNumber(1)),
    };
    assert_eq!(decide(&state, &alice(), &same), Ok(vec![]));
}

#[test]
fn two_inserts_at_the_same_spot_get_distinct_ordered_ranks() {
    let mut state = project_with_issues(4);
    // Both place their card right after issue 1 in "In Progress" (issue 1 moved there first).
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(1),
            to: StatusId(2),
            after: None,
        },
    )
    .unwrap();
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(2),
            to: StatusId(2),
            after: Some(IssueNumber(1)),
        },
    )
    .unwrap();
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(3),
            to: StatusId(2),
            after: Some(IssueNumber(1)),
        },
    )
    .unwrap();
    assert_eq!(column_numbers(&state, StatusId(2)), [1, 3, 2]);
    let ranks: std::collections::BTreeSet<&Rank> = state.issues.values().map(|i| &i.rank).collect();
    assert_eq!(ranks.len(), 4, "ranks must stay distinct");
}

#[test]
fn a_rank_equal_to_a_card_in_another_column_is_bumped() {
    let mut state = project_with_issues(3);
    // 1 and 3 are in To Do; 2 (ranked between them) goes to Done.
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(2),
            to: StatusId(4),
            after: None,
        },
    )
    .unwrap();
    let two = state.issues[&IssueNumber(2)].rank.clone();
    // Placing 3 right after 1 in To Do computes the key between 1 and 3's old
    // neighbour, which may coincide with 2's; it must come out distinct.
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(3),
            to: StatusId(1),
            after: None,
        },
    )
    .unwrap();
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(3),
            to: StatusId(1),
            after: Some(IssueNumber(1)),
        },
    )
    .unwrap();
    assert_eq!(column_numbers(&state, StatusId(1)), [1, 3]);
    assert_ne!(state.issues[&IssueNumber(3)].rank, two);
}

#[test]
fn merge_and_conflict_follow_the_touched_fields() {
    let mut state = project_with_issues(1);
    let n = IssueNumber(1);
    let base = state.issues[&n].version;
    let bob_renames = run(
        &mut state,
        Command::UpdateIssue {
            issue: n,
            patch: IssuePatch {
                title: Some(Title::parse("Renamed").unwrap()),
                ..Default::default()
            },
        },
    )
    .unwrap();
    let alice_moves = Command::MoveIssue {
        issue: n,
        to: StatusId(4),
        after: None,
    };
    let now = state.issues[&n].version;
    assert_eq!(
        rebase(&alice_moves, base, now, &bob_renames),
        Ok(Rebase::Merge)
    );
    let moved = run(&mut state, alice_moves.clone()).unwrap();
    let carol_moves = Command::MoveIssue {
        issue: n,
        to: StatusId(2),
        after: None,
    };
    let fields = [Field::Status, Field::Rank].into_iter().collect();
    let intervening: Vec<Event> = bob_renames.into_iter().chain(moved).collect();
    assert_eq!(
        rebase(&carol_moves, base, state.issues[&n].version, &intervening),
        Ok(Rebase::Conflict(fields))
    );
    assert_eq!(
        rebase(
            &carol_moves,
            state.issues[&n].version,
            state.issues[&n].version,
            &[]
        ),
        Ok(Rebase::UpToDate)
    );
    assert!(matches!(
        rebase(&carol_moves, 99, 3, &[]),
        Err(DomainError::VersionAhead { .. })
    ));
}

#[test]
fn the_hierarchy_rules_hold() {
    let mut state = project_with_issues(1);
    let mut epic = new_issue("Epic");
    if let Command::CreateIssue(n) = &mut epic {
        n.issue_type = IssueType::Epic;
    }
    run(&mut state, epic).unwrap(); // ABC-2
    let parent_of = |t, p| {
        let mut c = new_issue("child");
        if let Command::CreateIssue(n) = &mut c {
            n.issue_type = t;
            n.parent = Some(IssueNumber(p));
        }
        c
    };
    assert!(decide(&state, &alice(), &parent_of(IssueType::Story, 2)).is_ok());
    assert_eq!(
        decide(&state, &alice(), &parent_of(IssueType::Story, 1)),
        Err(DomainError::ParentNotEpic)
    );
    assert_eq!(
        decide(&state, &alice(), &parent_of(IssueType::Epic, 2)),
        Err(DomainError::EpicWithParent)
    );
    assert!(decide(&state, &alice(), &parent_of(IssueType::SubTask, 1)).is_ok());
    assert_eq!(
        decide(&state, &alice(), &parent_of(IssueType::SubTask, 2)),
        Err(DomainError::SubTaskParent)
    );
    assert!(matches!(
        decide(&state, &alice(), &parent_of(IssueType::Story, 9)),
        Err(DomainError::IssueNotFound(_))
    ));
}

#[test]
fn completing_a_sprint_moves_only_unfinished_issues() {
    let mut state = project_with_issues(3);
    let sprint = |name: &str| Command::CreateSprint {
        name: Some(SprintName::parse(name).unwrap()),
        goal: LongText::default(),
        start: None,
        end: None,
    };
    run(&mut state, sprint("S1")).unwrap();
    run(&mut state, sprint("S2")).unwrap();
    for n in 1..=3 {
        let patch = IssuePatch {
            sprint: Some(Some(SprintNumber(1))),
            ..Default::default()
        };
        run(
            &mut state,
            Command::UpdateIssue {
                issue: IssueNumber(n),
                patch,
            },
        )
        .unwrap();
    }
    run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(2),
            to: StatusId(4),
            after: None,
        },
    )
    .unwrap();
    let d = |s| Date::parse(s).unwrap();
    run(
        &mut state,
        Command::StartSprint {
            sprint: SprintNumber(1),
            start: d("2026-11-02"),
            end: d("2026-11-13"),
        },
    )
    .unwrap();
    let second = Command::StartSprint {
        sprint: SprintNumber(2),
        start: d("2026-11-02"),
        end: d("2026-11-13"),
    };
    assert_eq!(
        decide(&state, &alice(), &second),
        Err(DomainError::SprintAlreadyActive(SprintNumber(1)))
    );
    let events = run(
        &mut state,
        Command::CompleteSprint {
            sprint: SprintNumber(1),
            open_issues_to: Some(SprintNumber(2)),
        },
    )
    .unwrap();
    assert_eq!(events.len(), 4, "completed, outcome, two carried over");
    assert!(matches!(
        &events[1],
        Event::SprintOutcomeRecorded { completed, open, .. }
            if completed == &[IssueNumber(2)] && open.len() == 2
    ));
    let sprint_of = |n| state.issues[&IssueNumber(n)].sprint;
    assert_eq!(
        (sprint_of(1), sprint_of(2), sprint_of(3)),
        (
            Some(SprintNumber(2)),
            Some(SprintNumber(1)),
            Some(SprintNumber(2))
        )
    );
    assert_eq!(state.sprints[&SprintNumber(1)].state, SprintState::Closed);
}

#[test]
fn history_changes_name_old_and_new_values() {
    let mut state = project_with_issues(1);
    let before = state.clone();
    let events = run(
        &mut state,
        Command::MoveIssue {
            issue: IssueNumber(1),
            to: StatusId(4),
            after: None,
        },
    )
    .unwrap();
    let change = changes(&before, &events[0]);
    assert_eq!(
        change[0],
        Change::Field {
            field: Field::Status,
            old: Some("To Do".into()),
            new: Some("Done".into())
        }
    );
}

/// One step of a random session on a board with four columns.
#[derive(Debug, Clone)]
enum Op {
    Create,
    Move {
        issue: Index,
        to: Index,
        after: Option<Index>,
    },
    Rank {
        issue: Index,
        after: Option<Index>,
    },
    Retitle {
        issue: Index,
        n: u8,
    },
    LogWork {
        issue: Index,
        minutes: u16,
        mode: u8,
    },
    DeleteWorklog {
        issue: Index,
        which: Index,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Create),
        4 => (any::<Index>(), any::<Index>(), any::<Option<Index>>()).prop_map(|(issue, to, after)| Op::Move { issue, to, after }),
        2 => (any::<Index>(), any::<Option<Index>>()).prop_map(|(issue, after)| Op::Rank { issue, after }),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(issue, n)| Op::Retitle { issue, n }),
        2 => (any::<Index>(), 1u16.., any::<u8>()).prop_map(|(issue, minutes, mode)| Op::LogWork { issue, minutes, mode }),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(issue, which)| Op::DeleteWorklog { issue, which }),
    ]
}

/// Where `moving` should land in `list` when placed right after `after`:
/// computed independently of `decide`, from the list alone.
fn intended(list: &[&Issue], moving: IssueNumber, after: Option<&Issue>) -> Vec<u32> {
    let mut order: Vec<u32> = list
        .iter()
        .map(|i| i.key.number.0)
        .filter(|n| *n != moving.0)
        .collect();
    let rest: Vec<&&Issue> = list.iter().filter(|i| i.key.number != moving).collect();
    let slot = after.map_or(0, |a| rest.iter().filter(|i| i.rank <= a.rank).count());
    order.insert(slot, moving.0);
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn replaying_the_log_equals_the_incremental_state_and_orders_are_intended(
        initial in 1usize..8,
        ops in prop::collection::vec(op(), 1..80),
    ) {
        let mut state = project_with_issues(0);
        let mut log: Vec<Event> = state_events(&state);
        for _ in 0..initial {
            log.extend(run(&mut state, new_issue("seed")).unwrap());
        }
        for op in ops {
            let numbers: Vec<IssueNumber> = state.issues.keys().copied().collect();
            let pick = |i: &Index| numbers[i.index(numbers.len())];
            let statuses: Vec<StatusId> = state.project.as_ref().unwrap().statuses.iter().map(|s| s.id).collect();
            match op {
                Op::Create => log.extend(run(&mut state, new_issue("more")).unwrap()),
                Op::Move { issue, to, after } => {
                    let (issue, to) = (pick(&issue), statuses[to.index(statuses.len())]);
                    let column: Vec<&Issue> = state.column(to);
                    let after = after.map(|a| pick(&a)).filter(|a| *a != issue);
                    let expected = intended(&column, issue, after.map(|a| &state.issues[&a]));
                    log.extend(run(&mut state, Command::MoveIssue { issue, to, after }).unwrap());
                    prop_assert_eq!(column_numbers(&state, to), expected);
                }
                Op::Rank { issue, after } => {
                    let issue = pick(&issue);
                    let after = after.map(|a| pick(&a)).filter(|a| *a != issue);
                    let expected = intended(&state.ranked(), issue, after.map(|a| &state.issues[&a]));
                    log.extend(run(&mut state, Command::RankIssue { issue, after }).unwrap());
                    let got: Vec<u32> = state.ranked().iter().map(|i| i.key.number.0).collect();
                    prop_assert_eq!(got, expected);
                }
                Op::Retitle { issue, n } => {
                    let patch = IssuePatch { title: Some(Title::parse(&format!("Title {n}")).unwrap()), ..Default::default() };
                    log.extend(run(&mut state, Command::UpdateIssue { issue: pick(&issue), patch }).unwrap());
                }
                Op::LogWork { issue, minutes, mode } => {
                    let issue = pick(&issue);
                    let remaining = match mode % 4 {
                        0 => RemainingAdjustment::Auto,
                        1 => RemainingAdjustment::Leave,
                        2 => RemainingAdjustment::Set(Minutes(u32::from(mode))),
                        _ => RemainingAdjustment::Manual(Minutes(u32::from(mode))),
                    };
                    let spent_before = state.issues[&issue].time_spent().0;
                    let entry = WorkEntry { started: UtcTime::from_unix_ms(0), spent: Minutes(minutes.into()), comment: LongText::default() };
                    log.extend(run(&mut state, Command::LogWork { issue, entry, remaining }).unwrap());
                    prop_assert_eq!(state.issues[&issue].time_spent().0, spent_before + u32::from(minutes));
                }
                Op::DeleteWorklog { issue, which } => {
                    let issue = pick(&issue);
                    let numbers: Vec<WorklogNumber> = state.issues[&issue].worklogs.keys().copied().collect();
                    if !numbers.is_empty() {
                        let worklog = numbers[which.index(numbers.len())];
                        let command = Command::DeleteWorklog { issue, worklog, remaining: RemainingAdjustment::Auto };
                        log.extend(run(&mut state, command).unwrap());
                        prop_assert!(!state.issues[&issue].worklogs.contains_key(&worklog));
                    }
                }
            }
            let ranks: std::collections::BTreeSet<&Rank> = state.issues.values().map(|i| &i.rank).collect();
            prop_assert_eq!(ranks.len(), state.issues.len(), "ranks must stay distinct");
        }
        // Through JSON, as the log stores it.
        let stored = serde_json::to_string(&log).unwrap();
        let back: Vec<Event> = serde_json::from_str(&stored).unwrap();
        prop_assert_eq!(&replay(&back), &state);
        // Each stream's version counts its events.
        for issue in state.issues.values() {
            let count = log.iter().filter(|e| e.stream() == StreamRef::Issue(issue.key.number)).count() as u64;
            prop_assert_eq!(issue.version, count);
        }
    }
}

/// The events that made `state` when it only holds a fresh project.
fn state_events(state: &ProjectState) -> Vec<Event> {
    let p = state.project.as_ref().unwrap();
    let created = Event::ProjectCreated {
        key: p.key.clone(),
        name: p.name.clone(),
        kind: p.kind,
        statuses: p.statuses.clone(),
    };
    let members = p.members.iter().map(|(user, role)| Event::MemberAdded {
        user: user.clone(),
        role: *role,
    });
    std::iter::once(created).chain(members).collect()
}

#[test]
fn a_sprint_records_its_commitment_and_outcome_in_points() {
    let mut state = project_with_issues(3);
    let create = Command::CreateSprint {
        name: Some(SprintName::parse("S1").unwrap()),
        goal: LongText::default(),
        start: None,
        end: None,
    };
    run(&mut state, create).unwrap();
    let s1 = SprintNumber(1);
    for (n, points) in [(1, "3"), (2, "5"), (3, "0.5")] {
        let patch = IssuePatch {
            points: Some(Some(Points::parse(points).unwrap())),
            sprint: Some(Some(s1)),
            ..Default::default()
        };
        let issue = IssueNumber(n);
        run(&mut state, Command::UpdateIssue { issue, patch }).unwrap();
    }
    let d = |s| Date::parse(s).unwrap();
    let start = Command::StartSprint {
        sprint: s1,
        start: d("2026-11-23"),
        end: d("2026-12-04"),
    };
    let started = run(&mut state, start).unwrap();
    assert_eq!(
        started[1],
        Event::SprintCommitted {
            sprint: s1,
            issues: vec![IssueNumber(1), IssueNumber(2), IssueNumber(3)],
            points_tenths: 85,
        }
    );
    let done = Command::MoveIssue {
        issue: IssueNumber(2),
        to: StatusId(4),
        after: None,
    };
    run(&mut state, done).unwrap();
    let complete = Command::CompleteSprint {
        sprint: s1,
        open_issues_to: None,
    };
    let completed = run(&mut state, complete).unwrap();
    assert_eq!(
        completed[1],
        Event::SprintOutcomeRecorded {
            sprint: s1,
            completed: vec![IssueNumber(2)],
            completed_points_tenths: 50,
            open: vec![IssueNumber(1), IssueNumber(3)],
            open_points_tenths: 35,
        }
    );
    let sprint = &state.sprints[&s1];
    assert_eq!(
        (sprint.committed_tenths, sprint.completed_tenths),
        (Some(85), Some(50))
    );
    assert_eq!(
        state.issues[&IssueNumber(1)].sprint,
        None,
        "back to the backlog"
    );
    assert_eq!(state.issues[&IssueNumber(2)].sprint, Some(s1), "done stays");
    assert_eq!(tenths(85), "8.5");
}
