//! Revoked access ends at once on open board sockets: a removed member, a
//! signed-out session, a revoked API token and a password change each close
//! their sockets within a second with a documented code, and nothing more
//! is sent on them; a member made viewer no longer shows drags. Also the
//! password change itself. (Share links: see `share_links.rs`.)

use app::api::live::{ClientMessage, ServerMessage, close};
use futures::{SinkExt, StreamExt};
use kanri_domain::{Command, Role};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::*;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How soon a revoked socket must close.
const AT_ONCE: Duration = Duration::from_secs(1);

/// Opens project `project`'s board socket (after the current head) with a
/// `Cookie` or `Authorization` header.
async fn open(app: &TestApp, project: &str, header: (&'static str, &str)) -> Socket {
    let head = app.kanri.store().head(None).await.unwrap();
    let url = format!(
        "{}/api/live/{project}?after={head}",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert(header.0, header.1.parse().unwrap());
    let mut socket = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens")
        .0;
    // The first message is always presence: the session is running.
    let first = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("a first message")
        .expect("open")
        .expect("a frame");
    assert!(matches!(first, Message::Text(_)), "{first:?}");
    socket
}

async fn with_cookie(app: &TestApp, project: &str, cookie: &str) -> Socket {
    open(app, project, ("cookie", cookie)).await
}

/// Everything the server sends until it closes `socket` or `within`
/// passes: the close code (`None`: still open) and the texts received.
async fn until_closed(socket: &mut Socket, within: Duration) -> (Option<u16>, Vec<String>) {
    let deadline = tokio::time::Instant::now() + within;
    let mut texts = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return (None, texts),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (frame.map(|f| u16::from(f.code)), texts);
            }
            Ok(Some(Ok(Message::Text(text)))) => texts.push(text.to_string()),
            Ok(Some(Ok(_))) => {}
            Ok(_) => return (Some(0), texts),
        }
    }
}

/// Reads `socket` until a text containing `needle` arrives (5 s at most).
async fn receives(socket: &mut Socket, needle: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) if text.contains(needle) => return,
            Ok(Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("waiting for {needle:?}, got {other:?}"),
        }
    }
}

