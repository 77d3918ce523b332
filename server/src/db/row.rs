//! A row read from either engine, with typed getters that name the column
//! in their error. PostgreSQL is strict about integer widths (an `INTEGER`
//! column is not an `i64`); the getters widen, so callers ask for `i64`.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Row as _};

/// A column by name or by position.
pub trait Col: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + Copy + std::fmt::Display {}
impl Col for &str {}
impl Col for usize {}

pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub fn opt_int(&self, col: impl Col) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r
                .try_get::<Option<i64>, _>(col)
                .or_else(|_| r.try_get::<Option<i32>, _>(col).map(|v| v.map(i64::from)))
                .or_else(|_| r.try_get::<Option<i16>, _>(col).map(|v| v.map(i64::from))),
        }
    }

    pub fn int(&self, col: impl Col) -> Result<i64, sqlx::Error> {
        self.opt_int(col)?.ok_or_else(|| null(col))
    }

    pub fn opt_text(&self, col: impl Col) -> Result<Option<String>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }

    pub fn text(&self, col: impl Col) -> Result<String, sqlx::Error> {
        self.opt_text(col)?.ok_or_else(|| null(col))
    }

    pub fn opt_bytes(&self, col: impl Col) -> Result<Option<Vec<u8>>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }

    pub fn bytes(&self, col: impl Col) -> Result<Vec<u8>, sqlx::Error> {
        self.opt_bytes(col)?.ok_or_else(|| null(col))
    }

    pub fn opt_real(&self, col: impl Col) -> Result<Option<f64>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }
}

fn null(col: impl Col) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: "unexpected NULL".into(),
    }
}
