use super::quantity::Points;
use super::time::{Date, UtcTime};
use super::*;

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

pub(super) fn column_numbers(state: &ProjectState, status: StatusId) -> Vec<u32> {
    state
        .column(status)
        .iter()
        .map(|i| i.key.number.0)
        .collect()
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
