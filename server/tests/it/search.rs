//! Search and saved filters through their server functions.

use crate::common::*;

#[tokio::test]
async fn search_reports_query_errors_in_the_answer_and_filters_must_parse() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for title in ["Login page", "Logout bug", "Payment"] {
        app.create_issue("ABC", title).await;
    }
    let search = [("key", "ABC"), ("q", "text ~ log ORDER BY key DESC")];
    let (status, body) = app.call_fn("alice", "search", &search).await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ABC-2", "ABC-1"]);
    assert_eq!(body["total"], 2);

    let search = [("key", "ABC"), ("q", "status = Done extra")];
    let (status, body) = app.call_fn("alice", "search", &search).await;
    assert_eq!(status, 200, "a bad query is an answer: {body}");
    assert_eq!(body["error"]["column"], 15);

    let save = [("project", "ABC"), ("name", ""), ("query", "status = ")];
    let (status, body) = app.call_fn("alice", "save_filter", &save).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["name", "query"]);
    let save = [
        ("project", "ABC"),
        ("name", "Logs"),
        ("query", "text ~ log"),
    ];
    let (status, _) = app.call_fn("alice", "save_filter", &save).await;
    assert_eq!(status, 200);
    let filters = &app.state("ABC").await.project.unwrap().filters;
    assert_eq!(filters.values().collect::<Vec<_>>(), ["text ~ log"]);
    app.stop().await;
}
