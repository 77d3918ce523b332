//! Several app nodes on one PostgreSQL database (the throwaway cluster):
//! an append on one node reaches the board sockets of another, a command is
//! decided on the log's head whatever node it lands on, concurrent writers
//! spread over nodes lose nothing, and a node whose listening connection
//! drops catches up.

use crate::common::*;
use crate::live::{Socket, connect, events_until, next_server_message};
use crate::rest::webhooks::{add_webhook, receiver, until};
use crate::rest::{get, send, token};
use crate::share_links::{closed_with, link_socket, project_with_a_link, revoke_link};
use app::api::live::close;
use app::api::live::{ClientMessage, ServerMessage, Viewer};
use futures::SinkExt;
use kanri_domain::*;
use serde_json::json;
use server::config::Config;
use server::db::{DatabaseUrl, Db};
use server::service::ExecError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// "At once": what a revocation on one node may take to close a socket on another.
const AT_ONCE: Duration = Duration::from_secs(1);

pub(crate) fn node(url: &DatabaseUrl, id: &str) -> Config {
    Config {
        node_id: id.into(),
        // The tests' webhook receivers listen on 127.0.0.1.
        webhook_allow_private: true,
        ..Config::new("127.0.0.1:0".parse().unwrap(), url.clone())
    }
}

/// Nodes `a`, `b`, … on one fresh database, each hearing the others.
async fn nodes(n: usize) -> Vec<TestApp> {
    let url = fresh_postgres().await;
    let mut nodes = Vec::new();
    for id in ["a", "b", "c"].into_iter().take(n) {
        let app = spawn_exactly(node(&url, id), PathBuf::new()).await;
        until_listening(&app).await;
        nodes.push(app);
    }
    nodes
}

async fn health(app: &TestApp) -> serde_json::Value {
    app.get("/healthz").await.json().await.unwrap()
}

pub(crate) async fn until_listening(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while health(app).await["node"]["listener"] != "listening" {
        assert!(Instant::now() < deadline, "the node never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn head(app: &TestApp, project: &str) -> u64 {
    app.kanri.store().head(Some(&key(project))).await.unwrap()
}

async fn log(app: &TestApp, project: &str) -> Vec<Recorded> {
    let store = app.kanri.store();
    store
        .events_after(Some(&key(project)), 0, u32::MAX)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_move_on_one_node_reaches_a_board_socket_on_another() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    let issue = a.create_issue("ABC", "Shared").await;
    let from = head(&a, "ABC").await;
    let mut on_b = connect(&b, "ABC", from, "bob").await;
    let moved = a.execute_at_head("alice", "ABC", move_to(issue, 2)).await;
    let seq = moved.last_seq();
    assert_eq!(events_until(&mut on_b, from, seq).await, [seq]);
    assert_eq!(health(&b).await["node"]["id"], "b");
}

#[tokio::test]
async fn a_command_is_decided_on_what_another_node_wrote_a_moment_before() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    // b holds the project, then a writes; b may not have heard yet: the
    // append's check of the project's head makes b catch up and decide again.
    b.state("ABC").await;
    a.create_issue("ABC", "First").await;
    assert_eq!(b.create_issue("ABC", "Second").await, IssueNumber(2));
    a.execute_at_head("alice", "ABC", Command::RemoveMember { user: user("bob") })
        .await;
    let refused = b.execute("bob", "ABC", 0, new_issue("Not a member")).await;
    assert!(matches!(refused, Err(ExecError::Domain(_))), "{refused:?}");
    let state = b.state("ABC").await;
    assert_eq!(state.issues.len(), 2);
    assert!(!state.project.unwrap().members.contains_key(&user("bob")));
}

#[tokio::test]
async fn a_write_through_one_node_is_read_back_at_once_through_another() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    a.create_issue("ABC", "Read back").await;
    let t = token(&a, "alice").await;
    // b holds the project already, so only its freshness check can help.
    assert_eq!(get(&b, "/api/v1/issues/ABC-1", &t).await.status, 200);
    for round in 0..30 {
        let title = json!({ "title": format!("Round {round}") });
        let star = [("if-match", "*")];
        let path = "/api/v1/issues/ABC-1";
        let wrote = send(&a, "PATCH", path, Some(&t), &star, Some(title)).await;
        assert_eq!(wrote.status, 200, "{}", wrote.body);
        let read = get(&b, path, &t).await;
        assert_eq!(
            read.body["title"],
            format!("Round {round}"),
            "round {round}"
        );
        assert_eq!(read.etag(), wrote.etag(), "round {round}: a current ETag");
    }
}

