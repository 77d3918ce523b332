//! The OpenAPI document states the rules the server enforces: the answers
//! each operation can give, the bounds of every field, links from creations
//! to changes; and the server agrees with the document on sample bodies.

use super::{document, send, token};
use crate::common::*;
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item[method].is_object() {
                all.push((method, path.as_str(), &item[method]));
            }
        }
    }
    all
}

/// A component schema with its `$ref`s resolvable, for the validator.
fn schema(doc: &Value, name: &str) -> Value {
    let mut s = doc["components"]["schemas"][name].clone();
    assert!(s.is_object(), "{name} is in the document");
    s["components"] = doc["components"].clone();
    s
}

#[tokio::test]
async fn every_change_based_on_if_match_declares_412_and_428() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut based = 0;
    for (method, path, op) in operations(doc) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let responses = op["responses"].as_object().expect("responses");
        for p in &params {
            if p["in"] == "path" {
                assert!(p["schema"].get("pattern").is_some() || p["schema"]["type"] == "integer");
            }
        }
        let Some(if_match) = params.iter().find(|p| p["name"] == "If-Match") else {
            assert!(!responses.contains_key("428"), "{method} {path}");
            continue;
        };
        based += 1;
        assert_eq!(if_match["in"], "header");
        assert_eq!(if_match["required"], true, "{method} {path}");
        for status in ["409", "412", "428", "422"] {
            let declared = &responses
                .get(status)
                .unwrap_or_else(|| panic!("{method} {path} declares {status}"));
            assert_eq!(
                declared["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path} {status}"
            );
        }
        assert!(responses["412"]["headers"].get("ETag").is_some());
        assert!(
            !responses.contains_key("4XX"),
            "{method} {path}: each status"
        );
    }
    assert_eq!(
        based, 11,
        "the changes of issues, comments, worklogs and sprints"
    );
    // Every operation with a body says what a too large or invalid one gets.
    for (method, path, op) in operations(doc) {
        if op["requestBody"].is_object() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} {status}"
                );
            }
        }
        assert!(op["responses"].get("401").is_some(), "{method} {path} 401");
    }
}

