//! Input that used to take the whole process down: a comment nested 9,000
//! deep overflowed the stack of whoever rendered its page, an abort that no
//! request can catch. These run the real binary as a child process, so such
//! a failure shows as the process ending, not as this test binary crashing.

use std::time::Duration;

use crate::common::process::ServerProcess;
use crate::common::{PASSWORD, session_cookie};

/// How deep the app's Markdown renderer nests (its `ui::markdown::MAX_DEPTH`).
const MARKDOWN_DEPTH: usize = 32;

/// A browser-like client of the child server: signed in as one account.
struct Visitor {
    client: reqwest::Client,
    /// The server's `http://127.0.0.1:PORT`.
    base: String,
    cookie: String,
}

impl Visitor {
    async fn sign_up(server: &ServerProcess, name: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        let res = client
            .post(format!("{}/auth/sign-up", server.address))
            .json(&serde_json::json!({
                "name": name,
                "email": format!("{name}@example.test"),
                "display_name": name,
                "password": PASSWORD,
            }))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(res.status(), 200, "signing up {name}");
        let cookie = session_cookie(&res).0;
        Self {
            client,
            base: server.address.clone(),
            cookie,
        }
    }

    /// Calls a server function as the browser's forms do; it must succeed.
    async fn call_fn(&self, function: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let res = self
            .client
            .post(format!("{}/api/fn/{function}", self.base))
            .header("Accept", "application/json")
            .header("Cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .expect("the server answers");
        let status = res.status();
        let body = res.text().await.expect("a body");
        assert_eq!(status, 200, "{function}: {body}");
        serde_json::from_str(&body).expect("a JSON answer")
    }

    /// A REST call with a personal access token; the status and JSON body.
    async fn rest(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("the server answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or_default())
    }

    /// A page's status and HTML; signed in, or not when `anonymous`.
    async fn page(&self, path: &str, anonymous: bool) -> (u16, String) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if !anonymous {
            req = req.header("Cookie", &self.cookie);
        }
        match req.send().await {
            Ok(res) => (res.status().as_u16(), res.text().await.unwrap_or_default()),
            Err(e) => (0, format!("no answer: {e}")),
        }
    }
}

#[tokio::test]
async fn markdown_nested_nine_thousand_deep_renders_and_the_process_lives() {
    let mut server = ServerProcess::start(&[]);
    let alice = Visitor::sign_up(&server, "alice").await;
    server
        .wait_healthy(&alice.client, Duration::from_secs(30))
        .await;
    alice
        .call_fn("create_project", &[("key", "ABC"), ("name", "Apollo")])
        .await;
    let token = alice
        .call_fn("create_api_token", &[("name", "tests"), ("expires", "")])
        .await["secret"]
        .as_str()
        .expect("the token's secret")
        .to_owned();

    // A block quote nested 9,000 deep, in a description and in a comment.
    let nested = |word: &str| format!("{}{word}", ">".repeat(9_000));
    let (status, body) = alice
        .rest(
            reqwest::Method::POST,
            "/api/v1/projects/ABC/issues",
            &token,
            Some(serde_json::json!({
                "title": "Deep",
                "description": nested("deepdescription"),
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["key"], "ABC-1");
    let (status, body) = alice
        .rest(
            reqwest::Method::POST,
            "/api/v1/issues/ABC-1/comments",
            &token,
            Some(serde_json::json!({ "body": nested("deepcomment") })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let link = alice
        .call_fn(
            "create_share_link",
            &[("project", "ABC"), ("label", "Client"), ("expires", "")],
        )
        .await["path"]
        .as_str()
        .expect("the link's address")
        .to_owned();
    let (status, log) = alice
        .rest(
            reqwest::Method::GET,
            "/api/v1/projects/ABC/events?after=0",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{log}");
    let now = log["last_seq"].as_u64().expect("the last sequence number");

    let pages = [
        (
            "/p/ABC/issues/ABC-1".to_owned(),
            false,
            &["deepdescription", "deepcomment"][..],
        ),
        (
            format!("/p/ABC/issues/ABC-1?at={now}"),
            false,
            &["deepdescription"][..],
        ),
        (
            format!("{link}/issues/ABC-1"),
            true,
            &["deepdescription", "deepcomment"][..],
        ),
    ];
    for (path, anonymous, words) in pages {
        // Twice: the page must keep working for whoever opens it next.
        for _ in 0..2 {
            let (status, html) = alice.page(&path, anonymous).await;
            server.assert_alive(&format!("GET {path}"));
            assert_eq!(status, 200, "{path}: {html}");
            for word in words {
                assert!(html.contains(word), "{path} shows {word}");
            }
            assert!(
                html.matches("<blockquote>").count() <= 2 * MARKDOWN_DEPTH,
                "{path}: the nesting is capped"
            );
        }
    }
    let (status, _) = alice.page("/healthz", true).await;
    assert_eq!(status, 200);
    server.assert_alive("all the pages");
    // Flattening keeps the pages small: no runaway memory either.
    assert!(server.rss_kib() < 1024 * 1024, "{} KiB", server.rss_kib());
}

#[tokio::test]
async fn json_nested_a_hundred_thousand_deep_is_refused_and_the_process_lives() {
    let mut server = ServerProcess::start(&[]);
    let alice = Visitor::sign_up(&server, "alice").await;
    alice
        .call_fn("create_project", &[("key", "ABC"), ("name", "Apollo")])
        .await;
    let token = alice
        .call_fn("create_api_token", &[("name", "tests"), ("expires", "")])
        .await["secret"]
        .as_str()
        .expect("the token's secret")
        .to_owned();
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    // One field, so the body stays under the 256 KiB limit.
    let in_a_field = format!("{{\"title\": {nested}}}");
    let posts = [
        ("/auth/sign-up", None, &in_a_field),
        ("/api/v1/projects/ABC/issues", Some(&token), &in_a_field),
        ("/api/fn/execute", None, &nested),
    ];
    for (path, bearer, body) in posts {
        let req = alice
            .client
            .post(format!("{}{path}", server.address))
            .header("Content-Type", "application/json")
            .body(body.clone());
        let req = match bearer {
            Some(token) => req.bearer_auth(token),
            None => req.header("Cookie", &alice.cookie),
        };
        let res = req.send().await;
        server.assert_alive(&format!("POST {path}"));
        let status = res.expect("an answer").status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
    }
    let (status, _) = alice.page("/healthz", true).await;
    assert_eq!(status, 200);
    server.assert_alive("the nested bodies");
}
