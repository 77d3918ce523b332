//! Personal access tokens: made and revoked in settings, stored hashed, and
//! acting as their owner with the owner's roles.

use super::{get, send, token};
use crate::common::*;

const NO_ARGS: [(&str, &str); 0] = [];

#[tokio::test]
async fn a_token_acts_as_its_owner_until_revoked() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let secret = token(&app, "bob").await;
    assert!(
        secret.starts_with("kanri_") && secret.len() == 28,
        "{secret}"
    );

    let projects = get(&app, "/api/v1/projects", &secret).await;
    assert_eq!(projects.status, 200);
    assert_eq!(projects.body[0]["key"], "ABC");
    let project = get(&app, "/api/v1/projects/ABC", &secret).await;
    assert_eq!(project.body["role"], "member", "bob's own role");

    // Listed for its owner without the secret; last use noted.
    let (_, list) = app.call_fn("bob", "api_tokens", &NO_ARGS).await;
    let listed = &list[0];
    assert_eq!(listed["name"], "tests");
    assert!(!listed["last_used"].is_null(), "{listed}");
    assert!(!list.to_string().contains(&secret[6..]));
    // Nobody else sees or revokes it.
    let (_, others) = app.call_fn("carol", "api_tokens", &NO_ARGS).await;
    assert_eq!(others, serde_json::json!([]));
    let id = listed["id"].to_string();
    let (status, _) = app
        .call_fn("carol", "revoke_api_token", &[("id", id.as_str())])
        .await;
    assert_eq!(status, 404);
    assert_eq!(get(&app, "/api/v1/projects", &secret).await.status, 200);

    let (status, _) = app
        .call_fn("bob", "revoke_api_token", &[("id", id.as_str())])
        .await;
    assert_eq!(status, 200);
    let refused = get(&app, "/api/v1/projects", &secret).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.problem(), "unauthorized");
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
}

#[tokio::test]
async fn only_the_hash_is_stored() {
    let app = spawn_app().await;
    let secret = token(&app, "alice").await;
    let dir = app.db_path.parent().unwrap().to_owned();
    let _dir = app.stop().await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let needle = &secret.as_bytes()[6..];
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the secret is in a database file"
        );
    }
}

#[tokio::test]
async fn no_or_a_wrong_token_is_401_and_a_session_also_works() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    let none = send(&app, "GET", "/api/v1/projects", None, &[], None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.problem(), "unauthorized");
    for wrong in ["kanri_AAAAAAAAAAAAAAAAAAAAAA", "nonsense", ""] {
        let res = send(&app, "GET", "/api/v1/projects", Some(wrong), &[], None).await;
        assert_eq!(res.status, 401, "{wrong}");
    }
    let cookie = app.session("alice").await;
    let res = send(
        &app,
        "GET",
        "/api/v1/projects/ABC",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(res.status, 200, "the browser's own session");
}

#[tokio::test]
async fn token_names_and_expiry_are_checked() {
    let app = spawn_app().await;
    let long = "x".repeat(81);
    let (status, body) = app
        .call_fn(
            "alice",
            "create_api_token",
            &[("name", long.as_str()), ("expires", "")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["name"]);
    let (status, body) = app
        .call_fn(
            "alice",
            "create_api_token",
            &[("name", "ci"), ("expires", "2001-01-01")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["expires"]);
    let (status, body) = app
        .call_fn(
            "alice",
            "create_api_token",
            &[("name", "ci"), ("expires", "2999-12-31")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body["token"]["expires"].is_null());
}
