//! Black-box tests of the event core on a real SQLite file: the merge and
//! conflict rules, idempotent command ids, replay verification, subscriber
//! catch-up after a restart, and time travel.

use crate::common::*;
use kanri_domain::*;
use server::replay;
use server::service::Base;
use server::store::Until;
use server::subscribers;

fn version_of(state: &ProjectState, n: IssueNumber) -> u64 {
    state.issues[&n].version
}

#[tokio::test]
async fn changes_to_different_fields_merge_and_both_stand() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Login page").await;
    let seen = version_of(&app.state("ABC").await, n);

    // Alice moves the card while Bob, who saw the same version, renames it.
    let alice = app
        .execute("alice", "ABC", seen, move_to(n, 4))
        .await
        .unwrap();
    assert!(matches!(alice, Outcome::Accepted { .. }), "{alice:?}");
    let bob = app
        .execute("bob", "ABC", seen, rename(n, "Login page v2"))
        .await
        .unwrap();
    let Outcome::Merged { events, over } = bob else {
        panic!("expected a merge, got {bob:?}")
    };
    assert_eq!(events.len(), 1);
    assert_eq!(over[0].actor.as_str(), "alice");
    assert!(
        matches!(&over[0].change, Change::Field { field: Field::Status, new: Some(s), .. } if s == "Done")
    );

    let issue = app.state("ABC").await.issues[&n].clone();
    assert_eq!(
        (issue.title.as_str(), issue.status),
        ("Login page v2", StatusId(4))
    );
}

#[tokio::test]
async fn the_same_field_conflicts_is_recorded_and_a_reconfirm_succeeds() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Checkout").await;
    let seen = version_of(&app.state("ABC").await, n);

    app.execute("alice", "ABC", seen, move_to(n, 4))
        .await
        .unwrap();
    let bob = app
        .execute("bob", "ABC", seen, move_to(n, 2))
        .await
        .unwrap();
    let Outcome::Conflict {
        fields,
        recorded,
        changes,
        current,
    } = bob
    else {
        panic!("expected a conflict, got {bob:?}")
    };
    assert_eq!(fields, [Field::Status, Field::Rank]);
    assert_eq!(recorded.actor.as_str(), "bob");
    assert!(matches!(recorded.event, Event::ConflictRecorded { .. }));
    // Who changed it, when, old → new.
    let status_change = changes
        .iter()
        .find(|c| {
            matches!(
                c.change,
                Change::Field {
                    field: Field::Status,
                    ..
                }
            )
        })
        .unwrap();
    assert_eq!(status_change.actor.as_str(), "alice");
    assert!(status_change.at_ms > 0);
    assert_eq!(
        status_change.change,
        Change::Field {
            field: Field::Status,
            old: Some("To Do".into()),
            new: Some("Done".into())
        }
    );
    let Some(Snapshot::Issue(now)) = current else {
        panic!("the current issue comes back")
    };
    assert_eq!(
        now.status,
        StatusId(4),
        "nothing of Bob's attempt was applied"
    );

    // The attempt is in the log and in the issue's history.
    let history = app
        .kanri
        .store()
        .history(&key("ABC"), StreamRef::Issue(n), 0)
        .await
        .unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.actor.as_str() == "bob" && matches!(h.change, Change::Conflict { .. }))
    );

    // Bob re-confirms on the version he was given: it goes through.
    let again = app
        .execute("bob", "ABC", now.version, move_to(n, 2))
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Accepted { .. }), "{again:?}");
    assert_eq!(app.state("ABC").await.issues[&n].status, StatusId(2));
}

#[tokio::test]
async fn a_repeated_command_id_returns_the_first_answer_and_writes_nothing() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Offline edit").await;
    let envelope = CommandEnvelope {
        id: new_id(),
        project: key("ABC"),
        base_version: 1,
        command: move_to(n, 3),
    };
    let first = app
        .kanri
        .execute(&user("carol"), envelope.clone())
        .await
        .unwrap();
    let head = app.kanri.store().head(None).await.unwrap();
    let second = app
        .kanri
        .execute(&user("carol"), envelope.clone())
        .await
        .unwrap();
    assert_eq!(first, second);
    assert_eq!(
        app.kanri.store().head(None).await.unwrap(),
        head,
        "nothing new in the log"
    );
    // Someone else may not claim that id.
    app.add_member("ABC", "mallory", Role::Member).await;
    let theft = app.kanri.execute(&user("mallory"), envelope).await;
    assert!(
        matches!(theft, Err(server::service::ExecError::CommandIdTaken(_))),
        "{theft:?}"
    );
}

#[tokio::test]
async fn a_repeated_command_is_answered_with_the_state_its_first_run_left() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Answered twice").await;
    let envelope = CommandEnvelope {
        id: new_id(),
        project: key("ABC"),
        base_version: 1,
        command: move_to(n, 3),
    };
    let version_left = |state: &ProjectState, _: &Outcome| version_of(state, n);
    let run = || {
        let kanri = app.kanri.clone();
        let envelope = envelope.clone();
        async move {
            kanri
                .execute_viewing(&user("carol"), envelope, Base::Given, version_left)
                .await
                .unwrap()
                .produced
        }
    };
    let first = run().await;
    // Someone writes after it; then its answer is lost and it is sent again.
    app.execute_at_head("bob", "ABC", move_to(n, 2)).await;
    assert!(version_of(&app.state("ABC").await, n) > first);
    assert_eq!(run().await, first, "the version its own run left");
}

