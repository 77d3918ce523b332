//! Inline projections: the read models written in the append transaction, so
//! what a user just did is visible at once. They are the board and backlog
//! (`issues` by column and rank), each stream's current state (`projects`,
//! `issues`, `sprints`), sprint membership (`issues.sprint`) and the history
//! (`history`). Appends and the rebuild from the log share this code.

use app::domain::*;
use sqlx::{QueryBuilder, Sqlite, Transaction};
use std::collections::{BTreeSet, HashMap};

use super::{Recorded, StoreError};

/// One row of the `history` table.
struct HistoryRow {
    seq: u64,
    idx: usize,
    project: ProjectKey,
    stream: String,
    version: u64,
    actor: String,
    at_ms: i64,
    change: String,
}

/// The projection work of one append (or one stretch of a rebuild): the
/// streams whose rows must be rewritten and the history rows to insert.
#[derive(Default)]
pub struct InlineProjection {
    touched: BTreeSet<StreamRef>,
    history: Vec<HistoryRow>,
}

/// Rows per multi-row INSERT; 8 columns each stays far below SQLite's
/// limit on bound parameters.
const HISTORY_CHUNK: usize = 500;

impl InlineProjection {
    pub fn record(&mut self, rec: &Recorded, changes: Vec<Change>) {
        self.touched.insert(rec.stream);
        let stream = rec.stream.id(&rec.project);
        for (idx, change) in changes.into_iter().enumerate() {
            self.history.push(HistoryRow {
                seq: rec.seq,
                idx,
                project: rec.project.clone(),
                stream: stream.clone(),
                version: rec.version,
                actor: rec.actor.to_string(),
                at_ms: rec.at_ms,
                change: serde_json::to_string(&change).unwrap_or_default(),
            });
        }
    }

    /// Writes the history rows and the current rows of every touched stream.
    pub async fn write(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        state: &ProjectState,
    ) -> Result<(), StoreError> {
        self.flush_history(tx).await?;
        for stream in std::mem::take(&mut self.touched) {
            write_stream(tx, state, stream).await?;
        }
        Ok(())
    }

    async fn flush_history(&mut self, tx: &mut Transaction<'_, Sqlite>) -> Result<(), StoreError> {
        for chunk in self.history.chunks(HISTORY_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO history (seq, idx, project, stream, version, actor, at_ms, change) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.seq as i64)
                    .push_bind(r.idx as i64)
                    .push_bind(r.project.as_str())
                    .push_bind(&r.stream)
                    .push_bind(r.version as i64)
                    .push_bind(&r.actor)
                    .push_bind(r.at_ms)
                    .push_bind(&r.change);
            });
            q.build().execute(&mut **tx).await?;
        }
        self.history.clear();
        Ok(())
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Corrupt {
        what: "projection row",
        source,
    })
}

fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Upserts the row of one stream from the state after the append.
async fn write_stream(
    tx: &mut Transaction<'_, Sqlite>,
    state: &ProjectState,
    stream: StreamRef,
) -> Result<(), StoreError> {
    let Some(project) = &state.project else {
        return Ok(());
    };
    let key = project.key.as_str();
    match stream {
        StreamRef::Project => {
            sqlx::query(
                "INSERT INTO projects (key, name, kind, version, doc) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 version = excluded.version, doc = excluded.doc",
            )
            .bind(key)
            .bind(project.name.as_str())
            .bind(enum_name(&project.kind))
            .bind(project.version as i64)
            .bind(json(project)?)
            .execute(&mut **tx)
            .await?;
        }
        StreamRef::Issue(n) => {
            let Some(i) = state.issues.get(&n) else {
                return Ok(());
            };
            sqlx::query(
                "INSERT INTO issues (project, number, status, rank, issue_type, assignee, sprint, parent, title, version, doc) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (project, number) DO UPDATE SET status = excluded.status, rank = excluded.rank, \
                 issue_type = excluded.issue_type, assignee = excluded.assignee, sprint = excluded.sprint, \
                 parent = excluded.parent, title = excluded.title, version = excluded.version, doc = excluded.doc",
            )
            .bind(key)
            .bind(n.0 as i64)
            .bind(i.status.0 as i64)
            .bind(i.rank.as_str())
            .bind(enum_name(&i.issue_type))
            .bind(i.assignee.as_ref().map(UserName::as_str))
            .bind(i.sprint.map(|s| s.0 as i64))
            .bind(i.parent.map(|p| p.0 as i64))
            .bind(i.title.as_str())
            .bind(i.version as i64)
            .bind(json(i)?)
            .execute(&mut **tx)
            .await?;
        }
        StreamRef::Sprint(n) => {
            let Some(s) = state.sprints.get(&n) else {
                return Ok(());
            };
            sqlx::query(
                "INSERT INTO sprints (project, number, name, state, version, doc) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (project, number) DO UPDATE SET name = excluded.name, state = excluded.state, \
                 version = excluded.version, doc = excluded.doc",
            )
            .bind(key)
            .bind(n.0 as i64)
            .bind(s.name.as_str())
            .bind(enum_name(&s.state))
            .bind(s.version as i64)
            .bind(json(s)?)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Rebuilds every inline projection from `events` (the whole log, in
/// sequence order) into the empty projection tables behind `tx`.
pub async fn rebuild_inline(
    tx: &mut Transaction<'_, Sqlite>,
    events: impl futures::Stream<Item = Result<Recorded, StoreError>>,
) -> Result<u64, StoreError> {
    use futures::StreamExt;
    let mut states: HashMap<ProjectKey, (ProjectState, InlineProjection)> = HashMap::new();
    let mut count = 0u64;
    let mut events = std::pin::pin!(events);
    while let Some(rec) = events.next().await {
        let rec = rec?;
        let (state, projection) = states.entry(rec.project.clone()).or_default();
        let changes = changes(state, &rec.event);
        apply_mut(state, &rec.event);
        projection.record(&rec, changes);
        count += 1;
        if projection.history.len() >= HISTORY_CHUNK * 20 {
            projection.flush_history(tx).await?;
        }
    }
    for (state, projection) in states.values_mut() {
        projection.write(tx, state).await?;
    }
    Ok(count)
}
