//! Subscriber projections: read models fed from the log *after* commit, each
//! from its own stored checkpoint. Unlike the inline projections they may lag
//! (the lag is measured and shown in /healthz and the logs), but they catch up
//! after a restart and can be rebuilt on their own: per-project activity
//! counts and time tracking today; reports, search and webhooks later.

mod activity;
pub mod time;

use kanri_domain::Recorded;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

use crate::db::{Conn, Db, Sql};
use crate::service::now_ms;
use crate::store::{Store, StoreError};
pub use activity::ActivityCounts;
pub use time::TimeTracking;

/// Events handled per transaction.
const BATCH: u32 = 500;
/// Lag (in events) above which a warning is logged.
const LAG_WARNING: u64 = 10_000;

pub trait Subscriber: Send + Sync {
    /// Stable name, the key of its checkpoint.
    fn name(&self) -> &'static str;
    /// The tables it owns, compared by `replay --verify`.
    fn tables(&self) -> &'static [&'static str];
    /// The statements that fold a batch of events (in sequence order) into
    /// its tables: a pure function of the events, run with the checkpoint.
    fn handle(&self, batch: &[Recorded], sql: &mut Sql);
}

/// Every subscriber projection, in the order they are run.
pub fn all() -> Vec<Arc<dyn Subscriber>> {
    vec![Arc::new(ActivityCounts), Arc::new(TimeTracking)]
}

pub async fn checkpoint(db: &Db, name: &str) -> Result<u64, StoreError> {
    let sql = Sql::query("SELECT seq FROM subscriber_checkpoints WHERE name = ?").arg(name);
    let seq = match db.fetch_optional(&sql).await? {
        Some(row) => row.int("seq")?,
        None => 0,
    };
    Ok(seq as u64)
}

/// Feeds one batch after the subscriber's checkpoint, if any, and advances
/// the checkpoint in the same transaction. Returns how many events it fed.
pub async fn step(
    store: &Store,
    sub: &dyn Subscriber,
    until: Option<u64>,
) -> Result<usize, StoreError> {
    let db = store.db();
    let from = checkpoint(db, sub.name()).await?;
    let mut batch = store.events_after(None, from, BATCH).await?;
    if let Some(until) = until {
        batch.retain(|r| r.seq <= until);
    }
    let Some(last) = batch.last().map(|r| r.seq) else {
        return Ok(0);
    };
    let mut sql = Sql::default();
    sub.handle(&batch, &mut sql);
    sql.end()
        .push(
            "INSERT INTO subscriber_checkpoints (name, seq, updated_ms) VALUES (",
        )
        .push_bind(sub.name())
        .push(", ")
        .push_bind(last as i64)
        .push(", ")
        .push_bind(now_ms())
        .push(
            ") ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_ms = excluded.updated_ms",
        );
    match db {
        // On the writer, so it queues behind appends instead of meeting
        // SQLite's write lock.
        Db::Sqlite(sqlite) => {
            let mut writer = sqlite.writer().await?;
            let mut tx = writer.begin().await?;
            Conn::Sqlite(&mut tx).execute(&sql).await?;
            tx.commit().await?;
        }
        Db::Postgres(_) => {
            db.execute(&sql).await?;
        }
    }
    Ok(batch.len())
}

/// Runs a subscriber until `stop` turns true: catch up, then wait for the head to move.
pub async fn run(
    store: Store,
    sub: Arc<dyn Subscriber>,
    mut head: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let name = sub.name();
    tracing::info!(subscriber = name, "subscriber started");
    loop {
        if *stop.borrow() {
            break;
        }
        match step(&store, sub.as_ref(), None).await {
            Ok(0) => {
                tokio::select! {
                    _ = head.changed() => {}
                    _ = stop.changed() => {}
                    // A periodic look also catches writes from other processes.
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Ok(n) => {
                let lag = lag(&store, name).await.unwrap_or(0);
                if lag > LAG_WARNING {
                    tracing::warn!(subscriber = name, lag, "subscriber is behind the log");
                } else {
                    tracing::debug!(subscriber = name, handled = n, lag, "subscriber advanced");
                }
            }
            Err(e) => {
                tracing::error!(subscriber = name, error = %e, "subscriber failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    tracing::info!(subscriber = name, "subscriber stopped");
}

async fn lag(store: &Store, name: &str) -> Result<u64, StoreError> {
    let head = store.head(None).await?;
    Ok(head.saturating_sub(checkpoint(store.db(), name).await?))
}

#[derive(Debug, Clone, Serialize)]
pub struct SubscriberStatus {
    pub name: &'static str,
    pub checkpoint: u64,
    pub lag: u64,
}

/// Where each subscriber stands relative to the log head.
pub async fn status(store: &Store) -> Result<Vec<SubscriberStatus>, StoreError> {
    let head = store.head(None).await?;
    let mut out = Vec::new();
    for sub in all() {
        let checkpoint = checkpoint(store.db(), sub.name()).await?;
        out.push(SubscriberStatus {
            name: sub.name(),
            checkpoint,
            lag: head.saturating_sub(checkpoint),
        });
    }
    Ok(out)
}
