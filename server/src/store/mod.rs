//! The event store: the one place that talks SQL. An append writes the
//! events, the inline projections and the command's answer in one
//! transaction, sent to SQLite as one batch, so the projections never
//! disagree with the log.

mod projection;
mod search;

use kanri_domain::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::db::{Db, DbError};
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
    /// The command id is already in the log: the command ran before.
    #[error("command id already recorded")]
    DuplicateCommand,
}

impl StoreError {
    fn corrupt(what: &'static str) -> impl FnOnce(serde_json::Error) -> Self {
        move |source| Self::Corrupt { what, source }
    }

    fn from_batch(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d)
                if d.is_unique_violation() && d.message().contains("commands.") =>
            {
                Self::DuplicateCommand
            }
            sqlx::Error::Database(d) if d.is_unique_violation() => {
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
}

#[derive(Clone)]
pub struct Store {
    db: Db,
}

const EVENT_COLUMNS: &str =
    "seq, project, version, event_type, schema_version, payload, actor, at_ms, command_id";

impl Store {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Appends `events` (already decided against `state`) in one transaction,
    /// folding each into `state` as it goes. `answer` turns the state after
    /// them and the recorded events into the outcome stored for the command
    /// id. On error `state` may hold events that were rolled back: the caller
    /// must discard it.
    #[tracing::instrument(skip_all, fields(project = %meta.project, command = %meta.command_id, events = events.len()))]
    pub async fn append(
        &self,
        state: &mut ProjectState,
        meta: &AppendMeta<'_>,
        events: Vec<Event>,
        answer: impl FnOnce(&ProjectState, Vec<Recorded>) -> Outcome,
    ) -> Result<Outcome, StoreError> {
        let mut writer = self.db.writer().await?;
        let first_seq = writer.next_seq;
        let mut recorded = Vec::with_capacity(events.len());
        let mut projection = InlineProjection::default();
        for (seq, event) in (first_seq..).zip(events) {
            let stream = event.stream();
            let version = state.version_of(&stream) + 1;
            let changes = changes(state, &event);
            apply_mut(state, &event);
            let rec = Recorded {
                seq,
                project: meta.project.clone(),
                stream,
                version,
                actor: meta.actor.clone(),
                at_ms: meta.at_ms,
                command_id: meta.command_id,
                event,
            };
            projection.record(&rec, changes);
            recorded.push(rec);
        }
        let count = recorded.len() as u64;
        let mut batch = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE; ");
        push_events(&mut batch, &recorded)?;
        projection.push_sql(&mut batch, state)?;
        let outcome = answer(state, recorded);
        batch
            .push("INSERT INTO commands (command_id, project, actor, outcome, at_ms) VALUES (")
            .push_bind(meta.command_id.to_string())
            .push(", ")
            .push_bind(meta.project.to_string())
            .push(", ")
            .push_bind(meta.actor.to_string())
            .push(", ")
            .push_bind(serde_json::to_string(&outcome).map_err(StoreError::corrupt("outcome"))?)
            .push(", ")
            .push_bind(meta.at_ms)
            .push("); COMMIT;");
        match batch.build().execute(&mut writer.conn).await {
            Ok(_) => {
                writer.next_seq = first_seq + count;
                Ok(outcome)
            }
            Err(e) => {
                // The batch stopped at the failing statement inside its transaction.
                let _ = sqlx::query("ROLLBACK").execute(&mut writer.conn).await;
                let _ = writer.resync_seq().await;
                Err(StoreError::from_batch(e))
            }
        }
    }

