//! Export and import: the whole workspace as JSON lines, the backup format
//! and the way to move between engines (`./kanri export > kanri.jsonl`,
//! `./kanri import kanri.jsonl`).
//!
//! A file is a header line, then one line per stored row of the tables that
//! cannot be rebuilt: accounts, API tokens and share links (kept as hashes,
//! as in the database), webhooks (their signing secrets included: the file
//! is as sensitive as the database) and their deliveries, the commands'
//! kept answers, and the event log in sequence order, each event exactly as
//! stored. Import loads a file into an empty database of either engine, then
//! rebuilds every projection from the log. Sessions and idempotent answers
//! are not moved: users sign in again.

use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};

use crate::db::{Db, DbError, Sql};
use crate::store::{Store, StoreError};
use crate::subscribers;

/// The format this code writes and reads.
const FORMAT: u64 = 1;
/// Rows per read while exporting and per statement while importing.
const CHUNK: usize = 500;
/// The longest line an import reads (an event's payload is far smaller).
const MAX_LINE: usize = 16 * 1024 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    /// Stored as bytes, written as lower-case hex.
    Bytes,
}
use Kind::*;

/// A table moved, its columns and how rows are ordered (the key).
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    key: &'static str,
}

const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("name", Text),
            ("email", Text),
            ("display_name", Text),
            ("password_hash", Text),
            ("created_ms", Int),
        ],
        key: "name",
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("user", Text),
            ("name", Text),
            ("token_sha256", Bytes),
            ("created_ms", Int),
            ("expires_ms", Int),
            ("last_used_ms", Int),
            ("revoked_ms", Int),
            ("scope", Text),
        ],
        key: "id",
    },
    Table {
        name: "share_links",
        columns: &[
            ("id", Int),
            ("project", Text),
            ("token_sha256", Bytes),
            ("label", Text),
            ("created_by", Text),
            ("created_ms", Int),
            ("expires_ms", Int),
            ("revoked_by", Text),
            ("revoked_ms", Int),
            ("last_used_ms", Int),
        ],
        key: "id",
    },
    Table {
        name: "webhooks",
        columns: &[
            ("id", Int),
            ("project", Text),
            ("url", Text),
            ("events", Text),
            ("secret", Text),
            ("created_by", Text),
            ("created_ms", Int),
            ("after_seq", Int),
            ("deleted_by", Text),
            ("deleted_ms", Int),
        ],
        key: "id",
    },
    Table {
        name: "webhook_deliveries",
        columns: &[
            ("id", Int),
            ("webhook", Int),
            ("seq", Int),
            ("event_type", Text),
            ("body", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_attempt_ms", Int),
            ("last_status", Int),
            ("last_error", Text),
            ("last_attempt_ms", Int),
            ("created_ms", Int),
            ("last_failure", Text),
        ],
        key: "id",
    },
    Table {
        name: "commands",
        columns: &[
            ("command_id", Text),
            ("project", Text),
            ("actor", Text),
            ("outcome", Text),
            ("at_ms", Int),
        ],
        key: "command_id",
    },
    Table {
        name: "events",
        columns: &[
            ("seq", Int),
            ("project", Text),
            ("stream", Text),
            ("version", Int),
            ("event_type", Text),
            ("schema_version", Int),
            ("payload", Text),
            ("actor", Text),
            ("at_ms", Int),
            ("command_id", Text),
        ],
        key: "seq",
    },
];

/// Tables with an identity column on PostgreSQL, set past the imported ids.
const IDENTITIES: &[&str] = &[
    "api_tokens",
    "share_links",
    "webhooks",
    "webhook_deliveries",
];

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("cannot write the export: {0}")]
    Write(#[source] std::io::Error),
    #[error("cannot read the file: {0}")]
    Read(#[source] std::io::Error),
    #[error("line {line}: {message}")]
    Bad { line: usize, message: String },
    #[error(
        "the database is not empty ({events} events, {accounts} accounts): import needs an empty one"
    )]
    NotEmpty { events: i64, accounts: i64 },
}

/// What an export or import moved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Rows by table, in the order of the file.
    pub rows: Vec<(String, u64)>,
}

