//! No enumeration and no over-broad tokens, black-box: who may learn that an
//! account or a project key exists, what an API token may do depending on
//! its scope (and never: manage tokens), and what a repeated
//! `Idempotency-Key` may give back.

use crate::common::*;
use crate::rest::{Answer, get, send, token};
use kanri_domain::Role;
use serde_json::{Value, json};

/// A token of `scope` (`read` or `read-write`) for `user`, made in a browser
/// session as the settings page does.
async fn scoped_token(app: &TestApp, user: &str, scope: &str) -> String {
    let (status, body) = app
        .call_fn(
            user,
            "create_api_token",
            &[("name", "scoped"), ("expires", ""), ("scope", scope)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token"]["scope"], scope, "{body}");
    body["secret"].as_str().expect("the secret").to_owned()
}

/// Calls a server function with `Authorization: Bearer` and no session.
async fn call_fn_with_token(
    app: &TestApp,
    bearer: &str,
    function: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/api/fn/{function}", app.address))
        .header("Accept", "application/json")
        .bearer_auth(bearer)
        .form(form)
        .send()
        .await
        .expect("the app answers");
    (
        res.status().as_u16(),
        res.json().await.expect("a JSON answer"),
    )
}

#[tokio::test]
async fn only_an_admin_learns_whether_a_login_names_an_account() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.add_member("ABC", "vera", Role::Viewer).await;
    app.session("zed").await; // an account, in no project
    app.session("olga").await; // an outsider
    let invite = |who: &'static str, login: &'static str| {
        let app = &app;
        async move {
            app.call_fn(
                who,
                "add_member",
                &[("project", "ABC"), ("login", login), ("role", "member")],
            )
            .await
        }
    };
    // Anyone but an admin: the same 404, whether the login exists or not.
    for who in ["olga", "vera", "bob"] {
        let existing = invite(who, "zed@example.test").await;
        let missing = invite(who, "nobody-at-all@example.test").await;
        assert_eq!(existing.0, 404, "{who}: {}", existing.1);
        assert_eq!(existing, missing, "{who} learns nothing about the login");
    }
    assert!(
        app.state("ABC")
            .await
            .project
            .unwrap()
            .role_of(&user("zed"))
            .is_none()
    );

    // The admin learns it, and invites.
    let (status, body) = invite("alice", "nobody-at-all@example.test").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["login"]);
    let (status, body) = invite("alice", "zed@example.test").await;
    assert_eq!(status, 200, "{body}");
    let project = app.state("ABC").await.project.unwrap();
    assert_eq!(project.role_of(&user("zed")), Some(Role::Member));
}

#[tokio::test]
async fn a_taken_project_key_is_not_available_whoever_holds_it() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let create = |who: &'static str, key: &'static str| {
        let app = &app;
        async move {
            app.call_fn(who, "create_project", &[("name", "Mine"), ("key", key)])
                .await
        }
    };
    // olga cannot see ABC; alice can: both hear the same, and nobody hears
    // that a project exists.
    let (status, hidden) = create("olga", "ABC").await;
    assert_eq!(status, 422, "{hidden}");
    let (_, visible) = create("alice", "ABC").await;
    assert_eq!(hidden, visible);
    let message = hidden["Invalid"][0]["message"].as_str().unwrap();
    assert_eq!(hidden["Invalid"][0]["field"], "key");
    assert!(message.contains("is not available"), "{message}");
    assert!(!message.contains("exist"), "{message}");
    // A free key still works.
    assert_eq!(create("olga", "OLGA").await.0, 200);
}

#[tokio::test]
async fn an_api_token_cannot_create_or_revoke_tokens() {
    let app = spawn_app().await;
    let bearer = scoped_token(&app, "bob", "read-write").await;
    let (status, body) = call_fn_with_token(
        &app,
        &bearer,
        "create_api_token",
        &[("name", "minted"), ("expires", "")],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["Forbidden"]
            .as_str()
            .unwrap()
            .contains("browser session"),
        "{body}"
    );
    let (_, list) = app.call_fn("bob", "api_tokens", &()).await;
    let id = list[0]["id"].to_string();
    let (status, body) =
        call_fn_with_token(&app, &bearer, "revoke_api_token", &[("id", &id)]).await;
    assert_eq!(status, 403, "{body}");
    // Still one live token, and the token still works for what it may do.
    let (_, list) = app.call_fn("bob", "api_tokens", &()).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(get(&app, "/api/v1/projects", &bearer).await.status, 200);
    // A token may list its owner's tokens (a read).
    let (status, _) = call_fn_with_token(&app, &bearer, "api_tokens", &[]).await;
    assert_eq!(status, 200);

    // The browser session may do both.
    let (status, body) = app.call_fn("bob", "revoke_api_token", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(&app, "/api/v1/projects", &bearer).await.status, 401);
}

