//! The event store. An append writes the events, the inline projections
//! and the command's answer in one transaction, so the projections never
//! disagree with the log.
//!
//! On SQLite the one held writer connection serialises appends, and the
//! whole append goes as one batch. On PostgreSQL appends to one project take
//! turns (a transaction-scoped advisory lock on the project), appends to
//! different projects run side by side, and a follower of the whole log
//! reads only up to `kanri_settled_seq()`, below every append still in
//! flight, so an event that commits after a later-numbered one is never
//! skipped (see `migrations/postgres`). A follower of one project needs no
//! bound. With several nodes, an append also checks that its node had the
//! project's last event, and announces the new ones (channel `kanri_log`).

mod append;

pub use append::{AppendTo, Turn};
mod projection;
mod search;

use kanri_domain::*;

use crate::db::{Conn, Db, DbError, Row, Sql};
pub use projection::{InlineProjection, rebuild_inline};
pub use search::{Narrowing, SearchSql};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("stored data does not decode ({what}): {source}")]
    Corrupt {
        what: &'static str,
        source: serde_json::Error,
    },
    /// Another writer appended to the stream first (only possible with
    /// several server processes on one database).
    #[error("the log moved on during the append: {0}")]
    Race(String),
    /// The group commit a command was written in failed each time it ran.
    #[error("the transaction the command was written in did not commit")]
    NotCommitted,
    /// The command id is already in the log: the command ran before.
    #[error("command id already recorded")]
    DuplicateCommand,
}

impl StoreError {
    fn corrupt(what: &'static str) -> impl FnOnce(serde_json::Error) -> Self {
        move |source| Self::Corrupt { what, source }
    }

    pub(crate) fn from_batch(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d)
                if d.is_unique_violation()
                    && (d.message().contains("commands.")
                        || d.constraint() == Some("commands_pkey")) =>
            {
                Self::DuplicateCommand
            }
            // Unique (stream, version), or kanri_append's check of the head.
            sqlx::Error::Database(d)
                if d.is_unique_violation() || d.code().as_deref() == Some("40001") =>
            {
                Self::Race(d.message().to_string())
            }
            _ => Self::Sql(e),
        }
    }
}

/// Who and what an append is for.
pub struct AppendMeta<'a> {
    pub project: &'a ProjectKey,
    pub actor: &'a UserName,
    pub command_id: CommandId,
    pub at_ms: i64,
    /// The project's last event folded into the state the events were
    /// decided on. PostgreSQL refuses the append (a [`StoreError::Race`]) if
    /// the project has later ones: another node wrote meanwhile.
    pub known_head: u64,
}

#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Bounds the pool connections held by project turns (see
    /// [`Store::take_turn`]), so reads always find one.
    turns: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Project turns held at once by this process, at most.
const TURNS: usize = 8;

const EVENT_COLUMNS: &str =
    "seq, project, version, event_type, schema_version, payload, actor, at_ms, command_id";

impl Store {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            turns: std::sync::Arc::new(tokio::sync::Semaphore::new(TURNS)),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The stored answer to a command id, with the actor who sent it.
    pub async fn find_command(
        &self,
        id: CommandId,
    ) -> Result<Option<(String, Outcome)>, StoreError> {
        let sql = Sql::new("SELECT actor, outcome FROM commands WHERE command_id = ")
            .bind(id.to_string());
        let row = self.db.fetch_optional(&sql).await?;
        row.map(|r| {
            let outcome = serde_json::from_str(&r.text("outcome")?)
                .map_err(StoreError::corrupt("outcome"))?;
            Ok((r.text("actor")?, outcome))
        })
        .transpose()
    }