#[tokio::test]
async fn domain_errors_write_nothing() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let head = app.kanri.store().head(None).await.unwrap();
    let missing = app
        .execute("alice", "ABC", 1, move_to(IssueNumber(42), 2))
        .await;
    assert!(matches!(
        missing,
        Err(server::service::ExecError::Domain(
            DomainError::IssueNotFound(_)
        ))
    ));
    let no_project = app.execute("alice", "NOPE", 0, new_issue("x")).await;
    assert!(matches!(
        no_project,
        Err(server::service::ExecError::Domain(
            DomainError::ProjectNotFound(_)
        ))
    ));
    assert_eq!(app.kanri.store().head(None).await.unwrap(), head);
}

async fn some_history(app: &TestApp) {
    app.create_project("ABC", "Alpha").await;
    app.create_project("XYZ", "Xylophone").await;
    for i in 0..5 {
        let n = app.create_issue("ABC", &format!("Task {i}")).await;
        app.execute("bob", "ABC", 1, move_to(n, 2)).await.unwrap();
        app.execute("carol", "ABC", 1, rename(n, &format!("Task {i}!")))
            .await
            .unwrap();
        app.execute("dave", "ABC", 1, move_to(n, 3)).await.unwrap(); // a conflict
    }
    app.create_issue("XYZ", "Other project").await;
}

#[tokio::test]
async fn replay_verify_matches_and_names_a_tampered_row() {
    let app = spawn_app().await;
    some_history(&app).await;
    // Let the subscriber catch up, so its table is compared in full.
    wait_for_subscribers(&app).await;

    let scratch = app.db_path.with_extension("replay.db");
    let report = replay::verify(app.kanri.store(), scratch.clone())
        .await
        .unwrap();
    assert_eq!(report.first_difference, None, "{report:?}");
    assert_eq!(report.events, app.kanri.store().head(None).await.unwrap());
    assert!(
        report
            .tables
            .iter()
            .any(|(t, rows)| t == "issues" && *rows == 6)
    );
    assert!(
        report
            .tables
            .iter()
            .any(|(t, rows)| t == "project_activity" && *rows == 2)
    );

    // A projection that disagrees with the log is caught and named.
    app.kanri
        .store()
        .db()
        .execute(&server::db::Sql::new(
            "UPDATE issues SET title = 'tampered' WHERE project = 'ABC' AND number = 3",
        ))
        .await
        .unwrap();
    let _ = std::fs::remove_file(&scratch);
    let report = replay::verify(app.kanri.store(), scratch).await.unwrap();
    let difference = report.first_difference.expect("a difference");
    assert!(
        difference.contains("issues")
            && difference.contains("number=3")
            && difference.contains("tampered"),
        "{difference}"
    );
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let db = app.kanri.store().db();
    let update = db
        .execute(&server::db::Sql::new("UPDATE events SET actor = 'mallory'"))
        .await;
    let delete = db
        .execute(&server::db::Sql::new("DELETE FROM events"))
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

async fn activity(app: &TestApp) -> Vec<(String, i64)> {
    let sql = server::db::Sql::new("SELECT project, events FROM project_activity ORDER BY project");
    app.kanri
        .store()
        .db()
        .fetch_all(&sql)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.text(0).unwrap(), r.int(1).unwrap()))
        .collect()
}

#[tokio::test]
async fn a_subscriber_catches_up_after_a_restart() {
    let dir = tempfile_dir::TempDir::new();
    let path = dir.0.join("kanri.db");
    // First run: subscribers paused, so their checkpoint stays behind.
    let paused = spawn_app_on(path.clone(), false).await;
    some_history(&paused).await;
    let head = paused.kanri.store().head(None).await.unwrap();
    let status = subscribers::status(paused.kanri.store()).await.unwrap();
    assert_eq!(status[0].lag, head, "nothing handled yet");
    assert!(activity(&paused).await.is_empty());
    paused.stop().await;

    // Second run: the subscriber resumes from its checkpoint and catches up.
    let app = spawn_app_on(path, true).await;
    wait_for_subscribers(&app).await;
    let abc = app
        .kanri
        .store()
        .events_after(Some(&key("ABC")), 0, 10_000)
        .await
        .unwrap()
        .len() as i64;
    assert_eq!(
        activity(&app).await,
        [
            ("ABC".to_string(), abc),
            ("XYZ".to_string(), head as i64 - abc)
        ]
    );
    // And keeps following new events.
    app.create_issue("XYZ", "After the restart").await;
    wait_for_subscribers(&app).await;
    assert_eq!(activity(&app).await[1].1, head as i64 - abc + 1);
    app.stop().await;
}

#[tokio::test]
async fn time_travel_shows_the_board_as_of_a_sequence_number() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Travel").await;
    let before_move = app.kanri.store().head(None).await.unwrap();
    app.execute("alice", "ABC", 1, move_to(n, 4)).await.unwrap();

    let (then, seq) = app
        .kanri
        .project_as_of(&key("ABC"), Until::Seq(before_move))
        .await
        .unwrap();
    assert_eq!((then.issues[&n].status, seq), (StatusId(1), before_move));
    let (now, _) = app
        .kanri
        .project_as_of(&key("ABC"), Until::Time(i64::MAX))
        .await
        .unwrap();
    assert_eq!(
        now,
        app.state("ABC").await,
        "the fold of the log equals the live state"
    );
    let (empty, _) = app
        .kanri
        .project_as_of(&key("ABC"), Until::Time(0))
        .await
        .unwrap();
    assert!(empty.project.is_none());
}