fn quoted(column: &str) -> String {
    format!("\"{column}\"")
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Writes every moved table of `db` to `out`, a header line first: one
/// consistent snapshot, with the events up to the last one settled when it
/// began (on PostgreSQL an append still in flight could otherwise leave a
/// hole below a later event; see `store`).
pub async fn export(db: &Db, out: &mut impl Write) -> Result<Moved, TransferError> {
    let head_sql = match db.engine() {
        crate::db::Engine::Sqlite => "SELECT COALESCE(MAX(seq), 0) FROM events",
        crate::db::Engine::Postgres => "SELECT kanri_settled_seq()",
    };
    // Read before the snapshot is taken, so every event up to it is in it.
    let head = db.fetch_all(&Sql::new(head_sql)).await?[0].int(0)?;
    let mut tx = db.snapshot().await?;
    let header = json!({ "kanri_export": FORMAT, "events_up_to": head });
    writeln!(out, "{header}").map_err(TransferError::Write)?;
    let mut moved = Moved::default();
    for table in TABLES {
        let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
        // Byte order on both engines, so paging by key is exact.
        let key = match db.engine() {
            crate::db::Engine::Postgres if table.key != "seq" && table.key != "id" => {
                format!("{} COLLATE \"C\"", quoted(table.key))
            }
            _ => quoted(table.key),
        };
        let mut after: Option<Value> = None;
        let mut count = 0;
        loop {
            let mut sql = Sql::new(format!(
                "SELECT {} FROM {} WHERE 1 = 1",
                columns.join(", "),
                table.name
            ));
            if table.name == "events" {
                sql.push(" AND seq <= ").push_bind(head);
            }
            match &after {
                Some(Value::Number(n)) => {
                    sql.push(format!(" AND {key} > ")).push_bind(n.as_i64());
                }
                Some(Value::String(s)) => {
                    sql.push(format!(" AND {key} > ")).push_bind(s.as_str());
                }
                _ => {}
            }
            sql.push(format!(" ORDER BY {key} LIMIT {CHUNK}"));
            let rows = tx.conn().fetch_all(&sql).await?;
            for row in &rows {
                let mut fields = Map::new();
                for (i, (column, kind)) in table.columns.iter().enumerate() {
                    let value = match kind {
                        Int => row.opt_int(i)?.map(Value::from),
                        Text => row.opt_text(i)?.map(Value::from),
                        Bytes => row.opt_bytes(i)?.map(|b| Value::from(to_hex(&b))),
                    };
                    fields.insert((*column).into(), value.unwrap_or(Value::Null));
                }
                after = fields.get(table.key).cloned();
                let line = json!({ "table": table.name, "row": fields });
                writeln!(out, "{line}").map_err(TransferError::Write)?;
                count += 1;
            }
            if rows.len() < CHUNK {
                break;
            }
        }
        moved.rows.push((table.name.to_owned(), count));
    }
    out.flush().map_err(TransferError::Write)?;
    tx.commit().await?;
    Ok(moved)
}

/// Loads an export into the empty database behind `store`, then rebuilds
/// every projection from the log and brings the subscribers up to it.
pub async fn import(store: &Store, input: impl BufRead) -> Result<Moved, TransferError> {
    let db = store.db();
    let counts = db
        .fetch_all(&Sql::new(
            "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM users)",
        ))
        .await?;
    let (events, accounts) = (counts[0].int(0)?, counts[0].int(1)?);
    if events > 0 || accounts > 0 {
        return Err(TransferError::NotEmpty { events, accounts });
    }
    let mut tx = db.begin().await?;
    let mut moved = Moved {
        rows: TABLES.iter().map(|t| (t.name.to_owned(), 0)).collect(),
    };
    let mut pending: Option<(&Table, Vec<Map<String, Value>>)> = None;
    let mut number = 0;
    let bad = |line: usize, message: String| TransferError::Bad { line, message };
    for text in input.lines() {
        let text = text.map_err(TransferError::Read)?;
        number += 1;
        if text.len() > MAX_LINE {
            return Err(bad(number, format!("longer than {MAX_LINE} bytes")));
        }
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| bad(number, format!("not a JSON line: {e}")))?;
        if number == 1 {
            match value.get("kanri_export").and_then(Value::as_u64) {
                Some(FORMAT) => continue,
                Some(other) => {
                    return Err(bad(1, format!("format {other}; this Kanri reads {FORMAT}")));
                }
                None => return Err(bad(1, "not a Kanri export (no header)".into())),
            }
        }
        let name = value["table"].as_str().unwrap_or_default();
        let table = TABLES
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| bad(number, format!("unknown table {name:?}")))?;
        let Some(Value::Object(row)) = value.get("row") else {
            return Err(bad(number, "no row".into()));
        };
        if pending
            .as_ref()
            .is_some_and(|(t, rows)| t.name != table.name || rows.len() >= CHUNK)
            && let Some((t, rows)) = pending.take()
        {
            insert(&mut tx, t, &rows, &mut moved).await?;
        }
        check(table, row).map_err(|message| bad(number, message))?;
        pending
            .get_or_insert_with(|| (table, Vec::new()))
            .1
            .push(row.clone());
    }
    if number == 0 {
        return Err(bad(1, "the file is empty".into()));
    }
    if let Some((t, rows)) = pending.take() {
        insert(&mut tx, t, &rows, &mut moved).await?;
    }
    if let crate::db::Tx::Postgres(_) = tx {
        let mut counters = Sql::new(
            "SELECT setval('events_seq', GREATEST((SELECT MAX(seq) FROM events), 1), (SELECT MAX(seq) FROM events) IS NOT NULL)",
        );
        for table in IDENTITIES {
            counters.end().push(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)"
            ));
        }
        tx.conn().execute(&counters).await?;
    }
    tx.conn()
        .execute(&Sql::new(
            "INSERT INTO projection_rebuilds (reason, requested_ms) VALUES ('imported', 0)",
        ))
        .await?;
    tx.commit().await?;
    if let Db::Sqlite(sqlite) = db {
        sqlite.writer().await?.resync_seq().await?;
    }
    store.rebuild_if_requested().await?;
    for sub in subscribers::all() {
        while subscribers::step(store, sub.as_ref(), None).await? > 0 {}
    }
    Ok(moved)
}