    /// A project's state from the inline projections (`None` if it does not
    /// exist) and its last event, read in one snapshot so the one is the
    /// other's exact position in the log.
    pub async fn load_project(
        &self,
        key: &ProjectKey,
    ) -> Result<(Option<ProjectState>, u64), StoreError> {
        // Most keys asked for name no project: one statement says so.
        let exists = Sql::new("SELECT 1 FROM projects WHERE key = ").bind(key.as_str());
        if self.db.fetch_optional(&exists).await?.is_none() {
            return Ok((None, 0));
        }
        let mut tx = self.db.snapshot().await?;
        let mut conn = tx.conn();
        let mut docs = async |table: &str, column: &str| {
            let sql =
                Sql::new(format!("SELECT doc FROM {table} WHERE {column} = ")).bind(key.as_str());
            conn.fetch_all(&sql).await
        };
        let Some(row) = docs("projects", "key").await?.into_iter().next() else {
            return Ok((None, 0));
        };
        let doc = row.text("doc")?;
        let mut state = ProjectState {
            project: Some(serde_json::from_str(&doc).map_err(StoreError::corrupt("project"))?),
            ..Default::default()
        };
        for row in docs("issues", "project").await? {
            let issue: Issue =
                serde_json::from_str(&row.text("doc")?).map_err(StoreError::corrupt("issue"))?;
            state.issues.insert(issue.key.number, issue);
        }
        for row in docs("sprints", "project").await? {
            let sprint: Sprint =
                serde_json::from_str(&row.text("doc")?).map_err(StoreError::corrupt("sprint"))?;
            state.sprints.insert(sprint.number, sprint);
        }
        let head =
            Sql::new("SELECT MAX(seq) AS head FROM events WHERE project = ").bind(key.as_str());
        let head = conn.fetch_all(&head).await?[0].opt_int("head")?;
        Ok((Some(state), head.unwrap_or(0) as u64))
    }

    /// Who wrote a project's first event (its creator).
    pub async fn first_actor(&self, key: &ProjectKey) -> Result<Option<UserName>, StoreError> {
        let sql = Sql::new("SELECT actor FROM events WHERE project = ")
            .bind(key.as_str())
            .then(" ORDER BY seq LIMIT 1");
        let actor = self.db.fetch_optional(&sql).await?;
        Ok(actor
            .map(|r| r.text("actor"))
            .transpose()?
            .and_then(|a| UserName::parse(&a).ok()))
    }

    /// All projects by name, with their issue counts.
    pub async fn projects(&self) -> Result<Vec<(Project, u32)>, StoreError> {
        let rows = self
            .db
            .fetch_all(&Sql::new(
                "SELECT p.doc, (SELECT COUNT(*) FROM issues i WHERE i.project = p.key) AS issues \
                 FROM projects p ORDER BY p.name, p.key",
            ))
            .await?;
        rows.iter()
            .map(|r| {
                let project = serde_json::from_str(&r.text("doc")?)
                    .map_err(StoreError::corrupt("project"))?;
                Ok((project, r.int("issues")? as u32))
            })
            .collect()
    }

