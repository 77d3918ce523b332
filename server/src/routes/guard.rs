//! Cross-site request forgery and browser hardening, for every route.
//!
//! SameSite=Lax cookies already keep the session off cross-site posts; the
//! origin check is the second wall (and the only one for same-site but
//! cross-origin pages, or browsers that ignore SameSite). A request without
//! `Origin` and without `Sec-Fetch-Site` comes from no browser (curl, a
//! mobile client) and carries no ambient credentials worth forging.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// The largest request body accepted, in bytes. The largest legitimate
/// body is a comment (10,000 characters, up to 40 kB of UTF-8, more when
/// form-encoded).
pub const MAX_BODY: usize = 256 * 1024;

/// Refuses a state-changing request, or a WebSocket upgrade, that a page of
/// another origin made the browser send.
pub async fn same_origin(req: Request, next: Next) -> Response {
    let checked = req.method() != Method::GET && req.method() != Method::HEAD
        || req.headers().contains_key(header::UPGRADE);
    if checked && let Err(why) = from_this_site(req.headers()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), why, "cross-site request refused");
        let body = serde_json::json!({ "error": format!("cross-site request refused: {why}") });
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    next.run(req).await
}

/// Whether the browser (if it is one) says the request comes from a page of
/// this very origin.
pub fn from_this_site(headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err("the page is on another site");
    }
    let Some(origin) = text(header::ORIGIN) else {
        return Ok(());
    };
    let Some(host) = text(header::HOST) else {
        return Err("no Host header");
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .ok_or("the origin is opaque or not http(s)")?;
    if authority.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err("the origin is not this host")
    }
}

/// Headers every answer carries. Pages set their own, stricter policy with a
/// per-response nonce ([`page_policy`]); anything else may not run scripts,
/// be framed, or be sniffed into another type.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    res
}

/// Rejections written as plain text (a body too large, a malformed JSON or
/// form body) become the same JSON error shape as every other 4xx; so does
/// the HTML "not found" page, for an API address that names nothing. The
/// REST API's become problem details.
pub async fn plain_errors_as_json(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let v1 = req.uri().path().starts_with("/api/v1/");
    let res = next.run(req).await;
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|t| t.as_bytes().to_vec())
        .unwrap_or_default();
    let plain = content_type.starts_with(b"text/plain");
    let html = content_type.starts_with(b"text/html");
    if !res.status().is_client_error() || !(plain || api && (html || content_type.is_empty())) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let message = if plain {
        // Rejection texts are a line or two; anything longer is cut.
        let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
        String::from_utf8_lossy(&text).trim().to_owned()
    } else {
        match parts.status {
            StatusCode::NOT_FOUND => "there is no such API endpoint".to_owned(),
            status => status
                .canonical_reason()
                .unwrap_or("bad request")
                .to_lowercase(),
        }
    };
    if v1 {
        return crate::rest::Problem::for_status(parts.status, message).into_response();
    }
    let body = serde_json::json!({ "error": message });
    (parts.status, axum::Json(body)).into_response()
}

/// The policy of a rendered page: scripts only from this origin or inline
/// with this response's nonce (the hydration and resource scripts), WASM
/// compiled from this origin, and no framing. Inline `style` attributes stay
/// allowed: the board sets colours and widths through them.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts [`page_policy`] on the page being rendered; called from the shell,
/// where the response's nonce is known.
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(options)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn a_page_of_this_origin_passes() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(from_this_site(&h), Ok(()));
    }

    #[test]
    fn clients_that_are_no_browser_pass() {
        assert_eq!(from_this_site(&headers(&[("host", "kanri.test")])), Ok(()));
    }

    #[test]
    fn other_origins_and_sites_are_refused() {
        for h in [
            headers(&[("host", "kanri.test"), ("origin", "https://evil.test")]),
            headers(&[("host", "kanri.test"), ("origin", "null")]),
            headers(&[("host", "kanri.test:3000"), ("origin", "http://kanri.test")]),
            headers(&[("host", "kanri.test"), ("sec-fetch-site", "cross-site")]),
            headers(&[("host", "kanri.test"), ("sec-fetch-site", "same-site")]),
            headers(&[("origin", "http://kanri.test")]),
        ] {
            assert!(from_this_site(&h).is_err(), "{h:?}");
        }
    }
}