/// A second, separate session of `name` (another browser): its cookie.
async fn sign_in(app: &TestApp, name: &str, password: &str) -> (u16, Option<String>) {
    let res = app
        .client
        .post(format!("{}/auth/sign-in", app.address))
        .json(&serde_json::json!({ "login": name, "password": password }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, (status == 200).then(|| session_cookie(&res).0))
}

/// `GET /auth/me`'s status with `cookie`: 200 signed in, 401 not.
async fn me(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .get(format!("{}/auth/me", app.address))
        .header("Cookie", cookie)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn post_fn(
    app: &TestApp,
    header: (&str, &str),
    function: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let res = app
        .client
        .post(format!("{}/api/fn/{function}", app.address))
        .header("Accept", "application/json")
        .header(header.0, header.1)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_removed_member_s_socket_closes_at_once_and_gets_nothing_after_the_removal() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let bob_cookie = app.session("bob").await;
    let carol_cookie = app.session("carol").await;
    let mut bob = with_cookie(&app, "ABC", &bob_cookie).await;
    let mut carol = with_cookie(&app, "ABC", &carol_cookie).await;
    // Bob still gets what happens while he is a member.
    app.create_issue("ABC", "Before the removal").await;
    receives(&mut bob, "Before the removal").await;

    let removal = Command::RemoveMember { user: user("bob") };
    app.execute_at_head("alice", "ABC", removal).await;
    app.create_issue("ABC", "Secret plan").await;

    let (code, texts) = until_closed(&mut bob, AT_ONCE).await;
    assert_eq!(code, Some(close::MEMBER_REMOVED), "{texts:?}");
    assert!(
        texts.iter().all(|t| !t.contains("Secret plan")),
        "an event after the removal reached the removed member: {texts:?}"
    );
    // The members who stay follow the board as before.
    receives(&mut carol, "Secret plan").await;
}

#[tokio::test]
async fn a_member_made_viewer_no_longer_shows_drags() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let card = app.create_issue("ABC", "Card").await;
    let other = app.create_issue("ABC", "Other card").await;
    let alice_cookie = app.session("alice").await;
    let bob_cookie = app.session("bob").await;
    let mut alice = with_cookie(&app, "ABC", &alice_cookie).await;
    let mut bob = with_cookie(&app, "ABC", &bob_cookie).await;
    let hub = app.kanri.hub().clone();
    let bob_drags = || {
        hub.presence(&key("ABC"))
            .shown
            .iter()
            .find(|v| v.user.as_str() == "bob")
            .and_then(|v| v.dragging)
    };
    let drag =
        |issue| Message::text(serde_json::to_string(&ClientMessage::Dragging { issue }).unwrap());

    // As a member, Bob's drag reaches the other viewers.
    bob.send(drag(Some(card))).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let text = tokio::time::timeout_at(deadline, alice.next())
            .await
            .expect("alice sees bob's drag")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = text
            && let Ok(ServerMessage::Presence { viewers, .. }) = serde_json::from_str(&t)
            && viewers
                .iter()
                .any(|v| v.user.as_str() == "bob" && v.dragging == Some(card))
        {
            break;
        }
    }

    app.set_role("ABC", "bob", Role::Viewer).await;
    // Bob's socket stays open and hears of his new role ...
    receives(&mut bob, "role_changed").await;
    // ... and what he was dragging is let go.
    let deadline = tokio::time::Instant::now() + AT_ONCE;
    while bob_drags().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "a viewer still shows a drag"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A new drag is ignored (a member's would show within milliseconds).
    bob.send(drag(Some(other))).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while tokio::time::Instant::now() < deadline {
        assert_eq!(bob_drags(), None, "a viewer's drag reached the board");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (code, _) = until_closed(&mut bob, Duration::from_millis(50)).await;
    assert_eq!(code, None, "a viewer's socket stays open");
}

#[tokio::test]
async fn signing_out_closes_that_session_s_sockets_only() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_project("XYZ", "Other").await;
    let leaving = app.session("alice").await;
    let (_, staying) = sign_in(&app, "alice", PASSWORD).await;
    let staying = staying.expect("signed in");
    let mut abc = with_cookie(&app, "ABC", &leaving).await;
    let mut xyz = with_cookie(&app, "XYZ", &leaving).await;
    let mut other_tab = with_cookie(&app, "ABC", &staying).await;

    let res = app
        .client
        .post(format!("{}/auth/sign-out", app.address))
        .header("Cookie", &leaving)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    for socket in [&mut abc, &mut xyz] {
        let (code, _) = until_closed(socket, AT_ONCE).await;
        assert_eq!(code, Some(close::SIGNED_OUT));
    }
    // The same cookie opens no new socket ...
    let url = format!("{}/api/live/ABC", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", leaving.parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await;
    assert!(
        refused.is_err_and(|e| e.to_string().contains("401")),
        "a signed-out cookie opened a socket"
    );
    // ... while the other session still follows the board.
    app.create_issue("ABC", "Still live").await;
    receives(&mut other_tab, "Still live").await;
}

#[tokio::test]
async fn revoking_an_api_token_closes_the_sockets_opened_with_it() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let mut tokens = Vec::new();
    for name in ["sync", "ci"] {
        let (status, body) = app
            .call_fn(
                "alice",
                "create_api_token",
                &[("name", name), ("expires", "")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let secret = body["secret"].as_str().unwrap().to_owned();
        tokens.push((body["token"]["id"].as_i64().unwrap(), secret));
    }
    let bearer = |secret: &str| format!("Bearer {secret}");
    let mut revoked = open(&app, "ABC", ("authorization", &bearer(&tokens[0].1))).await;
    let mut kept = open(&app, "ABC", ("authorization", &bearer(&tokens[1].1))).await;
    app.create_issue("ABC", "Seen by both").await;
    receives(&mut revoked, "Seen by both").await;
    receives(&mut kept, "Seen by both").await;

    let id = tokens[0].0.to_string();
    let (status, body) = app
        .call_fn("alice", "revoke_api_token", &[("id", id.as_str())])
        .await;
    assert_eq!(status, 200, "{body}");
    app.create_issue("ABC", "After the revocation").await;

    let (code, texts) = until_closed(&mut revoked, AT_ONCE).await;
    assert_eq!(code, Some(close::TOKEN_REVOKED), "{texts:?}");
    receives(&mut kept, "After the revocation").await;
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_every_socket() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let here = app.session("alice").await;
    let (_, elsewhere) = sign_in(&app, "alice", PASSWORD).await;
    let elsewhere = elsewhere.expect("signed in");
    let mut here_socket = with_cookie(&app, "ABC", &here).await;
    let mut elsewhere_socket = with_cookie(&app, "ABC", &elsewhere).await;
    let bob_cookie = app.session("bob").await;
    let mut bob = with_cookie(&app, "ABC", &bob_cookie).await;

    let new = "a much longer passphrase";
    let (status, body) = post_fn(
        &app,
        ("cookie", &here),
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", new),
            ("confirm_password", new),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    for socket in [&mut elsewhere_socket, &mut here_socket] {
        let (code, _) = until_closed(socket, AT_ONCE).await;
        assert_eq!(code, Some(close::PASSWORD_CHANGED));
    }
    assert_eq!(me(&app, &elsewhere).await, 401, "the other session ended");
    assert_eq!(me(&app, &here).await, 200, "this session stays signed in");
    assert_eq!(sign_in(&app, "alice", PASSWORD).await.0, 401);
    assert_eq!(sign_in(&app, "alice", new).await.0, 200);
    // Other users are not touched.
    assert_eq!(me(&app, &bob_cookie).await, 200);
    app.create_issue("ABC", "Bob still sees").await;
    receives(&mut bob, "Bob still sees").await;
}

#[tokio::test]
async fn a_wrong_or_mistyped_password_change_is_a_clear_error_and_changes_nothing() {
    let app = spawn_app().await;
    let cookie = app.session("alice").await;
    let (_, other) = sign_in(&app, "alice", PASSWORD).await;
    let other = other.expect("signed in");
    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "not my password",
            "a new passphrase!",
            "a new passphrase!",
            "current_password",
        ),
        (
            PASSWORD,
            "a new passphrase!",
            "a new passphrase?",
            "confirm_password",
        ),
        (PASSWORD, "short", "short", "new_password"),
    ];
    for (current, new, confirm, field) in cases {
        let (status, body) = post_fn(
            &app,
            ("cookie", &cookie),
            "change_password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ],
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(invalid_fields(&body), [field], "{body}");
    }
    let (_, body) = post_fn(
        &app,
        ("cookie", &cookie),
        "change_password",
        &[
            ("current_password", "not my password"),
            ("new_password", "a new passphrase!"),
            ("confirm_password", "a new passphrase!"),
        ],
    )
    .await;
    assert!(
        body.to_string().contains("the current password is wrong"),
        "{body}"
    );
    assert_eq!(me(&app, &other).await, 200, "no session was ended");
    assert_eq!(sign_in(&app, "alice", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn an_api_token_cannot_change_its_owner_s_password() {
    let app = spawn_app().await;
    let (status, body) = app
        .call_fn(
            "alice",
            "create_api_token",
            &[("name", "ci"), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let bearer = format!("Bearer {}", body["secret"].as_str().unwrap());
    let new = "a stolen token's choice";
    let (status, body) = post_fn(
        &app,
        ("authorization", &bearer),
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", new),
            ("confirm_password", new),
        ],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("API token"), "{body}");
    assert_eq!(sign_in(&app, "alice", PASSWORD).await.0, 200);
}
