//! `./kanri bench http` (`cargo bench --bench http`): the hot paths as a
//! client sees them, over HTTP on 127.0.0.1, against the release server
//! (`KANRI_SERVER_BIN`) started as a child process on a fresh database
//! (`DATABASE_URL=postgres://…/postgres` for PostgreSQL, else SQLite).
//!
//! - REST moves (`POST /api/v1/issues/{key}/move`, bearer token,
//!   `If-Match: *`) beside REST reads of the same issues (`GET`), with 1 and
//!   8 connections, each connection sending its next request when the last
//!   is answered, for a fixed time;
//! - the board's own path: the `execute` server function with a session,
//!   each move based on the card's version the previous answer gave;
//! - `/healthz`;
//! - the board page (`GET /p/{KEY}/board`, signed in) with 1,000 and 5,000
//!   cards: p50 and size of the HTML.
//!
//! The load generator runs on the same two cores as the server, as the
//! issue's wrk figures did. Every loop is bounded in time and count; an
//! answer other than 2xx stops the bench (a rate of refusals means nothing).

mod harness;

use harness::{Server, execute, fresh_database, percentile};
use std::time::{Duration, Instant};

/// How long each load runs.
const WINDOW: Duration = Duration::from_secs(5);
/// Issues the moves and reads are spread over.
const HOT_ISSUES: usize = 64;
const PROJECT: &str = "HOT";
/// Board page requests per size, one after another.
const PAGE_LOADS: usize = 40;

/// What one load measured.
struct Load {
    requests: usize,
    elapsed: Duration,
    latencies_ms: Vec<f64>,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn line(&mut self) -> String {
        self.latencies_ms.sort_by(f64::total_cmp);
        format!(
            "{:>7.0}/s  p50 {:>5.2} ms  p99 {:>5.2} ms",
            self.per_second(),
            percentile(&self.latencies_ms, 0.50),
            percentile(&self.latencies_ms, 0.99)
        )
    }
}

