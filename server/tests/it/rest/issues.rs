//! Issues over REST: ETags, If-Match (428, merge, 412), idempotency, paging,
//! filters, the role table, and problem details for bad input.

use super::{Answer, get, send, token};
use crate::common::*;
use serde_json::{Value, json};

async fn patch(
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

async fn head(app: &TestApp) -> u64 {
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

#[tokio::test]
async fn lists_page_by_cursor_in_rank_order_and_filter() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for n in 1..=7 {
        app.create_issue("ABC", &format!("Issue {n}")).await;
    }
    let t = token(&app, "alice").await;
    patch(&app, &t, "ABC-3", Some("*"), json!({ "assignee": "bob" })).await;
    send(
        &app,
        "POST",
        "/api/v1/issues/ABC-4/transition",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "status": "In Progress" })),
    )
    .await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/projects/ABC/issues?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = get(&app, &path, &t).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        for item in page.body["items"].as_array().unwrap() {
            seen.push((
                item["rank"].as_str().unwrap().to_owned(),
                item["key"].as_str().unwrap().to_owned(),
            ));
        }
        match page.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/projects/ABC/issues?limit=3&cursor={next}"),
            None => break,
        }
        assert!(pages < 5, "paging ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7, "every issue once: {seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "rank order");

    let keys = |a: &Answer| {
        a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&get(&app, "/api/v1/projects/ABC/issues?assignee=bob", &t).await),
        ["ABC-3"]
    );
    assert_eq!(
        keys(&get(&app, "/api/v1/projects/ABC/issues?status=In%20Progress", &t).await),
        ["ABC-4"]
    );
    assert_eq!(
        keys(&get(&app, "/api/v1/projects/ABC/issues?assignee=none", &t).await).len(),
        6
    );
    let q = get(
        &app,
        "/api/v1/projects/ABC/issues?q=text%20~%20%22Issue%207%22",
        &t,
    )
    .await;
    assert_eq!(keys(&q), ["ABC-7"]);
    let search = get(
        &app,
        "/api/v1/projects/ABC/search?q=ORDER%20BY%20key%20DESC&limit=2",
        &t,
    )
    .await;
    assert_eq!(search.body["total"], 7);
    assert_eq!(search.body["issues"][0]["key"], "ABC-7");

    for bad in [
        "limit=0",
        "limit=201",
        "cursor=nonsense",
        "q=status%20%3D",
        "status=Nope",
        "colour=red",
    ] {
        let res = get(&app, &format!("/api/v1/projects/ABC/issues?{bad}"), &t).await;
        assert_eq!(res.status, 422, "{bad}: {}", res.body);
        assert_eq!(res.problem(), "invalid-field");
    }
}

#[tokio::test]
async fn the_role_table_applies_to_every_route() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    app.set_role("ABC", "carol", kanri_domain::Role::Viewer)
        .await;
    let viewer = token(&app, "carol").await;
    let outsider = token(&app, "eve").await;
    let before = head(&app).await;
    let writes: [(&str, &str, Value); 6] = [
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            json!({ "title": "x" }),
        ),
        ("PATCH", "/api/v1/issues/ABC-1", json!({ "title": "x" })),
        (
            "POST",
            "/api/v1/issues/ABC-1/transition",
            json!({ "status": "Done" }),
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/move",
            json!({ "status": "Done" }),
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/rank",
            json!({ "after": null }),
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/links",
            json!({ "kind": "blocks", "issue": "ABC-1" }),
        ),
    ];
    for (method, path, body) in &writes {
        let res = send(
            &app,
            method,
            path,
            Some(&viewer),
            &[("if-match", "*")],
            Some(body.clone()),
        )
        .await;
        assert_eq!(res.status, 403, "viewer {method} {path}: {}", res.body);
        assert_eq!(res.problem(), "forbidden");
        let res = send(
            &app,
            method,
            path,
            Some(&outsider),
            &[("if-match", "*")],
            Some(body.clone()),
        )
        .await;
        assert_eq!(res.status, 404, "outsider {method} {path}: {}", res.body);
    }
    assert_eq!(head(&app).await, before, "nothing written");
    let reads = [
        "/api/v1/projects/ABC",
        "/api/v1/projects/ABC/issues",
        "/api/v1/projects/ABC/search?q=",
        "/api/v1/projects/ABC/events",
        "/api/v1/issues/ABC-1",
    ];
    for path in reads {
        assert_eq!(get(&app, path, &viewer).await.status, 200, "viewer {path}");
        assert_eq!(
            get(&app, path, &outsider).await.status,
            404,
            "outsider {path}"
        );
    }
    assert_eq!(
        get(&app, "/api/v1/projects", &outsider).await.body,
        json!([])
    );
}

