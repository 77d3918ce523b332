//! Statements sent to PostgreSQL as one script, their values written in as
//! literals (the append's projection rows and answer): hostile text comes
//! back exactly as it went in and never runs as SQL.

use server::db::{Conn, Db, Sql};

/// Texts that would break out of a naively quoted literal, and others.
fn hostile_texts() -> Vec<String> {
    let mut texts: Vec<String> = [
        "plain",
        "",
        "it's",
        "''",
        "\\",
        "\\'); DROP TABLE kept; --",
        "E'\\x41'",
        "$$ $tag$ dollar $$",
        "line\nbreak\ttab\r",
        "\\u0041 \\n \\t",
        "ünïcödé 日本語 🦀",
        "'; SELECT pg_sleep(10); --",
        "\u{1}\u{7f}\u{200b}",
    ]
    .map(String::from)
    .into();
    // Every printable ASCII character and a few beyond, in every position.
    let alphabet: Vec<char> = (32u8..127)
        .map(char::from)
        .chain(['é', '€', '\u{10ffff}'])
        .collect();
    for (i, c) in alphabet.iter().enumerate() {
        let next = alphabet[(i * 7 + 3) % alphabet.len()];
        texts.push(format!("{c}{next}\\{c}'{next}"));
    }
    texts
}

#[tokio::test]
async fn a_script_stores_hostile_text_exactly_and_runs_none_of_it() {
    let db = Db::open(&crate::common::fresh_postgres().await)
        .await
        .expect("PostgreSQL opens");
    let Db::Postgres(pg) = &db else {
        panic!("a PostgreSQL database")
    };
    let mut conn = pg.pool.acquire().await.unwrap();
    let mut conn = Conn::Postgres(&mut conn);
    conn.execute(&Sql::new(
        "CREATE TABLE kept (n BIGINT PRIMARY KEY, t TEXT, ts TEXT[], r DOUBLE PRECISION, b BYTEA)",
    ))
    .await
    .unwrap();

    let texts = hostile_texts();
    let mut script = Sql::default();
    for (n, text) in texts.iter().enumerate() {
        script
            .push("INSERT INTO kept (n, t, ts, r, b) VALUES (")
            .push_bind(n as i64)
            .push(", ")
            .push_bind(text.as_str())
            .push(", ")
            .push_bind(server::db::Arg::Texts(vec![text.clone(), "x".into()]))
            .push(", ")
            .push_bind(n as f64 / 3.0)
            .push(", ")
            .push_bind(text.as_bytes().to_vec())
            .push(")")
            .end();
    }
    conn.execute_at_once(&script)
        .await
        .expect("the script runs");

    // Read back with bound values, not literals.
    let rows = conn
        .fetch_all(&Sql::new("SELECT n, t, ts, r, b FROM kept ORDER BY n"))
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        texts.len(),
        "every row, and the table is still there"
    );
    for (n, (row, text)) in rows.iter().zip(&texts).enumerate() {
        let server::db::Row::Postgres(row) = row else {
            panic!("a PostgreSQL row")
        };
        use sqlx::Row as _;
        assert_eq!(row.get::<String, _>("t"), *text, "row {n}");
        assert_eq!(
            row.get::<Vec<String>, _>("ts"),
            vec![text.clone(), "x".into()]
        );
        assert_eq!(row.get::<f64, _>("r"), n as f64 / 3.0);
        assert_eq!(row.get::<Vec<u8>, _>("b"), text.as_bytes());
    }

    // A NUL, which PostgreSQL text cannot hold, is refused before sending.
    let nul = Sql::new("INSERT INTO kept (n, t) VALUES (1000, ")
        .bind("a\0'); DROP TABLE kept; --")
        .then(")");
    conn.execute_at_once(&nul)
        .await
        .expect_err("a NUL is refused");
    let count = conn
        .fetch_all(&Sql::new("SELECT count(*) AS n FROM kept"))
        .await
        .unwrap();
    assert_eq!(count[0].int("n").unwrap(), texts.len() as i64);
}