/// One writer's command and what it was based on.
struct Sent {
    issue: IssueNumber,
    base: u64,
    outcome: Outcome,
}

#[tokio::test]
async fn writers_spread_over_nodes_lose_nothing_and_every_socket_gets_the_log() {
    const WRITERS: usize = 6;
    const EACH: usize = 20;
    let nodes = std::sync::Arc::new(nodes(3).await);
    nodes[0].create_project("HOT", "Hot").await;
    let mut hot = Vec::new();
    for n in 0..3 {
        hot.push(nodes[0].create_issue("HOT", &format!("Hot {n}")).await);
    }
    let from = head(&nodes[0], "HOT").await;
    let mut sockets: Vec<Socket> = Vec::new();
    for app in nodes.iter() {
        sockets.push(connect(app, "HOT", from, "carol").await);
    }

    let writers = (0..WRITERS).map(|w| {
        let (nodes, hot) = (nodes.clone(), hot.clone());
        tokio::spawn(async move {
            // What this writer last saw of each issue: often stale, as in a
            // browser that has not heard the others yet.
            let mut seen: HashMap<IssueNumber, u64> = hot.iter().map(|i| (*i, 1)).collect();
            let mut sent = Vec::new();
            for k in 0..EACH {
                let app = &nodes[(w + k) % nodes.len()];
                let issue = hot[(w * 7 + k) % hot.len()];
                let base = seen[&issue];
                let title = format!("w{w} k{k}");
                let outcome = app
                    .execute(TEAM[w % TEAM.len()], "HOT", base, rename(issue, &title))
                    .await
                    .unwrap_or_else(|e| panic!("writer {w}, command {k}: {e}"));
                let now = outcome.recorded().last().unwrap().version;
                seen.insert(issue, now);
                sent.push(Sent {
                    issue,
                    base,
                    outcome,
                });
            }
            sent
        })
    });
    let mut sent = Vec::new();
    for w in writers.collect::<Vec<_>>() {
        sent.extend(w.await.unwrap());
    }

    let log = log(&nodes[0], "HOT").await;
    let by_seq: HashMap<u64, &Recorded> = log.iter().map(|r| (r.seq, r)).collect();
    for s in &sent {
        for r in s.outcome.recorded() {
            assert_eq!(
                by_seq.get(&r.seq).copied(),
                Some(r),
                "acknowledged, so in the log"
            );
        }
        let stream = StreamRef::Issue(s.issue);
        let renamed_since_base = log.iter().any(|r| {
            r.stream == stream
                && r.version > s.base
                && r.version < s.outcome.recorded()[0].version
                && matches!(r.event, Event::IssueTitleChanged { .. })
        });
        match &s.outcome {
            Outcome::Conflict { .. } => assert!(renamed_since_base, "a 412 names a real clash"),
            _ => assert!(
                !renamed_since_base,
                "a write never overwrites a newer title"
            ),
        }
    }
    let want: Vec<u64> = log.iter().map(|r| r.seq).filter(|s| *s > from).collect();
    let last = *want.last().unwrap();
    for socket in &mut sockets {
        assert_eq!(
            events_until(socket, from, last).await,
            want,
            "exactly the log"
        );
    }
    for app in nodes.iter() {
        let state = app.state("HOT").await;
        for issue in &hot {
            let current = log
                .iter()
                .filter(|r| r.stream == StreamRef::Issue(*issue))
                .map(|r| r.version)
                .max();
            assert_eq!(Some(state.version_of(&StreamRef::Issue(*issue))), current);
        }
    }
}

