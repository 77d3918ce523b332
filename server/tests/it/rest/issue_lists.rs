//! Issues over REST: paging, filters, the role table, problem details for
//! bad input, transitions, moves, ranks and links.

use super::issues::{head, patch};
use super::{Answer, get, send, token};
use crate::common::*;
use serde_json::{Value, json};

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
