//! The append, per engine (the module doc of `store` says how each keeps
//! the log whole and its followers from skipping an event).

use kanri_domain::*;

use super::{AppendMeta, InlineProjection, Store, StoreError};
use crate::db::{Arg, Conn, Db, Sql, SqliteDb};

/// An event decided and folded into the state, waiting for its sequence number.
struct Pending {
    stream: StreamRef,
    version: u64,
    changes: Vec<Change>,
    event: Event,
}

/// A PostgreSQL transaction that appends are written in. Taken as a
/// project's turn ([`Store::take_turn`]) it holds the project from before
/// its state is brought to the log's head; begun plainly ([`Store::begin`])
/// the first append takes the turn. Either way, once an append is written
/// no other node appends to the project until it commits. Dropped
/// uncommitted, it rolls back.
pub struct Turn {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    _held: tokio::sync::OwnedSemaphorePermit,
}

impl Turn {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(StoreError::from_batch)
    }
}

/// Where an append is written.
pub enum AppendTo<'a> {
    /// A transaction of its own (on PostgreSQL the turn, if one was taken),
    /// committed before the append returns.
    Own(Option<Turn>),
    /// On PostgreSQL, a transaction begun for it and left open in the slot
    /// for more appends to the same project (group commit: one flush of the
    /// log for all), committed by the caller. On SQLite, as [`Self::Own`].
    Begin(&'a mut Option<Turn>),
    /// Such a transaction, begun by an earlier append (PostgreSQL).
    Within(&'a mut Turn),
}

impl Store {
    /// Takes `project`'s turn: on PostgreSQL, waits until no append to it is
    /// in flight on any node, and keeps the others waiting until the turn is
    /// used or dropped. `None` on SQLite, where this process is the only
    /// writer. (An append takes the turn itself; taking it first is for a
    /// command that must not race again.)
    pub async fn take_turn(&self, project: &ProjectKey) -> Result<Option<Turn>, StoreError> {
        let Some(mut turn) = self.begin().await? else {
            return Ok(None);
        };
        let lock = Sql::new("SELECT pg_advisory_xact_lock(hashtextextended(")
            .bind(project.as_str())
            .then(", 0))");
        Conn::Postgres(&mut turn.tx)
            .fetch_all(&lock)
            .await
            .map_err(StoreError::from_batch)?;
        Ok(Some(turn))
    }

    /// A transaction for appends (PostgreSQL; `None` on SQLite), its
    /// project's turn taken by the first append written in it.
    pub async fn begin(&self) -> Result<Option<Turn>, StoreError> {
        let Db::Postgres(db) = &self.db else {
            return Ok(None);
        };
        let held = self
            .turns
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let tx = db.pool.begin().await.map_err(StoreError::from_batch)?;
        Ok(Some(Turn { tx, _held: held }))
    }

    /// Appends `events` (already decided against `state`) in one transaction,
    /// folding each into `state` as it goes. `answer` turns the state after
    /// them and the recorded events into the outcome stored for the command
    /// id. On error `state` may hold events that were rolled back: the caller
    /// must discard it.
    #[tracing::instrument(skip_all, fields(project = %meta.project, command = %meta.command_id, events = events.len()))]
    pub async fn append(
        &self,
        to: AppendTo<'_>,
        state: &mut ProjectState,
        meta: &AppendMeta<'_>,
        events: Vec<Event>,
        answer: impl FnOnce(&ProjectState, Vec<Recorded>) -> Outcome,
    ) -> Result<Outcome, StoreError> {
        let pending = events
            .into_iter()
            .map(|event| {
                let stream = event.stream();
                let version = state.version_of(&stream) + 1;
                let changes = changes(state, &event);
                apply_mut(state, &event);
                Pending {
                    stream,
                    version,
                    changes,
                    event,
                }
            })
            .collect();
        match (&self.db, to) {
            (Db::Sqlite(db), AppendTo::Own(_) | AppendTo::Begin(_)) => {
                append_sqlite(db, state, meta, pending, answer).await
            }
            (Db::Sqlite(_), AppendTo::Within(_)) => {
                unreachable!("a turn exists only on PostgreSQL")
            }
            (Db::Postgres(_), AppendTo::Within(turn)) => {
                append_postgres(&mut turn.tx, state, meta, pending, answer).await
            }
            (Db::Postgres(_), AppendTo::Begin(begun)) => {
                let turn = match begun {
                    Some(turn) => turn,
                    None => begun.insert(self.begin().await?.expect("PostgreSQL begins a turn")),
                };
                append_postgres(&mut turn.tx, state, meta, pending, answer).await
            }
            (Db::Postgres(_), AppendTo::Own(turn)) => {
                let mut turn = match turn {
                    Some(turn) => turn,
                    None => self.begin().await?.expect("PostgreSQL begins a turn"),
                };
                let outcome = append_postgres(&mut turn.tx, state, meta, pending, answer).await?;
                turn.commit().await?;
                Ok(outcome)
            }
        }
    }
}

/// The recorded events (numbered from the given sequence numbers), the
/// projection rows and the command's answer, as SQL after the events.
fn record(
    state: &ProjectState,
    meta: &AppendMeta<'_>,
    pending: Vec<Pending>,
    seqs: impl Iterator<Item = u64>,
    answer: impl FnOnce(&ProjectState, Vec<Recorded>) -> Outcome,
    sql: &mut Sql,
) -> Result<Outcome, StoreError> {
    let mut projection = InlineProjection::default();
    let recorded: Vec<Recorded> = pending
        .into_iter()
        .zip(seqs)
        .map(|(p, seq)| {
            let rec = Recorded {
                seq,
                project: meta.project.clone(),
                stream: p.stream,
                version: p.version,
                actor: meta.actor.clone(),
                at_ms: meta.at_ms,
                command_id: meta.command_id,
                event: p.event,
            };
            projection.record(&rec, p.changes);
            rec
        })
        .collect();
    projection.push_sql(sql, state)?;
    let outcome = answer(state, recorded);
    sql.push("INSERT INTO commands (command_id, project, actor, outcome, at_ms) VALUES (")
        .push_bind(meta.command_id.to_string())
        .push(", ")
        .push_bind(meta.project.to_string())
        .push(", ")
        .push_bind(meta.actor.to_string())
        .push(", ")
        .push_bind(serde_json::to_string(&outcome).map_err(StoreError::corrupt("outcome"))?)
        .push(", ")
        .push_bind(meta.at_ms)
        .push(")")
        .end();
    Ok(outcome)
}

/// SQLite: numbers from the writer's counter; the events, projections and
/// answer go as one batch in one transaction.
async fn append_sqlite(
    db: &SqliteDb,
    state: &ProjectState,
    meta: &AppendMeta<'_>,
    pending: Vec<Pending>,
    answer: impl FnOnce(&ProjectState, Vec<Recorded>) -> Outcome,
) -> Result<Outcome, StoreError> {
    let mut writer = db.writer().await?;
    let first_seq = writer.next_seq;
    let count = pending.len() as u64;
    let mut batch = Sql::new("BEGIN IMMEDIATE");
    batch.end();
    push_events(&mut batch, meta, &pending, first_seq)?;
    let outcome = record(state, meta, pending, first_seq.., answer, &mut batch)?;
    batch.push("COMMIT").end();
    match Conn::Sqlite(&mut writer.conn).execute(&batch).await {
        Ok(_) => {
            writer.next_seq = first_seq + count;
            Ok(outcome)
        }
        Err(e) => {
            // The batch stopped at the failing statement inside its transaction.
            let _ = Conn::Sqlite(&mut writer.conn)
                .execute(&Sql::new("ROLLBACK"))
                .await;
            let _ = writer.resync_seq().await;
            Err(StoreError::from_batch(e))
        }
    }
}

/// Adds the multi-row INSERT of the events, numbered from `first_seq`.
fn push_events(
    batch: &mut Sql,
    meta: &AppendMeta<'_>,
    pending: &[Pending],
    first_seq: u64,
) -> Result<(), StoreError> {
    let rows = pending
        .iter()
        .zip(first_seq..)
        .map(|(p, seq)| {
            let payload = serde_json::to_string(&p.event).map_err(StoreError::corrupt("event"))?;
            Ok((p, seq, payload))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // 10 bound values a row; 1,000 rows stay far below SQLite's limit per statement.
    for chunk in rows.chunks(1_000) {
        batch.push("INSERT INTO events (seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id) ");
        batch.push_values(chunk, |b, (p, seq, payload)| {
            b.bind(*seq as i64)
                .bind(meta.project.as_str())
                .bind(p.stream.id(meta.project))
                .bind(p.version as i64)
                .bind(p.event.type_name())
                .bind(i64::from(SCHEMA_VERSION))
                .bind(payload.as_str())
                .bind(meta.actor.as_str())
                .bind(meta.at_ms)
                .bind(meta.command_id.to_string());
        });
        batch.end();
    }
    Ok(())
}

/// PostgreSQL, within `tx` (committed by the caller): appends to one
/// project take turns; `kanri_append` refuses a state that missed another
/// node's append, numbers and writes the events under the sequence lock and
/// marks the append in flight until the transaction ends; then the
/// projections and the answer.
async fn append_postgres(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    state: &ProjectState,
    meta: &AppendMeta<'_>,
    pending: Vec<Pending>,
    answer: impl FnOnce(&ProjectState, Vec<Recorded>) -> Outcome,
) -> Result<Outcome, StoreError> {
    let mut conn = Conn::Postgres(tx);
    let payloads = pending
        .iter()
        .map(|p| serde_json::to_string(&p.event).map_err(StoreError::corrupt("event")))
        .collect::<Result<Vec<_>, _>>()?;
    // Takes the project's turn, checks the state was decided at its head,
    // writes and numbers the events, and announces them at commit.
    let write = Sql::new("SELECT seq FROM kanri_append(")
        .bind(meta.project.as_str())
        .then(", ")
        .bind(meta.known_head as i64)
        .then(", ")
        .bind(texts(pending.iter().map(|p| p.stream.id(meta.project))))
        .then("::text[], ")
        .bind(texts(pending.iter().map(|p| p.version.to_string())))
        .then("::text[]::bigint[], ")
        .bind(texts(
            pending.iter().map(|p| p.event.type_name().to_owned()),
        ))
        .then("::text[], ")
        .bind(i64::from(SCHEMA_VERSION))
        .then("::integer, ")
        .bind(texts(payloads))
        .then("::text[], ")
        .bind(meta.actor.as_str())
        .then(", ")
        .bind(meta.at_ms)
        .then(", ")
        .bind(meta.command_id.to_string())
        .then(")");
    let mut seqs = Vec::with_capacity(pending.len());
    for row in conn
        .fetch_all(&write)
        .await
        .map_err(StoreError::from_batch)?
    {
        seqs.push(row.int("seq")? as u64);
    }
    let mut rest = Sql::default();
    let outcome = record(state, meta, pending, seqs.into_iter(), answer, &mut rest)?;
    // One round trip for all of them: under group commit the project's
    // commands are written one after another, so each trip counts.
    conn.execute_at_once(&rest)
        .await
        .map_err(StoreError::from_batch)?;
    Ok(outcome)
}

fn texts(items: impl IntoIterator<Item = String>) -> Arg {
    Arg::Texts(items.into_iter().collect())
}
