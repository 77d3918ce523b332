//! `./kanri bench fanout` (`cargo bench --bench fanout`): how fast a move
//! reaches the browsers watching a board, and what idle sockets cost.
//!
//! Starts the release server (`KANRI_SERVER_BIN`) as a child process on a
//! free loopback port with a fresh database, connects N WebSocket watchers
//! to one board, and moves cards at a steady pace. Each event's latency is
//! measured from its commit timestamp (`at_ms`, millisecond resolution) to
//! its receipt by a watcher. Then it holds 10,000 idle sockets open and
//! reads the server's resident memory from /proc.
//!
//! With `DATABASE_URL=postgres://…/postgres` the server runs on a database
//! the bench creates on that PostgreSQL server; otherwise on an SQLite file.
//! On PostgreSQL it then starts two more nodes on the same database and
//! spreads 300 watchers over the three, with the writer on the first: the
//! figures for the other nodes are the cross-node propagation (through
//! `LISTEN`/`NOTIFY` and a read of the log).
//!
//! Everything talks to 127.0.0.1 only, and every loop is bounded.

mod harness;

use futures::{SinkExt, StreamExt};
use harness::{Server, execute, fresh_database, percentile};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

const MOVES: usize = 100;
const MOVE_INTERVAL: Duration = Duration::from_millis(40);
const IDLE_SOCKETS: usize = 10_000;
const CONNECT_CONCURRENCY: usize = 200;
/// Several nodes (PostgreSQL only): how many, and watchers over all of them.
const NODES: usize = 3;
const NODE_WATCHERS: usize = 300;

fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max.min(200_000);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The log head, from /healthz: watchers resume from there (no catch-up).
async fn head(addr: &str) -> u64 {
    let health: serde_json::Value = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("healthz")
        .json()
        .await
        .expect("json");
    health["log_head"].as_u64().unwrap_or(0)
}

/// Opens `n` sockets on the board as the bench's user. Some may fail under
/// load (counted in the figures); none at all stops the bench, with the
/// first refusal.
async fn connect_many(server: &Server, project: &str, n: usize) -> Vec<Socket> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "ws://{}/api/live/{project}?after={}",
        server.addr,
        head(&server.addr).await
    );
    let mut request = url.into_client_request().expect("a socket URL");
    request.headers_mut().insert(
        "Cookie",
        server.cookie.parse().expect("a cookie header value"),
    );
    let sockets = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let first_error = Arc::new(Mutex::new(None::<String>));
    futures::stream::iter(0..n)
        .for_each_concurrent(CONNECT_CONCURRENCY, |_| {
            let (request, sockets, first_error) =
                (request.clone(), sockets.clone(), first_error.clone());
            async move {
                match tokio::time::timeout(
                    Duration::from_secs(20),
                    tokio_tungstenite::connect_async(request),
                )
                .await
                {
                    Ok(Ok((socket, _))) => sockets.lock().await.push(socket),
                    Ok(Err(e)) => {
                        first_error.lock().await.get_or_insert(e.to_string());
                    }
                    Err(_) => {
                        first_error.lock().await.get_or_insert("timed out".into());
                    }
                }
            }
        })
        .await;
    let sockets = Arc::try_unwrap(sockets)
        .map(Mutex::into_inner)
        .unwrap_or_default();
    assert!(
        !sockets.is_empty(),
        "no socket opened: {:?}",
        first_error.lock().await
    );
    sockets
}

