//! Webhooks against a receiver on 127.0.0.1: signed deliveries of the log's
//! events with their sequence numbers, filters, retries with backoff, the
//! delivery log, giving up, and nothing more once deleted.

use super::{get, send, token};
use crate::common::*;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use server::config::Config;
use server::webhooks::Backoff;
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver got: (arrival, headers, body).
pub type Received = Arc<Mutex<Vec<(Instant, http::HeaderMap, String)>>>;

/// A receiver that answers 500 to its first `failures` requests, then 204.
pub async fn receiver(failures: usize) -> (String, Received) {
    let got: Received = Arc::default();
    let seen = got.clone();
    let url = serve(axum::routing::post(
        move |headers: http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push((Instant::now(), headers, body));
                if seen.len() <= failures {
                    http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    http::StatusCode::NO_CONTENT
                }
            }
        },
    ))
    .await;
    (url, got)
}

/// Serves `hook` at `/hook` on 127.0.0.1; returns its URL.
async fn serve(hook: axum::routing::MethodRouter) -> String {
    let app = axum::Router::new().route("/hook", hook);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// `POST /api/v1/projects/ABC/webhooks` with `body`, as the token's owner.
pub async fn add_webhook(app: &TestApp, token: &str, body: Value) -> super::Answer {
    let path = "/api/v1/projects/ABC/webhooks";
    send(app, "POST", path, Some(token), &[], Some(body)).await
}

/// Creates an issue in ABC through the REST API.
async fn add_issue(app: &TestApp, token: &str, title: &str) {
    let path = "/api/v1/projects/ABC/issues";
    let res = send(
        app,
        "POST",
        path,
        Some(token),
        &[],
        Some(json!({ "title": title })),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

pub async fn app_with(backoff: Backoff) -> (TestApp, tempfile_dir::TempDir) {
    let dir = tempfile_dir::TempDir::new();
    // The receivers listen on 127.0.0.1, which webhooks may reach only
    // when the operator allows private targets.
    let config = Config {
        webhook_backoff: backoff,
        webhook_allow_private: true,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    };
    (spawn_with(config).await, dir)
}

pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signed(secret: &str, headers: &http::HeaderMap, body: &str) -> bool {
    let header = headers["kanri-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex == v1
}

#[tokio::test]
async fn matching_events_arrive_signed_in_order_with_retries_until_the_webhook_is_deleted() {
    let backoff = Backoff {
        first_ms: 150,
        max_ms: 1000,
        attempts: 5,
    };
    let (app, _dir) = app_with(backoff).await;
    app.create_project("ABC", "Alpha").await;
    let t = token(&app, "alice").await;
    let (url, got) = receiver(2).await;
    let created = add_webhook(
        &app,
        &t,
        json!({ "url": url, "events": ["issue_created", "issue_title_changed"] }),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = created.body["webhook"]["id"].as_i64().unwrap();
    assert_eq!(
        get(&app, "/api/v1/projects/ABC/webhooks", &t).await.body[0]["url"],
        url
    );

    add_issue(&app, &t, "Hooked").await;
    send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "title": "Renamed" })),
    )
    .await;
    send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/transition",
        Some(&t),
        &[("if-match", "*")],
        Some(json!({ "status": "Done" })),
    )
    .await;

    // Two failures, then both delivered.
    until("two deliveries", || got.lock().unwrap().len() >= 4).await;
    let log = app
        .kanri
        .store()
        .events_after(Some(&key("ABC")), 0, 100)
        .await
        .unwrap();
    let wanted: Vec<u64> = log
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                kanri_domain::Event::IssueCreated { .. }
                    | kanri_domain::Event::IssueTitleChanged { .. }
            )
        })
        .map(|r| r.seq)
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let received = got.lock().unwrap().clone();
    assert_eq!(
        received.len(),
        4,
        "two attempts each, and nothing for the filtered move"
    );
    let mut delivered: Vec<u64> = Vec::new();
    for (_, headers, body) in &received {
        assert!(signed(&secret, headers, body), "signature of {body}");
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["project"], "ABC");
        assert_eq!(body["webhook"], id);
        assert_eq!(
            headers["kanri-event"].to_str().unwrap(),
            body["event"]["type"].as_str().unwrap()
        );
        delivered.push(body["event"]["seq"].as_u64().unwrap());
    }
    delivered.dedup();
    let mut unique = delivered.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique, wanted,
        "each matching event, with its sequence number"
    );
    // The retry waited for the backoff.
    let first = &received[0];
    let retry = received
        .iter()
        .skip(1)
        .find(|r| r.1["kanri-delivery"] == first.1["kanri-delivery"])
        .unwrap();
    assert!(
        retry.0 - first.0 >= Duration::from_millis(150),
        "{:?}",
        retry.0 - first.0
    );

    let deliveries = get(
        &app,
        &format!("/api/v1/projects/ABC/webhooks/{id}/deliveries"),
        &t,
    )
    .await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.body);
    for d in deliveries.body.as_array().unwrap() {
        assert_eq!(d["state"], "delivered", "{d}");
        assert_eq!(d["attempts"], 2);
        assert_eq!(d["last_status"], 204);
    }

    // Deleted: nothing more is sent.
    let deleted = send(
        &app,
        "DELETE",
        &format!("/api/v1/projects/ABC/webhooks/{id}"),
        Some(&t),
        &[],
        None,
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.body, json!([]));
    add_issue(&app, &t, "Unheard").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(got.lock().unwrap().len(), 4, "nothing after the deletion");
    let kept = get(
        &app,
        &format!("/api/v1/projects/ABC/webhooks/{id}/deliveries"),
        &t,
    )
    .await;
    assert_eq!(
        kept.body.as_array().unwrap().len(),
        2,
        "the log stays for the audit"
    );
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_given_up_on_after_the_last_attempt() {
    let backoff = Backoff {
        first_ms: 50,
        max_ms: 100,
        attempts: 3,
    };
    let (app, _dir) = app_with(backoff).await;
    app.create_project("ABC", "Alpha").await;
    let t = token(&app, "alice").await;
    let (url, got) = receiver(usize::MAX).await;
    let created = add_webhook(&app, &t, json!({ "url": url })).await;
    let id = created.body["webhook"]["id"].as_i64().unwrap();
    app.create_issue("ABC", "Doomed").await;
    until("three attempts", || got.lock().unwrap().len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(got.lock().unwrap().len(), 3, "no fourth attempt");
    let log = get(
        &app,
        &format!("/api/v1/projects/ABC/webhooks/{id}/deliveries"),
        &t,
    )
    .await;
    let d = &log.body[0];
    assert_eq!(d["state"], "failed");
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["last_status"], 500);
    assert_eq!(d["last_error"], "HTTP 500 Internal Server Error");
    assert_eq!(d["last_failure"], "http");
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_bad_input_is_named() {
    let (app, _dir) = app_with(Backoff::default()).await;
    app.create_project("ABC", "Alpha").await;
    let admin = token(&app, "alice").await;
    let member = token(&app, "bob").await;
    let outsider = token(&app, "olga").await;
    let body = json!({ "url": "http://127.0.0.1:9/hook" });
    for (who, status) in [(&member, 403), (&outsider, 404)] {
        let res = add_webhook(&app, who, body.clone()).await;
        assert_eq!(res.status, status);
        assert_eq!(
            get(&app, "/api/v1/projects/ABC/webhooks", who).await.status,
            status
        );
    }
    for (bad, field) in [
        (json!({ "url": "ftp://example.test/x" }), "url"),
        (json!({ "url": "not a url" }), "url"),
        (
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["issue_exploded"] }),
            "events",
        ),
    ] {
        let res = add_webhook(&app, &admin, bad).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert_eq!(res.body["errors"][0]["field"], field);
    }
    assert_eq!(
        get(&app, "/api/v1/projects/ABC/webhooks/99/deliveries", &admin)
            .await
            .status,
        404
    );
    assert_eq!(
        send(
            &app,
            "DELETE",
            "/api/v1/projects/ABC/webhooks/99",
            Some(&admin),
            &[],
            None
        )
        .await
        .status,
        404
    );
}