/// `connections` clients (one connection each) send `request(connection,
/// n)` one after another until the window closes.
async fn load<F, Fut>(connections: usize, request: F) -> Load
where
    F: Fn(reqwest::Client, usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let deadline = started + WINDOW;
    let workers: Vec<_> = (0..connections)
        .map(|connection| {
            let request = request.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("an HTTP client");
                let mut latencies = Vec::new();
                let mut n = 0;
                // Bounded by time, and by count should the clock stall.
                while Instant::now() < deadline && n < 1_000_000 {
                    let sent = Instant::now();
                    request(client.clone(), connection, n).await;
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    n += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies_ms = Vec::new();
    for worker in workers {
        latencies_ms.extend(worker.await.expect("a load worker"));
    }
    Load {
        requests: latencies_ms.len(),
        elapsed: started.elapsed(),
        latencies_ms,
    }
}

fn ok(res: reqwest::Response, what: &str) -> reqwest::Response {
    assert!(res.status().is_success(), "{what}: {}", res.status());
    res
}

/// A read-write API token of the bench's user.
async fn token(client: &reqwest::Client, server: &Server) -> String {
    let res = client
        .post(format!("http://{}/api/fn/create_api_token", server.addr))
        .header("Accept", "application/json")
        .header("Cookie", &server.cookie)
        .form(&[("name", "bench"), ("expires", "")])
        .send()
        .await
        .expect("the server answers");
    let created: serde_json::Value = ok(res, "create_api_token").json().await.expect("json");
    created["secret"].as_str().expect("a secret").to_owned()
}

async fn create_project(client: &reqwest::Client, server: &Server, key: &str) {
    execute(
        client,
        server,
        key,
        0,
        serde_json::json!({
            "type": "create_project", "key": key, "name": key, "kind": "kanban"
        }),
    )
    .await;
}

/// `count` more issues in `key`, 8 creations at a time.
async fn create_issues(server: &Server, key: &str, count: usize) {
    use futures::StreamExt;
    let client = reqwest::Client::new();
    futures::stream::iter(0..count)
        .for_each_concurrent(8, |i| {
            let client = client.clone();
            async move {
                execute(
                    &client,
                    server,
                    key,
                    0,
                    serde_json::json!({
                        "type": "create_issue", "title": format!("Card number {i} of the bench"),
                        "issue_type": "task", "priority": "medium"
                    }),
                )
                .await;
            }
        })
        .await;
}

/// The `n`th request of `connection`: each connection has issues of its own
/// and moves each in turn between the first two columns, so every move
/// changes something and no two connections touch the same issue.
fn target(connection: usize, connections: usize, n: usize) -> (usize, u32) {
    let turn = connection + connections * n;
    let to = if (turn / HOT_ISSUES).is_multiple_of(2) {
        2
    } else {
        1
    };
    (1 + turn % HOT_ISSUES, to)
}

async fn rest(server: &Server, token: &str, connections: usize) {
    let (addr, bearer) = (server.addr.clone(), format!("Bearer {token}"));
    let moves = load(connections, {
        let (addr, bearer) = (addr.clone(), bearer.clone());
        move |client: reqwest::Client, connection, n| {
            let (addr, bearer) = (addr.clone(), bearer.clone());
            async move {
                let (issue, to) = target(connection, connections, n);
                let res = client
                    .post(format!(
                        "http://{addr}/api/v1/issues/{PROJECT}-{issue}/move"
                    ))
                    .header("Authorization", &bearer)
                    .header("If-Match", "*")
                    .json(&serde_json::json!({ "status": to }))
                    .send()
                    .await
                    .expect("the server answers");
                ok(res, "move").bytes().await.expect("a body");
            }
        }
    })
    .await;
    let reads = load(
        connections,
        move |client: reqwest::Client, connection, n| {
            let (addr, bearer) = (addr.clone(), bearer.clone());
            async move {
                let (issue, _) = target(connection, connections, n);
                let res = client
                    .get(format!("http://{addr}/api/v1/issues/{PROJECT}-{issue}"))
                    .header("Authorization", &bearer)
                    .send()
                    .await
                    .expect("the server answers");
                ok(res, "read").bytes().await.expect("a body");
            }
        },
    )
    .await;
    print_pair(connections, "REST", moves, reads);
}

fn print_pair(connections: usize, path: &str, mut moves: Load, mut reads: Load) {
    let ratio = reads.per_second() / moves.per_second();
    println!(
        "{path} {connections} conn.  moves {}   reads {}   a move costs {ratio:.1}× a read",
        moves.line(),
        reads.line()
    );
}

/// Moves through the `execute` server function, as the board sends them:
/// version-checked against the version the last answer gave.
async fn board_path(server: &Server, connections: usize) {
    let (addr, cookie) = (server.addr.clone(), server.cookie.clone());
    let versions: std::sync::Arc<Vec<std::sync::atomic::AtomicU64>> = std::sync::Arc::new(
        (0..HOT_ISSUES)
            .map(|_| std::sync::atomic::AtomicU64::new(0))
            .collect(),
    );
    // The cards' versions now.
    let client = reqwest::Client::new();
    for issue in 1..=HOT_ISSUES {
        let res = client
            .get(format!("http://{addr}/api/v1/issues/{PROJECT}-{issue}"))
            .header("Cookie", &cookie)
            .send()
            .await
            .expect("the server answers");
        let etag = ok(res, "read").headers()["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        let version = etag
            .trim_matches(|c| c == '"' || c == 'W' || c == '/')
            .parse()
            .expect("a version ETag");
        versions[issue - 1].store(version, std::sync::atomic::Ordering::Relaxed);
    }
    let mut moves = load(
        connections,
        move |client: reqwest::Client, connection, n| {
            let (addr, cookie, versions) = (addr.clone(), cookie.clone(), versions.clone());
            async move {
                let (issue, to) = target(connection, connections, n);
                let version = &versions[issue - 1];
                let envelope = serde_json::json!({ "envelope": {
                    "id": uuid::Uuid::new_v4(), "project": PROJECT,
                    "base_version": version.load(std::sync::atomic::Ordering::Relaxed),
                    "command": { "type": "move_issue", "issue": issue, "to": to, "after": null }
                }});
                let res = client
                    .post(format!("http://{addr}/api/fn/execute"))
                    .header("Accept", "application/json")
                    .header("Cookie", &cookie)
                    .json(&envelope)
                    .send()
                    .await
                    .expect("the server answers");
                let outcome: serde_json::Value =
                    ok(res, "execute").json().await.expect("an outcome");
                assert!(
                    outcome["outcome"] == "accepted",
                    "a move on the card's version: {outcome}"
                );
                let last = outcome["events"].as_array().and_then(|e| e.last());
                if let Some(new) = last.and_then(|e| e["version"].as_u64()) {
                    version.store(new, std::sync::atomic::Ordering::Relaxed);
                }
            }
        },
    )
    .await;
    println!(
        "board's execute {connections} conn.  moves {}",
        moves.line()
    );
}

async fn healthz(server: &Server) {
    let addr = server.addr.clone();
    let mut probes = load(1, move |client: reqwest::Client, _, _| {
        let addr = addr.clone();
        async move {
            let res = client
                .get(format!("http://{addr}/healthz"))
                .send()
                .await
                .expect("an answer");
            ok(res, "healthz").bytes().await.expect("a body");
        }
    })
    .await;
    println!("/healthz 1 conn.  {}", probes.line());
}

/// The signed-in board page of `key`: p50, p99 and size of its HTML.
async fn board_page(server: &Server, key: &str, cards: usize) {
    let client = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(PAGE_LOADS);
    let mut bytes = 0;
    for _ in 0..PAGE_LOADS {
        let sent = Instant::now();
        let res = client
            .get(format!("http://{}/p/{key}/board", server.addr))
            .header("Cookie", &server.cookie)
            .send()
            .await
            .expect("the server answers");
        let html = ok(res, "board page").text().await.expect("a page");
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        assert!(
            html.contains(&format!("{key}-{cards}")),
            "the page holds the last card"
        );
        bytes = html.len();
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "board page, {cards:>5} cards  p50 {:>6.1} ms  p99 {:>6.1} ms  {:.0} KB of HTML ({:.2} KB per card)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        bytes as f64 / 1024.0,
        bytes as f64 / 1024.0 / cards as f64
    );
}

#[tokio::main]
async fn main() {
    println!(
        "Kanri HTTP benchmark ({} cores; server and load generator on 127.0.0.1; {} s per load)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        WINDOW.as_secs()
    );
    let database = fresh_database("http").await;
    let server = harness::start_node("http", &database, "a", "").await;
    let client = reqwest::Client::new();
    let token = token(&client, &server).await;
    create_project(&client, &server, PROJECT).await;
    create_issues(&server, PROJECT, HOT_ISSUES).await;

    for connections in [1, 8] {
        rest(&server, &token, connections).await;
    }
    for connections in [1, 8] {
        board_path(&server, connections).await;
    }
    healthz(&server).await;

    create_project(&client, &server, "BIG").await;
    let mut cards = 0;
    for size in [1_000, 5_000] {
        create_issues(&server, "BIG", size - cards).await;
        cards = size;
        board_page(&server, "BIG", cards).await;
    }
}
