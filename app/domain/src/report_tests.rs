//! Reports against a hand-computed fixture: a five-day sprint with a scope
//! change on day three.

use super::quantity::{Minutes, Points};
use super::tests::{new_issue, project_with_issues, run, user};
use super::time::{Date, UtcTime};
use super::*;

struct Log {
    state: ProjectState,
    log: Vec<Recorded>,
}

impl Log {
    /// Runs `command` at `when` (`2026-11-02 09:00`) and records its events.
    fn at(&mut self, when: &str, command: Command) {
        let at_ms = UtcTime::parse(when).unwrap().unix_ms();
        for event in run(&mut self.state, command).unwrap() {
            let stream = event.stream();
            self.log.push(Recorded {
                seq: self.log.len() as u64 + 1,
                project: ProjectKey::parse("ABC").unwrap(),
                stream,
                version: self.state.version_of(&stream),
                actor: user("alice"),
                at_ms,
                command_id: CommandId::from_random_bytes([0; 16]),
                event,
            });
        }
    }
}

fn patch(issue: u32, patch: IssuePatch) -> Command {
    Command::UpdateIssue {
        issue: IssueNumber(issue),
        patch,
    }
}

fn points(issue: u32, p: &str) -> Command {
    patch(
        issue,
        IssuePatch {
            points: Some(Some(Points::parse(p).unwrap())),
            ..Default::default()
        },
    )
}

fn into_sprint(issue: u32) -> Command {
    patch(
        issue,
        IssuePatch {
            sprint: Some(Some(SprintNumber(1))),
            ..Default::default()
        },
    )
}

fn done(issue: u32) -> Command {
    Command::MoveIssue {
        issue: IssueNumber(issue),
        to: StatusId(4),
        after: None,
    }
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// Issues 1 (3 points, 4h), 2 (5 points, 8h), 3 (2 points), 4 (1 point);
/// 1 and 2 in sprint 1, which runs 2026-11-02 to 2026-11-06.
fn fixture() -> Log {
    let mut l = Log {
        state: project_with_issues(0),
        log: vec![],
    };
    let create = l.state.project.clone().unwrap();
    l.log.push(Recorded {
        seq: 1,
        project: create.key.clone(),
        stream: StreamRef::Project,
        version: 1,
        actor: user("alice"),
        at_ms: UtcTime::parse("2026-11-02 08:00").unwrap().unix_ms(),
        command_id: CommandId::from_random_bytes([0; 16]),
        event: Event::ProjectCreated {
            key: create.key,
            name: create.name,
            kind: create.kind,
            statuses: create.statuses,
        },
    });
    let t = "2026-11-02 09:00";
    for title in ["One", "Two", "Three", "Four"] {
        l.at(t, new_issue(title));
    }
    for (n, p) in [(1, "3"), (2, "5"), (3, "2"), (4, "1")] {
        l.at(t, points(n, p));
    }
    let estimate = |m| IssuePatch {
        original_estimate: Some(Some(Minutes(m))),
        remaining_estimate: Some(Some(Minutes(m))),
        ..Default::default()
    };
    l.at(t, patch(1, estimate(240)));
    l.at(t, patch(2, estimate(480)));
    l.at(
        t,
        Command::CreateSprint {
            name: Some(SprintName::parse("Sprint 1").unwrap()),
            goal: LongText::default(),
            start: None,
            end: None,
        },
    );
    l.at(t, into_sprint(1));
    l.at(t, into_sprint(2));
    l.at(
        "2026-11-02 10:00",
        Command::StartSprint {
            sprint: SprintNumber(1),
            start: day("2026-11-02"),
            end: day("2026-11-06"),
        },
    );
    l.at("2026-11-03 15:00", done(1));
    l.at("2026-11-04 11:00", into_sprint(3));
    l.at("2026-11-04 12:00", points(2, "8"));
    l.at("2026-11-06 16:00", done(2));
    l
}

fn complete(l: &mut Log) {
    l.at(
        "2026-11-06 17:00",
        Command::CompleteSprint {
            sprint: SprintNumber(1),
            open_issues_to: None,
        },
    );
}

#[test]
fn the_burndown_follows_the_log_day_by_day_and_marks_scope_changes() {
    let mut l = fixture();
    complete(&mut l);
    let b = burndown(&l.log, SprintNumber(1), day("2026-11-20")).unwrap();
    assert_eq!(b.committed_tenths, 80);
    let shown: Vec<(String, u32, u32)> = b
        .days
        .iter()
        .map(|d| (d.day.to_string(), d.points_tenths, d.remaining_minutes))
        .collect();
    let expect = |d: &str, p, m| (d.to_string(), p, m);
    assert_eq!(
        shown,
        [
            expect("2026-11-02", 80, 720),
            expect("2026-11-03", 50, 480),
            expect("2026-11-04", 100, 480),
            expect("2026-11-05", 100, 480),
            expect("2026-11-06", 20, 0),
        ]
    );
    assert_eq!(b.ideal_tenths, [80, 60, 40, 20, 0]);
    assert_eq!(
        b.scope,
        [
            ScopeChange {
                day: day("2026-11-04"),
                issue: IssueNumber(3),
                delta_tenths: 20
            },
            ScopeChange {
                day: day("2026-11-04"),
                issue: IssueNumber(2),
                delta_tenths: 30
            },
        ]
    );
}

#[test]
fn a_running_sprint_burns_down_to_today_and_unstarted_ones_have_none() {
    let l = fixture();
    let b = burndown(&l.log, SprintNumber(1), day("2026-11-04")).unwrap();
    assert_eq!(b.days.len(), 3);
    assert_eq!(b.days[2].points_tenths, 100);
    assert_eq!(
        b.ideal_tenths.len(),
        5,
        "the ideal line spans the whole sprint"
    );
    assert_eq!(burndown(&l.log, SprintNumber(9), day("2026-11-04")), None);
}

#[test]
fn velocity_and_cumulative_flow_match_the_hand_counts() {
    let mut l = fixture();
    complete(&mut l);
    let v = velocity(&l.state, 5);
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].committed_tenths, v[0].completed_tenths), (80, 110));

    let flow = cumulative_flow(&l.log, day("2026-11-01"), day("2026-11-06")).unwrap();
    let counts: Vec<Vec<u32>> = flow.iter().map(|d| d.counts.clone()).collect();
    assert_eq!(
        counts,
        [
            vec![0, 0, 0, 0],
            vec![4, 0, 0, 0],
            vec![3, 0, 0, 1],
            vec![3, 0, 0, 1],
            vec![3, 0, 0, 1],
            vec![2, 0, 0, 2],
        ]
    );
}