    /// The stored answer to a command id, with the actor who sent it.
    pub async fn find_command(
        &self,
        id: CommandId,
    ) -> Result<Option<(String, Outcome)>, StoreError> {
        let row = sqlx::query("SELECT actor, outcome FROM commands WHERE command_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.db.read)
            .await?;
        row.map(|r| {
            let outcome =
                serde_json::from_str(r.get("outcome")).map_err(StoreError::corrupt("outcome"))?;
            Ok((r.get("actor"), outcome))
        })
        .transpose()
    }

    /// A project's state from the inline projections (`None` if it does not exist).
    pub async fn load_project(&self, key: &ProjectKey) -> Result<Option<ProjectState>, StoreError> {
        let pool = &self.db.read;
        let Some(doc) = sqlx::query_scalar::<_, String>("SELECT doc FROM projects WHERE key = ?")
            .bind(key.as_str())
            .fetch_optional(pool)
            .await?
        else {
            return Ok(None);
        };
        let mut state = ProjectState {
            project: Some(serde_json::from_str(&doc).map_err(StoreError::corrupt("project"))?),
            ..Default::default()
        };
        let issues = sqlx::query_scalar::<_, String>("SELECT doc FROM issues WHERE project = ?")
            .bind(key.as_str())
            .fetch_all(pool)
            .await?;
        for doc in issues {
            let issue: Issue = serde_json::from_str(&doc).map_err(StoreError::corrupt("issue"))?;
            state.issues.insert(issue.key.number, issue);
        }
        let sprints = sqlx::query_scalar::<_, String>("SELECT doc FROM sprints WHERE project = ?")
            .bind(key.as_str())
            .fetch_all(pool)
            .await?;
        for doc in sprints {
            let sprint: Sprint =
                serde_json::from_str(&doc).map_err(StoreError::corrupt("sprint"))?;
            state.sprints.insert(sprint.number, sprint);
        }
        Ok(Some(state))
    }

    /// Who wrote a project's first event (its creator).
    pub async fn first_actor(&self, key: &ProjectKey) -> Result<Option<UserName>, StoreError> {
        let actor: Option<String> =
            sqlx::query_scalar("SELECT actor FROM events WHERE project = ? ORDER BY seq LIMIT 1")
                .bind(key.as_str())
                .fetch_optional(&self.db.read)
                .await?;
        Ok(actor.and_then(|a| UserName::parse(&a).ok()))
    }

    /// All projects by name, with their issue counts.
    pub async fn projects(&self) -> Result<Vec<(Project, u32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.doc, (SELECT COUNT(*) FROM issues i WHERE i.project = p.key) AS issues \
             FROM projects p ORDER BY p.name, p.key",
        )
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                let project =
                    serde_json::from_str(r.get("doc")).map_err(StoreError::corrupt("project"))?;
                Ok((project, r.get::<i64, _>("issues") as u32))
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
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream = ? AND version > ? ORDER BY version"
        );
        let rows = sqlx::query(&sql)
            .bind(stream.id(project))
            .bind(version as i64)
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(decode_event).collect()
    }

