//! Webhooks cannot reach the server's own network (SSRF): literal private
//! addresses are refused at creation, a name is checked on the addresses it
//! resolves to at each delivery, and the delivery log names the class of a
//! failure. Only 127.0.0.1 ever receives traffic here: the other ranges are
//! tested at creation and in the classifier's unit tests, never delivered to.

use super::webhooks::{Received, add_webhook, receiver};
use super::{get, token};
use crate::common::*;
use serde_json::{Value, json};
use server::config::Config;
use server::webhooks::Backoff;
use std::time::{Duration, Instant};

/// No retry within a test: each delivery's first attempt is the one seen.
const ONE_ATTEMPT: Backoff = Backoff {
    first_ms: 60_000,
    max_ms: 60_000,
    attempts: 8,
};

fn config(dir: &tempfile_dir::TempDir, allow_private: bool) -> Config {
    Config {
        webhook_backoff: ONE_ATTEMPT,
        webhook_allow_private: allow_private,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    }
}

/// A server (private targets allowed or not) with project ABC and alice's token.
async fn start(allow_private: bool) -> (TestApp, tempfile_dir::TempDir, String) {
    let dir = tempfile_dir::TempDir::new();
    let app = spawn_with(config(&dir, allow_private)).await;
    app.create_project("ABC", "Alpha").await;
    let t = token(&app, "alice").await;
    (app, dir, t)
}

/// Registers a webhook for every event; its id.
async fn webhook(app: &TestApp, t: &str, url: &str) -> i64 {
    let created = add_webhook(app, t, json!({ "url": url })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["webhook"]["id"].as_i64().unwrap()
}

/// Polls the webhook's delivery log until its newest delivery has had an
/// attempt; that delivery.
async fn first_attempt(app: &TestApp, t: &str, id: i64) -> Value {
    let path = format!("/api/v1/projects/ABC/webhooks/{id}/deliveries");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = get(app, &path, t).await;
        assert_eq!(log.status, 200, "{}", log.body);
        if log.body[0]["attempts"].as_u64() >= Some(1) {
            return log.body[0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "no attempt recorded: {}",
            log.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn received(got: &Received) -> usize {
    got.lock().unwrap().len()
}

#[tokio::test]
async fn literal_private_addresses_are_refused_at_creation_unless_allowed() {
    let (app, _dir, t) = start(false).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://192.168.1.1/",
        "http://[fd00::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        // Other spellings of 127.0.0.1 that URL parsing normalises.
        "http://2130706433/",
        "http://0x7f.1/",
    ] {
        let res = add_webhook(&app, &t, json!({ "url": url })).await;
        assert_eq!(res.status, 422, "{url}: {}", res.body);
        assert_eq!(res.body["errors"][0]["field"], "url", "{url}");
        let message = res.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("public addresses"), "{url}: {message}");
    }
    // The server function (the settings form) refuses the same way.
    let (_, body) = app
        .call_fn(
            "alice",
            "create_webhook",
            &[
                ("project", "ABC"),
                ("url", "http://[::1]:9/"),
                ("events", ""),
            ],
        )
        .await;
    assert_eq!(invalid_fields(&body), ["url"], "{body}");
    assert_eq!(
        get(&app, "/api/v1/projects/ABC/webhooks", &t).await.body,
        json!([]),
        "none was stored"
    );
    // A host name is accepted: it is checked at each delivery, on the
    // addresses it has then. (Nothing is sent: no event follows.)
    webhook(&app, &t, "https://hooks.example.com/kanri").await;

    // The operator allows private targets: the same literal is accepted.
    let (allowed, _dir2, t2) = start(true).await;
    webhook(&allowed, &t2, "http://127.0.0.1:9/hook").await;
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_at_delivery_and_nothing_is_sent() {
    let (app, _dir, t) = start(false).await;
    let (url, got) = receiver(0).await;
    // `localhost` resolves to the receiver's loopback address.
    let url = url.replace("127.0.0.1", "localhost");
    let id = webhook(&app, &t, &url).await;
    app.create_issue("ABC", "Probe").await;
    let d = first_attempt(&app, &t, id).await;
    assert_eq!(d["last_failure"], "refused", "{d}");
    let error = d["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("refused (private address)"),
        "the class, not raw network text: {error}"
    );
    assert!(!error.contains("127.0.0.1"), "{error}");
    assert_eq!(d["last_status"], Value::Null);
    assert_eq!(d["state"], "pending", "retried later: {d}");
    assert_eq!(received(&got), 0, "the receiver got nothing");
}

#[tokio::test]
async fn with_private_targets_allowed_the_same_delivery_arrives() {
    let (app, _dir, t) = start(true).await;
    let (url, got) = receiver(0).await;
    let id = webhook(&app, &t, &url.replace("127.0.0.1", "localhost")).await;
    app.create_issue("ABC", "Allowed").await;
    let d = first_attempt(&app, &t, id).await;
    assert_eq!(d["state"], "delivered", "{d}");
    assert_eq!(d["last_failure"], Value::Null);
    assert_eq!(received(&got), 1);
}

#[tokio::test]
async fn a_literal_address_allowed_once_is_refused_at_delivery_after_the_setting_is_turned_off() {
    let dir = tempfile_dir::TempDir::new();
    let allowed = spawn_with(config(&dir, true)).await;
    allowed.create_project("ABC", "Alpha").await;
    let t = token(&allowed, "alice").await;
    let (url, got) = receiver(0).await;
    let id = webhook(&allowed, &t, &url).await;
    allowed.stop().await;

    // The same database, now with the default: public targets only.
    let app = spawn_with(config(&dir, false)).await;
    app.create_issue("ABC", "After").await;
    let d = first_attempt(&app, &t, id).await;
    assert_eq!(d["last_failure"], "refused", "{d}");
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .starts_with("refused (private address): the host is a loopback address"),
        "{d}"
    );
    assert_eq!(received(&got), 0, "the receiver got nothing");
}

#[tokio::test]
async fn the_delivery_log_names_the_class_of_a_failure_not_the_raw_error() {
    let (app, _dir, t) = start(true).await;
    // A plain-HTTP receiver asked for TLS: the handshake fails.
    let (plain, _) = receiver(0).await;
    let tls = webhook(&app, &t, &plain.replace("http://", "https://")).await;
    // A receiver that answers 500.
    let (failing, _) = receiver(usize::MAX).await;
    let http = webhook(&app, &t, &failing).await;
    // A port nobody listens on any more: the connection is refused.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let unreachable = webhook(&app, &t, &format!("http://{closed}/hook")).await;
    app.create_issue("ABC", "Classes").await;

    for (id, class, starts) in [
        (unreachable, "unreachable", "unreachable: "),
        (tls, "tls", "TLS: "),
        (http, "http", "HTTP 500"),
    ] {
        let d = first_attempt(&app, &t, id).await;
        assert_eq!(d["last_failure"], class, "{d}");
        let error = d["last_error"].as_str().unwrap();
        assert!(error.starts_with(starts), "{class}: {error}");
        assert!(
            !error.contains("error sending request") && !error.contains("os error"),
            "no raw network text: {error}"
        );
    }
}
