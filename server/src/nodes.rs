//! Several app nodes on one PostgreSQL database. Every append announces
//! "PROJECT SEQ" on channel `kanri_log` at commit (`migrations/postgres`);
//! each node listens and catches up the projects it holds, which hands the
//! events to its board sockets and wakes its subscribers and webhook worker.
//!
//! A notification carries no event, only how far the log goes: the node
//! reads the events from the log, so a lost or coalesced notification loses
//! nothing. When the listening connection drops, the node reconnects and
//! catches every project it holds up from the log.

use kanri_domain::ProjectKey;
use serde::Serialize;
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

use crate::service::Kanri;

/// The channel appends announce themselves on.
pub const CHANNEL: &str = "kanri_log";
/// The wait before connecting again after the listening connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// Whether this node hears the other nodes' appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Listener {
    /// SQLite: one process is the only node.
    Alone,
    /// Connecting, or connecting again after the connection dropped.
    Connecting,
    Listening,
}

/// This node, as `/healthz` reports it.
#[derive(Debug)]
pub struct Node {
    pub id: String,
    listener: Mutex<Listener>,
}

impl Node {
    pub fn new(id: String, listener: Listener) -> Self {
        Self {
            id,
            listener: Mutex::new(listener),
        }
    }

    pub fn listener(&self) -> Listener {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, state: Listener) {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

/// A node id for the logs and `/healthz`: `KANRI_NODE_ID`, else the host
/// name and process id.
pub fn default_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}

/// "PROJECT SEQ", as `kanri_append` sends it.
fn parse(payload: &str) -> Option<(ProjectKey, u64)> {
    let (key, seq) = payload.split_once(' ')?;
    Some((ProjectKey::parse(key).ok()?, seq.parse().ok()?))
}

/// Projects heard of and not yet caught up with, the highest number heard
/// for each: a burst of notifications for one project costs one catch-up.
#[derive(Default)]
struct Heard {
    projects: Mutex<HashMap<ProjectKey, u64>>,
    wake: Notify,
}

impl Heard {
    fn add(&self, key: ProjectKey, seq: u64) {
        let mut projects = self.projects.lock().unwrap_or_else(|e| e.into_inner());
        let known = projects.entry(key).or_default();
        *known = (*known).max(seq);
        self.wake.notify_one();
    }

    fn take(&self) -> HashMap<ProjectKey, u64> {
        std::mem::take(&mut *self.projects.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Listens until `stop` turns true.
#[tracing::instrument(name = "node_listener", skip_all, fields(node = %node.id))]
pub async fn listen(
    pool: PgPool,
    kanri: Arc<Kanri>,
    node: Arc<Node>,
    mut stop: watch::Receiver<bool>,
) {
    let heard = Arc::new(Heard::default());
    let catching_up = tokio::spawn(catch_up(kanri.clone(), heard.clone(), stop.clone()));
    loop {
        node.set(Listener::Connecting);
        match hear(&pool, &kanri, &node, &heard, &mut stop).await {
            Ok(()) => break,
            Err(e) => tracing::warn!(error = %e, "the listening connection failed; reconnecting"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RECONNECT_AFTER) => {}
            _ = stop.changed() => break,
        }
    }
    catching_up.abort();
}

/// One listening connection: listens, then catches every project up (what
/// was appended before it listened), then hears until it drops (an error)
/// or `stop` (`Ok`).
async fn hear(
    pool: &PgPool,
    kanri: &Kanri,
    node: &Node,
    heard: &Heard,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    node.set(Listener::Listening);
    tracing::info!("listening for the other nodes' appends");
    kanri
        .resync()
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    loop {
        tokio::select! {
            got = listener.try_recv() => match got? {
                Some(n) => match parse(n.payload()) {
                    Some((key, seq)) => heard.add(key, seq),
                    None => tracing::warn!(payload = n.payload(), "an announcement that does not parse"),
                },
                None => return Err(sqlx::Error::Protocol("the listening connection dropped".into())),
            },
            _ = stop.changed() => return Ok(()),
        }
    }
}

/// Catches up the projects heard of, one after another.
async fn catch_up(kanri: Arc<Kanri>, heard: Arc<Heard>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = heard.wake.notified() => {}
            _ = stop.changed() => return,
        }
        for (key, seq) in heard.take() {
            if let Err(e) = kanri.heard(&key, seq).await {
                tracing::warn!(error = %e, project = %key, "cannot catch up with another node's append");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_parse_and_anything_else_is_refused() {
        let (key, seq) = parse("ABC 42").unwrap();
        assert_eq!((key.as_str(), seq), ("ABC", 42));
        for bad in ["", "ABC", "ABC x", "abc 1", "ABC -1", "ABC 1 2"] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }
}
