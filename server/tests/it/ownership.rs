//! Ownership rules as the API docs state them, black-box: a comment or a
//! worklog is changed by its author or a project admin; webhooks and share
//! links belong to the project and outlive their creator's membership; an
//! issue is assigned only to a member of its project.

use crate::common::*;
use crate::rest::{Answer, get, send, token};
use kanri_domain::{Command, Role};
use serde_json::{Value, json};
use server::config::Config;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn rest(app: &TestApp, method: &str, path: &str, who: &str, body: Option<Value>) -> Answer {
    let t = token(app, who).await;
    send(app, method, path, Some(&t), &[("if-match", "*")], body).await
}

/// ABC with one issue; bob (a member) commented on it and logged work;
/// vera is a viewer.
async fn project_with_bobs_comment_and_worklog(app: &TestApp) {
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    app.add_member("ABC", "vera", Role::Viewer).await;
    let posted = rest(
        app,
        "POST",
        "/api/v1/issues/ABC-1/comments",
        "bob",
        Some(json!({ "body": "Mine" })),
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let logged = rest(
        app,
        "POST",
        "/api/v1/issues/ABC-1/worklogs",
        "bob",
        Some(json!({ "spent_minutes": 30 })),
    )
    .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
}

#[tokio::test]
async fn a_comment_is_edited_or_deleted_by_its_author_or_an_admin_only() {
    let app = spawn_app().await;
    project_with_bobs_comment_and_worklog(&app).await;
    let comment = "/api/v1/issues/ABC-1/comments/1";
    let edit = |who: &'static str, text: &'static str| {
        let app = &app;
        async move { rest(app, "PATCH", comment, who, Some(json!({ "body": text }))).await }
    };
    // Another member and a viewer may not.
    let member = edit("carol", "Hijacked").await;
    assert_eq!(member.status, 409, "{}", member.body);
    assert!(
        member.body["detail"].as_str().unwrap().contains("bob"),
        "names the author: {}",
        member.body
    );
    assert_eq!(edit("vera", "Hijacked").await.status, 403);
    assert_eq!(
        rest(&app, "DELETE", comment, "carol", None).await.status,
        409
    );
    // The author and an admin may.
    assert_eq!(edit("bob", "Mine, edited").await.status, 200);
    let admin = edit("alice", "Moderated").await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    let t = token(&app, "bob").await;
    let comments = get(&app, "/api/v1/issues/ABC-1/comments", &t).await;
    assert_eq!(comments.body[0]["body"], "Moderated");
    assert_eq!(comments.body[0]["author"], "bob", "still bob's");

    // Deleting through the issue page's server function: carol may not,
    // alice (an admin) may.
    let delete_fn = |who: &'static str| {
        let app = &app;
        async move {
            let version = app.state("ABC").await.issues[&kanri_domain::IssueNumber(1)].version;
            let version = version.to_string();
            app.call_fn(
                who,
                "delete_comment",
                &[("issue", "ABC-1"), ("version", &version), ("comment", "1")],
            )
            .await
        }
    };
    let (status, body) = delete_fn("carol").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["Rejected"]["NotTheAuthor"], "bob", "{body}");
    let (status, body) = delete_fn("alice").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        get(&app, "/api/v1/issues/ABC-1/comments", &t).await.body,
        json!([])
    );
}

#[tokio::test]
async fn a_worklog_is_edited_or_deleted_by_its_author_or_an_admin_only() {
    let app = spawn_app().await;
    project_with_bobs_comment_and_worklog(&app).await;
    let worklog = "/api/v1/issues/ABC-1/worklogs/1";
    let edit = |who: &'static str, minutes: u32| {
        let app = &app;
        async move {
            let body = json!({ "spent_minutes": minutes, "remaining": { "mode": "leave" } });
            rest(app, "PATCH", worklog, who, Some(body)).await
        }
    };
    let member = edit("carol", 600).await;
    assert_eq!(member.status, 409, "{}", member.body);
    assert!(
        member.body["detail"].as_str().unwrap().contains("bob"),
        "{}",
        member.body
    );
    assert_eq!(edit("vera", 600).await.status, 403);
    let delete = format!("{worklog}?remaining=leave");
    assert_eq!(
        rest(&app, "DELETE", &delete, "carol", None).await.status,
        409
    );
    assert_eq!(
        rest(&app, "DELETE", &delete, "vera", None).await.status,
        403
    );
    let spent = || {
        let app = &app;
        async move {
            let t = token(app, "alice").await;
            get(app, "/api/v1/issues/ABC-1", &t).await.body["time_spent_minutes"].clone()
        }
    };
    assert_eq!(spent().await, 30, "nothing changed");

    assert_eq!(edit("bob", 45).await.status, 200, "the author");
    let admin = edit("alice", 60).await;
    assert_eq!(admin.status, 200, "an admin: {}", admin.body);
    assert_eq!(spent().await, 60);
    let deleted = rest(&app, "DELETE", &delete, "alice", None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(spent().await, 0);
}

