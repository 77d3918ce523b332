//! Moving a workspace between the engines with export and import: the demo
//! workspace plus a few thousand generated events, SQLite → PostgreSQL and
//! back. Each copy passes `replay --verify` and gives the same REST answers
//! (with the same API token, moved as its hash) and the same board.

use server::config::Config;
use server::db::{DatabaseUrl, Db};
use server::store::Store;
use server::{replay, transfer};
use std::path::PathBuf;

use crate::common::tempfile_dir::TempDir;
use crate::common::*;
use crate::rest::{get, token};

/// Commands beyond the demo's own history.
const GENERATED: u32 = 3_000;

async fn spawn_on(database: DatabaseUrl, demo: bool) -> TestApp {
    let config = Config {
        demo,
        ..Config::new("127.0.0.1:0".parse().unwrap(), database)
    };
    spawn_exactly(config, PathBuf::new()).await
}

/// Exports `from`, imports it into `to` (empty), and checks the copy
/// replays to the same projections.
async fn copy(from: &DatabaseUrl, to: &DatabaseUrl, scratch: PathBuf) -> Vec<(String, u64)> {
    let source = Db::open(from).await.unwrap();
    let mut file = Vec::new();
    let exported = transfer::export(&source, &mut file).await.unwrap();
    source.close().await;
    let target = Store::new(Db::open(to).await.unwrap());
    let imported = transfer::import(&target, &file[..]).await.unwrap();
    assert_eq!(
        imported.rows, exported.rows,
        "every exported row is imported"
    );
    let report = replay::verify(&target, scratch).await.unwrap();
    assert_eq!(report.first_difference, None, "{report:?}");
    let again = transfer::import(&target, &file[..]).await.unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
    target.db().close().await;
    exported.rows
}

/// What a client sees: REST answers with the token, and the board's cards.
async fn seen(app: &TestApp, bearer: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for path in [
        "/api/v1/projects/DEMO",
        "/api/v1/projects/DEMO/issues?limit=200",
        "/api/v1/issues/DEMO-1",
        "/api/v1/issues/DEMO-1/comments",
        "/api/v1/issues/DEMO-2/worklogs",
        "/api/v1/projects/DEMO/sprints",
        "/api/v1/projects/DEMO/events?after=0&limit=200",
        "/api/v1/projects/DEMO/events?after=2900&limit=200",
        "/api/v1/projects/DEMO/search?q=type%20%3D%20bug%20ORDER%20BY%20priority",
        "/api/v1/projects/DEMO/members",
        "/api/v1/projects/DEMO/reports",
    ] {
        let answer = get(app, path, bearer).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        seen.push(format!("{path} {}", answer.body));
    }
    let cookie = sign_in(app, "dan").await;
    let board = app
        .client
        .get(format!("{}/p/DEMO/board", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(board.status(), 200);
    let html = board.text().await.unwrap();
    let mut cards: Vec<&str> = html
        .match_indices("DEMO-")
        .map(|(i, _)| {
            let digits = html[i + 5..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            &html[i..i + 5 + digits]
        })
        .collect();
    cards.sort_unstable();
    cards.dedup();
    assert!(cards.len() >= 10, "the board shows its cards: {cards:?}");
    seen.push(format!("board {cards:?}"));
    seen
}

async fn sign_in(app: &TestApp, name: &str) -> String {
    let res = app
        .client
        .post(format!("{}/auth/sign-in", app.address))
        .json(&serde_json::json!({ "login": name, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{name} signs in");
    session_cookie(&res).0
}

#[tokio::test]
async fn a_workspace_moves_from_sqlite_to_postgres_and_back_unchanged() {
    let dir = TempDir::new();
    let sqlite = DatabaseUrl::Sqlite(dir.0.join("source.db"));

    // The demo workspace, a member with a token, and generated history.
    let app = spawn_on(sqlite.clone(), true).await;
    app.add_member("DEMO", "dan", kanri_domain::Role::Member)
        .await;
    let bearer = token(&app, "dan").await;
    let issues = app.state("DEMO").await.issues.len() as u32;
    for step in 0..GENERATED {
        let issue = kanri_domain::IssueNumber(1 + step % issues);
        let command = if step % 3 == 0 {
            rename(issue, &format!("Renamed {step}"))
        } else {
            move_to(issue, 1 + step % 4)
        };
        app.execute_at_head("alice", "DEMO", command).await;
    }
    wait_for_subscribers(&app).await;
    let before = seen(&app, &bearer).await;
    app.stop().await;

    // SQLite → PostgreSQL.
    let postgres = fresh_postgres().await;
    let moved = copy(&sqlite, &postgres, dir.0.join("replay-1.db")).await;
    let events = moved.iter().find(|(t, _)| t == "events").unwrap().1;
    assert!(events > u64::from(GENERATED), "{moved:?}");
    let app = spawn_on(postgres.clone(), true).await;
    assert!(app.kanri.store().head(None).await.unwrap() >= events);
    assert_eq!(
        seen(&app, &bearer).await,
        before,
        "the same answers on PostgreSQL"
    );
    app.stop().await;

    // And back: PostgreSQL → a new SQLite file.
    let back = DatabaseUrl::Sqlite(dir.0.join("back.db"));
    copy(&postgres, &back, dir.0.join("replay-2.db")).await;
    let app = spawn_on(back, true).await;
    assert_eq!(
        seen(&app, &bearer).await,
        before,
        "the same answers back on SQLite"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_file_that_is_not_an_export_is_refused_and_nothing_is_written() {
    let dir = TempDir::new();
    let store = Store::new(
        Db::open(&DatabaseUrl::Sqlite(dir.0.join("k.db")))
            .await
            .unwrap(),
    );
    for (file, says) in [
        ("", "empty"),
        ("{\"kanri_export\": 9}\n", "format 9"),
        ("not json\n", "line 1"),
        (
            "{\"kanri_export\": 1}\n{\"table\": \"users\", \"row\": {\"name\": 7}}\n",
            "line 2",
        ),
        (
            "{\"kanri_export\": 1}\n{\"table\": \"sessions\", \"row\": {}}\n",
            "unknown table",
        ),
    ] {
        let err = transfer::import(&store, file.as_bytes()).await.unwrap_err();
        assert!(err.to_string().contains(says), "{file:?}: {err}");
    }
    let mut out = Vec::new();
    let moved = transfer::export(store.db(), &mut out).await.unwrap();
    assert!(
        moved.rows.iter().all(|(_, n)| *n == 0),
        "nothing was written: {moved:?}"
    );
}
