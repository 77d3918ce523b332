//! The database, on either engine: SQLite (the default, one file, one held
//! writer connection) or PostgreSQL (one pool, for several app nodes).
//! `DATABASE_URL` chooses. Code above this module builds its SQL once with
//! [`Sql`], runs it with the methods here, and reads [`Row`]s; only the
//! event log's append (`store::append`) has a path per engine.

mod literal;
mod postgres;
mod row;
pub mod sql;
mod sqlite;

pub use postgres::{PgDb, redacted};
pub use row::Row;
pub use sql::{Arg, Sql, Values};
pub use sqlite::{SqliteDb, Writer, WriterGuard};

use std::path::PathBuf;

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A database file (`sqlite://path`, `sqlite:path` or a bare path).
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, as libpq takes it.
    Postgres(String),
}

impl From<PathBuf> for DatabaseUrl {
    fn from(file: PathBuf) -> Self {
        Self::Sqlite(file)
    }
}

impl std::fmt::Display for DatabaseUrl {
    /// For logs: the file, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(file) => write!(f, "{}", file.display()),
            Self::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the directory {dir} for the database: {source}")]
    CreateDir { dir: String, source: std::io::Error },
    #[error("cannot open the database {path} for writing: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("DATABASE_URL={url}: cannot connect to PostgreSQL: {source}")]
    Reach { url: String, source: sqlx::Error },
    #[error("the database {path} could not be migrated: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("the database has been closed")]
    Closed,
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

impl Db {
    /// Opens (creating if needed) and migrates the database.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, DbError> {
        Ok(match url {
            DatabaseUrl::Sqlite(file) => Self::Sqlite(SqliteDb::open(file).await?),
            DatabaseUrl::Postgres(url) => Self::Postgres(PgDb::open(url).await?),
        })
    }

    /// The SQLite database, for the parts not yet ported to both engines.
    // TODO(issue 17): accounts, sessions, tokens, share links, webhooks,
    // subscribers, search and replay still talk to SQLite directly.
    pub fn sqlite(&self) -> &SqliteDb {
        match self {
            Self::Sqlite(db) => db,
            Self::Postgres(_) => panic!("this part of Kanri does not run on PostgreSQL yet"),
        }
    }

    /// Opens an SQLite database file (tools and tests).
    pub async fn open_file(file: &std::path::Path) -> Result<Self, DbError> {
        Ok(Self::Sqlite(SqliteDb::open(file).await?))
    }

    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Every row `sql` reads.
    pub async fn fetch_all(&self, sql: &Sql) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Self::Sqlite(db) => sqlite::fetch_all(&db.read, sql).await,
            Self::Postgres(db) => postgres::fetch_all(&db.pool, sql).await,
        }
    }

    /// The first row `sql` reads, if any.
    pub async fn fetch_optional(&self, sql: &Sql) -> Result<Option<Row>, sqlx::Error> {
        Ok(self.fetch_all(sql).await?.into_iter().next())
    }

    /// Runs `sql` (a write outside the event log: accounts, sessions,
    /// tokens) in one transaction; the rows it changed.
    pub async fn execute(&self, sql: &Sql) -> Result<u64, sqlx::Error> {
        match self {
            Self::Sqlite(db) => sqlite::execute(&db.side, sql).await,
            Self::Postgres(db) => postgres::execute(&db.pool, sql).await,
        }
    }

    /// Rows of a writing statement (`INSERT … RETURNING`), outside the log.
    pub async fn write_returning(&self, sql: &Sql) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Self::Sqlite(db) => sqlite::fetch_all(&db.side, sql).await,
            Self::Postgres(db) => postgres::fetch_all(&db.pool, sql).await,
        }
    }

    /// A transaction for writes outside the log (on SQLite, on the side pool).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(db) => Tx::Sqlite(db.side.begin().await?),
            Self::Postgres(db) => Tx::Postgres(db.pool.begin().await?),
        })
    }

    /// A read-only transaction whose reads all see one moment of the
    /// database (on SQLite, a read connection's WAL snapshot).
    pub async fn snapshot(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(db) => Tx::Sqlite(db.read.begin().await?),
            Self::Postgres(db) => {
                let mut tx = db.pool.begin().await?;
                postgres::execute_on(
                    &mut tx,
                    &Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
                )
                .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Whether the database answers a trivial query (for /healthz).
    pub async fn ping(&self) -> bool {
        self.fetch_all(&Sql::new("SELECT 1")).await.is_ok()
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(db) => db.close().await,
            Self::Postgres(db) => db.pool.close().await,
        }
    }
}

/// One connection of either engine, for statements that must run on the
/// same connection (inside a transaction the caller began).
pub enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl Conn<'_> {
    /// Runs `sql`'s statements in order; the rows they changed.
    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, sqlx::Error> {
        match self {
            Self::Sqlite(c) => sqlite::execute_on(c, sql).await,
            Self::Postgres(c) => postgres::execute_on(c, sql).await,
        }
    }

    /// Runs `sql`'s statements in order in one round trip (on PostgreSQL
    /// as a script of literal statements: [`Sql::to_postgres_script`]).
    pub async fn execute_at_once(&mut self, sql: &Sql) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(c) => sqlite::execute_on(c, sql).await.map(drop),
            Self::Postgres(c) => postgres::execute_script_on(c, sql).await,
        }
    }

    /// Rows of `sql` (of its last statement on PostgreSQL).
    pub async fn fetch_all(&mut self, sql: &Sql) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Self::Sqlite(c) => sqlite::fetch_all(&mut **c, sql).await,
            Self::Postgres(c) => postgres::fetch_all_on(c, sql).await,
        }
    }
}

/// Whether `e` is a unique violation of the UNIQUE column `table.column`
/// (SQLite names the column in its message; PostgreSQL names the
/// constraint, `table_column_key`).
pub fn unique_violation_on(e: &sqlx::Error, table: &str, column: &str) -> bool {
    let sqlx::Error::Database(d) = e else {
        return false;
    };
    d.is_unique_violation()
        && match d.constraint() {
            Some(c) => c == format!("{table}_{column}_key"),
            None => d.message().contains(&format!("{table}.{column}")),
        }
}

/// A transaction of either engine; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(tx) => Conn::Sqlite(tx),
            Self::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}
