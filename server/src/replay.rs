//! `replay --verify`: rebuild every projection from the log into a fresh
//! database and compare it, table by table and row by row, with the live one.

use futures::{StreamExt, TryStreamExt};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::db::{Conn, DatabaseUrl, Db, DbError};
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
        let (rows, difference) = compare_table(
            &live.db().sqlite().read,
            &fresh.db().sqlite().read,
            table,
            &key,
        )
        .await?;
        report.tables.push((table.to_string(), rows));
        if difference.is_some() {
            report.first_difference = difference;
            break;
        }
    }
    fresh.db().close().await;
    Ok(report)
}

/// Copies every event row, in sequence order.
async fn copy_log(from: &Db, to: &Db) -> Result<(), ReplayError> {
    const CHUNK: usize = 500;
    let mut rows = sqlx::query("SELECT seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id FROM events ORDER BY seq")
        .fetch(&from.sqlite().read)
        .chunks(CHUNK);
    let mut writer = to.sqlite().writer().await?;
    let mut tx = writer.begin().await?;
    while let Some(chunk) = rows.next().await {
        let chunk: Vec<_> = chunk.into_iter().collect::<Result<_, _>>()?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO events (seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id) ",
        );
        q.push_values(&chunk, |mut b, r| {
            b.push_bind(r.get::<i64, _>(0))
                .push_bind(r.get::<String, _>(1))
                .push_bind(r.get::<String, _>(2))
                .push_bind(r.get::<i64, _>(3))
                .push_bind(r.get::<String, _>(4))
                .push_bind(r.get::<i64, _>(5))
                .push_bind(r.get::<String, _>(6))
                .push_bind(r.get::<String, _>(7))
                .push_bind(r.get::<i64, _>(8))
                .push_bind(r.get::<String, _>(9));
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    writer.resync_seq().await?;
    Ok(())
}

/// The table's columns, from the live schema.
async fn columns(pool: &SqlitePool, table: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        .bind(table)
        .fetch_all(pool)
        .await
}

/// Compares two tables row by row in a fixed order; returns the row count
/// and a description of the first difference.
async fn compare_table(
    live: &SqlitePool,
    fresh: &SqlitePool,
    table: &str,
    key: &str,
) -> Result<(u64, Option<String>), ReplayError> {
    let cols = columns(live, table).await?;
    let order = if key.is_empty() {
        cols.join(", ")
    } else {
        key.to_string()
    };
    let select = cols
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {select} FROM {table} ORDER BY {order}");
    let as_text = |row: sqlx::sqlite::SqliteRow| -> Vec<Option<String>> {
        (0..row.len()).map(|i| row.get(i)).collect()
    };
    let mut a = sqlx::query(&sql).fetch(live).map_ok(as_text);
    let mut b = sqlx::query(&sql).fetch(fresh).map_ok(as_text);
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
