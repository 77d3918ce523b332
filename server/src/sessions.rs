//! The ends of browser sessions, for what outlives a request: a board socket
//! opened with a session closes when it is signed out, and a password change
//! signs out every other session of the user and closes all their sockets.
//! The sessions themselves are tower-sessions' rows in the same database.

use kanri_domain::UserName;
use std::str::FromStr;
use tokio::sync::broadcast;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::{Db, Sql};

/// The session key holding the user name (see `routes::auth`).
pub const USER_KEY: &str = "user";

/// Ends buffered for a slow socket before it is told it lagged (it then
/// checks its own credential again).
const CAPACITY: usize = 256;

/// What ended, for the sockets that rest on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// One session was signed out (by its id).
    SignedOut(String),
    /// The user changed their password: all their sockets close.
    PasswordChanged(UserName),
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("session store error: {0}")]
    Store(#[from] tower_sessions::session_store::Error),
}

/// tower-sessions' store, on the engine the database runs on.
#[derive(Debug, Clone)]
pub enum SessionRows {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionRows {
    /// The store in `db`, its table created if missing.
    pub async fn open(db: &Db) -> Result<Self, sqlx::Error> {
        Ok(match db {
            Db::Sqlite(db) => {
                let store = SqliteStore::new(db.side.clone());
                store.migrate().await?;
                Self::Sqlite(store)
            }
            Db::Postgres(db) => {
                let store = PostgresStore::new(db.pool.clone());
                store.migrate().await?;
                Self::Postgres(store)
            }
        })
    }

    /// Ids of the sessions whose data holds `bytes` (a cheap first filter).
    fn holding(&self, bytes: &str) -> Sql {
        let sql = match self {
            Self::Sqlite(_) => {
                "SELECT id FROM tower_sessions WHERE instr(data, CAST(? AS BLOB)) > 0"
            }
            Self::Postgres(_) => {
                "SELECT id FROM tower_sessions.session WHERE position(convert_to(?, 'UTF8') in data) > 0"
            }
        };
        Sql::query(sql).arg(bytes)
    }
}

#[async_trait::async_trait]
impl SessionStore for SessionRows {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(s) => s.load(id).await,
            Self::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionRows {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete_expired().await,
            Self::Postgres(s) => s.delete_expired().await,
        }
    }
}

pub struct Sessions {
    db: Db,
    store: SessionRows,
    ended: broadcast::Sender<SessionEnd>,
}

impl Sessions {
    pub fn new(db: Db, store: SessionRows) -> Self {
        Self {
            db,
            store,
            ended: broadcast::channel(CAPACITY).0,
        }
    }

    /// Ends from now on.
    pub fn ends(&self) -> broadcast::Receiver<SessionEnd> {
        self.ended.subscribe()
    }

    /// Tells the sockets of session `id`, on every node, that it was signed out.
    pub async fn signed_out(&self, id: String) {
        // An error only means no socket listens.
        let _ = self.ended.send(SessionEnd::SignedOut(id.clone()));
        crate::nodes::announce(&self.db, crate::nodes::AccessEnd::SignedOut { session: id }).await;
    }

    /// A session ended through another node: its sockets here hear of it.
    pub fn ended_elsewhere(&self, end: SessionEnd) {
        let _ = self.ended.send(end);
    }

    /// Whether session `id` is still signed in (for a socket that missed
    /// some ends).
    pub async fn is_live(&self, id: &str) -> Result<bool, SessionError> {
        let Ok(id) = Id::from_str(id) else {
            return Ok(false);
        };
        Ok(self
            .store
            .load(&id)
            .await?
            .is_some_and(|r| r.data.contains_key(USER_KEY)))
    }

    /// After `user`'s password changed: deletes every session of theirs but
    /// `keep`, and closes all their sockets. Returns how many were deleted.
    #[tracing::instrument(skip(self, keep))]
    pub async fn password_changed(
        &self,
        user: &UserName,
        keep: &str,
    ) -> Result<usize, SessionError> {
        // Session data is MessagePack, where a string is its raw UTF-8: the
        // name's bytes narrow the scan; each row is then decoded to be sure.
        let candidates = self
            .db
            .fetch_all(&self.store.holding(user.as_str()))
            .await?
            .iter()
            .map(|r| r.text("id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut deleted = 0;
        for raw in candidates.iter().filter(|id| id.as_str() != keep) {
            let Ok(id) = Id::from_str(raw) else {
                continue;
            };
            let Some(record) = self.store.load(&id).await? else {
                continue;
            };
            let owner = record.data.get(USER_KEY).and_then(|v| v.as_str());
            if owner == Some(user.as_str()) {
                self.store.delete(&id).await?;
                deleted += 1;
            }
        }
        let _ = self.ended.send(SessionEnd::PasswordChanged(user.clone()));
        let end = crate::nodes::AccessEnd::PasswordChanged { user: user.clone() };
        crate::nodes::announce(&self.db, end).await;
        Ok(deleted)
    }
}
