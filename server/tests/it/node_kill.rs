//! One of three nodes killed with SIGKILL in the middle of contended
//! writes. The other nodes keep answering; a client whose request was cut
//! off sends it again, with the same `Idempotency-Key`, to another node and
//! it applies once; every acknowledged write is in the log at the version
//! its ETag named; and `replay --verify` passes on the database afterwards.
//! Three real server processes on one PostgreSQL database.

use crate::common::fresh_postgres;
use crate::common::process::ServerProcess;
use crate::node_failover::{alice_with_a_project, client, post, start_node};
use futures::future::join_all;
use serde_json::{Value, json};
use server::db::DatabaseUrl;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
const HOT_ISSUES: usize = 3;
/// Each writer's load is bounded in count and in time.
const WRITES_EACH: usize = 40;
const LOAD_FOR: Duration = Duration::from_secs(6);
/// Acknowledged writes before node a is killed.
const KILL_AFTER: usize = 40;

/// A title change that was acknowledged: its title (unique) and ETag.
struct Acknowledged {
    title: String,
    etag: String,
}

/// What one writer saw.
#[derive(Default)]
struct Outcome {
    acknowledged: Vec<Acknowledged>,
    /// Requests cut off (no answer, or no node) and sent again elsewhere.
    resent: usize,
}

/// Writer `w`: title changes (even) or moves (odd) of the hot issues,
/// starting on node `w % 3`, each sent again to the next node until one
/// answers it.
async fn writer(
    w: usize,
    nodes: Arc<Vec<String>>,
    bearer: String,
    done: Arc<AtomicUsize>,
) -> Outcome {
    let client = client();
    let mut outcome = Outcome::default();
    let started = Instant::now();
    for n in 0..WRITES_EACH {
        if started.elapsed() > LOAD_FOR {
            break;
        }
        let issue = format!("ABC-{}", 1 + (w + n) % HOT_ISSUES);
        let title = format!("w{w} n{n}");
        let (path, body) = if w.is_multiple_of(2) {
            (format!("/api/v1/issues/{issue}"), json!({ "title": title }))
        } else {
            let status = 1 + (w + n) % 4;
            (
                format!("/api/v1/issues/{issue}/move"),
                json!({ "status": status }),
            )
        };
        let method = if w.is_multiple_of(2) { "PATCH" } else { "POST" };
        let key = format!("writer-{w}-{n}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut node = w % nodes.len();
        let res = loop {
            let sent = client
                .request(method.parse().unwrap(), format!("{}{path}", nodes[node]))
                .header("Authorization", &bearer)
                .header("If-Match", "*")
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(res) if !res.status().is_server_error() => break res,
                _ => {
                    assert!(Instant::now() < deadline, "no node took {key}");
                    outcome.resent += 1;
                    node = (node + 1) % nodes.len();
                }
            }
        };
        let status = res.status();
        let etag = res
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned());
        let answer: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{key}: {answer}");
        if w.is_multiple_of(2) {
            let etag = etag.expect("a write answers with an ETag");
            outcome.acknowledged.push(Acknowledged { title, etag });
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    outcome
}

/// The project's whole log, read over REST from `node`.
async fn log(client: &reqwest::Client, node: &str, bearer: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let after = all.last().map_or(0, |e| e["seq"].as_u64().unwrap());
        let page: Value = client
            .get(format!(
                "{node}/api/v1/projects/ABC/events?after={after}&limit=200"
            ))
            .header("Authorization", bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.extend(page["events"].as_array().unwrap().iter().cloned());
        if page["more"] != true {
            return all;
        }
    }
}

#[tokio::test]
async fn a_node_killed_under_contended_writes_loses_nothing_and_applies_each_retry_once() {
    let DatabaseUrl::Postgres(url) = fresh_postgres().await else {
        unreachable!("the test cluster is PostgreSQL")
    };
    let client = client();
    let mut nodes: Vec<ServerProcess> = ["a", "b", "c"]
        .iter()
        .map(|id| start_node(&url, id))
        .collect();
    for node in &mut nodes {
        node.wait_healthy(&client, Duration::from_secs(60)).await;
    }
    let addresses: Arc<Vec<String>> = Arc::new(nodes.iter().map(|n| n.address.clone()).collect());
    let bearer = alice_with_a_project(&client, &nodes[0]).await;
    for i in 0..HOT_ISSUES {
        let create = format!("{}/api/v1/projects/ABC/issues", addresses[i]);
        let issue = json!({ "title": format!("Hot {i}") });
        post(
            &client,
            create,
            ("Authorization", &bearer),
            None,
            Some(issue),
        )
        .await;
    }

    let done = Arc::new(AtomicUsize::new(0));
    let writers = (0..WRITERS)
        .map(|w| tokio::spawn(writer(w, addresses.clone(), bearer.clone(), done.clone())));
    let writers: Vec<_> = writers.collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while done.load(Ordering::Relaxed) < KILL_AFTER {
        assert!(Instant::now() < deadline, "the load never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    nodes[0].kill();
    let outcomes: Vec<Outcome> = join_all(writers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    nodes[1].assert_alive("the kill");
    nodes[2].assert_alive("the kill");
    let resent: usize = outcomes.iter().map(|o| o.resent).sum();
    assert!(
        resent > 0,
        "some request was cut off by the kill and sent again"
    );
    assert!(
        done.load(Ordering::Relaxed) > KILL_AFTER,
        "the other nodes kept answering"
    );

    // Every acknowledged title change is in the log once, at its ETag.
    let events = log(&client, &addresses[1], &bearer).await;
    let mut titled: HashMap<String, Vec<&Value>> = HashMap::new();
    for e in events.iter().filter(|e| e["type"] == "issue_title_changed") {
        let title = e.to_string();
        for o in &outcomes {
            for a in &o.acknowledged {
                if title.contains(&format!("\"{}\"", a.title)) {
                    titled.entry(a.title.clone()).or_default().push(e);
                }
            }
        }
    }
    let mut checked = 0;
    for a in outcomes.iter().flat_map(|o| &o.acknowledged) {
        let found = titled.get(&a.title).map_or(&[][..], Vec::as_slice);
        assert_eq!(found.len(), 1, "{} is in the log once: {found:?}", a.title);
        let version = found[0]["version"].as_u64().unwrap();
        assert_eq!(a.etag, format!("\"{version}\""), "{}", a.title);
        checked += 1;
    }
    assert!(checked >= WRITERS, "{checked} title changes checked");
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, once each");

    // The log replays to the very projections the nodes kept.
    for node in &mut nodes[1..] {
        node.kill();
    }
    let replay = std::process::Command::new(env!("CARGO_BIN_EXE_kanri-server"))
        .args(["replay", "--verify"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("replay runs");
    let said = String::from_utf8_lossy(&replay.stdout);
    assert!(
        replay.status.success() && said.contains("every projection equals the replay of the log"),
        "{said}{}",
        String::from_utf8_lossy(&replay.stderr)
    );
}
