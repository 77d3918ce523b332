//! The capped secret resources under racing creations: with one slot left,
//! 16 concurrent requests against the real server create exactly one, and
//! every other one is refused with the limit on its form field, for API
//! tokens, share links and webhooks alike.

use crate::common::*;
use crate::rest::{send, token};
use futures::future::join_all;
use serde_json::json;

/// Concurrent creations racing for the last slot.
const RACERS: usize = 16;
const NO_ARGS: [(&str, &str); 0] = [];

/// Asserts exactly one of `answers` (status, body) created a row and every
/// other one is a 422 naming `field` (a server function's `Invalid` or a
/// problem document's `errors`).
fn one_wins(answers: &[(u16, serde_json::Value)], created: u16, field: &str) {
    let won = answers.iter().filter(|(s, _)| *s == created).count();
    assert_eq!(won, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != created) {
        assert_eq!(*status, 422, "{body}");
        let problem = body["errors"].as_array().map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str())
                .collect::<Vec<_>>()
        });
        let fields = problem.unwrap_or_else(|| invalid_fields(body));
        assert_eq!(fields, [field], "{body}");
        assert!(body.to_string().contains("at most"), "{body}");
    }
}

#[tokio::test]
async fn racing_api_token_creations_never_exceed_the_cap() {
    let app = spawn_app().await;
    let cap = server::api_tokens::MAX_TOKENS_PER_USER as usize;
    for i in 0..cap - 1 {
        let name = format!("t{i}");
        let (status, body) = app
            .call_fn(
                "alice",
                "create_api_token",
                &[("name", name.as_str()), ("expires", "")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let racers = (0..RACERS).map(|i| {
        let name = format!("racer {i}");
        let app = &app;
        async move {
            app.call_fn(
                "alice",
                "create_api_token",
                &[("name", name.as_str()), ("expires", "")],
            )
            .await
        }
    });
    let answers = join_all(racers).await;
    one_wins(&answers, 200, "name");
    let (status, listed) = app.call_fn("alice", "api_tokens", &NO_ARGS).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(cap), "{listed}");
}

#[tokio::test]
async fn racing_share_link_creations_never_exceed_the_cap() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    let cap = server::sharing::MAX_LINKS_PER_PROJECT as usize;
    let create = |label: String| {
        let app = &app;
        async move {
            app.call_fn(
                "alice",
                "create_share_link",
                &[
                    ("project", "ABC"),
                    ("label", label.as_str()),
                    ("expires", ""),
                ],
            )
            .await
        }
    };
    for i in 0..cap - 1 {
        let (status, body) = create(format!("l{i}")).await;
        assert_eq!(status, 200, "{body}");
    }
    let answers = join_all((0..RACERS).map(|i| create(format!("racer {i}")))).await;
    one_wins(&answers, 200, "label");
    let (status, listed) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(cap), "{listed}");
}

#[tokio::test]
async fn racing_webhook_registrations_never_exceed_the_cap() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    let t = token(&app, "alice").await;
    let cap = server::webhooks::MAX_WEBHOOKS_PER_PROJECT as usize;
    let path = "/api/v1/projects/ABC/webhooks";
    // Host names are checked at delivery, and nothing is delivered here:
    // no event follows the registrations.
    let create = |i: usize| {
        let (app, t) = (&app, &t);
        async move {
            let body = json!({ "url": format!("https://hooks.example.com/{i}") });
            let res = send(app, "POST", path, Some(t), &[], Some(body)).await;
            (res.status, res.body)
        }
    };
    for i in 0..cap - 1 {
        let (status, body) = create(i).await;
        assert_eq!(status, 201, "{body}");
    }
    let answers = join_all((cap..cap + RACERS).map(create)).await;
    one_wins(&answers, 201, "url");
    let listed = send(&app, "GET", path, Some(&t), &[], None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(cap));
}
