//! Extreme numbers through every way in: REST bodies, the forms' server
//! functions and a raw JSON command (an offline replay). Each is a 4xx that
//! names the field, nothing is stored, and never a 5xx.

use kanri_domain::*;
use serde_json::{Value, json};

use crate::common::*;
use crate::rest::{send, token};

/// The last global sequence: unchanged when nothing was stored.
async fn head(app: &TestApp) -> u64 {
    app.kanri.store().head(None).await.unwrap()
}

/// The fields a REST problem names.
fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn rest_refuses_numbers_out_of_range_naming_the_field() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let before = head(&app).await;

    let cases: [(&str, &str, Value, &str); 12] = [
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "original_estimate_minutes": 600_001 }),
            "original_estimate_minutes",
        ),
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "original_estimate_minutes": u32::MAX }),
            "original_estimate_minutes",
        ),
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "original_estimate_minutes": -1 }),
            "original_estimate_minutes",
        ),
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "original_estimate_minutes": 1e30 }),
            "original_estimate_minutes",
        ),
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "points": 1e308 }),
            "points",
        ),
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "Big", "points": -0.5 }),
            "points",
        ),
        (
            "PATCH",
            "/api/v1/issues/ABC-1",
            json!({ "remaining_estimate_minutes": u32::MAX }),
            "remaining_estimate_minutes",
        ),
        (
            "PATCH",
            "/api/v1/issues/ABC-1",
            json!({ "sprint": 4_294_967_296_u64 }),
            "sprint",
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/worklogs",
            json!({ "spent_minutes": 600_001 }),
            "spent_minutes",
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/worklogs",
            json!({ "spent_minutes": 60, "started_ms": i64::MIN }),
            "started_ms",
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/worklogs",
            json!({ "spent_minutes": 60, "started_ms": i64::MAX }),
            "started_ms",
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/worklogs",
            json!({ "spent_minutes": 60, "remaining": { "mode": "set", "by": u32::MAX } }),
            "by",
        ),
    ];
    for (method, path, body, field) in cases {
        let headers: &[(&str, &str)] = if method == "PATCH" {
            &[("if-match", "*")]
        } else {
            &[]
        };
        let res = send(&app, method, path, Some(&t), headers, Some(body.clone())).await;
        assert_eq!(res.status, 422, "{method} {path} {body}: {}", res.body);
        let fields = problem_fields(&res.body);
        assert!(
            fields.iter().any(|f| f.ends_with(field)),
            "{method} {path} {body}: {field} not in {fields:?} ({})",
            res.body
        );
    }
    assert_eq!(head(&app).await, before, "nothing was stored");

    // The largest values are accepted: the bound is the forms' own.
    let res = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/worklogs",
        Some(&t),
        &[],
        Some(json!({ "spent_minutes": 600_000, "started_ms": 253_402_300_740_000_i64 })),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let logged = &app.state("ABC").await.issues[&IssueNumber(1)].worklogs[&WorklogNumber(1)];
    assert_eq!(logged.entry.started.to_string(), "9999-12-31 23:59 UTC");
}