/// A receiver on 127.0.0.1 that keeps the bodies it gets.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = got.clone();
    let hook = axum::routing::post(move |body: String| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(body);
            http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().route("/hook", hook)).await },
    );
    (url, got)
}

#[tokio::test]
async fn webhooks_and_share_links_outlive_their_creators_membership() {
    let dir = tempfile_dir::TempDir::new();
    // The receiver is on loopback, which webhooks may reach only when allowed.
    let config = Config {
        webhook_allow_private: true,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    };
    let app = spawn_with(config).await;
    app.create_project("ABC", "Alpha").await;
    app.set_role("ABC", "bob", Role::Admin).await;
    let (url, got) = receiver().await;
    let hook = rest(
        &app,
        "POST",
        "/api/v1/projects/ABC/webhooks",
        "bob",
        Some(json!({ "url": url, "events": ["issue_created"] })),
    )
    .await;
    assert_eq!(hook.status, 201, "{}", hook.body);
    let (status, link) = app
        .call_fn(
            "bob",
            "create_share_link",
            &[("project", "ABC"), ("label", "Client"), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{link}");
    let path = link["path"].as_str().unwrap().to_owned();

    app.execute_at_head("alice", "ABC", Command::RemoveMember { user: user("bob") })
        .await;
    assert!(
        app.state("ABC")
            .await
            .project
            .unwrap()
            .role_of(&user("bob"))
            .is_none()
    );

    // The link still opens; settings say bob made both.
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the share link still opens");
    let (_, links) = app
        .call_fn("alice", "share_links", &[("project", "ABC")])
        .await;
    assert_eq!(links[0]["created_by"], "bob", "{links}");
    let alice = token(&app, "alice").await;
    let hooks = get(&app, "/api/v1/projects/ABC/webhooks", &alice).await;
    assert_eq!(hooks.body[0]["created_by"], "bob", "{}", hooks.body);

    // And the webhook still delivers.
    app.create_issue("ABC", "After bob left").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !got
        .lock()
        .unwrap()
        .iter()
        .any(|b| b.contains("After bob left"))
    {
        assert!(
            Instant::now() < deadline,
            "no delivery after its creator left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_issue_is_assigned_only_to_a_member_and_keeps_one_who_leaves() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.session("zed").await; // an account, not in ABC
    let create = |assignee: &'static str| {
        let app = &app;
        async move {
            let body = json!({ "title": "Work", "assignee": assignee });
            rest(
                app,
                "POST",
                "/api/v1/projects/ABC/issues",
                "alice",
                Some(body),
            )
            .await
        }
    };
    let outsider = create("zed").await;
    assert_eq!(outsider.status, 422, "{}", outsider.body);
    assert_eq!(
        outsider.body["errors"][0]["field"], "assignee",
        "{}",
        outsider.body
    );
    assert!(
        outsider.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a member of this project"),
        "{}",
        outsider.body
    );
    assert!(app.state("ABC").await.issues.is_empty());
    let made = create("dan").await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["assignee"], "dan");

    let patch = |body: Value| {
        let app = &app;
        async move { rest(app, "PATCH", "/api/v1/issues/ABC-1", "alice", Some(body)).await }
    };
    let reassigned = patch(json!({ "assignee": "zed" })).await;
    assert_eq!(reassigned.status, 422, "{}", reassigned.body);
    assert_eq!(reassigned.body["errors"][0]["field"], "assignee");

    // The issue page's server function says the same, on its field.
    let version = app.state("ABC").await.issues[&kanri_domain::IssueNumber(1)]
        .version
        .to_string();
    let (status, body) = app
        .call_fn(
            "alice",
            "update_field",
            &[
                ("issue", "ABC-1"),
                ("version", &version),
                ("field", "assignee"),
                ("value", "zed"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["Rejected"]["AssigneeNotMember"], "zed", "{body}");

    // dan leaves: the issue keeps him, and other edits still pass.
    app.execute_at_head("alice", "ABC", Command::RemoveMember { user: user("dan") })
        .await;
    let renamed = patch(json!({ "title": "Still dan's", "assignee": "dan" })).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["issue"]["assignee"], "dan");
    // But he cannot be given a new issue.
    assert_eq!(create("dan").await.status, 422);
}
