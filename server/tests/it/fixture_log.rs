//! A log written by earlier code still replays to what that code built.
//!
//! `server/tests/fixtures/v1-log.db` was written by the code of 49dd6eb
//! (event schema 1; its generator, `write_v1_fixture`, is in commit 93b2689):
//! every event type, two `ConflictRecorded` with a serialized command, and
//! the projections that code built from them.

use crate::common::tempfile_dir::TempDir;
use crate::common::*;
use kanri_domain::*;
use server::replay;

/// A copy of the fixture opened by today's server (its migrations run).
async fn fixture_app() -> (TestApp, TempDir) {
    let dir = TempDir::new();
    let db = dir.0.join("v1.db");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-log.db");
    std::fs::copy(fixture, &db).expect("the fixture is there");
    (spawn_on_sqlite_file(db, true).await, dir)
}

#[tokio::test]
async fn a_schema_1_log_replays_to_the_projections_its_own_code_built() {
    let (app, dir) = fixture_app().await;
    let schemas: Vec<(i64, i64)> =
        sqlx::query_as("SELECT schema_version, COUNT(*) FROM events GROUP BY schema_version")
            .fetch_all(&app.kanri.store().db().sqlite().read)
            .await
            .unwrap();
    assert_eq!(schemas, [(1, 62)], "the migration marks old rows schema 1");

    // Every projection rebuilt by today's code from the old log equals the
    // one the old code built: the board, issue fields, history, activity.
    let report = replay::verify(app.kanri.store(), dir.0.join("replay.db"))
        .await
        .unwrap();
    assert_eq!(report.first_difference, None, "{report:?}");
    assert_eq!(report.events, 62);
    let rows = |table: &str| {
        report
            .tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(
        (rows("projects"), rows("issues"), rows("sprints")),
        (1, 3, 1)
    );

    // Read through today's code: the board and the fields as they were left.
    let state = app.state("FIX").await;
    let project = state.project.as_ref().unwrap();
    assert_eq!(project.name.as_str(), "Fixture log");
    assert_eq!(project.status_name(StatusId(5)), "Code review");
    let pay = &state.issues[&IssueNumber(2)];
    assert_eq!(pay.title.as_str(), "Pay by card or wallet");
    assert_eq!(
        pay.status,
        StatusId(3),
        "alice's move stood, bob's conflicted"
    );
    assert_eq!(pay.assignee.as_ref().map(UserName::as_str), Some("bob"));
    assert_eq!(pay.parent, Some(IssueNumber(1)));
    let receipt = &state.issues[&IssueNumber(3)];
    assert_eq!(receipt.title.as_str(), "Receipt by mail");

    // The conflicts show in the history as the old code described them.
    let fix = key("FIX");
    let history = |n| {
        app.kanri
            .store()
            .history(&fix, StreamRef::Issue(IssueNumber(n)), 0)
    };
    let conflicts = |records: Vec<ChangeRecord>| {
        records
            .into_iter()
            .filter_map(|r| match r.change {
                Change::Conflict { fields, attempted } => {
                    Some((r.actor.to_string(), fields, attempted))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        conflicts(history(2).await.unwrap()),
        [(
            "bob".to_string(),
            vec![Field::Status, Field::Rank],
            "move to Code review".to_string()
        )]
    );
    assert_eq!(
        conflicts(history(3).await.unwrap()),
        [(
            "carol".to_string(),
            vec![Field::Title],
            "rename to “Receipt e-mail”".to_string()
        )]
    );
    // And the old conflict event reads upcast, what it attempted kept.
    let log = app.kanri.store().events_after(None, 0, 100).await.unwrap();
    let attempted: Vec<&Vec<AttemptedChange>> = log
        .iter()
        .filter_map(|r| match &r.event {
            Event::ConflictRecorded { attempted, .. } => Some(attempted),
            _ => None,
        })
        .collect();
    assert_eq!(attempted.len(), 2);
    assert_eq!(attempted[0][0].field, Field::Status);
    assert_eq!(attempted[0][0].wanted.as_deref(), Some("5"));
    assert_eq!(attempted[1][0].wanted.as_deref(), Some("Receipt e-mail"));
}

#[tokio::test]
async fn new_events_on_an_old_log_are_schema_2_and_a_new_conflict_keeps_what_it_found() {
    let (app, dir) = fixture_app().await;
    let receipt = IssueNumber(3);
    let seen = app.state("FIX").await.issues[&receipt].version;
    app.execute("alice", "FIX", seen, move_to(receipt, 1))
        .await
        .unwrap();
    let late = app
        .execute("bob", "FIX", seen, move_to(receipt, 5))
        .await
        .unwrap();
    let Outcome::Conflict { recorded, .. } = late else {
        panic!("expected a conflict, got {late:?}")
    };
    let Event::ConflictRecorded { attempted, .. } = &recorded.event else {
        panic!("not a conflict: {recorded:?}")
    };
    // Wanted Code review (5), found To Do (1): alice's move it had not seen.
    assert_eq!(
        (
            attempted[0].wanted.as_deref(),
            attempted[0].found.as_deref()
        ),
        (Some("5"), Some("1"))
    );
    let schemas: Vec<i64> =
        sqlx::query_scalar("SELECT schema_version FROM events WHERE seq > 62 ORDER BY seq")
            .fetch_all(&app.kanri.store().db().sqlite().read)
            .await
            .unwrap();
    assert_eq!(schemas, [2, 2]);
    let history = app
        .kanri
        .store()
        .history(&key("FIX"), StreamRef::Issue(receipt), seen)
        .await
        .unwrap();
    assert!(history.iter().any(|r| matches!(
        &r.change,
        Change::Conflict { attempted, .. } if attempted == "move to Code review"
    )));
    // Old and new shapes side by side still replay to the same projections.
    let report = replay::verify(app.kanri.store(), dir.0.join("replay.db"))
        .await
        .unwrap();
    assert_eq!(report.first_difference, None, "{report:?}");
}
