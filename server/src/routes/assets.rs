//! `/pkg/…`: the app's WASM, JS and CSS.
//!
//! A release build compressed each file once (brotli at quality 11 and gzip,
//! `x.wasm.br` and `x.wasm.gz` beside `x.wasm`); the file a browser accepts
//! is sent as it is, so no request pays for compression and the brotli file
//! is smaller than one compressed on the fly. Hashed names (see
//! [`crate::site`]) never change content: a browser keeps them a year and
//! never asks again. Plain names are revalidated on every use.
//!
//! These routes sit outside the session layers: a file is the same for
//! everyone, and serving it reads no session.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tower_http::services::ServeDir;

const FOREVER: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The files under `pkg`, hashed names or not.
pub fn router<S: Clone + Send + Sync + 'static>(
    pkg: std::path::PathBuf,
    hashed: bool,
) -> Router<S> {
    let files = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(axum::middleware::map_response(move |res| {
            cache_headers(res, hashed)
        }))
}

async fn cache_headers(mut res: Response, hashed: bool) -> Response {
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        let headers = res.headers_mut();
        let policy = if hashed { FOREVER } else { REVALIDATE };
        headers.insert(header::CACHE_CONTROL, policy);
        // The same address is sent brotli, gzip or plain.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}
