//! Issues over REST: ETags, If-Match (428, merge, 412) and idempotency.

use super::{Answer, get, send, token};
use crate::common::*;
use serde_json::{Value, json};

pub(super) async fn patch(
    app: &TestApp,
    token: &str,
    key: &str,
    if_match: Option<&str>,
    body: Value,
) -> Answer {
    let mut headers = vec![];
    if let Some(m) = if_match {
        headers.push(("if-match", m));
    }
    send(
        app,
        "PATCH",
        &format!("/api/v1/issues/{key}"),
        Some(token),
        &headers,
        Some(body),
    )
    .await
}

pub(super) async fn head(app: &TestApp) -> u64 {
    app.kanri.store().head(None).await.unwrap()
}

#[tokio::test]
async fn an_issue_has_its_version_as_etag_and_answers_304_when_unchanged() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let issue = get(&app, "/api/v1/issues/ABC-1", &t).await;
    assert_eq!(issue.status, 200);
    assert_eq!(issue.body["key"], "ABC-1");
    assert_eq!(issue.body["title"], "First");
    assert_eq!(issue.body["status"]["name"], "To Do");
    assert_eq!(issue.etag(), format!("\"{}\"", issue.body["version"]));
    let same = send(
        &app,
        "GET",
        "/api/v1/issues/ABC-1",
        Some(&t),
        &[("if-none-match", issue.etag())],
        None,
    )
    .await;
    assert_eq!(same.status, 304);
    assert_eq!(same.etag(), issue.etag());
    for missing in [
        "/api/v1/issues/ABC-99",
        "/api/v1/issues/nonsense",
        "/api/v1/issues/XYZ-1",
    ] {
        let res = get(&app, missing, &t).await;
        assert_eq!(res.status, 404, "{missing}");
        assert_eq!(res.problem(), "not-found");
    }
}

#[tokio::test]
async fn a_change_needs_if_match_and_a_current_one_applies() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "bob").await;
    let before = head(&app).await;
    let res = patch(&app, &t, "ABC-1", None, json!({ "title": "Renamed" })).await;
    assert_eq!(res.status, 428);
    assert_eq!(res.problem(), "precondition-required");
    assert_eq!(head(&app).await, before, "nothing written");
    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some("yesterday"),
        json!({ "title": "Renamed" }),
    )
    .await;
    assert_eq!(res.status, 400);

    let etag = get(&app, "/api/v1/issues/ABC-1", &t)
        .await
        .etag()
        .to_owned();
    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some(&etag),
        json!({ "title": "Renamed", "assignee": "bob", "points": 2.5, "labels": ["api"] }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let issue = &res.body["issue"];
    assert_eq!(issue["title"], "Renamed");
    assert_eq!(issue["assignee"], "bob");
    assert_eq!(issue["points"], 2.5);
    assert_eq!(issue["labels"], json!(["api"]));
    assert_eq!(res.body["merged_over"], json!([]));
    assert_ne!(res.etag(), etag);
    assert_eq!(res.etag(), format!("\"{}\"", issue["version"]));
    // `null` clears; absent leaves.
    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some(res.etag()),
        json!({ "assignee": null }),
    )
    .await;
    assert_eq!(res.body["issue"]["assignee"], Value::Null);
    assert_eq!(res.body["issue"]["title"], "Renamed");
    // `*`: whatever is there now.
    let res = patch(&app, &t, "ABC-1", Some("*"), json!({ "priority": "high" })).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["issue"]["priority"], "high");
}

#[tokio::test]
async fn a_stale_change_to_other_fields_merges_and_says_so() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "bob").await;
    let seen = get(&app, "/api/v1/issues/ABC-1", &t)
        .await
        .etag()
        .to_owned();
    // carol renames it meanwhile.
    let carol = token(&app, "carol").await;
    let res = patch(
        &app,
        &carol,
        "ABC-1",
        Some(&seen),
        json!({ "title": "Carol's title" }),
    )
    .await;
    assert_eq!(res.status, 200);

    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some(&seen),
        json!({ "priority": "highest" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["issue"]["title"], "Carol's title", "hers kept");
    assert_eq!(res.body["issue"]["priority"], "highest", "his applied");
    let over = res.body["merged_over"].as_array().unwrap();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["actor"], "carol");
    assert_eq!(over[0]["field"], "title");
    assert_eq!(over[0]["new"], "Carol's title");
}

