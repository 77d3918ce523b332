//! Black-box tests of the HTTP surface: health, the server-rendered home
//! page, the create-project server function and start-up errors.

use crate::common::*;
use serde_json::Value;
use server::config::Config;
use server::startup::{Application, StartError};

#[tokio::test]
async fn healthz_is_200_with_the_database_and_503_within_a_probe_without() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert!(
        body["subscribers"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{body}"
    );

    assert!(
        body["checked_ms_ago"].as_u64().is_some_and(|ms| ms < 5_000),
        "answered from a recent probe: {body}"
    );

    // The answer comes from the node's probe, once a second: the next one
    // finds the database gone.
    app.kanri.store().db().close().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let body: Value = loop {
        let res = app.get("/healthz").await;
        if res.status() == 503 {
            break res.json().await.unwrap();
        }
        assert_eq!(res.status(), 200);
        assert!(
            std::time::Instant::now() < deadline,
            "/healthz never said 503"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(body["database"], "unreachable");
}

#[tokio::test]
async fn the_home_page_lists_projects_in_its_server_rendered_html() {
    let app = spawn_app().await;
    let empty = app.get("/").await.text().await.unwrap();
    assert!(empty.contains("No projects yet"), "{empty}");

    app.create_project("APL", "Apollo <mobile>").await;
    app.create_project("ZEB", "Zebra").await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let apollo = html
        .find("Apollo &lt;mobile&gt;")
        .expect("the name is in the HTML, escaped");
    let zebra = html.find("Zebra").expect("both projects are listed");
    assert!(apollo < zebra, "listed by name");
    assert!(html.contains(r#"href="/p/APL/board""#));
    assert!(
        html.contains("/pkg/kanri.js"),
        "the page loads the hydration script"
    );
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_the_signed_in_top_bar() {
    let app = spawn_app().await;
    // Without a session every page leads to the sign-in page first.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = anonymous
        .get(format!("{}/no/such/page?x=1", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fno%2Fsuch%2Fpage%3Fx%3D1"
    );
    // The fallback renders the whole app: with a session the top bar shows
    // the profile, which needs the same context as every other page.
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Not found"), "{html}");
    assert!(
        html.contains("Sign out"),
        "the top bar knows the user: {html}"
    );
}

/// Calls the create-project server function as the browser's form does.
async fn create(app: &TestApp, name: &str, key: &str) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/api/fn/create_project", app.address))
        .header("Accept", "application/json")
        .header("Cookie", app.session("alice").await)
        .form(&[("name", name), ("key", key)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn project_count(app: &TestApp) -> usize {
    app.kanri.store().projects().await.unwrap().len()
}

#[tokio::test]
async fn creating_a_project_through_the_server_function_stores_it_as_events() {
    let app = spawn_app().await;
    let (status, body) = create(&app, "  Apollo  ", "APL").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["key"], "APL");
    assert_eq!(body["name"], "Apollo");
    let events = app.kanri.store().events_after(None, 0, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event.type_name(), "project_created");
    assert_eq!(events[1].event.type_name(), "member_added");
    assert_eq!(events[0].actor.as_str(), "alice");
    assert_eq!(app.state("APL").await.project.unwrap().statuses.len(), 4);
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_on_its_field_and_stores_nothing() {
    let app = spawn_app().await;
    app.create_project("APL", "Apollo").await;
    let head = app.kanri.store().head(None).await.unwrap();
    let cases = [
        ("", "NEW", "name", "must not be empty"),
        ("   ", "NEW", "name", "must not be empty"),
        (&"x".repeat(81), "NEW", "name", "too long"),
        ("Name", "A", "key", "2–10 uppercase letters"),
        ("Name", "abc", "key", "2–10 uppercase letters"),
        ("Name", "AB1", "key", "2–10 uppercase letters"),
        ("Name", "ABCDEFGHIJK", "key", "2–10 uppercase letters"),
        ("Name", "APL", "key", "is not available"),
    ];
    for (name, key, field, message) in cases {
        let (status, body) = create(&app, name, key).await;
        assert!(
            (400..500).contains(&status),
            "{name:?}/{key:?} got {status}"
        );
        let invalid = &body["Invalid"][0];
        assert_eq!(invalid["field"], field, "{name:?}/{key:?}: {body}");
        assert!(
            invalid["message"].as_str().unwrap().contains(message),
            "{name:?}/{key:?}: {body}"
        );
    }
    assert_eq!(project_count(&app).await, 1);
    assert_eq!(
        app.kanri.store().head(None).await.unwrap(),
        head,
        "nothing but the first project in the log"
    );
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let app = spawn_app().await;
    let (status, body) = create(&app, " ", "a1").await;
    assert_eq!(status, 422);
    assert_eq!(invalid_fields(&body), ["name", "key"]);
    assert_eq!(project_count(&app).await, 0);
}

#[tokio::test]
async fn an_unwritable_database_path_is_a_clear_start_up_error() {
    let dir = tempfile_dir::TempDir::new();
    let blocker = dir.0.join("not-a-dir");
    std::fs::write(&blocker, "a file where a directory should be").unwrap();
    let config = Config::new("127.0.0.1:0".parse().unwrap(), blocker.join("kanri.db"));
    let err = Application::build(config)
        .await
        .err()
        .expect("start-up fails");
    assert!(matches!(err, StartError::Db(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("not-a-dir"), "{message}");
}

#[tokio::test]
async fn a_taken_port_is_a_clear_start_up_error() {
    let app = spawn_app().await;
    let addr = app.address.trim_start_matches("http://").parse().unwrap();
    let dir = tempfile_dir::TempDir::new();
    let config = Config::new(addr, dir.0.join("k.db"));
    let err = Application::build(config)
        .await
        .err()
        .expect("start-up fails");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot listen on {addr}")),
        "{err}"
    );
}
