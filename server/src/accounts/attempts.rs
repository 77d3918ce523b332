//! When something was attempted, over a sliding window: the counter behind
//! every account limit. Attempts live in the database (`auth_attempts`), so
//! all nodes of a deployment count them together and a restart does not
//! forget them; the rules that read them ([`Attempts`]) are pure.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::db::{Db, Row, Sql, Tx};

/// Attempts at one key within a window, oldest first (milliseconds since
/// the epoch: nodes share them, so a wall clock, not an `Instant`).
#[derive(Debug, Default, Clone)]
pub struct Attempts(VecDeque<i64>);

impl Attempts {
    /// Forgets attempts older than `window`; how many remain.
    pub fn within(&mut self, window: Duration, now_ms: i64) -> usize {
        let window = millis(window);
        while self.0.front().is_some_and(|t| now_ms - *t >= window) {
            self.0.pop_front();
        }
        self.0.len()
    }

    /// How long until fewer than `limit` attempts lie within `window`
    /// (zero if that is already so).
    pub fn wait(&mut self, limit: usize, window: Duration, now_ms: i64) -> Duration {
        let limit = limit.max(1);
        if self.within(window, now_ms) < limit {
            return Duration::ZERO;
        }
        // The oldest of the last `limit` must age out.
        let deciding = self.0[self.0.len() - limit];
        window.saturating_sub(since(deciding, now_ms))
    }

    /// How long ago the last attempt was, if there was one.
    pub fn last_ago(&self, now_ms: i64) -> Option<Duration> {
        self.0.back().map(|t| since(*t, now_ms))
    }

    pub fn push(&mut self, at_ms: i64) {
        let at = self.0.partition_point(|t| *t <= at_ms);
        self.0.insert(at, at_ms);
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn since(then_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(now_ms - then_ms).unwrap_or(0))
}

/// Attempts older than this are pruned (the longest window of any limit).
pub const KEPT: Duration = Duration::from_secs(60 * 60);
/// How often a node prunes old attempts.
const PRUNE_EVERY_MS: i64 = 60_000;

/// The stored attempts, claimed and taken back atomically per key.
pub struct AttemptLog {
    db: Db,
    /// Claims on this node one at a time: on SQLite (one node) this alone
    /// makes a count and its insert atomic; on PostgreSQL claims also take
    /// a transaction lock per key, for the other nodes.
    serial: tokio::sync::Mutex<()>,
    last_prune_ms: AtomicI64,
}

impl AttemptLog {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            serial: tokio::sync::Mutex::new(()),
            last_prune_ms: AtomicI64::new(0),
        }
    }

    /// Claims one attempt at each of `keys` at `now_ms` unless `wait`, given
    /// each key's recent attempts (in the order of `keys`), says how long to
    /// wait first. The claimed rows' ids, or `Err(wait)`.
    pub async fn claim(
        &self,
        keys: &[String],
        now_ms: i64,
        wait: impl FnOnce(&mut [Attempts]) -> Duration,
    ) -> Result<Result<Vec<i64>, Duration>, sqlx::Error> {
        self.prune(now_ms).await?;
        let _turn = self.serial.lock().await;
        let mut tx = match self.db {
            Db::Postgres(_) => Some(self.db.begin().await?),
            // No transaction: a deferred one that reads, then writes, fails
            // if a session write commits in between; `serial` suffices.
            Db::Sqlite(_) => None,
        };
        if let Some(tx) = &mut tx {
            // Sorted, so two claims sharing keys cannot wait on each other.
            let mut sorted: Vec<&String> = keys.iter().collect();
            sorted.sort();
            for key in sorted {
                let lock = Sql::query("SELECT pg_advisory_xact_lock(hashtextextended(?, 2))")
                    .arg(key.as_str());
                tx.conn().fetch_all(&lock).await?;
            }
        }
        let mut read = Sql::new("SELECT key, at_ms FROM auth_attempts WHERE at_ms > ");
        read.push_bind(now_ms - millis(KEPT)).push(" AND key IN (");
        let mut list = read.separated();
        for key in keys {
            list.bind(key.as_str());
        }
        read.push(")");
        let mut attempts = vec![Attempts::default(); keys.len()];
        for row in self.run(&mut tx, &read).await? {
            let (key, at) = (row.text(0)?, row.int(1)?);
            if let Some(i) = keys.iter().position(|k| *k == key) {
                attempts[i].push(at);
            }
        }
        let wait = wait(&mut attempts);
        if !wait.is_zero() {
            return Ok(Err(wait.max(Duration::from_secs(1))));
        }
        let mut insert = Sql::new("INSERT INTO auth_attempts (key, at_ms) ");
        insert.push_values(keys, |row, key| {
            row.bind(key.as_str()).bind(now_ms);
        });
        insert.push(" RETURNING id");
        let ids = self
            .run(&mut tx, &insert)
            .await?
            .iter()
            .map(|r| r.int(0))
            .collect::<Result<_, _>>()?;
        if let Some(tx) = tx {
            tx.commit().await?;
        }
        Ok(Ok(ids))
    }

    /// `sql`'s rows, in `tx` if there is one.
    async fn run(&self, tx: &mut Option<Tx>, sql: &Sql) -> Result<Vec<Row>, sqlx::Error> {
        match tx {
            Some(tx) => tx.conn().fetch_all(sql).await,
            None => self.db.write_returning(sql).await,
        }
    }

    /// Takes back the attempts `ids`, and forgets every attempt at `key`.
    pub async fn forgive(&self, ids: &[i64], key: &str) -> Result<(), sqlx::Error> {
        let mut sql = Sql::new("DELETE FROM auth_attempts WHERE key = ");
        sql.push_bind(key).push(" OR id IN (");
        let mut list = sql.separated();
        for id in ids {
            list.bind(*id);
        }
        sql.push(")");
        self.db.execute(&sql).await.map(drop)
    }

    async fn prune(&self, now_ms: i64) -> Result<(), sqlx::Error> {
        let last = self.last_prune_ms.load(Ordering::Relaxed);
        if now_ms - last < PRUNE_EVERY_MS
            || self
                .last_prune_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        let old =
            Sql::query("DELETE FROM auth_attempts WHERE at_ms <= ?").arg(now_ms - millis(KEPT));
        self.db.execute(&old).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_oldest_of_the_last_limit_attempts_ages_out() {
        let window = Duration::from_secs(60);
        let mut a = Attempts::default();
        for at in [30_000, 10_000, 20_000] {
            a.push(at);
        }
        assert_eq!(a.wait(3, window, 40_000), Duration::from_secs(30));
        assert_eq!(a.wait(4, window, 40_000), Duration::ZERO);
        assert_eq!(a.wait(2, window, 40_000), Duration::from_secs(40));
        assert_eq!(a.within(window, 70_000), 2, "10 s aged out at 70 s");
        assert_eq!(a.last_ago(70_000), Some(Duration::from_secs(40)));
    }
}