/// Every column of the table, of its kind or null, and nothing else.
fn check(table: &Table, row: &Map<String, Value>) -> Result<(), String> {
    if let Some(extra) = row
        .keys()
        .find(|k| !table.columns.iter().any(|(c, _)| c == k))
    {
        return Err(format!("{} has no column {extra:?}", table.name));
    }
    for (column, kind) in table.columns {
        let fits = match (row.get(*column).unwrap_or(&Value::Null), kind) {
            (Value::Null, _) => true,
            (Value::Number(n), Int) => n.is_i64(),
            (Value::String(_), Text) => true,
            (Value::String(s), Bytes) => from_hex(s).is_some(),
            _ => false,
        };
        if !fits {
            return Err(format!("{}.{column} is not a valid value", table.name));
        }
    }
    Ok(())
}

async fn insert(
    tx: &mut crate::db::Tx,
    table: &Table,
    rows: &[Map<String, Value>],
    moved: &mut Moved,
) -> Result<(), TransferError> {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let mut sql = Sql::new(format!(
        "INSERT INTO {} ({}) ",
        table.name,
        columns.join(", ")
    ));
    sql.push_values(rows, |b, row| {
        for (column, kind) in table.columns {
            let value = row.get(*column).unwrap_or(&Value::Null);
            match kind {
                Int => b.bind(value.as_i64()),
                Text => b.bind(value.as_str()),
                Bytes => b.bind(value.as_str().and_then(from_hex)),
            };
        }
    });
    tx.conn().execute(&sql).await?;
    if let Some((_, n)) = moved.rows.iter_mut().find(|(name, _)| name == table.name) {
        *n += rows.len() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let bytes = [0u8, 1, 127, 128, 255];
        assert_eq!(from_hex(&to_hex(&bytes)).unwrap(), bytes);
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn rows_must_fit_their_table() {
        let users = &TABLES[0];
        let mut row = Map::new();
        row.insert("name".into(), json!("ada"));
        row.insert("created_ms".into(), json!(1));
        assert!(check(users, &row).is_ok());
        row.insert("created_ms".into(), json!("yesterday"));
        assert!(check(users, &row).unwrap_err().contains("users.created_ms"));
        row.insert("created_ms".into(), json!(1));
        row.insert("is_admin".into(), json!(true));
        assert!(check(users, &row).unwrap_err().contains("is_admin"));
    }
}
