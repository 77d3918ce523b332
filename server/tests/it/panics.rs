//! A panic inside one request answers 500 to that request only: the process,
//! the open board sockets and every other request go on.

use app::api::live::ServerMessage;
use futures::StreamExt;
use kanri_domain::Event;
use server::config::Config;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::tempfile_dir::TempDir;
use crate::common::*;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn board_socket(app: &TestApp, project: &str) -> Socket {
    let url = format!(
        "{}/api/live/{project}?after=0",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let cookie = app.session("alice").await;
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens")
        .0
}

/// Reads the socket until an event batch holds an `IssueCreated` (failing
/// after 5 s without one).
async fn issue_created_arrives(socket: &mut Socket) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("the new issue within 5 s")
            .expect("the socket is open")
            .expect("a valid frame");
        let Message::Text(text) = message else {
            continue;
        };
        if let ServerMessage::Events { events, .. } = serde_json::from_str(&text).unwrap()
            && events
                .iter()
                .any(|e| matches!(e.event, Event::IssueCreated { .. }))
        {
            return;
        }
    }
}

#[tokio::test]
async fn a_panicking_request_answers_500_and_nothing_else_notices() {
    let dir = TempDir::new();
    let app = spawn_with(Config {
        panic_route: true,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    })
    .await;
    app.create_project("ABC", "Alpha").await;
    let mut socket = board_socket(&app, "ABC").await;

    // The panic and another request at the same time.
    // Signed in (app.get), as anonymous page requests are sent to /login.
    let (panicked, board) = tokio::join!(app.get("/__test/panic"), app.get("/p/ABC/board"));
    assert_eq!(panicked.status(), 500);
    assert_eq!(
        panicked.headers()["content-type"],
        "application/json",
        "a JSON answer"
    );
    let body: serde_json::Value = panicked.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "error": "internal error" }));
    assert_eq!(board.status(), 200);

    // The socket opened before the panic still carries the board's events,
    // and pages still load.
    app.create_issue("ABC", "After the panic").await;
    issue_created_arrives(&mut socket).await;
    let board = app.get("/p/ABC/board").await;
    assert_eq!(board.status(), 200);
    assert!(board.text().await.unwrap().contains("After the panic"));
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await;
    assert_eq!(health.unwrap().status(), 200);
}

#[tokio::test]
async fn the_panic_route_exists_only_when_configured() {
    let app = spawn_app().await;
    assert_eq!(app.get("/__test/panic").await.status(), 404);
}
