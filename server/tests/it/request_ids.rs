//! Every request has an id, sent back in `X-Request-Id` and named on every
//! log line written while it is handled, down to the event store's append
//! and the database's statements. Runs the real binary to read its real log.

use std::time::{Duration, Instant};

use crate::common::process::ServerProcess;
use crate::common::{PASSWORD, session_cookie};

async fn sign_up(client: &reqwest::Client, base: &str, request_id: &str) -> reqwest::Response {
    client
        .post(format!("{base}/auth/sign-up"))
        .header("X-Request-Id", request_id)
        .json(&serde_json::json!({
            "name": "alice",
            "email": "alice@example.test",
            "display_name": "Alice",
            "password": PASSWORD,
        }))
        .send()
        .await
        .expect("the server answers")
}

/// Polls the server's log until a line has all of `parts`, or panics.
fn wait_for_line(server: &ServerProcess, parts: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log();
        if let Some(line) = log.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
            return line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no log line has all of {parts:?}; the log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_request_id_names_every_log_line_of_its_request() {
    let server = ServerProcess::start(&[("RUST_LOG", "info,sqlx::query=debug")]);
    let client = reqwest::Client::new();
    let base = server.address.clone();

    let res = sign_up(&client, &base, "signup-1").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["x-request-id"],
        "signup-1",
        "a plain id is kept"
    );
    let cookie = session_cookie(&res).0;
    // The account's insert is a statement logged inside the request's span.
    wait_for_line(&server, &["request{id=signup-1", "/auth/sign-up", "INSERT"]);

    // The UI's server path: a server function whose command is appended.
    let res = client
        .post(format!("{base}/api/fn/create_project"))
        .header("Accept", "application/json")
        .header("Cookie", &cookie)
        .header("X-Request-Id", "create-project-7")
        .form(&[("key", "ABC"), ("name", "Apollo")])
        .send()
        .await
        .expect("the server answers");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-request-id"], "create-project-7");
    let line = wait_for_line(&server, &["request{id=create-project-7", "append{"]);
    assert!(
        line.contains("route=/api/fn/create_project"),
        "the span names the function: {line}"
    );
}

#[tokio::test]
async fn a_hostile_or_missing_request_id_is_replaced_by_a_fresh_one() {
    let server = ServerProcess::start(&[("RUST_LOG", "info")]);
    let client = reqwest::Client::new();
    let base = &server.address;
    for hostile in ["a b", "x\"}=forged", &"a".repeat(65)] {
        let res = client
            .get(format!("{base}/healthz"))
            .header("X-Request-Id", hostile)
            .send()
            .await
            .expect("the server answers");
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id, hostile);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "a fresh UUID: {id}");
    }
    let first = client.get(format!("{base}/healthz")).send().await.unwrap();
    let second = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_ne!(
        first.headers()["x-request-id"],
        second.headers()["x-request-id"],
        "each request has its own id"
    );
}