#[tokio::test]
async fn a_node_whose_listening_connection_drops_reconnects_and_catches_up() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    let issue = a.create_issue("ABC", "Shared").await;
    let from = head(&a, "ABC").await;
    let mut on_b = connect(&b, "ABC", from, "bob").await;
    let Db::Postgres(pg) = a.kanri.store().db() else {
        unreachable!("nodes run on PostgreSQL")
    };
    // Ends every listening connection (both nodes'), as a network cut would.
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&pg.pool)
    .await
    .unwrap();
    assert_eq!(ended, [true, true], "each node's listening connection");
    let moved = a.execute_at_head("alice", "ABC", move_to(issue, 2)).await;
    let seq = moved.last_seq();
    assert_eq!(events_until(&mut on_b, from, seq).await, [seq]);
    until_listening(&b).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while health(&b).await["node"]["lag"] != 0 {
        assert!(Instant::now() < deadline, "b stays behind the log");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A board socket opened with an API token.
async fn token_socket(app: &TestApp, project: &str, token: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "{}/api/live/{project}",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let bearer = format!("Bearer {token}").parse().unwrap();
    request.headers_mut().insert("authorization", bearer);
    tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens")
        .0
}

#[tokio::test]
async fn access_ended_through_one_node_closes_its_sockets_on_another_at_once() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    let link = project_with_a_link(&a).await;
    let mut link_on_b = link_socket(&b, &link).await;
    let mut bob_on_b = connect(&b, "ABC", 0, "bob").await;
    let carols = token(&a, "carol").await;
    let mut carol_on_b = token_socket(&b, "ABC", &carols).await;
    let mut dan_on_b = connect(&b, "ABC", 0, "dan").await;

    let (_, links) = a
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    let id = links[0]["id"].to_string();
    let (status, body) = revoke_link(&a, "alice", &id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        closed_with(&mut link_on_b, AT_ONCE).await,
        Some(close::LINK_ENDED)
    );

    // Bob signs out through a, with the session b knows.
    let signed_out = a
        .client
        .post(format!("{}/auth/sign-out", a.address))
        .header("Cookie", b.session("bob").await)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    assert_eq!(
        closed_with(&mut bob_on_b, AT_ONCE).await,
        Some(close::SIGNED_OUT)
    );

    let (_, tokens) = a
        .call_fn("carol", "api_tokens", &[] as &[(&str, &str)])
        .await;
    let id = tokens[0]["id"].to_string();
    let (status, body) = a.call_fn("carol", "revoke_api_token", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        closed_with(&mut carol_on_b, AT_ONCE).await,
        Some(close::TOKEN_REVOKED)
    );

    // A member removed through a: an event, relayed to b's sockets.
    a.execute_at_head("alice", "ABC", Command::RemoveMember { user: user("dan") })
        .await;
    assert_eq!(
        closed_with(&mut dan_on_b, AT_ONCE).await,
        Some(close::MEMBER_REMOVED)
    );
}

/// Reads the socket until a presence message satisfies `want`.
async fn presence_until(socket: &mut Socket, what: &str, want: impl Fn(&[Viewer], usize) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no presence with {what}");
        if let ServerMessage::Presence { viewers, total } = next_server_message(socket).await
            && want(&viewers, total)
        {
            return;
        }
    }
}

#[tokio::test]
async fn a_board_shows_its_viewers_on_every_node_and_who_drags_what() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    let issue = a.create_issue("ABC", "Dragged").await;
    let mut bob_on_a = connect(&a, "ABC", 0, "bob").await;
    let mut carol_on_b = connect(&b, "ABC", 0, "carol").await;
    let names = |viewers: &[Viewer]| -> Vec<String> {
        let mut names: Vec<String> = viewers.iter().map(|v| v.user.to_string()).collect();
        names.sort();
        names
    };
    presence_until(&mut carol_on_b, "bob and carol", |v, total| {
        total == 2 && names(v) == ["bob", "carol"]
    })
    .await;
    presence_until(&mut bob_on_a, "bob and carol", |v, total| {
        total == 2 && names(v) == ["bob", "carol"]
    })
    .await;

    let drag = ClientMessage::Dragging { issue: Some(issue) };
    let text = serde_json::to_string(&drag).unwrap();
    bob_on_a.send(Message::Text(text.into())).await.unwrap();
    presence_until(&mut carol_on_b, "bob dragging", |v, _| {
        v.first()
            .is_some_and(|v| v.user.as_str() == "bob" && v.dragging == Some(issue))
    })
    .await;

    bob_on_a.close(None).await.unwrap();
    presence_until(&mut carol_on_b, "carol alone", |v, total| {
        total == 1 && names(v) == ["carol"]
    })
    .await;
}

