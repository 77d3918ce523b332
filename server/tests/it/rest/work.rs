//! Sprints, comments, worklogs, members and reports over REST.

use super::{get, send, token};
use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn sprints_are_created_started_and_completed_with_their_etags() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    app.create_issue("ABC", "Second").await;
    let t = token(&app, "bob").await;
    let created = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/sprints",
        Some(&t),
        &[],
        Some(json!({ "goal": "Ship it" })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["name"], "ABC Sprint 1");
    assert_eq!(created.body["state"], "planned");
    assert_eq!(created.etag(), format!("\"{}\"", created.body["version"]));
    // Issues join through their own field.
    for key in ["ABC-1", "ABC-2"] {
        let res = send(
            &app,
            "PATCH",
            &format!("/api/v1/issues/{key}"),
            Some(&t),
            &[("if-match", "*")],
            Some(json!({ "sprint": 1, "points": 3 })),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let sprint = get(&app, "/api/v1/projects/ABC/sprints/1", &t).await;
    assert_eq!(sprint.body["issues"], json!(["ABC-1", "ABC-2"]));

    let start = |etag: Option<String>| {
        let (app, t) = (&app, &t);
        async move {
            let headers: Vec<(&str, &str)> = etag
                .as_deref()
                .map(|e| vec![("if-match", e)])
                .unwrap_or_default();
            send(
                app,
                "POST",
                "/api/v1/projects/ABC/sprints/1/start",
                Some(t),
                &headers,
                Some(json!({ "start": "2026-11-23", "end": "2026-12-04" })),
            )
            .await
        }
    };
    assert_eq!(start(None).await.status, 428);
    let started = start(Some(sprint.etag().to_owned())).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.body["sprint"]["state"], "active");
    assert_eq!(started.body["sprint"]["committed_points"], 6.0);
    let bad = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/sprints/1/start",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "start": "23/11", "end": "" })),
    )
    .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start", "end"]);

    send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/transition",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "status": "Done" })),
    )
    .await;
    let done = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/sprints/1/complete",
        Some(&t),
        &[("if-match", started.etag())],
        Some(json!({ "open_issues_to": null })),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["sprint"]["state"], "closed");
    assert_eq!(done.body["sprint"]["completed_points"], 3.0);
    let list = get(&app, "/api/v1/projects/ABC/sprints", &t).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(
        get(&app, "/api/v1/issues/ABC-2", &t).await.body["sprint"],
        serde_json::Value::Null,
        "back to the backlog"
    );
    let reports = get(&app, "/api/v1/projects/ABC/reports", &t).await;
    assert_eq!(reports.status, 200, "{}", reports.body);
    assert!(reports.body["burndown"].is_object(), "{}", reports.body);
    assert_eq!(
        get(&app, "/api/v1/projects/ABC/sprints/9", &t).await.status,
        404
    );
    assert_eq!(
        get(&app, "/api/v1/projects/ABC/reports?to=nope", &t)
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn comments_and_worklogs_are_added_edited_and_deleted() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "bob").await;
    let posted = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/comments",
        Some(&t),
        &[("idempotency-key", "c1")],
        Some(json!({ "body": "Looks good, @alice" })),
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    assert_eq!(posted.body["author"], "bob");
    assert_eq!(posted.body["number"], 1);
    let again = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/comments",
        Some(&t),
        &[("idempotency-key", "c1")],
        Some(json!({ "body": "Looks good, @alice" })),
    )
    .await;
    assert_eq!(again.body, posted.body);
    let comments = get(&app, "/api/v1/issues/ABC-1/comments", &t).await;
    assert_eq!(comments.body.as_array().unwrap().len(), 1, "posted once");

    let edited = send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1/comments/1",
        Some(&t),
        &[("if-match", posted.etag())],
        Some(json!({ "body": "Looks great" })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    // carol is a member, not an admin: only the author or an admin edits.
    let carol = token(&app, "carol").await;
    let not_hers = send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1/comments/1",
        Some(&carol),
        &[("if-match", "*")],
        Some(json!({ "body": "Mine now" })),
    )
    .await;
    assert!(
        [403, 409].contains(&not_hers.status),
        "only its author or an admin edits: {}",
        not_hers.body
    );
    assert_eq!(
        get(&app, "/api/v1/issues/ABC-1/comments", &t).await.body[0]["body"],
        "Looks great"
    );

    let logged = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/worklogs",
        Some(&t),
        &[],
        Some(json!({ "spent_minutes": 90, "comment": "pairing" })),
    )
    .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert_eq!(logged.body["spent_minutes"], 90);
    let issue = get(&app, "/api/v1/issues/ABC-1", &t).await;
    assert_eq!(issue.body["time_spent_minutes"], 90);
    let edited = send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1/worklogs/1",
        Some(&t),
        &[("if-match", issue.etag())],
        Some(json!({ "spent_minutes": 120, "remaining": { "mode": "leave" } })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["issue"]["time_spent_minutes"], 120);
    let bad = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/worklogs",
        Some(&t),
        &[],
        Some(json!({ "spent_minutes": 0, "remaining": { "mode": "set" } })),
    )
    .await;
    assert_eq!(bad.status, 422);
    let deleted = send(
        &app,
        "DELETE",
        "/api/v1/issues/ABC-1/worklogs/1?remaining=leave",
        Some(&t),
        &[("if-match", "*")],
        None,
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.body["issue"]["time_spent_minutes"], 0);
    let gone = send(
        &app,
        "DELETE",
        "/api/v1/issues/ABC-1/comments/1",
        Some(&t),
        &[("if-match", "*")],
        None,
    )
    .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(
        get(&app, "/api/v1/issues/ABC-1/comments", &t).await.body,
        json!([])
    );
    assert_eq!(
        get(&app, "/api/v1/issues/ABC-1/worklogs", &t).await.body,
        json!([])
    );
}

#[tokio::test]
async fn members_are_listed_with_their_roles() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.set_role("ABC", "carol", kanri_domain::Role::Viewer)
        .await;
    let t = token(&app, "carol").await;
    let members = get(&app, "/api/v1/projects/ABC/members", &t).await;
    assert_eq!(members.status, 200);
    let roles: Vec<(String, String)> = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("alice".into(), "admin".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("carol".into(), "viewer".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("bob".into(), "member".into())),
        "{roles:?}"
    );
}