#[tokio::test]
async fn tokens_are_listed_with_their_scope_and_a_bad_scope_is_a_field_error() {
    let app = spawn_app().await;
    let read = scoped_token(&app, "bob", "read").await;
    let (status, _) = app
        .call_fn(
            "bob",
            "create_api_token",
            &[("name", "old client"), ("expires", "")],
        )
        .await;
    assert_eq!(
        status, 200,
        "no scope: read-write, as before scopes existed"
    );
    let (_, list) = app.call_fn("bob", "api_tokens", &()).await;
    let scopes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["read-write", "read"], "newest first");
    // Over REST too (the answer is checked against the OpenAPI schema).
    let listed = get(&app, "/api/v1/tokens", &read).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let scopes: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["read-write", "read"]);
    let doc = crate::rest::document(&app).await;
    let schema = doc["components"]["schemas"]["TokenScopeResource"].to_string();
    assert!(
        schema.contains("\"read-write\""),
        "the scope is documented: {schema}"
    );
    let (status, body) = app
        .call_fn(
            "bob",
            "create_api_token",
            &[("name", "x"), ("expires", ""), ("scope", "admin")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["scope"]);
}

#[tokio::test]
async fn a_read_token_reads_everywhere_and_writes_nowhere() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let read = scoped_token(&app, "alice", "read").await;
    let write = scoped_token(&app, "alice", "read-write").await;
    let head = || async { app.kanri.store().head(None).await.unwrap() };
    let before = head().await;

    // REST: reads pass, every kind of write is 403.
    assert_eq!(get(&app, "/api/v1/issues/ABC-1", &read).await.status, 200);
    let writes: [(&str, &str, Option<Value>); 5] = [
        (
            "POST",
            "/api/v1/projects/ABC/issues",
            Some(json!({ "title": "No" })),
        ),
        (
            "PATCH",
            "/api/v1/issues/ABC-1",
            Some(json!({ "title": "No" })),
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/comments",
            Some(json!({ "body": "No" })),
        ),
        (
            "POST",
            "/api/v1/projects/ABC/webhooks",
            Some(json!({ "url": "https://example.test/h" })),
        ),
        ("DELETE", "/api/v1/projects/ABC/webhooks/1", None),
    ];
    for (method, path, body) in writes {
        let refused: Answer =
            send(&app, method, path, Some(&read), &[("if-match", "*")], body).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
        assert_eq!(refused.problem(), "forbidden");
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains("read-only"),
            "{}",
            refused.body
        );
    }
    // Server functions too (a token reaches them as well).
    let (status, _) = call_fn_with_token(&app, &read, "project", &[("key", "ABC")]).await;
    assert_eq!(status, 200, "a read");
    let fn_writes: [(&str, &[(&str, &str)]); 3] = [
        (
            "create_backlog_issue",
            &[("project", "ABC"), ("title", "No")],
        ),
        (
            "create_share_link",
            &[("project", "ABC"), ("label", "No"), ("expires", "")],
        ),
        (
            "add_member",
            &[("project", "ABC"), ("login", "bob"), ("role", "viewer")],
        ),
    ];
    for (function, form) in fn_writes {
        let (status, body) = call_fn_with_token(&app, &read, function, form).await;
        assert_eq!(status, 403, "{function}: {body}");
    }
    assert_eq!(head().await, before, "nothing was written");
    let (_, links) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(links, json!([]), "no share link was made");

    // The same writes with a read-write token pass.
    let made = send(
        &app,
        "POST",
        "/api/v1/projects/ABC/issues",
        Some(&write),
        &[],
        Some(json!({ "title": "Yes" })),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let (status, body) = call_fn_with_token(
        &app,
        &write,
        "create_backlog_issue",
        &[("project", "ABC"), ("title", "Yes")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_replayed_idempotency_key_answers_only_while_the_caller_may_see_the_project() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let bob = token(&app, "bob").await;
    let create = || {
        let (app, bob) = (&app, &bob);
        async move {
            send(
                app,
                "POST",
                "/api/v1/projects/ABC/issues",
                Some(bob),
                &[("idempotency-key", "k-1")],
                Some(json!({ "title": "Secret plan" })),
            )
            .await
        }
    };
    let first = create().await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = create().await;
    assert_eq!(
        (again.status, &again.body),
        (201, &first.body),
        "a replay while a member"
    );

    app.execute_at_head(
        "alice",
        "ABC",
        kanri_domain::Command::RemoveMember { user: user("bob") },
    )
    .await;
    let after = create().await;
    assert_eq!(after.status, 404, "{}", after.body);
    assert_eq!(after.problem(), "not-found");
    assert!(
        !after.body.to_string().contains("Secret plan"),
        "{}",
        after.body
    );
    assert_eq!(after.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn a_webhook_secret_is_shown_once_and_never_kept_for_a_replay() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let alice = token(&app, "alice").await;
    let add = || {
        let (app, alice) = (&app, &alice);
        async move {
            send(
                app,
                "POST",
                "/api/v1/projects/ABC/webhooks",
                Some(alice),
                &[("idempotency-key", "hook-1")],
                Some(json!({ "url": "https://hooks.example.test/kanri" })),
            )
            .await
        }
    };
    let first = add().await;
    assert_eq!(first.status, 201, "{}", first.body);
    let secret = first.body["secret"]
        .as_str()
        .expect("shown once")
        .to_owned();
    assert!(!secret.is_empty());

    let stored: Vec<Vec<u8>> = app
        .kanri
        .store()
        .db()
        .fetch_all(&server::db::Sql::new("SELECT body FROM idempotent_answers"))
        .await
        .unwrap()
        .iter()
        .map(|r| r.bytes(0).unwrap())
        .collect();
    assert_eq!(stored.len(), 1);
    let kept = String::from_utf8_lossy(&stored[0]);
    assert!(
        !kept.contains(&secret),
        "the kept answer holds the secret: {kept}"
    );

    let again = add().await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["webhook"], first.body["webhook"]);
    assert!(again.body.get("secret").is_none(), "{}", again.body);

    // Once alice is no admin, the replay shows nothing.
    app.set_role("ABC", "bob", Role::Admin).await;
    app.execute_at_head(
        "bob",
        "ABC",
        kanri_domain::Command::ChangeRole {
            user: user("alice"),
            role: Role::Member,
        },
    )
    .await;
    let demoted = add().await;
    assert!(
        [403, 404].contains(&demoted.status),
        "{}: {}",
        demoted.status,
        demoted.body
    );
    assert!(demoted.body.get("webhook").is_none(), "{}", demoted.body);
}

/// Opens the board socket of ABC with `Authorization: Bearer`, sends a
/// Dragging of `card`, and returns once the server has handled it (its
/// answer to a ping sent right after comes back), as the hub's presence
/// then shows it.
async fn drag_with_token(app: &TestApp, bearer: &str, card: kanri_domain::IssueNumber) -> bool {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let head = app.kanri.store().head(None).await.unwrap();
    let url = format!(
        "{}/api/live/ABC?after={head}",
        app.address.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {bearer}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    let drag = app::api::live::ClientMessage::Dragging { issue: Some(card) };
    socket
        .send(Message::text(serde_json::to_string(&drag).unwrap()))
        .await
        .unwrap();
    socket
        .send(Message::Ping(b"after-drag".to_vec().into()))
        .await
        .unwrap();
    // Frames are handled in order: the pong means the drag was handled.
    let deadline = std::time::Duration::from_secs(5);
    tokio::time::timeout(deadline, async {
        while let Some(frame) = socket.next().await {
            if matches!(frame.expect("a frame"), Message::Pong(_)) {
                return;
            }
        }
        panic!("the socket closed before the pong");
    })
    .await
    .expect("a pong within 5 s");
    let presence = app.kanri.hub().presence(&key("ABC"));
    let dragging = presence
        .shown
        .iter()
        .any(|v| v.user.as_str() == "bob" && v.dragging == Some(card));
    drop(socket);
    dragging
}

#[tokio::test]
async fn a_read_tokens_dragging_on_the_board_socket_is_ignored() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let card = app.create_issue("ABC", "Card").await;
    let read = scoped_token(&app, "bob", "read").await;
    let write = scoped_token(&app, "bob", "read-write").await;
    assert!(
        !drag_with_token(&app, &read, card).await,
        "a reader drags nothing"
    );
    assert!(
        drag_with_token(&app, &write, card).await,
        "a writer's drag shows"
    );
}
