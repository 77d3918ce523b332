//! Black-box tests of the board WebSocket: resume from a sequence number
//! with no gaps and no duplicates, slow clients, bad frames and presence.

use crate::common::*;
use app::api::live::{ClientMessage, ServerMessage, close};
use futures::{SinkExt, StreamExt};
use kanri_domain::*;
use server::config::Config;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(app: &TestApp, project: &str, after: u64, user: &str) -> Socket {
    let url = format!(
        "{}/api/live/{project}?after={after}",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let cookie = app.session(user).await;
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens")
        .0
}

/// The next message from the server (failing the test after 5 s).
pub async fn next(socket: &mut Socket) -> Message {
    tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("a message within 5 s")
        .expect("the socket is open")
        .expect("a valid frame")
}

pub async fn next_server_message(socket: &mut Socket) -> ServerMessage {
    loop {
        if let Message::Text(t) = next(socket).await {
            return serde_json::from_str(&t).expect("a server message");
        }
    }
}

/// Reads event batches until `until` is reached; checks each batch chains
/// on the previous one (`prev`) and returns the sequence numbers.
pub async fn events_until(socket: &mut Socket, mut last: u64, until: u64) -> Vec<u64> {
    let mut seqs = Vec::new();
    while last < until {
        if let ServerMessage::Events { prev, events } = next_server_message(socket).await {
            assert_eq!(prev, last, "the batch chains on what came before");
            seqs.extend(events.iter().map(|e| e.seq));
            last = events.last().expect("batches are never empty").seq;
        }
    }
    seqs
}

async fn project_seqs(app: &TestApp, project: &str, after: u64) -> Vec<u64> {
    app.kanri
        .store()
        .events_after(Some(&key(project)), after, u32::MAX)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect()
}

#[tokio::test]
async fn a_socket_sends_the_log_after_its_sequence_then_live_events() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_project("XYZ", "Other").await; // its events must not show up
    let first = app.create_issue("ABC", "One").await;
    app.create_issue("XYZ", "Elsewhere").await;
    let resume_from = app.kanri.store().head(Some(&key("ABC"))).await.unwrap();
    app.create_issue("ABC", "Two").await;
    app.create_issue("ABC", "Three").await;

    let mut socket = connect(&app, "ABC", resume_from, "alice").await;
    assert!(matches!(
        next_server_message(&mut socket).await,
        ServerMessage::Presence { .. }
    ));
    let head = app.kanri.store().head(Some(&key("ABC"))).await.unwrap();
    let caught_up = events_until(&mut socket, resume_from, head).await;
    assert_eq!(caught_up, project_seqs(&app, "ABC", resume_from).await);

    // Live from here on, the writer's own events included.
    app.execute("bob", "ABC", 1, move_to(first, 2))
        .await
        .unwrap();
    let head2 = app.kanri.store().head(Some(&key("ABC"))).await.unwrap();
    let live = events_until(&mut socket, head, head2).await;
    assert_eq!(live, [head2]);
}

#[tokio::test]
async fn reconnecting_while_others_write_misses_and_doubles_nothing() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let card = app.create_issue("ABC", "Busy card").await;
    // Signed in before the writer starts, so the client comes and goes
    // while it writes (signing up takes a moment).
    app.session("alice").await;
    let kanri = app.kanri.clone();
    // A writer keeps moving the card until the client has come and gone six
    // times, so every reconnect happens mid-stream however fast either side
    // runs; the cap only bounds a broken run.
    let stop = Arc::new(AtomicBool::new(false));
    let writing = stop.clone();
    let writer = tokio::spawn(async move {
        let mut version = 1;
        for i in 0..20_000u32 {
            if writing.load(Ordering::Relaxed) {
                return i;
            }
            let envelope = CommandEnvelope {
                id: new_id(),
                project: key("ABC"),
                base_version: version,
                command: move_to(card, 1 + i % 4),
            };
            if let Outcome::Accepted { events } =
                kanri.execute(&user("bob"), envelope).await.unwrap()
            {
                version = events.last().map_or(version, |e| e.version);
            }
        }
        panic!("the client never finished coming and going");
    });
    let mut received: Vec<u64> = Vec::new();
    let mut last = 0;
    for _ in 0..6 {
        let mut socket = connect(&app, "ABC", last, "alice").await;
        for _ in 0..5 {
            if let ServerMessage::Events { prev, events } = next_server_message(&mut socket).await {
                assert_eq!(prev, last, "no gap between batches");
                received.extend(events.iter().map(|e| e.seq));
                last = events.last().unwrap().seq;
            }
        }
        drop(socket); // disconnect mid-stream
    }
    stop.store(true, Ordering::Relaxed);
    let moves = writer.await.unwrap();
    assert!(moves > 0, "the writer wrote while the client came and went");
    let head = app.kanri.store().head(None).await.unwrap();
    let mut socket = connect(&app, "ABC", last, "alice").await;
    received.extend(events_until(&mut socket, last, head).await);
    assert_eq!(
        received,
        project_seqs(&app, "ABC", 0).await,
        "every event exactly once, in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_falls_behind_resyncs_from_the_log() {
    // A tiny buffer per board, so a socket whose sends block soon lags.
    let dir = tempfile_dir::TempDir::new();
    let config = Config {
        hub_capacity: 4,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("k.db"))
    };
    let app = spawn_with(config).await;
    app.create_project("ABC", "Alpha").await;
    let start = app.kanri.store().head(None).await.unwrap();
    let mut slow = connect(&app, "ABC", start, "bob").await;
    let mut fast = connect(&app, "ABC", start, "carol").await;
    // The fast client reads all along.
    let (head_tx, head_rx) = tokio::sync::oneshot::channel::<u64>();
    let fast_reader = tokio::spawn(async move {
        let mut seqs = Vec::new();
        let mut last = start;
        let mut head = None;
        let mut head_rx = Some(head_rx);
        while head.is_none_or(|h| last < h) {
            tokio::select! {
                h = async { head_rx.as_mut().unwrap().await }, if head_rx.is_some() => {
                    head = Some(h.unwrap());
                    head_rx = None;
                }
                message = next_server_message(&mut fast) => if let ServerMessage::Events { prev, events } = message {
                    assert_eq!(prev, last);
                    seqs.extend(events.iter().map(|e| e.seq));
                    last = events.last().unwrap().seq;
                }
            }
        }
        seqs
    });
    // ~6 MB of events: far more than the slow socket's buffers hold, so the
    // server's sends to it block and its place in the hub's buffer is lost.
    let long = LongText::parse(&"lorem ipsum ".repeat(2_500)).unwrap();
    for i in 0..200 {
        let mut command = new_issue(&format!("Card {i}"));
        if let Command::CreateIssue(new) = &mut command {
            new.description = long.clone();
        }
        app.execute("bob", "ABC", 0, command).await.unwrap();
    }
    let head = app.kanri.store().head(None).await.unwrap();
    head_tx.send(head).unwrap();
    let expected = project_seqs(&app, "ABC", start).await;
    // The fast client was never held back by the slow one.
    let fast_seqs = tokio::time::timeout(Duration::from_secs(10), fast_reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fast_seqs, expected);
    // The slow one reads only now; it gets everything, once, in order.
    assert_eq!(events_until(&mut slow, start, head).await, expected);
}

