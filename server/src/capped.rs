//! The capped secret resources (API tokens, share links, webhooks): each
//! owner may hold a bounded number of live ones. Counting and inserting
//! are one statement, `INSERT … SELECT … WHERE (SELECT COUNT(*) …) < cap`:
//! SQLite takes the write lock before a writing statement reads anything,
//! so racing creations are serialized and the count each one sees includes
//! every row inserted before it. A count followed by a separate insert
//! would let two requests both see `cap - 1` and both insert.

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// How many live rows of a table one owner may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    /// The table, e.g. `api_tokens`.
    pub table: &'static str,
    /// The column naming the owner, e.g. `user` or `project`.
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
    db: &SqlitePool,
    cap: &Cap,
    owner: &str,
    columns: &str,
    values: impl FnOnce(&mut Separated<'_, 'static, Sqlite, &'static str>),
) -> Result<i64, CapError> {
    let mut sql: QueryBuilder<'static, Sqlite> =
        QueryBuilder::new(format!("INSERT INTO {} ({columns}) SELECT ", cap.table));
    values(&mut sql.separated(", "));
    sql.push(format!(
        " WHERE (SELECT COUNT(*) FROM {} WHERE {} = ",
        cap.table, cap.owner
    ))
    .push_bind(owner.to_owned())
    .push(format!(" AND {}) < ", cap.live))
    .push_bind(cap.max)
    .push(" RETURNING id");
    sql.build_query_scalar::<i64>()
        .fetch_optional(db)
        .await?
        .ok_or(CapError::TooMany(*cap))
}
