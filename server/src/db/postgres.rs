//! PostgreSQL: one pool shared by every part of a node, the schema of
//! `migrations/postgres` applied at start-up.

use sqlx::PgConnection;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, Postgres};
use sqlx::query::Query;
use std::str::FromStr;
use std::time::Duration;

use super::{Arg, DbError, Row, Sql};

/// Connections per node: the appends of different projects run side by
/// side, each on a connection of its own.
const MAX_CONNECTIONS: u32 = 24;
/// How long a start-up waits for the server (and a request for a connection).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct PgDb {
    pub pool: PgPool,
}

impl PgDb {
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let shown = redacted(url);
        let open_err = |source| DbError::Reach {
            url: shown.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(open_err)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|source| DbError::Migrate {
                path: shown.clone(),
                source,
            })?;
        Ok(Self { pool })
    }
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some((userinfo, host)) = rest[..authority_end].rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..]),
        None => url.to_owned(),
    }
}

fn bind<'q>(q: Query<'q, Postgres, PgArguments>, arg: Arg) -> Query<'q, Postgres, PgArguments> {
    match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Real(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bytes(v) => q.bind(v),
        Arg::Texts(v) => q.bind(v),
    }
}

/// One statement for PostgreSQL, its values bound.
pub(super) fn query(text: &str, args: Vec<Arg>) -> Query<'_, Postgres, PgArguments> {
    args.into_iter().fold(sqlx::query(text), bind)
}

/// Rows of `sql`, one statement, from the pool.
pub(super) async fn fetch_all(pool: &PgPool, sql: &Sql) -> Result<Vec<Row>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    fetch_all_on(&mut conn, sql).await
}

/// Rows of the batch's last statement (the ones before it run first).
pub(super) async fn fetch_all_on(
    conn: &mut PgConnection,
    sql: &Sql,
) -> Result<Vec<Row>, sqlx::Error> {
    let mut rows = Vec::new();
    for (text, args) in sql.for_postgres() {
        rows = query(&text, args).fetch_all(&mut *conn).await?;
    }
    Ok(rows.into_iter().map(Row::Postgres).collect())
}

/// Runs the statements on `conn`, in order; the rows they changed.
pub async fn execute_on(conn: &mut PgConnection, sql: &Sql) -> Result<u64, sqlx::Error> {
    let mut changed = 0;
    for (text, args) in sql.for_postgres() {
        changed += query(&text, args)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

/// Runs the statements on `conn` in one round trip, as a script of
/// literal statements ([`Sql::to_postgres_script`]). A text PostgreSQL
/// cannot hold fails here as its bound value would.
pub async fn execute_script_on(conn: &mut PgConnection, sql: &Sql) -> Result<(), sqlx::Error> {
    let script = sql.to_postgres_script().map_err(|_| {
        sqlx::Error::Protocol("a text value holds a NUL character, which PostgreSQL refuses".into())
    })?;
    // A query without arguments goes as a simple Query message: all its
    // statements in one round trip.
    sqlx::Executor::execute(&mut *conn, script.as_str()).await?;
    Ok(())
}

/// Runs the batch; several statements run in one transaction.
pub(super) async fn execute(pool: &PgPool, sql: &Sql) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let changed = execute_on(&mut tx, sql).await?;
    tx.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_never_shown() {
        use super::redacted;
        assert_eq!(
            redacted("postgres://kanri:s3cret@db:5432/kanri"),
            "postgres://kanri:***@db:5432/kanri"
        );
        assert_eq!(redacted("postgres://kanri@db/k"), "postgres://kanri@db/k");
        assert_eq!(redacted("postgres://db/k"), "postgres://db/k");
    }
}