/// The worklog form as the issue page sends it.
fn work_form(spent: &str, started: &str, remaining_by: &str) -> Vec<(String, String)> {
    [
        ("issue", "ABC-1"),
        ("version", "1"),
        ("work[spent]", spent),
        ("work[started]", started),
        ("work[comment]", ""),
        (
            "work[remaining]",
            if remaining_by.is_empty() {
                "auto"
            } else {
                "set"
            },
        ),
        ("work[remaining_by]", remaining_by),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn server_functions_refuse_numbers_out_of_range_naming_the_field() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    let before = head(&app).await;

    let forms = [
        (work_form("10001h", "", ""), "spent"),
        (work_form("4294967296m", "", ""), "spent"),
        (work_form("1h", "1969-12-31 23:59", ""), "started"),
        (work_form("1h", "10000-01-01 00:00", ""), "started"),
        (work_form("1h", "-9223372036854775808", ""), "started"),
        (work_form("1h", "", "99999999h"), "remaining_by"),
    ];
    for (form, field) in &forms {
        let (status, body) = app.call_fn("alice", "log_work", form).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        assert_eq!(invalid_fields(&body), [*field], "{form:?}: {body}");
    }
    for (field, value) in [
        ("original_estimate", "10001h"),
        ("remaining_estimate", "99999999999999h"),
        ("points", "1e308"),
        ("points", "NaN"),
        ("points", "-1"),
        ("sprint", "4294967296"),
        ("status", "-1"),
    ] {
        let form = [
            ("issue", "ABC-1"),
            ("version", "1"),
            ("field", field),
            ("value", value),
        ];
        let (status, body) = app.call_fn("alice", "update_field", &form).await;
        assert_eq!(status, 422, "{field}={value}: {body}");
        assert_eq!(invalid_fields(&body), [field], "{field}={value}: {body}");
    }
    // A number that does not fit its argument's type is refused before
    // the function runs: a 400, never a 500.
    for version in ["-1", "18446744073709551616", "NaN", "1e3"] {
        let (status, body) = app
            .call_fn(
                "alice",
                "add_comment",
                &[("issue", "ABC-1"), ("version", version), ("body", "Hi")],
            )
            .await;
        assert_eq!(status, 400, "version={version}: {body}");
    }
    assert_eq!(head(&app).await, before, "nothing was stored");
}

/// The command an offline replay sends, as raw JSON to `execute`.
async fn execute_raw(app: &TestApp, command: Value) -> (u16, Value) {
    let envelope = json!({
        "envelope": {
            "id": uuid::Uuid::new_v4(),
            "project": "ABC",
            "base_version": 1,
            "command": command,
        }
    });
    let res = app
        .client
        .post(format!("{}/api/fn/execute", app.address))
        .header("Accept", "application/json")
        .header("Cookie", app.session("alice").await)
        .json(&envelope)
        .send()
        .await
        .expect("the app answers");
    (
        res.status().as_u16(),
        res.json().await.expect("a JSON answer"),
    )
}

#[tokio::test]
async fn a_replayed_command_with_numbers_out_of_range_is_refused() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    let before = head(&app).await;
    let log = |started: i64, spent: u64, by: u64| {
        json!({
            "type": "log_work", "issue": 1, "author": "alice",
            "started": started, "spent": spent, "comment": "",
            "remaining": { "mode": "set", "by": by },
        })
    };
    let now = 1_790_000_000_000_i64;
    let cases = [
        (log(i64::MIN, 60, 0), "started"),
        (log(i64::MAX, 60, 0), "started"),
        (log(-1, 60, 0), "started"),
        (log(now, 600_001, 0), "spent"),
        (log(now, u64::from(u32::MAX), 0), "spent"),
        (log(now, 60, u64::from(u32::MAX)), "remaining_by"),
        (
            json!({ "type": "update_issue", "issue": 1, "patch": { "original_estimate": u32::MAX } }),
            "original_estimate",
        ),
        (
            json!({ "type": "create_issue", "title": "Big", "issue_type": "task", "priority": "medium",
                    "reporter": "alice", "original_estimate": 600_001 }),
            "original_estimate",
        ),
    ];
    for (command, field) in cases {
        let (status, body) = execute_raw(&app, command.clone()).await;
        assert_eq!(status, 422, "{command}: {body}");
        assert_eq!(invalid_fields(&body), [field], "{command}: {body}");
    }
    // Beyond the types themselves: refused while decoding, a 400.
    for command in [
        log(now, 1 << 40, 0),
        json!({ "type": "update_issue", "issue": -1, "patch": {} }),
    ] {
        let (status, body) = execute_raw(&app, command.clone()).await;
        assert_eq!(status, 400, "{command}: {body}");
    }
    assert_eq!(head(&app).await, before, "nothing was stored");

    let (status, body) = execute_raw(&app, log(now, 600_000, 600_000)).await;
    assert_eq!(status, 200, "the largest values pass: {body}");
}

#[tokio::test]
async fn log_positions_beyond_what_sqlite_holds_are_refused() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let beyond = (u64::MAX).to_string();

    let res = send(
        &app,
        "GET",
        &format!("/api/v1/projects/ABC/events?after={beyond}"),
        Some(&t),
        &[],
        None,
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(problem_fields(&res.body), ["after"]);
    let last = i64::MAX.to_string();
    let res = send(
        &app,
        "GET",
        &format!("/api/v1/projects/ABC/events?after={last}"),
        Some(&t),
        &[],
        None,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["events"],
        json!([]),
        "nothing after the last position"
    );

    for (function, key) in [("project_as_of", "ABC"), ("issue_as_of", "ABC-1")] {
        let (status, body) = app
            .call_fn("alice", function, &[("key", key), ("at", &beyond)])
            .await;
        assert_eq!(status, 422, "{function}: {body}");
        assert_eq!(invalid_fields(&body), ["at"], "{function}: {body}");
    }
}
