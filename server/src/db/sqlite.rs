//! SQLite: opening the database: WAL mode, a busy timeout, migrations, one
//! writer connection held for the life of the process and a pool of readers.
//!
//! SQLite serialises writers anyway; queuing them in-process on one held
//! connection avoids "database is locked" and the pool's per-use overhead.

use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Executor};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

use super::{Arg, DbError, Row, Sql};

/// The writer connection and the next global sequence number to assign.
pub struct Writer {
    pub conn: SqliteConnection,
    pub next_seq: u64,
}

#[derive(Clone)]
pub struct SqliteDb {
    writer: Arc<Mutex<Option<Writer>>>,
    /// Connections for reads; WAL lets them run beside the writer.
    pub read: SqlitePool,
    /// A small pool for writes outside the event log (accounts, sessions),
    /// so a sign-in never queues behind the command writer.
    pub side: SqlitePool,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Page cache of the writer, in KiB (SQLite's negative-size convention).
const WRITER_CACHE_KIB: i64 = 64 * 1024;
/// WAL pages between checkpoints (SQLite's default is 1,000). Hot pages are
/// rewritten by every commit; fewer, larger checkpoints copy each back once.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

impl SqliteDb {
    pub async fn open(file: &Path) -> Result<Self, DbError> {
        let shown = file.display().to_string();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                dir: dir.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL syncs at checkpoints only: committed transactions
            // survive a process crash; a power cut may lose the last few.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let open_err = |source| DbError::Open {
            path: shown.clone(),
            source,
        };

        let mut conn = options
            .clone()
            .pragma("cache_size", (-WRITER_CACHE_KIB).to_string())
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            .connect()
            .await
            .map_err(open_err)?;
        sqlx::migrate!("../migrations/sqlite")
            .run(&mut conn)
            .await
            .map_err(|source| DbError::Migrate {
                path: shown.clone(),
                source,
            })?;
        // Statistics for the query planner (the search has several indexes
        // to choose from), bounded so that opening stays fast.
        sqlx::query("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002")
            .execute(&mut conn)
            .await
            .map_err(open_err)?;
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&mut conn)
            .await
            .map_err(open_err)?;
        let side = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options.clone())
            .await
            .map_err(open_err)?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_err)?;
        let writer = Writer {
            conn,
            next_seq: head.unwrap_or(0) as u64 + 1,
        };
        Ok(Self {
            writer: Arc::new(Mutex::new(Some(writer))),
            read,
            side,
        })
    }

    /// Exclusive use of the writer connection.
    pub async fn writer(&self) -> Result<WriterGuard<'_>, DbError> {
        let guard = self.writer.lock().await;
        if guard.is_none() {
            return Err(DbError::Closed);
        }
        Ok(WriterGuard(guard))
    }

    pub async fn close(&self) {
        self.side.close().await;
        self.read.close().await;
        if let Some(writer) = self.writer.lock().await.take() {
            let _ = writer.conn.close().await;
        }
    }
}

pub struct WriterGuard<'a>(MutexGuard<'a, Option<Writer>>);

impl std::ops::Deref for WriterGuard<'_> {
    type Target = Writer;
    fn deref(&self) -> &Writer {
        self.0.as_ref().expect("checked open when taken")
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Writer {
        self.0.as_mut().expect("checked open when taken")
    }
}

impl WriterGuard<'_> {
    /// Re-reads the next sequence number (after a failed batch, or a write
    /// from another process).
    pub async fn resync_seq(&mut self) -> Result<(), sqlx::Error> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&mut self.conn)
            .await?;
        self.next_seq = head.unwrap_or(0) as u64 + 1;
        Ok(())
    }

    /// Runs one SQL statement on the writer (for tests and maintenance).
    pub async fn execute(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(sql)
            .execute(&mut self.conn)
            .await?
            .rows_affected())
    }

    /// Starts a transaction on the writer.
    pub async fn begin(&mut self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, sqlx::Error> {
        self.conn.begin().await
    }
}

fn bind<'q>(
    q: Query<'q, Sqlite, SqliteArguments<'q>>,
    arg: Arg,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Real(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bytes(v) => q.bind(v),
        Arg::Texts(v) => q.bind(serde_json::to_string(&v).unwrap_or_default()),
    }
}

/// `sql` as one query for SQLite, its values bound.
pub(super) fn query(text: &str, args: Vec<Arg>) -> Query<'_, Sqlite, SqliteArguments<'_>> {
    args.into_iter().fold(sqlx::query(text), bind)
}

pub(super) async fn fetch_all<'e>(
    on: impl Executor<'e, Database = Sqlite>,
    sql: &Sql,
) -> Result<Vec<Row>, sqlx::Error> {
    let (text, args) = sql.for_sqlite();
    let rows = query(&text, args).fetch_all(on).await?;
    Ok(rows.into_iter().map(Row::Sqlite).collect())
}

/// Runs the batch on `conn` (the caller's transaction, if any).
pub(super) async fn execute_on(conn: &mut SqliteConnection, sql: &Sql) -> Result<u64, sqlx::Error> {
    let (text, args) = sql.for_sqlite();
    Ok(query(&text, args).execute(conn).await?.rows_affected())
}

/// Runs the batch; several statements run in one transaction.
pub(super) async fn execute(pool: &SqlitePool, sql: &Sql) -> Result<u64, sqlx::Error> {
    let (text, args) = sql.for_sqlite();
    if sql.statements() > 1 {
        let mut tx = pool.begin().await?;
        let done = query(&text, args).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    } else {
        Ok(query(&text, args).execute(pool).await?.rows_affected())
    }
}
