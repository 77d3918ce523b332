//! `GET /healthz`: 200 when the database answers, 503 when it does not, with
//! the log head, each subscriber projection's lag behind it, and this node:
//! its id, whether it hears the other nodes, and how far behind the log
//! its live boards are.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use crate::subscribers;

#[tracing::instrument(skip_all)]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let store = state.kanri.store();
    if !store.db().ping().await {
        tracing::warn!("health check: the database does not answer");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "unreachable" })),
        );
    }
    let head = store.head(None).await.unwrap_or(0);
    let subscribers = subscribers::status(store).await.unwrap_or_default();
    let heard = *state.kanri.hub().head().borrow();
    let node = json!({
        "id": state.node.id,
        "listener": state.node.listener(),
        "leader": state.node.leading(),
        "lag": head.saturating_sub(heard),
    });
    (
        StatusCode::OK,
        Json(json!({
            "status": "ok", "database": "ok", "log_head": head,
            "subscribers": subscribers, "node": node,
        })),
    )
}