    /// A stream's events after `version`, in order.
    pub async fn stream_after(
        &self,
        project: &ProjectKey,
        stream: StreamRef,
        version: u64,
    ) -> Result<Vec<Recorded>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream = "
        ))
        .bind(stream.id(project))
        .then(" AND version > ")
        .bind(version as i64)
        .then(" ORDER BY version");
        self.read_events(sql).await
    }

    /// Up to `limit` events after global sequence `after`, of one project or of all.
    pub async fn events_after(
        &self,
        project: Option<&ProjectKey>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut sql = Sql::new(format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > "));
        sql.push_bind(after as i64);
        match project {
            Some(p) => {
                sql.push(" AND project = ").push_bind(p.as_str());
            }
            None => self.settled(&mut sql).await?,
        }
        sql.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit));
        self.read_events(sql).await
    }

    /// Adds the follower's bound on PostgreSQL (see the module doc): read
    /// first, in a statement of its own, so the read that follows sees
    /// everything at or below it.
    /// Bounds a read of the whole log by `kanri_settled_seq()` on
    /// PostgreSQL. A read of one project needs no bound: its appends take
    /// turns until they commit and take their numbers during their turn, so
    /// its committed events have no holes (see `migrations/postgres`).
    async fn settled(&self, sql: &mut Sql) -> Result<(), StoreError> {
        if let Db::Postgres(_) = self.db {
            let bound = self
                .db
                .fetch_all(&Sql::new("SELECT kanri_settled_seq() AS bound"))
                .await?[0]
                .int("bound")?;
            sql.push(" AND seq <= ").push_bind(bound);
        }
        Ok(())
    }

    async fn read_events(&self, sql: Sql) -> Result<Vec<Recorded>, StoreError> {
        let rows = self.db.fetch_all(&sql).await?;
        rows.iter().map(decode_event).collect()
    }

    /// Rebuilds the inline projections from the log when a migration asked
    /// for it (new columns that old rows lack), in one transaction. Returns
    /// the number of events replayed, `None` when nothing was asked.
    pub async fn rebuild_if_requested(&self) -> Result<Option<u64>, StoreError> {
        let rows = self
            .db
            .fetch_all(&Sql::new("SELECT reason FROM projection_rebuilds"))
            .await?;
        let reasons = rows
            .iter()
            .map(|r| r.text("reason"))
            .collect::<Result<Vec<_>, _>>()?;
        if reasons.is_empty() {
            return Ok(None);
        }
        tracing::info!(?reasons, "rebuilding the projections from the event log");
        let mut clear = Sql::default();
        for table in [
            "history",
            "issues",
            "sprints",
            "projects",
            "projection_rebuilds",
        ] {
            clear.push(format!("DELETE FROM {table}")).end();
        }
        let events = match &self.db {
            Db::Sqlite(db) => {
                // 'delete-all' resets the text index: the rows deleted here
                // were never in it, so their per-row deletes left it inexact.
                clear.push("INSERT INTO issue_text (issue_text) VALUES ('delete-all')");
                let mut writer = db.writer().await?;
                let mut tx = writer.begin().await?;
                let mut conn = Conn::Sqlite(&mut tx);
                conn.execute(&clear).await?;
                let events = rebuild_inline(&mut conn, self.all_events_prefetched()).await?;
                tx.commit().await?;
                events
            }
            Db::Postgres(db) => {
                let mut tx = db.pool.begin().await?;
                let mut conn = Conn::Postgres(&mut tx);
                conn.execute(&clear).await?;
                let events = rebuild_inline(&mut conn, self.all_events_prefetched()).await?;
                tx.commit().await?;
                events
            }
        };
        tracing::info!(events, "projections rebuilt");
        Ok(Some(events))
    }

    /// The whole log in sequence order, streamed (for rebuilds).
    pub fn all_events(&self) -> futures::stream::BoxStream<'_, Result<Recorded, StoreError>> {
        use futures::StreamExt;
        // EVENT_COLUMNS, spelled out: the stream outlives a formatted string.
        const SQL: &str = "SELECT seq, project, version, event_type, schema_version, payload, actor, at_ms, command_id FROM events ORDER BY seq";
        match &self.db {
            Db::Sqlite(db) => sqlx::query(SQL)
                .fetch(&db.read)
                .map(|row| decode_event(&Row::Sqlite(row?)))
                .boxed(),
            Db::Postgres(db) => sqlx::query(SQL)
                .fetch(&db.pool)
                .map(|row| decode_event(&Row::Postgres(row?)))
                .boxed(),
        }
    }

    /// The whole log like [`Store::all_events`], read and decoded ahead by
    /// a task of its own, so decoding overlaps with what the reader does.
    pub fn all_events_prefetched(
        &self,
    ) -> impl futures::Stream<Item = Result<Recorded, StoreError>> + use<> {
        use futures::StreamExt;
        const AHEAD: usize = 16;
        const BATCH: usize = 1_024;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Result<Recorded, StoreError>>>(AHEAD);
        let store = self.clone();
        tokio::spawn(async move {
            let mut events = std::pin::pin!(store.all_events().chunks(BATCH));
            while let Some(batch) = events.next().await {
                if tx.send(batch).await.is_err() {
                    break;
                }
            }
        });
        futures::stream::poll_fn(move |cx| rx.poll_recv(cx)).flat_map(futures::stream::iter)
    }

    /// A project's events up to and including `seq` (or up to time `at_ms`): the input of time travel.
    pub async fn events_until(
        &self,
        project: &ProjectKey,
        until: Until,
    ) -> Result<Vec<Recorded>, StoreError> {
        let (clause, bound) = match until {
            Until::Seq(s) => ("seq <=", s as i64),
            Until::Time(t) => ("at_ms <=", t),
        };
        let sql = Sql::new(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE project = "
        ))
        .bind(project.as_str())
        .then(format!(" AND {clause} "))
        .bind(bound)
        .then(" ORDER BY seq");
        self.read_events(sql).await
    }

    /// The highest global sequence (0 for an empty log), of one project or of all.
    pub async fn head(&self, project: Option<&ProjectKey>) -> Result<u64, StoreError> {
        let mut sql = Sql::new("SELECT MAX(seq) AS head FROM events WHERE 1 = 1");
        match project {
            Some(p) => {
                sql.push(" AND project = ").push_bind(p.as_str());
            }
            None => self.settled(&mut sql).await?,
        }
        let seq = self.db.fetch_all(&sql).await?[0].opt_int("head")?;
        Ok(seq.unwrap_or(0) as u64)
    }

    /// A stream's history after `version` (who changed what, when, old → new).
    pub async fn history(
        &self,
        project: &ProjectKey,
        stream: StreamRef,
        after_version: u64,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let sql =
            Sql::new("SELECT seq, version, actor, at_ms, change FROM history WHERE stream = ")
                .bind(stream.id(project))
                .then(" AND version > ")
                .bind(after_version as i64)
                .then(" ORDER BY version, idx");
        let rows = self.db.fetch_all(&sql).await?;
        rows.iter()
            .map(|r| {
                Ok(ChangeRecord {
                    seq: r.int("seq")? as u64,
                    stream,
                    version: r.int("version")? as u64,
                    actor: parse_actor(&r.text("actor")?)?,
                    at_ms: r.int("at_ms")?,
                    change: serde_json::from_str(&r.text("change")?)
                        .map_err(StoreError::corrupt("history"))?,
                })
            })
            .collect()
    }
}

