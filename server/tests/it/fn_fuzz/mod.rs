//! Every registered server function (`/api/fn/*`), fed seeded random and
//! malformed bodies, as a signed-in admin of a project with an issue and as
//! an anonymous caller: missing, unknown and repeated fields, wrong types,
//! huge and negative numbers, NaN, 100 KB strings, deeply bracketed names and
//! invalid percent-escapes. Bad input is a 4xx with a message, never a 5xx,
//! and the server still answers afterwards. Bounded in cases and in time.

use leptos::server_fn::axum::server_fn_paths;
use std::time::{Duration, Instant};

use crate::common::*;

/// Rounds over every function; each round sends one case per function and caller.
const ROUNDS: usize = 12;
/// Wall-clock cap: a slow machine runs fewer rounds rather than a longer test.
const TIME_CAP: Duration = Duration::from_secs(25);

mod bodies;

use bodies::{Rng, form_body, json_body};

struct Failure {
    function: String,
    caller: &'static str,
    body: String,
    answer: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body: String = self.body.chars().take(400).collect();
        let answer: String = self.answer.chars().take(600).collect();
        write!(
            f,
            "{} as {}\n  body: {body}\n  answer: {answer}",
            self.function, self.caller
        )
    }
}

#[tokio::test]
async fn no_server_function_answers_bad_input_with_a_5xx() {
    let started = Instant::now();
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    app.create_issue("ABC", "Second").await;
    let (status, body) = app
        .call_fn("alice", "create_sprint", &[("project", "ABC")])
        .await;
    assert_eq!(status, 200, "{body}");
    let alice = app.session("alice").await;

    let mut functions: Vec<(String, String)> = server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method.as_str().to_owned()))
        .collect();
    functions.sort();
    assert!(
        functions.iter().any(|(p, _)| p == "/api/fn/execute") && functions.len() >= 40,
        "the registry lists every server function: {functions:?}"
    );

    let mut rng = Rng(0x5EED_F00D_CAFE_BABE);
    let mut failures: Vec<Failure> = Vec::new();
    let mut sent = 0;
    // Answers by status, printed with --nocapture: shows how far the cases got.
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    'rounds: for _ in 0..ROUNDS {
        for (path, method) in &functions {
            for (caller, cookie) in [("alice", Some(alice.as_str())), ("anonymous", None)] {
                if started.elapsed() > TIME_CAP {
                    break 'rounds;
                }
                let json = path == "/api/fn/execute" && rng.chance(70);
                let body = if json {
                    json_body(&mut rng)
                } else {
                    form_body(&mut rng)
                };
                let url = format!("{}{path}", app.address);
                let mut req = if method == "GET" {
                    let query = String::from_utf8_lossy(&body).into_owned();
                    app.client.get(format!("{url}?{query}"))
                } else {
                    let content_type = if json {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    };
                    app.client
                        .post(&url)
                        .header("Content-Type", content_type)
                        .body(body.clone())
                };
                if rng.chance(80) {
                    req = req.header("Accept", "application/json");
                }
                if let Some(cookie) = cookie {
                    req = req.header("Cookie", cookie);
                }
                sent += 1;
                let res = req.send().await;
                if let Ok(res) = &res {
                    *statuses.entry(res.status().as_u16()).or_default() += 1;
                }
                let answer = match res {
                    Ok(res) if res.status().is_server_error() => Some(format!(
                        "{}: {}",
                        res.status(),
                        res.text().await.unwrap_or_default()
                    )),
                    Ok(_) => None,
                    Err(e) => Some(format!("no answer: {e}")),
                };
                if let Some(answer) = answer {
                    failures.push(Failure {
                        function: format!("{method} {path}"),
                        caller,
                        body: String::from_utf8_lossy(&body).into_owned(),
                        answer,
                    });
                }
            }
        }
    }
    eprintln!(
        "fn_fuzz: {sent} cases in {:?}: {statuses:?}",
        started.elapsed()
    );
    let report: Vec<String> = failures.iter().take(10).map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} of {sent} cases got a 5xx or no answer; the first:\n{}",
        failures.len(),
        report.join("\n")
    );
    assert!(
        sent >= functions.len() * 2,
        "every function was tried ({sent} cases)"
    );

    // Still up, and the project is intact.
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("the app answers");
    assert_eq!(health.status(), 200);
    assert_eq!(app.state("ABC").await.project.unwrap().key.as_str(), "ABC");
    assert!(
        started.elapsed() < TIME_CAP + Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
