//! The OpenAPI document and a readable page made from it (no scripts: the
//! page is plain HTML generated from the same document).

use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::OnceLock;
use utoipa::OpenApi as _;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Operation;

use super::ApiDoc;
use super::problem::kind;

pub fn document() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        super::contract::spell_links(&mut doc);
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    })
}

pub async fn openapi() -> Response {
    let mut res = document().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

pub async fn page() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let mut res = Html(PAGE.get_or_init(render).as_str()).into_response();
    // Inline styles only; nothing else loads, nothing runs.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    res
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema's rules in words: `integer, 1–200`, `string, ≤ 255 chars, matches ^…$`.
fn rules(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    if let Some(kinds) = schema["oneOf"].as_array() {
        let each: Vec<String> = kinds.iter().map(rules).collect();
        return format!("one of: {}", each.join(" | "));
    }
    let mut out: Vec<String> = Vec::new();
    match &schema["type"] {
        Value::String(t) => out.push(t.clone()),
        Value::Array(ts) => {
            let ts: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            out.push(ts.join(" or "));
        }
        _ => {}
    }
    let shown = |v: &Value| v.to_string();
    if let Some(f) = schema["format"].as_str() {
        out.push(format!("format {f}"));
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(shown).collect();
        out.push(format!("one of {}", values.join(", ")));
    }
    for (keyword, words) in [
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("multipleOf", "a multiple of"),
        ("minLength", "chars ≥"),
        ("maxLength", "chars ≤"),
        ("minItems", "items ≥"),
        ("maxItems", "items ≤"),
        ("minProperties", "fields ≥"),
    ] {
        if let Some(v) = schema.get(keyword) {
            out.push(format!("{words} {}", shown(v)));
        }
    }
    if let Some(p) = schema["pattern"].as_str() {
        out.push(format!("matches <code>{}</code>", escape(p)));
    }
    if schema["items"].is_object() {
        out.push(format!("items: {}", rules(&schema["items"])));
    }
    out.join(", ")
}

/// An example request for the operation, as `curl` would send it.
fn example(doc: &Value, method: &str, path: &str, op: &Value) -> String {
    let url = path
        .replace("/issues/{key}", "/issues/ABC-12")
        .replace("{key}", "ABC")
        .replace("{number}", "1")
        .replace("{id}", "1");
    let mut lines = vec![format!("curl -X {method} https://kanri.example{url}")];
    lines.push("  -H 'Authorization: Bearer kanri_…'".into());
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    if params.iter().any(|p| p["name"] == "If-Match") {
        lines.push("  -H 'If-Match: \"7\"'".into());
    }
    if params.iter().any(|p| p["name"] == "Idempotency-Key") {
        lines.push("  -H 'Idempotency-Key: 0b6c5a4e-…'".into());
    }
    let body = op
        .pointer("/requestBody/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(|r| doc["components"]["schemas"][r.rsplit('/').next()?].get("example"));
    if let Some(body) = body {
        lines.push("  -H 'Content-Type: application/json'".into());
        lines.push(format!("  -d '{body}'"));
    }
    lines.join(" \\\n")
}

fn schema_name(r: &RefOr<utoipa::openapi::schema::Schema>) -> String {
    match r {
        RefOr::Ref(r) => r.ref_location.rsplit('/').next().unwrap_or("").to_owned(),
        RefOr::T(_) => "object".to_owned(),
    }
}

fn operation(out: &mut String, doc: &Value, method: &str, path: &str, op: &Operation) {
    let raw = serde_json::to_value(op).unwrap_or_default();
    let _ = write!(
        out,
        "<section><h3><code>{method} {}</code></h3>",
        escape(path)
    );
    if let Some(d) = op.description.as_deref().or(op.summary.as_deref()) {
        let _ = write!(out, "<p>{}</p>", escape(d));
    }
    if let Some(params) = raw["parameters"].as_array() {
        out.push_str(
            "<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Rules</th><th></th></tr>",
        );
        for p in params {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(p["name"].as_str().unwrap_or("")),
                escape(p["in"].as_str().unwrap_or("")),
                if p["required"] == true { "yes" } else { "no" },
                rules(&p["schema"]),
                escape(p["description"].as_str().unwrap_or(""))
            );
        }
        out.push_str("</table>");
    }
    if let Some(body) = &op.request_body {
        for (media, content) in &body.content {
            let _ = write!(
                out,
                "<p>Body: <code>{}</code> (<a href=\"#schema-{name}\">{name}</a>)</p>",
                escape(media),
                name = escape(&schema_name(&content.schema.clone().unwrap_or_default()))
            );
        }
    }
    let _ = write!(
        out,
        "<p>Example:</p><pre>{}</pre>",
        escape(&example(doc, method, path, &raw))
    );
    out.push_str("<ul>");
    for (status, response) in &op.responses.responses {
        let text = match response {
            RefOr::T(r) => r.description.clone(),
            RefOr::Ref(r) => r.ref_location.clone(),
        };
        let _ = write!(out, "<li><b>{}</b> {}</li>", escape(status), escape(&text));
    }
    out.push_str("</ul></section>");
}

/// A component schema: its fields, whether each is required, and its rules.
fn schema_table(out: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        out,
        "<section id=\"schema-{n}\"><h3><code>{n}</code></h3>",
        n = escape(name)
    );
    if let Some(d) = schema["description"].as_str() {
        let _ = write!(out, "<p>{}</p>", escape(d));
    }
    let own = rules(schema);
    if !own.is_empty() {
        let _ = write!(out, "<p>{own}</p>");
    }
    if let Some(fields) = schema["properties"].as_object() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("<table><tr><th>Field</th><th>Required</th><th>Rules</th><th></th></tr>");
        for (field, s) in fields {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(field),
                if required.contains(&field.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                rules(s),
                escape(s["description"].as_str().unwrap_or(""))
            );
        }
        out.push_str("</table>");
    }
    if let Some(example) = schema.get("example") {
        let _ = write!(
            out,
            "<p>Example:</p><pre>{}</pre>",
            escape(&example.to_string())
        );
    }
    out.push_str("</section>");
}

fn render() -> String {
    let doc = ApiDoc::openapi();
    let raw = serde_json::to_value(&doc).unwrap_or_default();
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kanri API v1</title>\
         <style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937}\
         code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse}\
         td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left}section{margin:1.5rem 0}pre{background:#f3f4f6;padding:.5rem;overflow-x:auto}</style>\
         </head><body><h1>Kanri API v1</h1>",
    );
    if let Some(d) = &doc.info.description {
        let _ = write!(out, "<p>{}</p>", escape(d));
    }
    out.push_str(
        "<p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3.1).</p><h2>Endpoints</h2>",
    );
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                operation(&mut out, &raw, method, path, op);
            }
        }
    }
    out.push_str("<h2>Problem types</h2><p>Errors are <code>application/problem+json</code> (RFC 9457); switch on <code>type</code>.</p><table><tr><th>type</th><th>Status</th><th>Meaning</th></tr>");
    for (slug, status, title) in kind::ALL {
        let _ = write!(
            out,
            "<tr id=\"problem-{slug}\"><td><code>/api/v1/docs#problem-{slug}</code></td><td>{status}</td><td>{}</td></tr>",
            escape(title)
        );
    }
    out.push_str("</table><h2>Schemas</h2>");
    if let Some(schemas) = raw["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            schema_table(&mut out, name, schema);
        }
    }
    out.push_str("</body></html>");
    out
}