/// `watchers` on one board, spread evenly over `nodes`, while a writer
/// makes `MOVES` moves through the first node. With several nodes, the
/// figures are split into the writer's node and the others.
async fn propagation(nodes: &[&Server], watchers: usize) {
    let client = reqwest::Client::new();
    let writer = nodes[0];
    let letter = (b'A' + (watchers % 26) as u8) as char;
    let project = format!("F{letter}{}", if nodes.len() > 1 { "N" } else { "" });
    execute(&client, writer, &project, 0, serde_json::json!({ "type": "create_project", "key": project, "name": "Fanout", "kind": "kanban" })).await;
    for i in 0..20 {
        execute(&client, writer, &project, 0, serde_json::json!({
            "type": "create_issue", "title": format!("Card {i}"), "issue_type": "task", "priority": "medium"
        }))
        .await;
    }
    let mut sockets = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let on_node = connect_many(node, &project, watchers / nodes.len()).await;
        sockets.extend(on_node.into_iter().map(|s| (n, s)));
    }
    let connected = sockets.len();
    // Latencies by whether the socket is on the writer's node.
    let latencies = Arc::new(Mutex::new([Vec::new(), Vec::new()]));
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|(node, mut socket)| {
            let latencies = latencies.clone();
            tokio::spawn(async move {
                let mut seen = 0;
                let deadline = Instant::now() + Duration::from_secs(60);
                while seen < MOVES && Instant::now() < deadline {
                    let Ok(Some(Ok(Message::Text(text)))) =
                        tokio::time::timeout(Duration::from_secs(10), socket.next()).await
                    else {
                        break;
                    };
                    let received = now_ms();
                    let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else {
                        continue;
                    };
                    if let Some(events) = message["events"].as_array() {
                        let mut mine = Vec::new();
                        for e in events {
                            mine.push(received - e["at_ms"].as_f64().unwrap_or(received));
                            seen += 1;
                        }
                        latencies.lock().await[usize::from(node > 0)].extend(mine);
                    }
                }
                let _ = socket.close(None).await;
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut versions = [1u64; 20];
    for step in 0..MOVES {
        let card = step % 20;
        let to = 1 + (step / 20 + 1) % 4;
        let out = execute(
            &client,
            writer,
            &project,
            versions[card],
            serde_json::json!({
                "type": "move_issue", "issue": card + 1, "to": to, "after": null
            }),
        )
        .await;
        if let Some(v) = out["events"]
            .as_array()
            .and_then(|e| e.last())
            .and_then(|e| e["version"].as_u64())
        {
            versions[card] = v;
        }
        tokio::time::sleep(MOVE_INTERVAL).await;
    }
    for r in readers {
        let _ = r.await;
    }
    let [mut same, mut other] = Arc::try_unwrap(latencies)
        .map(Mutex::into_inner)
        .unwrap_or_default();
    if nodes.len() == 1 {
        print_latencies(
            &format!("{watchers:>5} watchers ({connected} connected)"),
            &mut same,
        );
    } else {
        let what = format!(
            "{} nodes, {watchers} watchers ({connected} connected)",
            nodes.len()
        );
        print_latencies(&format!("{what}, on the writer's node"), &mut same);
        print_latencies(&format!("{what}, on the other nodes"), &mut other);
    }
}

fn print_latencies(what: &str, all: &mut [f64]) {
    all.sort_by(f64::total_cmp);
    println!(
        "{what}: {} deliveries, commit→receipt p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        percentile(all, 0.50),
        percentile(all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn idle_sockets(server: &Server) {
    let client = reqwest::Client::new();
    execute(&client, server, "IDLE", 0, serde_json::json!({ "type": "create_project", "key": "IDLE", "name": "Idle", "kind": "kanban" })).await;
    let before = rss_mb(server.child.id());
    let started = Instant::now();
    let sockets = connect_many(server, "IDLE", IDLE_SOCKETS).await;
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_mb(server.child.id());
    println!(
        "{} idle sockets: server RSS {:.0} MB (was {:.0} MB before; {:.1} KB per socket); connected in {:.1?}",
        sockets.len(),
        after,
        before,
        (after - before) * 1024.0 / sockets.len().max(1) as f64,
        took
    );
    for mut s in sockets {
        let _ = s.send(Message::Close(None)).await;
    }
}

#[tokio::main]
async fn main() {
    raise_fd_limit();
    println!(
        "Kanri fan-out benchmark ({} cores; server and watchers on 127.0.0.1)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let database = fresh_database("fanout").await;
    let server = harness::start_node("fanout", &database, "a", "").await;
    propagation(&[&server], 100).await;
    propagation(&[&server], 1_000).await;
    idle_sockets(&server).await;
    if database.starts_with("postgres") {
        let mut nodes = vec![server];
        for id in ["b", "c"].into_iter().take(NODES - 1) {
            let cookie = nodes[0].cookie.clone();
            nodes.push(harness::start_node("fanout", &database, id, &cookie).await);
        }
        let nodes: Vec<&Server> = nodes.iter().collect();
        propagation(&nodes, NODE_WATCHERS).await;
    }
}
