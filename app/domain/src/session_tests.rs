//! Property tests over random board sessions: moves, ranks, edits and
//! worklogs decided and applied in any order keep every invariant.

use super::quantity::Minutes;
use super::tests::{column_numbers, new_issue, project_with_issues, run};
use super::time::UtcTime;
use super::*;
use proptest::prelude::*;
use proptest::sample::Index;

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
