//! `replay --verify`: rebuild every projection from the log into a fresh
//! database and compare it, table by table and row by row, with the live one.
//! The fresh one is an SQLite file whatever the live engine: rows are
//! compared as text, in the byte order of their keys as text on both sides.

use futures::{StreamExt, TryStreamExt};
use sqlx::Row as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::db::{Conn, DatabaseUrl, Db, DbError, Engine, Sql};
use crate::store::{Store, StoreError, rebuild_inline};
use crate::subscribers;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// The inline projection tables and the columns that identify a row.
const INLINE_TABLES: &[(&str, &str)] = &[
    ("projects", "key"),
    ("issues", "project, number"),
    ("issue_labels", "project, number, label"),
    ("sprints", "project, number"),
    ("history", "stream, version, idx"),
];

#[derive(Debug)]
pub struct Report {
    pub events: u64,
    pub rebuild_time: Duration,
    /// `None` when every table matches.
    pub first_difference: Option<String>,
    pub tables: Vec<(String, u64)>,
}

/// Copies the log of `live` into a fresh database at `scratch`, rebuilds every
/// projection there and compares each table with the live one.
pub async fn verify(live: &Store, scratch: PathBuf) -> Result<Report, ReplayError> {
    let fresh = Store::new(Db::open(&DatabaseUrl::Sqlite(scratch)).await?);
    copy_log(live.db(), fresh.db()).await?;

    let started = Instant::now();
    let events = {
        let mut writer = fresh.db().sqlite().writer().await?;
        let mut tx = writer.begin().await?;
        let events =
            rebuild_inline(&mut Conn::Sqlite(&mut tx), fresh.all_events_prefetched()).await?;
        tx.commit().await?;
        events
    };
    // Subscribers are rebuilt up to where the live ones stand (they may lag).
    let mut tables: Vec<(&str, String)> = INLINE_TABLES
        .iter()
        .map(|(t, k)| (*t, k.to_string()))
        .collect();
    for sub in subscribers::all() {
        let until = subscribers::checkpoint(live.db(), sub.name()).await?;
        while subscribers::step(&fresh, sub.as_ref(), Some(until)).await? > 0 {}
        tables.extend(sub.tables().iter().map(|t| (*t, String::new())));
    }
    let rebuild_time = started.elapsed();

    let mut report = Report {
        events,
        rebuild_time,
        first_difference: None,
        tables: Vec::new(),
    };
    for (table, key) in tables {
        let (rows, difference) = compare_table(live.db(), fresh.db(), table, &key).await?;
        report.tables.push((table.to_string(), rows));
        if difference.is_some() {
            report.first_difference = difference;
            break;
        }
    }
    fresh.db().close().await;
    Ok(report)
}

/// Copies every event row as stored, in sequence order.
async fn copy_log(from: &Db, to: &Db) -> Result<(), ReplayError> {
    const CHUNK: i64 = 500;
    const COLUMNS: &str = "seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id";
    let mut writer = to.sqlite().writer().await?;
    let mut tx = writer.begin().await?;
    let mut after = 0;
    loop {
        let page = Sql::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?"
        ))
        .arg(after)
        .arg(CHUNK);
        let rows = from.fetch_all(&page).await?;
        let Some(last) = rows.last() else { break };
        after = last.int(0)?;
        let mut insert = Sql::new(format!("INSERT INTO events ({COLUMNS}) "));
        let mut failed = None;
        insert.push_values(&rows, |b, r| {
            let row = (|| {
                Ok::<_, sqlx::Error>((
                    r.int(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.int(3)?,
                    r.text(4)?,
                    r.int(5)?,
                    r.text(6)?,
                    r.text(7)?,
                    r.int(8)?,
                    r.text(9)?,
                ))
            })();
            match row {
                Ok((seq, project, stream, version, kind, schema, payload, actor, at, command)) => {
                    b.bind(seq)
                        .bind(project)
                        .bind(stream)
                        .bind(version)
                        .bind(kind)
                        .bind(schema)
                        .bind(payload)
                        .bind(actor)
                        .bind(at)
                        .bind(command);
                }
                Err(e) => failed = Some(e),
            }
        });
        if let Some(e) = failed {
            return Err(e.into());
        }
        Conn::Sqlite(&mut tx).execute(&insert).await?;
    }
    tx.commit().await?;
    writer.resync_seq().await?;
    Ok(())
}

