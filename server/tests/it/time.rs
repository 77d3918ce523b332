//! Time tracking end to end on a real SQLite file: the log-work and
//! delete-worklog server functions, the remaining estimate, the timesheet
//! from the `worklogs` subscriber projection, and its replay.

use crate::common::*;
use kanri_domain::*;
use server::replay;

async fn issue(app: &TestApp) -> Issue {
    app.state("ABC").await.issues[&IssueNumber(1)].clone()
}

/// Logs work through the form's server function; `fields` are the worklog
/// form's own (`spent`, `started`, …), sent as `work[spent]` and so on.
async fn log(app: &TestApp, actor: &str, fields: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let version = issue(app).await.version.to_string();
    let mut form: Vec<(String, String)> = vec![
        ("issue".into(), "ABC-1".into()),
        ("version".into(), version),
        ("work[comment]".into(), String::new()),
    ];
    form.extend(
        fields
            .iter()
            .map(|(k, v)| (format!("work[{k}]"), v.to_string())),
    );
    app.call_fn(actor, "log_work", &form).await
}

#[tokio::test]
async fn logged_work_moves_the_estimate_fills_the_timesheet_and_replays() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let n = app.create_issue("ABC", "Parser").await;
    let estimate = IssuePatch {
        original_estimate: Some(Some(Minutes(300))),
        remaining_estimate: Some(Some(Minutes(300))),
        ..Default::default()
    };
    let command = Command::UpdateIssue {
        issue: n,
        patch: estimate,
    };
    app.execute("alice", "ABC", 1, command).await.unwrap();

    let (status, body) = log(
        &app,
        "bob",
        &[
            ("spent", "2h 30m"),
            ("started", "2026-11-16T09:00"),
            ("remaining", "auto"),
            ("remaining_by", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "accepted");
    let now = issue(&app).await;
    assert_eq!(now.remaining_estimate, Some(Minutes(150)));
    assert_eq!(
        now.worklogs[&WorklogNumber(1)].author.as_str(),
        "bob",
        "the actor, not the form"
    );

    // Every bad field is reported at once, and nothing is stored.
    let head = app.kanri.store().head(None).await.unwrap();
    let (status, body) = log(
        &app,
        "bob",
        &[
            ("spent", "2x"),
            ("started", "yesterday"),
            ("remaining", "set"),
            ("remaining_by", ""),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["spent", "started", "remaining_by"]);
    assert!(body.to_string().contains("column 2"), "{body}");
    assert_eq!(app.kanri.store().head(None).await.unwrap(), head);

    let (status, _) = log(
        &app,
        "alice",
        &[
            ("spent", "1h"),
            ("started", "2026-11-17T10:00"),
            ("remaining", "set"),
            ("remaining_by", "4h"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = log(
        &app,
        "alice",
        &[
            ("spent", "45m"),
            ("started", "2026-11-17T14:00"),
            ("remaining", "leave"),
            ("remaining_by", ""),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(issue(&app).await.remaining_estimate, Some(Minutes(240)));
    let version = issue(&app).await.version.to_string();
    let (status, body) = app
        .call_fn(
            "alice",
            "delete_worklog",
            &[("issue", "ABC-1"), ("version", &version), ("worklog", "3")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let now = issue(&app).await;
    assert_eq!(
        now.remaining_estimate,
        Some(Minutes(285)),
        "the 45m given back"
    );
    assert_eq!(now.time_spent(), Minutes(210));

    wait_for_subscribers(&app).await;
    let (status, body) = app
        .call_fn(
            "carol",
            "timesheet",
            &[("key", "ABC"), ("from", "2026-11-16"), ("to", "2026-11-18")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let sheet = &body["sheet"];
    assert_eq!(sheet["users"][0]["user"], "alice");
    assert_eq!(sheet["users"][0]["per_day"], serde_json::json!([0, 60, 0]));
    assert_eq!(sheet["users"][1]["per_day"], serde_json::json!([150, 0, 0]));
    assert_eq!(sheet["total"], 210);
    assert_eq!(sheet["issues"][0]["key"], "ABC-1");

    let (status, body) = app
        .call_fn(
            "carol",
            "timesheet",
            &[("key", "ABC"), ("from", "2026-11-18"), ("to", "2026-11-16")],
        )
        .await;
    assert_eq!(status, 422, "{body}");

    let scratch = app.db_path.with_extension("replay.db");
    let report = replay::verify(app.kanri.store(), scratch).await.unwrap();
    assert_eq!(report.first_difference, None, "{report:?}");
    assert!(
        report
            .tables
            .iter()
            .any(|(t, rows)| t == "worklogs" && *rows == 2),
        "{report:?}"
    );
    app.stop().await;
}