    /// Up to `limit` events after global sequence `after`, of one project or of all.
    pub async fn events_after(
        &self,
        project: Option<&ProjectKey>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Recorded>, StoreError> {
        let rows = match project {
            Some(p) => {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE project = ? AND seq > ? ORDER BY seq LIMIT ?"
                );
                sqlx::query(&sql)
                    .bind(p.as_str())
                    .bind(after as i64)
                    .bind(limit)
                    .fetch_all(&self.db.read)
                    .await?
            }
            None => {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?"
                );
                sqlx::query(&sql)
                    .bind(after as i64)
                    .bind(limit)
                    .fetch_all(&self.db.read)
                    .await?
            }
        };
        rows.iter().map(decode_event).collect()
    }

    /// Rebuilds the inline projections from the log when a migration asked
    /// for it (new columns that old rows lack), in one transaction. Returns
    /// the number of events replayed, `None` when nothing was asked.
    pub async fn rebuild_if_requested(&self) -> Result<Option<u64>, StoreError> {
        let reasons: Vec<String> = sqlx::query_scalar("SELECT reason FROM projection_rebuilds")
            .fetch_all(&self.db.read)
            .await?;
        if reasons.is_empty() {
            return Ok(None);
        }
        tracing::info!(?reasons, "rebuilding the projections from the event log");
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        // 'delete-all' resets the text index: the rows deleted here were
        // never in it, so their per-row deletes left it inexact.
        sqlx::query(
            "DELETE FROM history; DELETE FROM issues; \
             DELETE FROM sprints; DELETE FROM projects; \
             INSERT INTO issue_text (issue_text) VALUES ('delete-all'); \
             DELETE FROM projection_rebuilds",
        )
        .execute(&mut *tx)
        .await?;
        let events = rebuild_inline(&mut tx, self.all_events_prefetched()).await?;
        tx.commit().await?;
        tracing::info!(events, "projections rebuilt");
        Ok(Some(events))
    }

    /// The whole log in sequence order, streamed (for rebuilds).
    pub fn all_events(&self) -> impl futures::Stream<Item = Result<Recorded, StoreError>> + '_ {
        use futures::StreamExt;
        // EVENT_COLUMNS, spelled out: the stream outlives a formatted string.
        const SQL: &str = "SELECT seq, project, version, event_type, schema_version, payload, actor, at_ms, command_id FROM events ORDER BY seq";
        sqlx::query(SQL)
            .fetch(&self.db.read)
            .map(|row| decode_event(&row?))
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
            Until::Seq(s) => ("seq <= ?", s as i64),
            Until::Time(t) => ("at_ms <= ?", t),
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE project = ? AND {clause} ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(project.as_str())
            .bind(bound)
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The highest global sequence (0 for an empty log), of one project or of all.
    pub async fn head(&self, project: Option<&ProjectKey>) -> Result<u64, StoreError> {
        let seq: Option<i64> = match project {
            Some(p) => {
                sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE project = ?")
                    .bind(p.as_str())
                    .fetch_one(&self.db.read)
                    .await?
            }
            None => {
                sqlx::query_scalar("SELECT MAX(seq) FROM events")
                    .fetch_one(&self.db.read)
                    .await?
            }
        };
        Ok(seq.unwrap_or(0) as u64)
    }

    /// A stream's history after `version` (who changed what, when, old → new).
    pub async fn history(
        &self,
        project: &ProjectKey,
        stream: StreamRef,
        after_version: u64,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, version, actor, at_ms, change FROM history WHERE stream = ? AND version > ? ORDER BY version, idx",
        )
        .bind(stream.id(project))
        .bind(after_version as i64)
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChangeRecord {
                    seq: r.get::<i64, _>("seq") as u64,
                    stream,
                    version: r.get::<i64, _>("version") as u64,
                    actor: parse_actor(r.get("actor"))?,
                    at_ms: r.get("at_ms"),
                    change: serde_json::from_str(r.get("change"))
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

/// Adds the multi-row INSERT of `events` to the batch.
fn push_events(
    batch: &mut QueryBuilder<'_, Sqlite>,
    events: &[Recorded],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events
        .iter()
        .map(|r| {
            Ok((
                r,
                serde_json::to_string(&r.event).map_err(StoreError::corrupt("event"))?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // 10 bound values a row; 1,000 rows stay far below SQLite's limit per statement.
    for chunk in rows.chunks(1_000) {
        batch.push("INSERT INTO events (seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id) ");
        batch.push_values(chunk, |mut b, (r, payload)| {
            b.push_bind(r.seq as i64)
                .push_bind(r.project.to_string())
                .push_bind(r.stream.id(&r.project))
                .push_bind(r.version as i64)
                .push_bind(r.event.type_name())
                .push_bind(SCHEMA_VERSION)
                .push_bind(payload.clone())
                .push_bind(r.actor.to_string())
                .push_bind(r.at_ms)
                .push_bind(r.command_id.to_string());
        });
        batch.push("; ");
    }
    Ok(())
}

fn parse_actor(raw: &str) -> Result<UserName, StoreError> {
    UserName::parse(raw).map_err(|e| StoreError::Corrupt {
        what: "actor",
        source: serde::de::Error::custom(e),
    })
}

/// One log row, its payload upcast from the schema it was written in.
fn decode_event(row: &SqliteRow) -> Result<Recorded, StoreError> {
    let schema: i64 = row.get("schema_version");
    let event = upcast(
        u32::try_from(schema).unwrap_or(0),
        row.get("event_type"),
        &mut serde_json::Deserializer::from_str(row.get("payload")),
    )
    .map_err(StoreError::corrupt("event"))?;
    let project = ProjectKey::parse(row.get("project")).map_err(|e| StoreError::Corrupt {
        what: "project key",
        source: serde::de::Error::custom(e),
    })?;
    let command_id = row
        .get::<String, _>("command_id")
        .parse()
        .map(CommandId)
        .map_err(|e| StoreError::Corrupt {
            what: "command id",
            source: serde::de::Error::custom(e),
        })?;
    Ok(Recorded {
        seq: row.get::<i64, _>("seq") as u64,
        project,
        stream: event.stream(),
        version: row.get::<i64, _>("version") as u64,
        actor: parse_actor(row.get("actor"))?,
        at_ms: row.get("at_ms"),
        command_id,
        event,
    })
}
