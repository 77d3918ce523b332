//! Every request gets an id: the client's `X-Request-Id` when it is a short
//! token, else a fresh UUID. The id goes back in the answer and names the
//! request's span, so every log line written while the request is handled
//! (including the database's statements) carries it, and a user's report
//! ("request id …") finds its lines.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

pub const HEADER: &str = "x-request-id";

/// A client's id is kept only if it is short and plain, so a hostile value
/// cannot flood or forge log lines.
const MAX_LEN: usize = 64;

/// Outermost middleware: settles the id before tracing opens the span.
pub async fn tag(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).expect("an acceptable id is a valid header value");
    req.headers_mut().insert(HEADER, value.clone());
    let mut res = next.run(req).await;
    res.headers_mut().insert(HEADER, value);
    res
}

fn acceptable(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The request's span: its id, method and route pattern. The pattern, not
/// the path, because paths can hold secrets (share-link tokens).
pub fn span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("(no route)");
    tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(acceptable("b7e0c5d2-1f00-4c1e-9d5e-0a1b2c3d4e5f"));
        assert!(acceptable("lb.42_x"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("two words"));
        assert!(!acceptable("x\"}=forged"));
    }
}