#[tokio::test]
async fn a_stale_change_to_the_same_field_is_412_with_the_current_issue_and_who_changed_it() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "bob").await;
    let carol = token(&app, "carol").await;
    let seen = get(&app, "/api/v1/issues/ABC-1", &t)
        .await
        .etag()
        .to_owned();
    patch(
        &app,
        &carol,
        "ABC-1",
        Some(&seen),
        json!({ "title": "Carol's title" }),
    )
    .await;

    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some(&seen),
        json!({ "title": "Bob's title" }),
    )
    .await;
    assert_eq!(res.status, 412, "{}", res.body);
    assert_eq!(res.problem(), "version-conflict");
    assert_eq!(res.body["conflict"]["conflicting_fields"], json!(["title"]));
    assert_eq!(res.body["conflict"]["current"]["title"], "Carol's title");
    assert_eq!(
        res.etag(),
        format!("\"{}\"", res.body["conflict"]["current"]["version"])
    );
    let change = &res.body["conflict"]["changes"][0];
    assert_eq!(change["actor"], "carol");
    assert_eq!(change["old"], "First");
    assert_eq!(change["new"], "Carol's title");
    assert_eq!(
        app.state("ABC")
            .await
            .issues
            .values()
            .next()
            .unwrap()
            .title
            .as_str(),
        "Carol's title"
    );
    // Re-confirmed against the current version, his wins.
    let res = patch(
        &app,
        &t,
        "ABC-1",
        Some(res.etag()),
        json!({ "title": "Bob's title" }),
    )
    .await;
    assert_eq!(res.status, 200);
    // A version from the future is refused.
    let res = patch(&app, &t, "ABC-1", Some("\"999\""), json!({ "title": "x" })).await;
    assert_eq!(res.status, 412);
    assert_eq!(res.problem(), "version-ahead");
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_first_answer_and_writes_once() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let t = token(&app, "bob").await;
    let create = |key: &'static str, title: &'static str| {
        let (app, t) = (&app, &t);
        async move {
            send(
                app,
                "POST",
                "/api/v1/projects/ABC/issues",
                Some(t),
                &[("idempotency-key", key)],
                Some(json!({ "title": title })),
            )
            .await
        }
    };
    let first = create("offline-1", "Once").await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["key"], "ABC-1");
    assert_eq!(first.body["reporter"], "bob");
    let after_first = head(&app).await;
    let again = create("offline-1", "Once").await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.etag(), first.etag());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(head(&app).await, after_first, "nothing new written");
    assert_eq!(app.state("ABC").await.issues.len(), 1);

    let reused = create("offline-1", "Something else").await;
    assert_eq!(reused.status, 422);
    assert_eq!(reused.problem(), "idempotency-key-reused");
    // Another user's key is theirs alone.
    let carol = token(&app, "carol").await;
    let hers = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/issues",
        Some(&carol),
        &[("idempotency-key", "offline-1")],
        Some(json!({ "title": "Once" })),
    )
    .await;
    assert_eq!(hers.status, 201);
    assert_eq!(hers.body["key"], "ABC-2");

    // A change replayed: one event, the same answer, even for a conflict.
    let etag = first.etag().to_owned();
    let edit = || {
        let (app, t, etag) = (&app, &t, etag.clone());
        async move {
            send(
                app,
                "PATCH",
                "/api/v1/issues/ABC-1",
                Some(t),
                &[("if-match", &etag), ("idempotency-key", "edit-1")],
                Some(json!({ "title": "Edited" })),
            )
            .await
        }
    };
    let one = edit().await;
    let before = head(&app).await;
    let two = edit().await;
    assert_eq!((one.status, &one.body), (two.status, &two.body));
    assert_eq!(head(&app).await, before);
    let bad = send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1",
        Some(&t),
        &[("if-match", "*"), ("idempotency-key", "")],
        Some(json!({ "title": "x" })),
    )
    .await;
    assert_eq!(bad.status, 400);
}
