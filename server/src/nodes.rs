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
//! closes the sockets it rested on at once ([`announce`]).
//!
//! The background work (subscriber projections, webhook deliveries) runs on
//! one node at a time, the holder of an advisory lock ([`lead`]), so each
//! event is handled once; when that node dies, another takes over.

use kanri_domain::{ProjectKey, UserName};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

use crate::api_tokens::ApiTokens;
use crate::db::{Db, Sql};
use crate::hub::NodePresence;
use crate::service::Kanri;
use crate::sessions::{SessionEnd, Sessions};
use crate::sharing::ShareLinks;

/// The channel appends announce themselves on.
pub const CHANNEL: &str = "kanri_log";
/// The channel ends of access are announced on.
pub const ACCESS_CHANNEL: &str = "kanri_access";
/// The channel each node announces its viewers of a board on.
pub const PRESENCE_CHANNEL: &str = "kanri_presence";
/// How often a node checks that it has heard of every append.
const SWEEP: Duration = Duration::from_secs(5);
/// How often a node announces its viewers again (and forgets the other
/// nodes' viewers not announced for [`crate::hub::REMOTE_PRESENCE_TTL`]).
const PRESENCE_HEARTBEAT: Duration = Duration::from_secs(10);
/// The wait before connecting again after the listening connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);
/// The session advisory lock whose holder runs the background work.
const LEADER_LOCK: i64 = 4_242_000_002;
/// How often a node that does not lead tries to, and the leader checks
/// that its lock's connection still lives.
const LEAD_CHECK: Duration = Duration::from_secs(1);

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

/// An access that ended on some node: the sockets resting on it close on
/// every node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ended", rename_all = "snake_case")]
pub enum AccessEnd {
    Link {
        id: i64,
    },
    /// One of the user's API tokens was revoked.
    Token {
        user: UserName,
    },
    SignedOut {
        session: String,
    },
    PasswordChanged {
        user: UserName,
    },
}

/// Tells the other nodes that an access ended (this node's sockets heard it
/// already). Alone on SQLite there is nobody to tell. A failure is logged:
/// the access is ended in the database either way, and the other nodes'
/// sockets on it close at their next check of it.
pub async fn announce(db: &Db, end: AccessEnd) {
    if let Db::Sqlite(_) = db {
        return;
    }
    let payload = serde_json::to_string(&end).expect("an access end serializes");
    let notify = Sql::new(format!("SELECT pg_notify('{ACCESS_CHANNEL}', "))
        .bind(payload)
        .then(")");
    if let Err(e) = db.execute(&notify).await {
        tracing::warn!(error = %e, ?end, "cannot tell the other nodes that an access ended");
    }
}

/// Where this node's sockets hear of ended access.
#[derive(Clone)]
pub struct Access {
    pub shares: Arc<ShareLinks>,
    pub tokens: Arc<ApiTokens>,
    pub sessions: Arc<Sessions>,
}

impl Access {
    fn ended(&self, end: AccessEnd) {
        match end {
            AccessEnd::Link { id } => self.shares.revoked_elsewhere(id),
            AccessEnd::Token { user } => self.tokens.revoked_elsewhere(user),
            AccessEnd::SignedOut { session } => self
                .sessions
                .ended_elsewhere(SessionEnd::SignedOut(session)),
            AccessEnd::PasswordChanged { user } => self
                .sessions
                .ended_elsewhere(SessionEnd::PasswordChanged(user)),
        }
    }
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

/// Announces this node's appends: each burst as one statement, the highest
/// number per project.
async fn announce_appends(pool: PgPool, kanri: Arc<Kanri>, mut stop: watch::Receiver<bool>) {
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
        let sent = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&pool)
            .await;
        if let Err(e) = sent {
            // The others find the events at their next sweep.
            tracing::warn!(error = %e, "cannot announce this node's appends");
        }
    }
}