#[tokio::test]
async fn bad_input_gets_problem_details_and_never_a_5xx() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let before = head(&app).await;
    let res = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/issues",
        Some(&t),
        &[],
        Some(json!({ "title": "", "issue_type": "saga", "points": 0.25, "parent": "XYZ-1" })),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.problem(), "invalid-field");
    let fields: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["title", "issue_type", "points", "parent"],
        "every bad field at once"
    );
    let res = patch(&app, &t, "ABC-1", Some("*"), json!({ "colour": "red" })).await;
    assert_eq!(res.status, 422, "unknown fields are named");
    let res = patch(&app, &t, "ABC-1", Some("*"), json!({})).await;
    assert_eq!(res.status, 422, "a patch that changes nothing");
    let raw = app
        .client
        .patch(format!("{}/api/v1/issues/ABC-1", app.address))
        .bearer_auth(&t)
        .header("if-match", "*")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let big = "x".repeat(300 * 1024);
    let raw = app
        .client
        .post(format!("{}/api/v1/projects/ABC/issues", app.address))
        .bearer_auth(&t)
        .json(&json!({ "title": big }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 413);
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    let res = get(&app, "/api/v1/no/such/thing", &t).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.problem(), "not-found");
    let res = send(&app, "DELETE", "/api/v1/projects", Some(&t), &[], None).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.problem(), "method-not-allowed");
    // Domain refusals are 409 with the reason.
    let res = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/links",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "kind": "blocks", "issue": "ABC-1" })),
    )
    .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert_eq!(res.problem(), "rejected");
    assert_eq!(head(&app).await, before, "nothing written");
}

#[tokio::test]
async fn transitions_moves_ranks_and_links() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for n in 1..=3 {
        app.create_issue("ABC", &format!("Issue {n}")).await;
    }
    let t = token(&app, "bob").await;
    let post = |path: &'static str, body: Value| {
        let (app, t) = (&app, &t);
        async move { send(app, "POST", path, Some(t), &[("if-match", "*")], Some(body)).await }
    };
    let res = post(
        "/api/v1/issues/ABC-1/transition",
        json!({ "status": "done" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["issue"]["status"]["category"], "done");
    let in_progress = get(&app, "/api/v1/projects/ABC", &t).await.body["statuses"][1]["id"].clone();
    let res = post(
        "/api/v1/issues/ABC-3/move",
        json!({ "status": in_progress, "after": null }),
    )
    .await;
    assert_eq!(res.body["issue"]["status"]["name"], "In Progress");
    let res = post("/api/v1/issues/ABC-1/rank", json!({ "after": "ABC-2" })).await;
    assert_eq!(res.status, 200);
    let ranked = get(&app, "/api/v1/projects/ABC/issues", &t).await;
    let order: Vec<&str> = ranked.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    let at = |k: &str| order.iter().position(|o| *o == k).unwrap();
    assert_eq!(at("ABC-1"), at("ABC-2") + 1, "{order:?}");
    let res = post(
        "/api/v1/issues/ABC-1/links",
        json!({ "kind": "blocks", "issue": "ABC-2" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["issue"]["links"],
        json!([{ "kind": "blocks", "issue": "ABC-2" }])
    );
    let other = get(&app, "/api/v1/issues/ABC-2", &t).await;
    assert_eq!(
        other.body["links"],
        json!([{ "kind": "is_blocked_by", "issue": "ABC-1" }])
    );
}
