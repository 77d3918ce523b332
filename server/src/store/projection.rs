//! Inline projections: the read models written in the append transaction, so
//! what a user just did is visible at once. They are the board and backlog
//! (`issues` by column and rank), each stream's current state (`projects`,
//! `issues`, `sprints`), sprint membership (`issues.sprint`) and the history
//! (`history`). Appends and the rebuild from the log share this code.

use futures::StreamExt;
use kanri_domain::*;
use std::collections::{BTreeSet, HashMap};

use super::{Recorded, StoreError};
use crate::db::{Conn, Sql};

/// One row of the `history` table.
struct HistoryRow {
    stream: String,
    version: u64,
    idx: usize,
    seq: u64,
    project: String,
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

const HISTORY_COLUMNS: &str = "stream, version, idx, seq, project, actor, at_ms, change";

/// Rows per multi-row INSERT: 8 values a row stays below SQLite's limit.
const HISTORY_CHUNK: usize = 1_000;
/// History rows a rebuild buffers before writing them out.
const REBUILD_FLUSH: usize = 20_000;

impl InlineProjection {
    pub fn record(&mut self, rec: &Recorded, changes: Vec<Change>) {
        self.touched.insert(rec.stream);
        let stream = rec.stream.id(&rec.project);
        for (idx, change) in changes.into_iter().enumerate() {
            self.history.push(HistoryRow {
                stream: stream.clone(),
                version: rec.version,
                idx,
                seq: rec.seq,
                project: rec.project.to_string(),
                actor: rec.actor.to_string(),
                at_ms: rec.at_ms,
                change: serde_json::to_string(&change).unwrap_or_default(),
            });
        }
    }

    /// Adds the history rows and the current rows of every touched stream
    /// to `batch`, as SQL statements.
    pub fn push_sql(&mut self, batch: &mut Sql, state: &ProjectState) -> Result<(), StoreError> {
        self.push_history(batch, "history");
        for stream in std::mem::take(&mut self.touched) {
            push_stream(batch, state, stream)?;
        }
        Ok(())
    }

