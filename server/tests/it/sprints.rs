//! The backlog's server functions on a real SQLite file: sprint creation,
//! bulk moves and their limits, and the field errors of starting a sprint.

use crate::common::*;
use kanri_domain::*;

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `issues[0]=…&issues[1]=…`, as the browser's server-function call encodes a list.
fn moving(issues: impl IntoIterator<Item = u32>, sprint: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = issues
        .into_iter()
        .enumerate()
        .map(|(i, n)| (format!("issues[{i}]"), n.to_string()))
        .collect();
    f.push(("project".into(), "ABC".into()));
    if !sprint.is_empty() {
        f.push(("sprint".into(), sprint.into()));
    }
    f
}

#[tokio::test]
async fn sprints_are_planned_in_bulk_within_limits() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for title in ["One", "Two"] {
        app.create_issue("ABC", title).await;
    }
    let (status, body) = app
        .call_fn("alice", "create_sprint", &form(&[("project", "ABC")]))
        .await;
    assert_eq!(status, 200, "{body}");
    let sprint = &app.state("ABC").await.sprints[&SprintNumber(1)];
    assert_eq!(sprint.name.as_str(), "ABC Sprint 1");

    let (status, body) = app
        .call_fn("alice", "move_issues", &moving([1, 2], "1"))
        .await;
    assert_eq!((status, body.as_u64()), (200, Some(2)), "{body}");
    let state = app.state("ABC").await;
    assert_eq!(state.sprint_issues(SprintNumber(1)).len(), 2);
    let (status, body) = app.call_fn("alice", "move_issues", &moving([2], "")).await;
    assert_eq!(
        (status, body.as_u64()),
        (200, Some(1)),
        "back to the backlog"
    );

    let head = app.kanri.store().head(None).await.unwrap();
    let (status, body) = app
        .call_fn("alice", "move_issues", &moving(1..=101, "1"))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("At most 100"), "{body}");
    let (status, body) = app.call_fn("alice", "move_issues", &moving([], "1")).await;
    assert_eq!(status, 400, "an undecodable request is bad input: {body}");
    let (status, _) = app.call_fn("alice", "move_issues", &moving([9], "1")).await;
    assert_eq!(status, 404);
    let (status, body) = app.call_fn("alice", "move_issues", &moving([1], "7")).await;
    assert_eq!(status, 409, "no sprint 7: {body}");
    assert_eq!(
        app.kanri.store().head(None).await.unwrap(),
        head,
        "nothing stored"
    );

    let start = form(&[
        ("project", "ABC"),
        ("sprint", "1"),
        ("version", "1"),
        ("start", "2026-11-31"),
        ("end", "soon"),
    ]);
    let (status, body) = app.call_fn("alice", "start_sprint", &start).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["start", "end"]);
    app.stop().await;
}