#[tokio::test]
async fn a_retry_landing_on_another_node_gets_the_first_answer_and_writes_once() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    a.create_project("ABC", "Alpha").await;
    let t = token(&a, "bob").await;
    let create = |on: &TestApp, key: &str| {
        let (on, t, key) = (on.address.clone(), t.clone(), key.to_owned());
        let client = a.client.clone();
        async move {
            let res = client
                .post(format!("{on}/api/v1/projects/ABC/issues"))
                .bearer_auth(t)
                .header("idempotency-key", key)
                .json(&json!({ "title": "Once" }))
                .send()
                .await
                .unwrap();
            let replayed = res.headers().contains_key("idempotent-replayed");
            (
                res.status().as_u16(),
                replayed,
                res.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let first = create(&a, "retry-1").await;
    assert_eq!((first.0, first.1), (201, false), "{}", first.2);
    let retried = create(&b, "retry-1").await;
    assert_eq!((retried.0, retried.1), (201, true), "{}", retried.2);
    assert_eq!(retried.2, first.2, "the first answer");

    // Sent to both nodes at once: one issue, one answer.
    let (on_a, on_b) = tokio::join!(create(&a, "race-1"), create(&b, "race-1"));
    assert_eq!((on_a.0, on_b.0), (201, 201), "{} {}", on_a.2, on_b.2);
    assert_eq!(on_a.2, on_b.2);
    let stored = a
        .kanri
        .store()
        .load_project(&key("ABC"))
        .await
        .unwrap()
        .0
        .unwrap();
    assert_eq!(stored.issues.len(), 2, "each key wrote once");
}

async fn leading(app: &TestApp) -> bool {
    health(app).await["node"]["leader"] == true
}

#[tokio::test]
async fn one_node_does_the_background_work_and_another_takes_over_when_it_stops() {
    let [a, b] = <[TestApp; 2]>::try_from(nodes(2).await).ok().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !leading(&a).await {
        assert!(Instant::now() < deadline, "the first node never led");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!leading(&b).await, "one leader at a time");
    a.create_project("ABC", "Alpha").await;
    let t = token(&a, "alice").await;
    let (url, got) = receiver(0).await;
    let body = json!({ "url": url, "events": ["issue_created"] });
    assert_eq!(add_webhook(&b, &t, body).await.status, 201);
    for n in 0..4 {
        let on = if n % 2 == 0 { &a } else { &b };
        on.create_issue("ABC", &format!("Issue {n}")).await;
    }
    until("four deliveries", || got.lock().unwrap().len() >= 4).await;

    a.stop().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !leading(&b).await {
        assert!(Instant::now() < deadline, "b never took over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.create_issue("ABC", "After the leader left").await;
    until("the fifth delivery", || got.lock().unwrap().len() >= 5).await;
    let log = get(&b, "/api/v1/projects/ABC/webhooks/1/deliveries", &t).await;
    let delivered = log.body.as_array().unwrap();
    assert_eq!(delivered.len(), 5, "{}", log.body);
    let mut ids: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|(_, headers, _)| headers["kanri-delivery"].to_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each delivery sent once");
}

#[tokio::test]
async fn a_lone_node_reports_itself_in_healthz() {
    let app = spawn_app().await;
    let node = &health(&app).await["node"];
    let expected = if on_postgres() { "listening" } else { "alone" };
    if on_postgres() {
        until_listening(&app).await;
    }
    assert_eq!(health(&app).await["node"]["listener"], expected, "{node}");
    assert_eq!(health(&app).await["node"]["lag"], 0);
    assert!(leading(&app).await, "a lone node does the background work");
}
