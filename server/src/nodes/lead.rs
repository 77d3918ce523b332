//! One node at a time runs the background work: the holder of a session
//! advisory lock.

use sqlx::postgres::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

use super::Node;

/// The session advisory lock whose holder runs the background work.
const LEADER_LOCK: i64 = 4_242_000_002;
/// How often a node that does not lead tries to, and the leader checks
/// that its lock's connection still lives.
const LEAD_CHECK: Duration = Duration::from_secs(1);

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
            node.set_leading(true);
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
            node.set_leading(false);
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
