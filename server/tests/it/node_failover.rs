//! A node killed with SIGKILL in the middle of a webhook delivery: the other
//! node takes the background work over and sends the delivery again, with
//! the same delivery id (at least once; the receiver deduplicates by it).
//! Two real server processes on one PostgreSQL database.

use crate::common::process::ServerProcess;
use crate::common::{PASSWORD, fresh_postgres, session_cookie};
use serde_json::{Value, json};
use server::db::DatabaseUrl;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver got: the delivery id of each request, in order.
type Got = Arc<Mutex<Vec<String>>>;

/// A receiver that never answers its first request (the node sending it
/// dies meanwhile) and answers 204 to the others.
async fn receiver() -> (String, Got) {
    let got: Got = Arc::default();
    let seen = got.clone();
    let hook = axum::routing::post(move |headers: http::HeaderMap| {
        let seen = seen.clone();
        async move {
            let first = {
                let mut seen = seen.lock().unwrap();
                seen.push(headers["kanri-delivery"].to_str().unwrap().to_owned());
                seen.len() == 1
            };
            if first {
                std::future::pending::<()>().await;
            }
            http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/hook", hook);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

async fn node_health(client: &reqwest::Client, node: &ServerProcess) -> Value {
    let res = client.get(format!("{}/healthz", node.address)).send().await;
    res.unwrap().json().await.unwrap()
}

async fn until_leading(client: &reqwest::Client, node: &mut ServerProcess) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while node_health(client, node).await["node"]["leader"] != true {
        node.assert_alive("waiting for it to lead");
        assert!(Instant::now() < deadline, "the node never took the lead");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn until_received(got: &Got, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while got.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "{n} requests never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `POST` as a signed-in browser form would (server functions) or with a
/// bearer token (REST); the JSON answer, which must be a success.
pub(crate) async fn post(
    client: &reqwest::Client,
    url: String,
    auth: (&str, &str),
    form: Option<&[(&str, &str)]>,
    body: Option<Value>,
) -> Value {
    let mut req = client
        .post(url)
        .header(auth.0, auth.1)
        .header("Accept", "application/json");
    if let Some(form) = form {
        req = req.form(form);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("the node answers");
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Node `id` on the PostgreSQL database at `url`, a real process.
pub(crate) fn start_node(url: &str, id: &str) -> ServerProcess {
    ServerProcess::start(&[
        ("DATABASE_URL", url),
        ("KANRI_NODE_ID", id),
        ("KANRI_WEBHOOK_ALLOW_PRIVATE", "1"),
    ])
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// alice signs up on `node` and creates project ABC there; an API token of hers.
pub(crate) async fn alice_with_a_project(client: &reqwest::Client, node: &ServerProcess) -> String {
    let signed_up = client
        .post(format!("{}/auth/sign-up", node.address))
        .json(&json!({ "name": "alice", "email": "alice@example.test",
                       "display_name": "Alice", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 200);
    let cookie = session_cookie(&signed_up).0;
    let cookie = ("Cookie", cookie.as_str());
    let project = [("name", "Alpha"), ("key", "ABC"), ("kind", "kanban")];
    let create_project = format!("{}/api/fn/create_project", node.address);
    post(client, create_project, cookie, Some(&project), None).await;
    let form = [("name", "failover"), ("expires", "")];
    let create_token = format!("{}/api/fn/create_api_token", node.address);
    let made = post(client, create_token, cookie, Some(&form), None).await;
    format!("Bearer {}", made["secret"].as_str().unwrap())
}

#[tokio::test]
async fn a_delivery_cut_off_by_a_killed_node_is_sent_again_by_another_with_the_same_id() {
    let DatabaseUrl::Postgres(url) = fresh_postgres().await else {
        unreachable!("the test cluster is PostgreSQL")
    };
    let client = client();
    let mut a = start_node(&url, "a");
    a.wait_healthy(&client, Duration::from_secs(60)).await;
    until_leading(&client, &mut a).await;
    let mut b = start_node(&url, "b");
    b.wait_healthy(&client, Duration::from_secs(60)).await;

    let bearer = alice_with_a_project(&client, &a).await;
    let bearer = ("Authorization", bearer.as_str());
    let (hook, got) = receiver().await;
    let webhook = json!({ "url": hook, "events": ["issue_created"] });
    post(
        &client,
        format!("{}/api/v1/projects/ABC/webhooks", b.address),
        bearer,
        None,
        Some(webhook),
    )
    .await;
    let issue = json!({ "title": "Delivered twice, handled once" });
    post(
        &client,
        format!("{}/api/v1/projects/ABC/issues", b.address),
        bearer,
        None,
        Some(issue),
    )
    .await;

    // a, the leader, sends; the receiver holds the request; a dies.
    until_received(&got, 1, Duration::from_secs(20)).await;
    a.kill();
    until_leading(&client, &mut b).await;
    // b sends it again once a's claim on it has lapsed.
    until_received(&got, 2, Duration::from_secs(40)).await;
    let ids = got.lock().unwrap().clone();
    assert_eq!(ids[0], ids[1], "the same delivery id: {ids:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = client
            .get(format!(
                "{}/api/v1/projects/ABC/webhooks/1/deliveries",
                b.address
            ))
            .header(bearer.0, bearer.1)
            .send()
            .await
            .unwrap();
        let log: Value = res.json().await.unwrap();
        if log[0]["state"] == "delivered" {
            assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never recorded as delivered: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.assert_alive("the failover");
}
