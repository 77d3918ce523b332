//! The OpenAPI document and a readable page made from it (no scripts: the
//! page is plain HTML generated from the same document).

use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, header};
use std::fmt::Write as _;
use std::sync::OnceLock;
use utoipa::OpenApi as _;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, Required};

use super::ApiDoc;
use super::problem::kind;

pub fn document() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
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

fn schema_name(r: &RefOr<utoipa::openapi::schema::Schema>) -> String {
    match r {
        RefOr::Ref(r) => r.ref_location.rsplit('/').next().unwrap_or("").to_owned(),
        RefOr::T(_) => "object".to_owned(),
    }
}

fn operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let _ = write!(
        out,
        "<section><h3><code>{method} {}</code></h3>",
        escape(path)
    );
    if let Some(d) = op.description.as_deref().or(op.summary.as_deref()) {
        let _ = write!(out, "<p>{}</p>", escape(d));
    }
    if let Some(params) = &op.parameters {
        out.push_str("<table><tr><th>Parameter</th><th>In</th><th>Required</th><th></th></tr>");
        for p in params {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.name),
                serde_json::to_value(&p.parameter_in)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                if matches!(p.required, Required::True) {
                    "yes"
                } else {
                    "no"
                },
                escape(p.description.as_deref().unwrap_or(""))
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

fn render() -> String {
    let doc = ApiDoc::openapi();
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kanri API v1</title>\
         <style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937}\
         code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse}\
         td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left}section{margin:1.5rem 0}</style>\
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
                operation(&mut out, method, path, op);
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
    if let Some(components) = &doc.components {
        for name in components.schemas.keys() {
            let _ = write!(
                out,
                "<p id=\"schema-{n}\"><code>{n}</code></p>",
                n = escape(name)
            );
        }
    }
    out.push_str("</body></html>");
    out
}