/// A receiver that takes every request but answers only once `release` is
/// notified: a slow receiver, without timing.
async fn held_receiver(release: Arc<tokio::sync::Notify>) -> (String, Received) {
    let got: Received = Arc::default();
    let seen = got.clone();
    let url = serve(axum::routing::post(
        move |headers: http::HeaderMap, body: String| {
            let (seen, release) = (seen.clone(), release.clone());
            async move {
                let waiting = release.notified();
                seen.lock().unwrap().push((Instant::now(), headers, body));
                waiting.await;
                http::StatusCode::NO_CONTENT
            }
        },
    ))
    .await;
    (url, got)
}

#[tokio::test]
async fn a_slow_receiver_holds_back_only_its_own_webhook() {
    let (app, _dir) = app_with(Backoff::default()).await;
    app.create_project("ABC", "Alpha").await;
    let t = token(&app, "alice").await;
    let release = Arc::new(tokio::sync::Notify::new());
    let (slow_url, slow) = held_receiver(release.clone()).await;
    let (fast_url, fast) = receiver(0).await;
    for url in [&slow_url, &fast_url] {
        let created =
            add_webhook(&app, &t, json!({ "url": url, "events": ["issue_created"] })).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    for title in ["First", "Second"] {
        add_issue(&app, &t, title).await;
    }
    // Both events reach the quick receiver while the slow one still holds
    // the first request open.
    until("the quick receiver's deliveries", || {
        fast.lock().unwrap().len() == 2
    })
    .await;
    let held: Vec<String> = slow
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, b)| b.clone())
        .collect();
    assert_eq!(held.len(), 1, "the slow one has its first: {held:?}");
    release.notify_waiters();
    until("the slow receiver's second delivery", || {
        slow.lock().unwrap().len() == 2
    })
    .await;
    release.notify_waiters();
    let bodies: Vec<Value> = slow
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, b)| serde_json::from_str(b).unwrap())
        .collect();
    let seqs: Vec<i64> = bodies
        .iter()
        .map(|b| b["event"]["seq"].as_i64().unwrap())
        .collect();
    assert!(
        seqs[0] < seqs[1],
        "one after the other, in log order: {seqs:?}"
    );
}
