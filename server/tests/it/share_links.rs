//! Read-only share links against the real server: stored only as a hash,
//! no writes through them, revocation and expiry end pages and sockets.

use futures::{SinkExt, StreamExt};
use server::secret::Secret;
use server::sharing::ShareLinks;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::*;

pub async fn project_with_a_link(app: &TestApp) -> String {
    app.create_project("ABC", "Apollo").await;
    let (status, body) = app
        .call_fn(
            "alice",
            "create_backlog_issue",
            &[("project", "ABC"), ("title", "Shared card")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call_fn(
            "alice",
            "create_share_link",
            &[("project", "ABC"), ("label", "Client"), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let path = body["path"].as_str().unwrap();
    path.strip_prefix("/s/").expect("a /s/ address").to_owned()
}

/// Revokes ABC's share link `id` as `who`: the answer's status and body.
pub async fn revoke_link(app: &TestApp, who: &str, id: &str) -> (u16, serde_json::Value) {
    app.call_fn(who, "revoke_share_link", &[("project", "ABC"), ("id", id)])
        .await
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn link_socket(app: &TestApp, token: &str) -> Socket {
    let url = format!(
        "{}/api/live/ABC?after=0&share={token}",
        app.address.replace("http://", "ws://")
    );
    tokio_tungstenite::connect_async(url.into_client_request().unwrap())
        .await
        .expect("the link's socket opens")
        .0
}

/// Waits up to `within` for the server to close `socket`; its close code.
pub async fn closed_with(socket: &mut Socket, within: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            Ok(_) => return Some(0),
        }
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_link_is_kept_only_as_a_hash_and_shows_the_board_without_e_mails() {
    let app = spawn_app().await;
    let token = project_with_a_link(&app).await;
    let parsed = Secret::parse(&token).expect("22 URL-safe characters, 128 bits");
    let stored: Vec<Vec<u8>> = app
        .kanri
        .store()
        .db()
        .fetch_all(&server::db::Sql::new(
            "SELECT token_sha256 FROM share_links",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.bytes(0).unwrap())
        .collect();
    assert_eq!(stored, [parsed.sha256().to_vec()]);
    assert!(
        !stored_anywhere(&app, &token).await,
        "the token itself is nowhere in the database"
    );

    for path in [format!("/s/{token}"), format!("/s/{token}/issues/ABC-1")] {
        let (status, html) = get(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("Shared card"), "{path}");
        assert!(
            !html.contains("@example.test"),
            "{path} shows an e-mail address"
        );
        assert!(!html.contains("kanri_session"), "{path}");
    }
    let (_, html) = get(&app, &format!("/s/{token}")).await;
    assert!(html.contains("data-testid=\"read-only\""));

    // Admins see when it was used; other members see no links at all.
    let (status, body) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["label"], "Client");
    assert!(
        body[0]["last_used"].as_i64().unwrap() >= body[0]["created"].as_i64().unwrap(),
        "{body}"
    );
    assert!(body[0].get("token").is_none() && !body.to_string().contains(&token));
    let (status, body) = app
        .call_fn("bob", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!((status, body), (200, serde_json::Value::Null));
}

#[tokio::test]
async fn nothing_can_be_written_through_a_link() {
    let app = spawn_app().await;
    let token = project_with_a_link(&app).await;
    let head = app.kanri.store().head(None).await.unwrap();
    let mut socket = link_socket(&app, &token).await;
    // Every server function but the two that read through a link (and
    // "who am I?", open to all), called with the token in every place a
    // client might put it.
    let open = [
        "/api/fn/shared_board",
        "/api/fn/shared_issue",
        "/api/fn/who_am_i",
    ];
    let writes: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|p| !open.contains(&p.as_str()))
        .collect();
    assert!(writes.len() > 30);
    for path in writes {
        let res = app
            .client
            .post(format!("{}{path}?share={token}", app.address))
            .header("Authorization", format!("Bearer {token}"))
            .form(&[
                ("token", token.as_str()),
                ("share", token.as_str()),
                ("project", "ABC"),
                ("key", "ABC"),
                ("issue", "ABC-1"),
                ("title", "Forged"),
            ])
            .send()
            .await
            .unwrap();
        // Not signed in, or (a malformed key in these arguments) nothing found.
        let status = res.status().as_u16();
        assert!([400, 401, 404].contains(&status), "{path}: {status}");
    }
    // A reader's socket may not even say it drags a card.
    let drag = serde_json::json!({ "type": "dragging", "issue": 1 }).to_string();
    socket.send(Message::Text(drag.into())).await.unwrap();
    let url = format!(
        "{}/api/live/ABC?after={head}",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Cookie", app.session("alice").await.parse().unwrap());
    let (mut alice, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let presence = tokio::time::timeout(Duration::from_secs(5), alice.next())
        .await
        .expect("presence on joining")
        .unwrap()
        .unwrap();
    let presence: serde_json::Value = serde_json::from_str(presence.to_text().unwrap()).unwrap();
    let viewers = presence["viewers"].as_array().unwrap();
    assert!(viewers.iter().any(|v| v["user"] == "guest"), "{presence}");
    assert!(
        viewers.iter().all(|v| v["dragging"].is_null()),
        "{presence}"
    );
    assert_eq!(
        app.kanri.store().head(None).await.unwrap(),
        head,
        "nothing was written"
    );
}

#[tokio::test]
async fn revoking_a_link_ends_its_pages_and_closes_its_sockets_within_a_second() {
    let app = spawn_app().await;
    let token = project_with_a_link(&app).await;
    let mut socket = link_socket(&app, &token).await;
    let (_, links) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    let id = links[0]["id"].to_string();
    let (status, body) = revoke_link(&app, "bob", &id).await;
    assert_eq!(status, 403, "a member may not: {body}");
    assert_eq!(get(&app, &format!("/s/{token}")).await.0, 200);

    let (status, body) = revoke_link(&app, "alice", &id).await;
    assert_eq!(status, 200, "{body}");
    let code = closed_with(&mut socket, Duration::from_secs(1)).await;
    assert_eq!(code, Some(app::api::live::close::LINK_ENDED));
    for path in [format!("/s/{token}"), format!("/s/{token}/issues/ABC-1")] {
        assert_eq!(get(&app, &path).await.0, 404, "{path}");
    }
    let url = format!(
        "{}/api/live/ABC?share={token}",
        app.address.replace("http://", "ws://")
    );
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    let (_, links) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(links, serde_json::json!([]));
    let (status, _) = revoke_link(&app, "alice", &id).await;
    assert_eq!(status, 404, "revoked already");
}

#[tokio::test]
async fn a_link_works_until_its_expiry_and_its_socket_closes_then() {
    let app = spawn_app().await;
    project_with_a_link(&app).await;
    // The last day is checked: not in the past, a real date.
    for (expires, status) in [("2020-01-01", 422), ("tomorrow", 422), ("2999-12-31", 200)] {
        let (got, body) = app
            .call_fn(
                "alice",
                "create_share_link",
                &[("project", "ABC"), ("label", ""), ("expires", expires)],
            )
            .await;
        assert_eq!(got, status, "{expires}: {body}");
    }
    let (_, links) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(links[0]["label"], "Share link", "the default label");
    // 3000-01-01T00:00:00Z in Unix milliseconds.
    assert_eq!(
        links[0]["expires"], 32_503_680_000_000_i64,
        "to the end of its last day"
    );

    // Expiry to the millisecond, on the same database as the server.
    let shares = ShareLinks::new(app.kanri.store().db().clone());
    let now = server::service::now_ms();
    let alice = user("alice");
    let (_, token) = shares
        .create(&key("ABC"), &alice, "Brief", Some(now + 1_500), now)
        .await
        .unwrap();
    let token = token.to_string();
    assert!(shares.open(&token, now + 1_499).await.unwrap().is_some());
    assert!(shares.open(&token, now + 1_500).await.unwrap().is_none());
    let mut socket = link_socket(&app, &token).await;
    let code = closed_with(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(app::api::live::close::LINK_ENDED));
    assert_eq!(get(&app, &format!("/s/{token}")).await.0, 404);
}
