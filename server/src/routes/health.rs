//! `GET /healthz`: 200 when the database answers, 503 when it does not, with
//! the log head, each subscriber projection's lag behind it, and this node:
//! its id, whether it hears the other nodes, and how far behind the log
//! its live boards are.
//!
//! The answer is read from memory: a task of the node probes the database
//! once a second ([`Health::keep_probing`]) and the answer says how long ago
//! it did, so a load balancer may ask as often as it likes without touching
//! the database. A probe that does not finish within [`PROBE_WITHIN`], or
//! none for [`STALE`], counts as a database that does not answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::AppState;
use crate::service::Kanri;
use crate::subscribers::{self, SubscriberStatus};

const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_WITHIN: Duration = Duration::from_secs(2);
const STALE: Duration = Duration::from_secs(5);

/// The latest probe of the database.
#[derive(Default)]
pub struct Health {
    latest: Mutex<Option<Probe>>,
}

#[derive(Clone)]
struct Probe {
    at: Instant,
    /// The log head, the subscribers and the boards' lag; `None` when the
    /// database did not answer.
    found: Option<(u64, Vec<SubscriberStatus>, u64)>,
}

impl Health {
    /// Probes now, so the first answer is there before the node serves.
    pub async fn first(kanri: &Kanri) -> Arc<Self> {
        let health = Arc::new(Self::default());
        health.probe(kanri).await;
        health
    }

    /// Probes once a second until `stop` turns true.
    pub async fn keep_probing(
        self: Arc<Self>,
        kanri: Arc<Kanri>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        while !*stop.borrow() {
            tokio::select! {
                _ = tokio::time::sleep(PROBE_EVERY) => self.probe(&kanri).await,
                _ = stop.changed() => {}
            }
        }
    }

    async fn probe(&self, kanri: &Kanri) {
        let store = kanri.store();
        let found = tokio::time::timeout(PROBE_WITHIN, async {
            if !store.db().ping().await {
                return None;
            }
            let head = store.head(None).await.ok()?;
            let subscribers = subscribers::status(store).await.ok()?;
            let heard = *kanri.hub().head().borrow();
            Some((head, subscribers, head.saturating_sub(heard)))
        })
        .await
        .ok()
        .flatten();
        if found.is_none() {
            tracing::warn!("health check: the database does not answer");
        }
        let probe = Probe {
            at: Instant::now(),
            found,
        };
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(probe);
    }
}

#[tracing::instrument(skip_all)]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let latest = state
        .health
        .latest
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(probe) = latest else {
        return unavailable("not probed yet");
    };
    let age = probe.at.elapsed();
    if age > STALE {
        return unavailable("no answer to the last probes");
    }
    let Some((head, subscribers, lag)) = probe.found else {
        return unavailable("unreachable");
    };
    let node = json!({
        "id": state.node.id,
        "listener": state.node.listener(),
        "leader": state.node.leading(),
        "lag": lag,
    });
    (
        StatusCode::OK,
        Json(json!({
            "status": "ok", "database": "ok", "log_head": head,
            "subscribers": subscribers, "node": node,
            "checked_ms_ago": age.as_millis() as u64,
        })),
    )
}

fn unavailable(database: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "database": database })),
    )
}