    fn push_history(&mut self, batch: &mut Sql, table: &str) {
        let mut rows = std::mem::take(&mut self.history).into_iter().peekable();
        while rows.peek().is_some() {
            batch.push(format!("INSERT INTO {table} ({HISTORY_COLUMNS}) "));
            batch.push_values(rows.by_ref().take(HISTORY_CHUNK), |b, r| {
                b.bind(r.stream)
                    .bind(r.version as i64)
                    .bind(r.idx as i64)
                    .bind(r.seq as i64)
                    .bind(r.project)
                    .bind(r.actor)
                    .bind(r.at_ms)
                    .bind(r.change);
            });
            batch.end();
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Corrupt {
        what: "projection row",
        source,
    })
}

/// How serde names a unit variant: the stored form of the enum columns.
pub(super) fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Adds the upsert of one stream's row, from the state after the append.
fn push_stream(batch: &mut Sql, state: &ProjectState, stream: StreamRef) -> Result<(), StoreError> {
    let Some(project) = &state.project else {
        return Ok(());
    };
    let key = project.key.to_string();
    match stream {
        StreamRef::Project => {
            batch
                .push("INSERT INTO projects (key, name, kind, version, doc) VALUES (")
                .push_bind(key)
                .push(", ")
                .push_bind(project.name.to_string())
                .push(", ")
                .push_bind(enum_name(&project.kind))
                .push(", ")
                .push_bind(project.version as i64)
                .push(", ")
                .push_bind(json(project)?)
                .push(
                    ") ON CONFLICT (key) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                     version = excluded.version, doc = excluded.doc",
                )
                .end();
        }
        StreamRef::Issue(n) => {
            let Some(i) = state.issues.get(&n) else {
                return Ok(());
            };
            push_issue(batch, key, i)?;
        }
        StreamRef::Sprint(n) => {
            let Some(s) = state.sprints.get(&n) else {
                return Ok(());
            };
            batch
                .push("INSERT INTO sprints (project, number, name, state, version, doc) VALUES (")
                .push_bind(key)
                .push(", ")
                .push_bind(n.0 as i64)
                .push(", ")
                .push_bind(s.name.to_string())
                .push(", ")
                .push_bind(enum_name(&s.state))
                .push(", ")
                .push_bind(s.version as i64)
                .push(", ")
                .push_bind(json(s)?)
                .push(
                    ") ON CONFLICT (project, number) DO UPDATE SET name = excluded.name, state = excluded.state, \
                     version = excluded.version, doc = excluded.doc",
                )
                .end();
        }
    }
    Ok(())
}

/// Adds the upsert of an issue's row. A move changes status, rank and the
/// document; the columns that rarely change are written by a second
/// statement only when they differ, so their indexes (and the label table,
/// kept by triggers) are not rewritten on every move.
fn push_issue(batch: &mut Sql, key: String, i: &Issue) -> Result<(), StoreError> {
    let number = i.key.number.0 as i64;
    let doc = json(i)?;
    let labels = json(&i.labels)?;
    let cold = |b: &mut Sql| {
        b.push_bind(enum_name(&i.issue_type))
            .push(", ")
            .push_bind(i.assignee.as_ref().map(UserName::to_string))
            .push(", ")
            .push_bind(i.sprint.map(|s| s.0 as i64))
            .push(", ")
            .push_bind(i.parent.map(|p| p.0 as i64))
            .push(", ")
            .push_bind(i.priority as i64)
            .push(", ")
            .push_bind(i.points.map(|p| i64::from(p.tenths())))
            .push(", ")
            .push_bind(i.reporter.to_string())
            .push(", ")
            .push_bind(labels.clone());
    };
    batch
        .push(
            "INSERT INTO issues (project, number, status, rank, title, version, doc, search_text, \
             issue_type, assignee, sprint, parent, priority, points, reporter, labels) VALUES (",
        )
        .push_bind(key.clone())
        .push(", ")
        .push_bind(number)
        .push(", ")
        .push_bind(i.status.0 as i64)
        .push(", ")
        .push_bind(i.rank.to_string())
        .push(", ")
        .push_bind(i.title.to_string())
        .push(", ")
        .push_bind(i.version as i64)
        .push(", ")
        .push_bind(doc)
        .push(", ")
        .push_bind(query_values::search_text(i))
        .push(", ");
    cold(batch);
    batch.push(
        ") ON CONFLICT (project, number) DO UPDATE SET status = excluded.status, rank = excluded.rank, \
         title = excluded.title, version = excluded.version, doc = excluded.doc, \
         search_text = excluded.search_text",
    );
    batch.end().push(
        "UPDATE issues SET (issue_type, assignee, sprint, parent, priority, points, reporter, labels) = (",
    );
    cold(batch);
    batch
        .push(") WHERE project = ")
        .push_bind(key)
        .push(" AND number = ")
        .push_bind(number)
        .push(" AND (issue_type, assignee, sprint, parent, priority, points, reporter, labels) IS DISTINCT FROM (");
    cold(batch);
    batch.push(")").end();
    Ok(())
}

/// Rebuilds every inline projection from `events` (the whole log, in
/// sequence order) into the empty projection tables behind `conn`, which
/// the caller has put in a transaction. Returns the number of events.
pub async fn rebuild_inline(
    conn: &mut Conn<'_>,
    events: impl futures::Stream<Item = Result<Recorded, StoreError>>,
) -> Result<u64, StoreError> {
    // History rows arrive in log order but are clustered by stream: staging
    // them and copying them over sorted is several times faster than
    // inserting each at its place in the tree.
    conn.execute(&Sql::new(
        "CREATE TEMP TABLE history_staging AS SELECT * FROM history WHERE 1 = 0",
    ))
    .await?;
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
        if projection.history.len() >= REBUILD_FLUSH {
            let mut batch = Sql::default();
            projection.push_history(&mut batch, "history_staging");
            conn.execute(&batch).await?;
        }
    }
    for (state, projection) in states.values_mut() {
        let mut batch = Sql::default();
        projection.push_history(&mut batch, "history_staging");
        projection.push_sql(&mut batch, state)?;
        conn.execute(&batch).await?;
    }
    let mut copy = Sql::new(format!(
        "INSERT INTO history ({HISTORY_COLUMNS}) SELECT {HISTORY_COLUMNS} FROM history_staging \
         ORDER BY stream, version, idx"
    ));
    copy.end().push("DROP TABLE history_staging");
    conn.execute(&copy).await?;
    Ok(count)
}
