//! Several app nodes on one PostgreSQL database. Each node announces its
//! appends, once committed, as "PROJECT SEQ" on channel `kanri_log`; each
//! node listens and catches up the projects it holds, which hands the
//! events to its board sockets and wakes its subscribers and webhook worker.
//!
//! A notification carries no event, only how far the log goes: the node
//! reads the events from the log, so a lost or coalesced notification loses
//! nothing. When the listening connection drops, the node reconnects and
//! catches every project it holds up from the log; and every [`SWEEP`] it
//! compares its head with the log's, in case a node died between its commit
//! and its announcement.
//!
//! The end of an access (a share link or API token revoked, a sign-out, a
//! password change) is announced on channel `kanri_access`, so every node
//! closes the sockets it rested on at once ([`access`]).
//!
//! The background work (subscriber projections, webhook deliveries) runs on
//! one node at a time, the holder of an advisory lock ([`lead()`]), so each
//! event is handled once; when that node dies, another takes over.

use kanri_domain::ProjectKey;
use serde::Serialize;
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

mod access;
mod announce;
mod lead;

pub use access::{ACCESS_CHANNEL, Access, AccessEnd, announce};
pub use lead::lead;

use crate::hub::NodePresence;
use crate::service::Kanri;
use announce::{PRESENCE_CHANNEL, announce_appends, announce_presence};

/// The channel appends announce themselves on.
pub const CHANNEL: &str = "kanri_log";
/// How often a node checks that it has heard of every append.
const SWEEP: Duration = Duration::from_secs(5);
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
    /// Whether this node runs the background work now.
    leading: AtomicBool,
}

impl Node {
    pub fn new(id: String, listener: Listener) -> Self {
        Self {
            id,
            // Alone (SQLite), it is the one that does the work.
            leading: AtomicBool::new(listener == Listener::Alone),
            listener: Mutex::new(listener),
        }
    }

    pub fn leading(&self) -> bool {
        self.leading.load(Ordering::Relaxed)
    }

    fn set_leading(&self, leading: bool) {
        self.leading.store(leading, Ordering::Relaxed);
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
    access: Access,
    node: Arc<Node>,
    mut stop: watch::Receiver<bool>,
) {
    let heard = Arc::new(Heard::default());
    let catching_up = tokio::spawn(catch_up(kanri.clone(), heard.clone(), stop.clone()));
    let telling = tokio::spawn(announce_appends(pool.clone(), kanri.clone(), stop.clone()));
    let announcing = tokio::spawn(announce_presence(
        pool.clone(),
        kanri.hub().clone(),
        node.id.clone(),
        stop.clone(),
    ));
    loop {
        node.set(Listener::Connecting);
        match hear(&pool, &kanri, &access, &node, &heard, &mut stop).await {
            Ok(()) => break,
            Err(e) => tracing::warn!(error = %e, "the listening connection failed; reconnecting"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RECONNECT_AFTER) => {}
            _ = stop.changed() => break,
        }
    }
    catching_up.abort();
    announcing.abort();
    telling.abort();
}

/// One listening connection: listens, then catches every project up (what
/// was appended before it listened), then hears until it drops (an error)
/// or `stop` (`Ok`).
async fn hear(
    pool: &PgPool,
    kanri: &Kanri,
    access: &Access,
    node: &Node,
    heard: &Heard,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener
        .listen_all([CHANNEL, ACCESS_CHANNEL, PRESENCE_CHANNEL])
        .await?;
    node.set(Listener::Listening);
    tracing::info!("listening for the other nodes' appends");
    let resync = async || {
        let head = kanri.store().head(None).await?;
        kanri.resync().await?;
        kanri.hub().heard(head);
        Ok::<_, crate::store::StoreError>(())
    };
    resync()
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut sweep = tokio::time::interval(SWEEP);
    loop {
        tokio::select! {
            _ = sweep.tick() => {
                let heard = *kanri.hub().head().borrow();
                match kanri.store().head(None).await {
                    Ok(head) if head > heard => {
                        if let Err(e) = resync().await {
                            tracing::warn!(error = %e, "cannot catch up with the log");
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read the log's head"),
                }
            }
            got = listener.try_recv() => match got? {
                Some(n) if n.channel() == PRESENCE_CHANNEL => {
                    match serde_json::from_str::<NodePresence>(n.payload()) {
                        Ok(p) if p.node == node.id => {}
                        Ok(p) => kanri.hub().heard_presence(p, Instant::now()),
                        Err(_) => tracing::warn!(payload = n.payload(), "presence that does not parse"),
                    }
                }
                Some(n) if n.channel() == ACCESS_CHANNEL => {
                    match serde_json::from_str(n.payload()) {
                        Ok(end) => access.ended(end),
                        Err(_) => tracing::warn!(payload = n.payload(), "an access end that does not parse"),
                    }
                }
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
