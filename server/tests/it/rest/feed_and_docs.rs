//! The event feed (resumable by sequence, no gaps) and the OpenAPI document.

use super::{document, get, send, token};
use crate::common::*;

#[tokio::test]
async fn the_event_feed_resumes_from_a_sequence_without_gaps() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_project("XYZ", "Other").await;
    for n in 1..=5 {
        app.create_issue("ABC", &format!("Issue {n}")).await;
        app.create_issue("XYZ", &format!("Other {n}")).await;
    }
    let t = token(&app, "alice").await;
    let all = app
        .kanri
        .store()
        .events_after(Some(&key("ABC")), 0, 1000)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let page = get(
            &app,
            &format!("/api/v1/projects/ABC/events?after={after}&limit=3"),
            &t,
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        for e in page.body["events"].as_array().unwrap() {
            assert!(e["stream"].as_str().unwrap().starts_with("ABC"), "{e}");
            seen.push(e["seq"].as_u64().unwrap());
        }
        after = page.body["last_seq"].as_u64().unwrap();
        if !page.body["more"].as_bool().unwrap() {
            break;
        }
        assert!(pages < 20);
    }
    let expected: Vec<u64> = all.iter().map(|r| r.seq).collect();
    assert_eq!(seen, expected, "every event of ABC once, in order");
    let first = get(&app, "/api/v1/projects/ABC/events?limit=1", &t).await;
    assert_eq!(first.body["events"][0]["type"], "project_created");
    assert_eq!(first.body["events"][0]["actor"], "alice");
    // Caught up: nothing more, and the position stays.
    let end = get(
        &app,
        &format!("/api/v1/projects/ABC/events?after={after}"),
        &t,
    )
    .await;
    assert_eq!(end.body["events"], serde_json::json!([]));
    assert_eq!(end.body["last_seq"], after);
    assert_eq!(end.body["more"], false);
    for bad in ["limit=0", "limit=500", "after=-1", "after=x"] {
        let res = get(&app, &format!("/api/v1/projects/ABC/events?{bad}"), &t).await;
        assert_eq!(res.status, 422, "{bad}");
    }
}

#[tokio::test]
async fn the_openapi_document_and_docs_page_describe_the_api() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/projects",
        "/api/v1/projects/{key}",
        "/api/v1/projects/{key}/events",
        "/api/v1/projects/{key}/issues",
        "/api/v1/projects/{key}/search",
        "/api/v1/issues/{key}",
        "/api/v1/issues/{key}/transition",
        "/api/v1/issues/{key}/move",
        "/api/v1/issues/{key}/rank",
        "/api/v1/issues/{key}/links",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The document needs no token: clients read it before they have one.
    let page = app
        .client
        .get(format!("{}/api/v1/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    for needle in [
        "PATCH /api/v1/issues/{key}",
        "id=\"problem-version-conflict\"",
        "id=\"problem-precondition-required\"",
        "/api/v1/openapi.json",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("<script"), "no scripts");
    // Every problem type a test sees is on the page.
    let t = token(&app, "alice").await;
    let res = send(&app, "GET", "/api/v1/projects/NOPE", Some(&t), &[], None).await;
    assert!(html.contains(&format!("id=\"problem-{}\"", res.problem())));
}

#[tokio::test]
#[should_panic(expected = "does not match its schema")]
async fn the_schema_check_catches_an_answer_that_breaks_the_document() {
    let app = spawn_app().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let wrong = super::Answer {
        status: 200,
        headers,
        body: serde_json::json!({ "key": 5, "title": "no version" }),
    };
    super::conforms(&app, "GET", "/api/v1/issues/ABC-1", &wrong).await;
}