async fn expect_close(socket: &mut Socket, code: u16) -> String {
    loop {
        match next(socket).await {
            Message::Close(Some(frame)) => {
                assert_eq!(u16::from(frame.code), code, "{frame:?}");
                return frame.reason.to_string();
            }
            Message::Close(None) => panic!("closed without a code"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn bad_frames_close_only_that_socket_with_a_reason() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let card = app.create_issue("ABC", "Card").await;
    let head = app.kanri.store().head(None).await.unwrap();
    let mut good = connect(&app, "ABC", head, "alice").await;
    let mut garbled = connect(&app, "ABC", head, "bob").await;
    let mut huge = connect(&app, "ABC", head, "carol").await;
    let mut binary = connect(&app, "ABC", head, "dan").await;

    garbled
        .send(Message::text("this is not json"))
        .await
        .unwrap();
    assert_eq!(
        expect_close(&mut garbled, close::INVALID).await,
        "malformed message"
    );
    huge.send(Message::text("x".repeat(64 * 1024)))
        .await
        .unwrap();
    assert_eq!(
        expect_close(&mut huge, close::TOO_BIG).await,
        "message too big"
    );
    binary.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(
        expect_close(&mut binary, close::UNSUPPORTED).await,
        "binary messages are not accepted"
    );

    // The well-behaved socket still gets live events.
    app.execute("bob", "ABC", 1, move_to(card, 3))
        .await
        .unwrap();
    let after = app.kanri.store().head(None).await.unwrap();
    assert_eq!(events_until(&mut good, head, after).await, [after]);
}

#[tokio::test]
async fn presence_shows_who_views_and_who_drags_what() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let card = app.create_issue("ABC", "Card").await;
    let head = app.kanri.store().head(None).await.unwrap();
    let mut alice = connect(&app, "ABC", head, "alice").await;
    let mut bob = connect(&app, "ABC", head, "bob").await;

    // Alice sees presence updates until Bob appears.
    loop {
        if let ServerMessage::Presence { viewers, .. } = next_server_message(&mut alice).await {
            let names: Vec<&str> = viewers.iter().map(|v| v.user.as_str()).collect();
            if names == ["alice", "bob"] {
                break;
            }
        }
    }
    let drag = ClientMessage::Dragging { issue: Some(card) };
    bob.send(Message::text(serde_json::to_string(&drag).unwrap()))
        .await
        .unwrap();
    loop {
        if let ServerMessage::Presence { viewers, .. } = next_server_message(&mut alice).await
            && viewers
                .iter()
                .any(|v| v.user.as_str() == "bob" && v.dragging == Some(card))
        {
            break;
        }
    }
    drop(bob);
    loop {
        if let ServerMessage::Presence { viewers, .. } = next_server_message(&mut alice).await
            && viewers.len() == 1
        {
            assert_eq!(viewers[0].user.as_str(), "alice");
            break;
        }
    }
}

#[tokio::test]
async fn an_unknown_board_is_a_404_not_a_socket() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let url = |key: &str| format!("{}/api/live/{key}", app.address.replace("http://", "ws://"));
    let Err(err) = tokio_tungstenite::connect_async(url("ABC")).await else {
        panic!("no socket without a session")
    };
    assert!(err.to_string().contains("401"), "{err}");
    for (key, who) in [("NOPE", "alice"), ("ABC", "eve")] {
        let mut request = url(key).into_client_request().unwrap();
        let cookie = app.session(who).await;
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        let Err(err) = tokio_tungstenite::connect_async(request).await else {
            panic!("{who} must not open a socket on {key}")
        };
        assert!(err.to_string().contains("404"), "{who} on {key}: {err}");
    }
}
