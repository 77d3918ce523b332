//! What a node tells the others: its appends once committed, and its
//! viewers of each board.

use kanri_domain::ProjectKey;
use sqlx::postgres::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

use super::CHANNEL;
use crate::hub::{Hub, NodePresence};
use crate::service::Kanri;

/// The channel each node announces its viewers of a board on.
pub const PRESENCE_CHANNEL: &str = "kanri_presence";
/// How often a node announces its viewers again (and forgets the other
/// nodes' viewers not announced for [`crate::hub::REMOTE_PRESENCE_TTL`]).
const PRESENCE_HEARTBEAT: Duration = Duration::from_secs(10);

/// Sends each payload on `channel`, in one statement.
pub async fn notify(
    pool: &PgPool,
    channel: &str,
    payloads: Vec<String>,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(channel)
        .bind(payloads)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Announces this node's appends: each burst as one statement, the highest
/// number per project.
pub async fn announce_appends(pool: PgPool, kanri: Arc<Kanri>, mut stop: watch::Receiver<bool>) {
    let mut appends = kanri.appends();
    loop {
        let first = tokio::select! {
            Some(first) = appends.recv() => first,
            _ = stop.changed() => return,
        };
        let mut burst: HashMap<ProjectKey, u64> = HashMap::from([first]);
        while let Ok((key, seq)) = appends.try_recv() {
            let known = burst.entry(key).or_default();
            *known = (*known).max(seq);
        }
        let payloads: Vec<String> = burst.iter().map(|(k, s)| format!("{k} {s}")).collect();
        if let Err(e) = notify(&pool, CHANNEL, payloads).await {
            // The others find the events at their next sweep.
            tracing::warn!(error = %e, "cannot announce this node's appends");
        }
    }
}

/// Announces this node's viewers of a board when they change, and all of
/// them every [`PRESENCE_HEARTBEAT`] (so they do not expire elsewhere).
pub async fn announce_presence(
    pool: PgPool,
    hub: Arc<Hub>,
    node: String,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = hub.presence_changes();
    let mut beat = tokio::time::interval(PRESENCE_HEARTBEAT);
    loop {
        let batch = tokio::select! {
            Some(change) = changes.recv() => vec![change],
            _ = beat.tick() => {
                hub.expire_presence(Instant::now());
                hub.local_presence()
            }
            _ = stop.changed() => return,
        };
        for (project, presence) in batch {
            let announced = NodePresence {
                node: node.clone(),
                project,
                viewers: presence.shown,
                total: presence.total,
            };
            let payload = serde_json::to_string(&announced).expect("presence serializes");
            if let Err(e) = notify(&pool, PRESENCE_CHANNEL, vec![payload]).await {
                tracing::warn!(error = %e, "cannot announce this node's viewers");
            }
        }
    }
}