/// Announces this node's viewers of a board when they change, and all of
/// them every [`PRESENCE_HEARTBEAT`] (so they do not expire elsewhere).
async fn announce_presence(
    pool: PgPool,
    hub: Arc<crate::hub::Hub>,
    node: String,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = hub.presence_changes();
    let mut beat = tokio::time::interval(PRESENCE_HEARTBEAT);
    loop {
        let batch = tokio::select! {
            Some(change) = changes.recv() => vec![change],
            _ = beat.tick() => {
                hub.expire_presence();
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
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(PRESENCE_CHANNEL)
                .bind(payload)
                .execute(&pool)
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "cannot announce this node's viewers");
            }
        }
    }
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
                        Ok(p) => kanri.hub().heard_presence(p),
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

/// Runs `work` while this node holds the leader lock, until `stop`. The
/// lock lives on a connection of its own: when the leader dies, its
/// connection ends, PostgreSQL releases the lock, and another node takes
/// over within [`LEAD_CHECK`]. `work` gets a signal that turns true when
/// the lead ends. (A leader cut off from the database without dying stops
/// its work at its next check; for that moment two nodes may both work,
/// which webhook claims make harmless for deliveries.)
#[tracing::instrument(name = "leader", skip_all, fields(node = %node.id))]
pub async fn lead<W, F>(pool: PgPool, node: Arc<Node>, mut stop: watch::Receiver<bool>, work: W)
where
    W: Fn(watch::Receiver<bool>) -> F,
    F: Future<Output = ()>,
{
    loop {
        if let Some(mut lock) = try_lead(&pool).await {
            tracing::info!("this node now runs the background work");
            node.leading.store(true, Ordering::Relaxed);
            let (end, ended) = watch::channel(false);
            let running = work(ended);
            tokio::pin!(running);
            let mut finished = false;
            let stopping = loop {
                tokio::select! {
                    _ = &mut running => { finished = true; break false }
                    _ = stop.changed() => break true,
                    _ = tokio::time::sleep(LEAD_CHECK) => {
                        if sqlx::query("SELECT 1").execute(&mut lock).await.is_err() {
                            tracing::warn!("lost the leader lock's connection; stopping the background work");
                            break false;
                        }
                    }
                }
            };
            let _ = end.send(true);
            if !finished {
                running.await;
            }
            node.leading.store(false, Ordering::Relaxed);
            // Closing the connection releases the lock for the next leader.
            let _ = sqlx::Connection::close(lock).await;
            if stopping {
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(LEAD_CHECK) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A connection of its own holding the leader lock, if no node holds it.
async fn try_lead(pool: &PgPool) -> Option<sqlx::PgConnection> {
    let mut conn = pool.acquire().await.ok()?.detach();
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LEADER_LOCK)
        .fetch_one(&mut conn)
        .await
        .ok()?;
    if got {
        Some(conn)
    } else {
        let _ = sqlx::Connection::close(conn).await;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_ends_read_back_as_sent() {
        let user = UserName::parse("alice").unwrap();
        for end in [
            AccessEnd::Link { id: 7 },
            AccessEnd::Token { user: user.clone() },
            AccessEnd::SignedOut {
                session: "abc".into(),
            },
            AccessEnd::PasswordChanged { user },
        ] {
            let text = serde_json::to_string(&end).unwrap();
            assert_eq!(serde_json::from_str::<AccessEnd>(&text).unwrap(), end);
        }
        assert!(
            serde_json::from_str::<AccessEnd>(r#"{"ended":"token","user":"Not A Name"}"#).is_err()
        );
    }

    #[test]
    fn announcements_parse_and_anything_else_is_refused() {
        let (key, seq) = parse("ABC 42").unwrap();
        assert_eq!((key.as_str(), seq), ("ABC", 42));
        for bad in ["", "ABC", "ABC x", "abc 1", "ABC -1", "ABC 1 2"] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }
}
