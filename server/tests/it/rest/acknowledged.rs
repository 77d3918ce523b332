//! What a REST write answers under contention: exactly the state its own
//! command left. Eight writers patch and move one issue at once; every
//! 200's ETag is the version of that request's own last event in the log,
//! and its body is the issue as of that event (not a later writer's).

use super::{Answer, send, token};
use crate::common::*;
use futures::future::join_all;
use kanri_domain::{IssueNumber, Role};
use serde_json::{Value, json};
use server::store::Until;

const WRITERS: [&str; 8] = [
    "alice", "bob", "carol", "dan", "dave", "erin", "frank", "grace",
];
/// Rounds of eight racing writes (each round's writes are told apart from
/// the others' by their place in the log).
const ROUNDS: u32 = 3;

/// Writer `i`'s change in round `round`: a new title, or a move to a status.
async fn write(app: &TestApp, token: &str, i: usize, round: u32) -> Answer {
    let star = [("if-match", "*")];
    if i.is_multiple_of(2) {
        let title = json!({ "title": format!("Title {round}.{i}") });
        send(
            app,
            "PATCH",
            "/api/v1/issues/ABC-1",
            Some(token),
            &star,
            Some(title),
        )
        .await
    } else {
        let status = json!({ "status": 1 + (i / 2) % 4 });
        let path = "/api/v1/issues/ABC-1/move";
        send(app, "POST", path, Some(token), &star, Some(status)).await
    }
}

/// The project's whole log over REST.
async fn events(app: &TestApp, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |e: &Value| e["seq"].as_u64().unwrap());
        let path = format!("/api/v1/projects/ABC/events?after={after}&limit=200");
        let page = send(app, "GET", &path, Some(token), &[], None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        all.extend(page.body["events"].as_array().unwrap().iter().cloned());
        if !page.body["more"].as_bool().unwrap() {
            return all;
        }
    }
}

#[tokio::test]
async fn each_racing_write_answers_with_the_state_its_own_last_event_made() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for name in &WRITERS[TEAM.len()..] {
        app.add_member("ABC", name, Role::Member).await;
    }
    app.create_issue("ABC", "Contended").await;
    let mut tokens = Vec::new();
    for name in WRITERS {
        tokens.push(token(&app, name).await);
    }
    for round in 0..ROUNDS {
        let start = app.kanri.store().head(None).await.unwrap();
        let answers = join_all(
            tokens
                .iter()
                .enumerate()
                .map(|(i, t)| write(&app, t, i, round)),
        )
        .await;
        let log = events(&app, &tokens[0]).await;
        let mut checked = 0;
        for (i, answer) in answers.iter().enumerate() {
            assert_eq!(answer.status, 200, "{}", answer.body);
            let own_last = log
                .iter()
                .filter(|e| e["seq"].as_u64().unwrap() > start)
                .filter(|e| e["actor"] == WRITERS[i] && e["stream"] == "ABC-1")
                .max_by_key(|e| e["seq"].as_u64().unwrap());
            let Some(own_last) = own_last else {
                // Only a move to where the issue already was writes nothing.
                assert!(
                    !i.is_multiple_of(2),
                    "{} wrote nothing in round {round}",
                    WRITERS[i]
                );
                continue;
            };
            checked += 1;
            let version = own_last["version"].as_u64().unwrap();
            assert_eq!(answer.etag(), format!("\"{version}\""), "{}", WRITERS[i]);
            // The issue as of that event, replayed from the log.
            let seq = own_last["seq"].as_u64().unwrap();
            let (then, _) = app
                .kanri
                .project_as_of(&key("ABC"), Until::Seq(seq))
                .await
                .unwrap();
            let issue = then.issue(IssueNumber(1)).unwrap();
            let shown = &answer.body["issue"];
            assert_eq!(shown["version"], version, "{shown}");
            assert_eq!(shown["title"], issue.title.to_string(), "{}", WRITERS[i]);
            assert_eq!(shown["status"]["id"], issue.status.0, "{}", WRITERS[i]);
            assert_eq!(shown["rank"], issue.rank.to_string(), "{}", WRITERS[i]);
        }
        assert!(
            checked >= WRITERS.len() / 2,
            "round {round}: {checked} checked"
        );
    }
}
