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

#[tokio::test]
async fn a_requested_rebuild_restores_the_search_index_from_the_log() {
    let dir = tempfile_dir::TempDir::new();
    let path = dir.0.join("kanri.db");
    let app = spawn_app_on(path.clone(), true).await;
    app.create_project("ABC", "Alpha").await;
    for title in ["Login page", "Logout bug", "Payment"] {
        app.create_issue("ABC", title).await;
    }
    app.stop().await;

    // What a migration adding search columns leaves: rows without them,
    // and a request to rebuild.
    let db = server::db::Db::open(&database_for(&path).await)
        .await
        .unwrap();
    let mut damage =
        server::db::Sql::new("UPDATE issues SET search_text = '', reporter = '', priority = 0");
    damage
        .end()
        .push("INSERT INTO projection_rebuilds (reason, requested_ms) VALUES ('test', 0)");
    db.execute(&damage).await.unwrap();
    db.close().await;

    let app = spawn_app_on(path, true).await;
    let search = [("key", "ABC"), ("q", "text ~ login OR reporter = alice")];
    let (status, body) = app.call_fn("alice", "search", &search).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3, "{body}");
    let search = [("key", "ABC"), ("q", "text ~ \"login\"")];
    let (_, body) = app.call_fn("alice", "search", &search).await;
    assert_eq!(body["issues"][0]["key"], "ABC-1", "{body}");
    let pending = app
        .kanri
        .store()
        .db()
        .fetch_all(&server::db::Sql::new(
            "SELECT COUNT(*) FROM projection_rebuilds",
        ))
        .await
        .unwrap()[0]
        .int(0)
        .unwrap();
    assert_eq!(pending, 0, "the request is done");
}