/// The end point of a time-travel query.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    Seq(u64),
    Time(i64),
}

fn parse_actor(raw: &str) -> Result<UserName, StoreError> {
    UserName::parse(raw).map_err(|e| StoreError::Corrupt {
        what: "actor",
        source: serde::de::Error::custom(e),
    })
}

/// One log row, its payload upcast from the schema it was written in.
fn decode_event(row: &Row) -> Result<Recorded, StoreError> {
    let schema = row.int("schema_version")?;
    let payload = row.text("payload")?;
    let event = upcast(
        u32::try_from(schema).unwrap_or(0),
        &row.text("event_type")?,
        &mut serde_json::Deserializer::from_str(&payload),
    )
    .map_err(StoreError::corrupt("event"))?;
    let project = ProjectKey::parse(&row.text("project")?).map_err(|e| StoreError::Corrupt {
        what: "project key",
        source: serde::de::Error::custom(e),
    })?;
    let command_id = row
        .text("command_id")?
        .parse()
        .map(CommandId)
        .map_err(|e| StoreError::Corrupt {
            what: "command id",
            source: serde::de::Error::custom(e),
        })?;
    Ok(Recorded {
        seq: row.int("seq")? as u64,
        project,
        stream: event.stream(),
        version: row.int("version")? as u64,
        actor: parse_actor(&row.text("actor")?)?,
        at_ms: row.int("at_ms")?,
        command_id,
        event,
    })
}
