//! Opening the SQLite database: WAL mode, a busy timeout, one writer
//! connection (SQLite serialises writers anyway; queuing them in-process
//! avoids "database is locked") and a pool of readers. Migrations run here.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Db {
    /// The single connection that writes.
    pub write: SqlitePool,
    /// Connections for reads; WAL lets them run beside the writer.
    pub read: SqlitePool,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the directory {dir} for the database: {source}")]
    CreateDir { dir: String, source: std::io::Error },
    #[error("cannot open the database {path} for writing: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("the database {path} could not be migrated: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Db {
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
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(open_err)?;
        sqlx::migrate!("../migrations")
            .run(&write)
            .await
            .map_err(|source| DbError::Migrate {
                path: shown.clone(),
                source,
            })?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_err)?;
        Ok(Self { write, read })
    }

    /// Whether the database answers a trivial query (for /healthz).
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.read)
            .await
            .is_ok()
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