/// The table's columns, from the fresh (SQLite) schema: the live one has
/// the same, whatever its engine.
async fn columns(fresh: &Db, table: &str) -> Result<Vec<String>, sqlx::Error> {
    let sql = Sql::query("SELECT name FROM pragma_table_info(?) ORDER BY cid").arg(table);
    fresh
        .fetch_all(&sql)
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect()
}

/// `SELECT` of every column as text, ordered by the key columns as text in
/// byte order (the same order on either engine).
fn select_as_text(engine: Engine, cols: &[String], table: &str, key: &str) -> String {
    let as_text = |c: &str| match engine {
        Engine::Sqlite => format!("CAST({c} AS TEXT)"),
        Engine::Postgres => format!("CAST({c} AS TEXT) COLLATE \"C\""),
    };
    let keys: Vec<String> = if key.is_empty() {
        cols.to_vec()
    } else {
        key.split(',').map(|k| k.trim().to_owned()).collect()
    };
    let select = cols
        .iter()
        .map(|c| as_text(c))
        .collect::<Vec<_>>()
        .join(", ");
    let order = keys
        .iter()
        .map(|c| as_text(c))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {select} FROM {table} ORDER BY {order}")
}

/// Compares two tables row by row in a fixed order; returns the row count
/// and a description of the first difference.
async fn compare_table(
    live: &Db,
    fresh: &Db,
    table: &str,
    key: &str,
) -> Result<(u64, Option<String>), ReplayError> {
    let cols = columns(fresh, table).await?;
    let live_sql = select_as_text(live.engine(), &cols, table, key);
    let fresh_sql = select_as_text(Engine::Sqlite, &cols, table, key);
    let mut a = rows_as_text(live, &live_sql);
    let mut b = rows_as_text(fresh, &fresh_sql);
    let mut rows = 0u64;
    loop {
        let (left, right) = (a.try_next().await?, b.try_next().await?);
        let describe = |row: &[Option<String>]| {
            cols.iter()
                .zip(row)
                .map(|(c, v)| format!("{c}={}", v.as_deref().unwrap_or("NULL")))
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let difference = match (&left, &right) {
            (None, None) => return Ok((rows, None)),
            (Some(l), None) => Some(format!(
                "{table}: live row [{}] is missing from the replay",
                describe(l)
            )),
            (None, Some(r)) => Some(format!(
                "{table}: replayed row [{}] is missing from the live table",
                describe(r)
            )),
            (Some(l), Some(r)) if l != r => {
                let (col, lv, rv) = cols
                    .iter()
                    .zip(l.iter().zip(r))
                    .find(|(_, (x, y))| x != y)
                    .map(|(c, (x, y))| (c.as_str(), x.clone(), y.clone()))
                    .unwrap_or_default();
                Some(format!(
                    "{table}: row [{}] differs in {col}: live {} vs replay {}",
                    describe(l),
                    lv.as_deref().unwrap_or("NULL"),
                    rv.as_deref().unwrap_or("NULL")
                ))
            }
            _ => None,
        };
        if difference.is_some() {
            return Ok((rows, difference));
        }
        rows += 1;
    }
}

/// The rows of `sql`, each as its columns' text, streamed.
fn rows_as_text<'a>(
    db: &'a Db,
    sql: &'a str,
) -> futures::stream::BoxStream<'a, Result<Vec<Option<String>>, sqlx::Error>> {
    match db {
        Db::Sqlite(db) => sqlx::query(sql)
            .fetch(&db.read)
            .map_ok(|row| (0..row.len()).map(|i| row.get(i)).collect())
            .boxed(),
        Db::Postgres(db) => sqlx::query(sql)
            .fetch(&db.pool)
            .map_ok(|row| (0..row.len()).map(|i| row.get(i)).collect())
            .boxed(),
    }
}
