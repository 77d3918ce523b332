//! `GET /offline.js`: the service worker that keeps the pages a user opened,
//! so that a reload while offline still shows them (see `offline.js`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const WORKER: &str = include_str!("offline.js");

/// The worker's own policy: it fetches from this origin only, and runs no
/// other script. Revalidated on every load, so a new version takes over soon.
pub async fn worker() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; connect-src 'self'"),
            ),
        ],
        WORKER,
    )
        .into_response()
}
