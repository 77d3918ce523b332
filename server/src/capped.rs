//! The capped secret resources (API tokens, share links, webhooks): each
//! owner may hold a bounded number of live ones. Counting and inserting
//! are one statement, `INSERT … SELECT … WHERE (SELECT COUNT(*) …) < cap`,
//! and racing creations for one owner are serialized, so the count each
//! one sees includes every row inserted before it: SQLite takes its write
//! lock before a writing statement reads anything; on PostgreSQL the
//! statement runs after a transaction lock on the owner. A count followed
//! by a separate insert would let two requests both see `cap - 1` and both
//! insert.

use crate::db::{Db, Sql, Values};

/// How many live rows of a table one owner may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    /// The table, e.g. `api_tokens`.
    pub table: &'static str,
    /// The column naming the owner, e.g. `"user"` or `project`.
    pub owner: &'static str,
    /// The condition a live row meets, e.g. `revoked_ms IS NULL`.
    pub live: &'static str,
    pub max: i64,
    /// What the rows are, plural, for the message: `API tokens`.
    pub what: &'static str,
    /// Who holds them, for the message: `an account`.
    pub holder: &'static str,
    /// The form field a refusal is reported on (the one naming the new row).
    pub field: &'static str,
}

/// Why a capped resource could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum CapError {
    #[error("{} may have at most {} {}", .0.holder, .0.max, .0.what)]
    TooMany(Cap),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Inserts one row into `cap.table` for `owner` unless they already hold
/// `cap.max` live ones, and returns its id. `columns` names the columns
/// (comma separated) and `values` binds one value for each, in order.
#[tracing::instrument(skip(db, columns, values), fields(table = cap.table, max = cap.max))]
pub async fn insert(
    db: &Db,
    cap: &Cap,
    owner: &str,
    columns: &str,
    values: impl FnOnce(&mut Values<'_>),
) -> Result<i64, CapError> {
    let mut sql = Sql::new(format!("INSERT INTO {} ({columns}) SELECT ", cap.table));
    values(&mut sql.separated());
    sql.push(format!(
        " WHERE (SELECT COUNT(*) FROM {} WHERE {} = ",
        cap.table, cap.owner
    ))
    .push_bind(owner)
    .push(format!(" AND {}) < ", cap.live))
    .push_bind(cap.max)
    .push(" RETURNING id");
    let rows = match db {
        Db::Sqlite(_) => db.write_returning(&sql).await?,
        Db::Postgres(_) => {
            let mut tx = db.begin().await?;
            let turn = Sql::query("SELECT pg_advisory_xact_lock(hashtextextended(?, 1))")
                .arg(format!("{}/{owner}", cap.table));
            tx.conn().fetch_all(&turn).await?;
            let rows = tx.conn().fetch_all(&sql).await?;
            tx.commit().await?;
            rows
        }
    };
    match rows.first() {
        Some(row) => Ok(row.int("id")?),
        None => Err(CapError::TooMany(*cap)),
    }
}
