//! The REST API, black-box: real server, real tokens, and every answer
//! checked against the OpenAPI document the server itself serves.

mod acknowledged;
mod contract;
mod feed_and_docs;
mod issue_lists;
mod issues;
mod tokens;
mod webhook_claims;
mod webhook_targets;
pub mod webhooks;
mod work;

use crate::common::TestApp;
use serde_json::Value;

/// An answer: status, headers and JSON body (Null when empty).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn etag(&self) -> &str {
        self.header("etag").expect("an ETag")
    }

    /// The problem's stable type slug (`not-found`).
    pub fn problem(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(self.status)));
        self.body["type"]
            .as_str()
            .and_then(|t| t.strip_prefix("/api/v1/docs#problem-"))
            .expect("a stable problem type")
    }
}

/// A personal access token for `user`, made through the settings' server function.
pub async fn token(app: &TestApp, user: &str) -> String {
    let (status, body) = app
        .call_fn(
            user,
            "create_api_token",
            &[("name", "tests"), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["secret"].as_str().expect("the secret").to_owned()
}

/// Sends a request with `token` (if any) and extra headers; the answer is
/// checked against the OpenAPI document for `template` (the route's path).
pub async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut req = app.client.request(
        method.parse().expect("a method"),
        format!("{}{path}", app.address),
    );
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("the app answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON from {path}: {text}"))
    };
    let answer = Answer {
        status,
        headers,
        body,
    };
    conforms(app, method, path, &answer).await;
    answer
}

pub async fn get(app: &TestApp, path: &str, token: &str) -> Answer {
    send(app, "GET", path, Some(token), &[], None).await
}

/// The operation of the document that `path` names, as (template, item).
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, item)| {
            let t: Vec<&str> = template.split('/').collect();
            let matches = t.len() == parts.len()
                && t.iter()
                    .zip(&parts)
                    .all(|(t, p)| t.starts_with('{') || t == p);
            let op = &item[method.to_lowercase()];
            (matches && op.is_object()).then_some((template.as_str(), op))
        })
}

/// Asserts the answer is one the document declares for this operation and
/// that its body validates against the declared schema.
pub async fn conforms(app: &TestApp, method: &str, path: &str, answer: &Answer) {
    let Some((template, op)) = operation(document(app).await, method, path) else {
        return; // Not a documented route (e.g. an unknown address on purpose).
    };
    let status = answer.status.to_string();
    let range = format!("{}XX", &status[..1]);
    let declared = op["responses"]
        .get(&status)
        .or_else(|| op["responses"].get(&range))
        .unwrap_or_else(|| panic!("{method} {template}: {status} is not declared"));
    let Some(content) = declared["content"].as_object() else {
        assert!(
            answer.body.is_null(),
            "{method} {template} {status}: a body was not declared"
        );
        return;
    };
    let content_type = answer.header("content-type").unwrap_or("");
    let media = content
        .get(content_type)
        .unwrap_or_else(|| panic!("{method} {template} {status}: {content_type} is not declared"));
    let mut schema = media["schema"].clone();
    schema["components"] = document(app).await["components"].clone();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&answer.body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {status} does not match its schema: {errors:?}\n{}",
        answer.body
    );
}

/// The OpenAPI document the app serves (fetched once per test binary).
pub async fn document(app: &TestApp) -> &'static Value {
    static DOC: tokio::sync::OnceCell<Value> = tokio::sync::OnceCell::const_new();
    DOC.get_or_init(|| async {
        let res = app
            .client
            .get(format!("{}/api/v1/openapi.json", app.address))
            .send()
            .await
            .expect("the app answers");
        assert_eq!(res.status(), 200);
        res.json().await.expect("the document is JSON")
    })
    .await
}