#[tokio::test]
async fn every_bound_the_server_enforces_is_in_the_document() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    // (schema, JSON pointer below it, keyword, value)
    let bounds: &[(&str, &str, &str, Value)] = &[
        ("NewIssueBody", "/properties/title", "minLength", json!(1)),
        (
            "NewIssueBody",
            "/properties/description",
            "maxLength",
            json!(32_000),
        ),
        ("NewIssueBody", "/properties/labels", "maxItems", json!(20)),
        ("NewIssueBody", "/properties/points", "maximum", json!(1000)),
        ("NewIssueBody", "/properties/points", "minimum", json!(0)),
        (
            "NewIssueBody",
            "/properties/points",
            "multipleOf",
            json!(0.1),
        ),
        (
            "NewIssueBody",
            "/properties/original_estimate_minutes",
            "maximum",
            json!(600_000),
        ),
        (
            "NewIssueBody",
            "/properties/original_estimate_minutes",
            "type",
            json!(["integer", "null"]),
        ),
        (
            "NewIssueBody",
            "/properties/sprint",
            "type",
            json!(["integer", "null"]),
        ),
        ("IssuePatchBody", "", "minProperties", json!(1)),
        (
            "IssuePatchBody",
            "/properties/remaining_estimate_minutes",
            "maximum",
            json!(600_000),
        ),
        (
            "WorklogBody",
            "/properties/spent_minutes",
            "minimum",
            json!(1),
        ),
        (
            "WorklogBody",
            "/properties/spent_minutes",
            "maximum",
            json!(600_000),
        ),
        (
            "WorklogBody",
            "/properties/spent_minutes",
            "type",
            json!("integer"),
        ),
        (
            "WorklogBody",
            "/properties/started_ms",
            "maximum",
            json!(253_402_300_740_000_i64),
        ),
        (
            "StartSprintBody",
            "/properties/start",
            "format",
            json!("date"),
        ),
        ("NewSprintBody", "/properties/end", "format", json!("date")),
    ];
    for (name, pointer, keyword, value) in bounds {
        let at = schemas[name]
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{name}{pointer} is documented"));
        assert_eq!(&at[keyword], value, "{name}{pointer} {keyword}");
    }
    // Text is trimmed before it is counted, so its length bound is in the
    // pattern (surrounding whitespace does not count): (schema, pointer, bound).
    for (name, pointer, bound) in [
        ("NewIssueBody", "/properties/title", "{0,253}"),
        ("NewSprintBody", "/properties/name", "{0,78}"),
        ("CommentBody", "/properties/body", "{0,9998}"),
        ("NewIssueBody", "/properties/labels/items", "{1,40}"),
        ("IssuePatchBody", "/properties/assignee", "{1,32}"),
        ("NewIssueBody", "/properties/parent", "{0,8}"),
        ("LinkBody", "/properties/issue", "{2,10}"),
    ] {
        let pattern = schemas[name].pointer(pointer).unwrap()["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}{pointer} has a pattern"));
        assert!(pattern.contains(bound), "{name}{pointer}: {pattern}");
    }
    // Query parameters: a page holds 1 to 200.
    let limit = doc["paths"]["/api/v1/projects/{key}/issues"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 200);
    // A creation links to the read and the change, with the ETag.
    let links = &doc["paths"]["/api/v1/projects/{key}/issues"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["GetIssue"]["operationId"], "issues_get");
    assert_eq!(
        links["PatchIssue"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
}

#[tokio::test]
async fn the_server_accepts_what_the_document_allows_and_refuses_the_rest() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let doc = document(&app).await;
    let labels = |n: usize| json!((0..n).map(|i| format!("l{i}")).collect::<Vec<_>>());
    // (schema, body, valid by the document). Every valid one changes the issue.
    let cases: Vec<(&str, Value, bool)> = vec![
        ("IssuePatchBody", json!({}), false),
        ("IssuePatchBody", json!({"title": "  "}), false),
        ("IssuePatchBody", json!({"title": "a\u{7}b"}), false),
        ("IssuePatchBody", json!({"title": " Trimmed "}), true),
        ("IssuePatchBody", json!({"title": "x".repeat(256)}), false),
        (
            "IssuePatchBody",
            json!({"title": format!("{}{}", " ".repeat(10), "y".repeat(255))}),
            true,
        ),
        ("IssuePatchBody", json!({"points": 0.3}), true),
        ("IssuePatchBody", json!({"points": 0.25}), false),
        ("IssuePatchBody", json!({"points": 1000.5}), false),
        (
            "IssuePatchBody",
            json!({"original_estimate_minutes": 20159}),
            true,
        ),
        (
            "IssuePatchBody",
            json!({"original_estimate_minutes": 600_001}),
            false,
        ),
        (
            "IssuePatchBody",
            json!({"original_estimate_minutes": 1.5}),
            false,
        ),
        ("IssuePatchBody", json!({"labels": labels(20)}), true),
        ("IssuePatchBody", json!({"labels": labels(21)}), false),
        ("IssuePatchBody", json!({"labels": ["two words"]}), false),
        ("IssuePatchBody", json!({"parent": ""}), false),
        ("IssuePatchBody", json!({"assignee": "Not A Name"}), false),
        ("IssuePatchBody", json!({"description": null}), false),
    ];
    for (name, body, valid) in cases {
        let validator = jsonschema::validator_for(&schema(doc, name)).expect("a schema");
        assert_eq!(validator.is_valid(&body), valid, "the document on {body}");
        let res = send(
            &app,
            "PATCH",
            "/api/v1/issues/ABC-1",
            Some(&t),
            &[("If-Match", "*")],
            Some(body.clone()),
        )
        .await;
        let expected = if valid { 200 } else { 422 };
        assert_eq!(res.status, expected, "the server on {body}: {}", res.body);
    }
    // A whole float is an integer to JSON Schema (draft 6 on) and to the
    // server. (Checked apart: the `jsonschema` crate reads it as a number
    // against a type list such as ["integer", "null"].)
    let whole = json!({"original_estimate_minutes": 20158.0});
    let res = send(
        &app,
        "PATCH",
        "/api/v1/issues/ABC-1",
        Some(&t),
        &[("If-Match", "*")],
        Some(whole),
    )
    .await;
    assert_eq!(res.status, 200, "the server on a whole float: {}", res.body);
    assert_eq!(res.body["issue"]["original_estimate_minutes"], 20158);
}

#[tokio::test]
async fn a_body_that_can_never_be_valid_is_refused_whatever_version_it_names() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "First").await;
    let t = token(&app, "alice").await;
    let logged = send(
        &app,
        "POST",
        "/api/v1/issues/ABC-1/worklogs",
        Some(&t),
        &[],
        Some(json!({"spent_minutes": 30})),
    )
    .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    let n = logged.body["number"].as_u64().unwrap();
    for (method, path, body) in [
        (
            "PATCH",
            format!("/api/v1/issues/ABC-1/worklogs/{n}"),
            json!({"spent_minutes": 2_147_483_648_u64}),
        ),
        (
            "PATCH",
            "/api/v1/issues/ABC-1".to_owned(),
            json!({"labels": (0..21).map(|i| format!("l{i}")).collect::<Vec<_>>()}),
        ),
        (
            "POST",
            "/api/v1/issues/ABC-1/links".to_owned(),
            json!({"kind": "blocks", "issue": ""}),
        ),
    ] {
        // A version from the future and a stale one: the body decides.
        for if_match in ["\"999\"", "\"1\""] {
            let headers = [("If-Match", if_match)];
            let res = send(&app, method, &path, Some(&t), &headers, Some(body.clone())).await;
            assert_eq!(res.status, 422, "{method} {path} {if_match}: {}", res.body);
            assert_eq!(res.problem(), "invalid-field");
        }
        // No If-Match at all: the header the document requires comes first.
        let res = send(&app, method, &path, Some(&t), &[], Some(body.clone())).await;
        assert_eq!(res.status, 428, "{method} {path}: {}", res.body);
        assert_eq!(res.problem(), "precondition-required");
    }
}
