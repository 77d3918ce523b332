//! SQL for either engine: statements built from text and bound values,
//! rendered for the engine that runs them. SQLite takes a whole batch as one
//! string with `?` placeholders (one round trip to its worker thread);
//! PostgreSQL's extended protocol takes one statement at a time, numbered
//! `$1, $2, …`. Code that builds SQL writes it once, with [`Sql::push_bind`]
//! where a value goes and [`Sql::end`] between statements.

/// A bound value. The few types the schema uses; `None` is SQL `NULL`.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    /// A PostgreSQL `text[]` (SQLite gets it as a JSON array).
    Texts(Vec<String>),
}

macro_rules! arg_from {
    ($variant:ident: $($t:ty => $conv:expr),* $(,)?) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self { Arg::$variant(Some(($conv)(v))) }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Self { Arg::$variant(v.map($conv)) }
        }
    )*};
}
arg_from!(Int: i64 => |v| v, i32 => i64::from, u32 => i64::from, bool => i64::from);
arg_from!(Real: f64 => |v| v);
arg_from!(Text: String => |v| v, &str => str::to_owned);
arg_from!(Bytes: Vec<u8> => |v| v, &[u8] => <[u8]>::to_vec);

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Arg(Arg),
    /// A `?` of [`Sql::query`] not yet given its value.
    Hole,
    /// The end of one statement.
    End,
}

/// One or more SQL statements with their bound values.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    parts: Vec<Part>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            parts: vec![Part::Text(text.into())],
        }
    }

    /// SQL written with `?` for each value (portable: rendered per engine),
    /// the values given in order by [`Sql::arg`].
    pub fn query(text: &str) -> Self {
        let mut sql = Self::default();
        for (i, piece) in text.split('?').enumerate() {
            if i > 0 {
                sql.parts.push(Part::Hole);
            }
            sql.push(piece);
        }
        sql
    }

    /// The value of the next `?` of [`Sql::query`].
    pub fn arg(mut self, value: impl Into<Arg>) -> Self {
        let hole = self
            .parts
            .iter_mut()
            .find(|p| matches!(p, Part::Hole))
            .expect("a ? for every arg");
        *hole = Part::Arg(value.into());
        self
    }

    /// Appends SQL text (never a value from outside: use `push_bind`).
    pub fn push(&mut self, text: impl AsRef<str>) -> &mut Self {
        match self.parts.last_mut() {
            Some(Part::Text(t)) => t.push_str(text.as_ref()),
            _ => self.parts.push(Part::Text(text.as_ref().to_owned())),
        }
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn push_bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.parts.push(Part::Arg(value.into()));
        self
    }

    /// `value` bound, builder style: `Sql::new("… WHERE id = ").bind(id)`.
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.push_bind(value);
        self
    }

    /// Text appended, builder style.
    pub fn then(mut self, text: impl AsRef<str>) -> Self {
        self.push(text);
        self
    }

    /// Ends the current statement; what is pushed next starts another.
    pub fn end(&mut self) -> &mut Self {
        if !matches!(self.parts.last(), None | Some(Part::End)) {
            self.parts.push(Part::End);
        }
        self
    }

    /// Appends `VALUES (…), (…)`: one parenthesised row per item, its
    /// values added by `row` through [`Values::bind`].
    pub fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(&mut Values<'_>, T),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            row(
                &mut Values {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    /// Values appended with `, ` between them (no parentheses).
    pub fn separated(&mut self) -> Values<'_> {
        Values {
            sql: self,
            first: true,
        }
    }

    /// Whether nothing but whitespace was pushed.
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| match p {
            Part::Text(t) => t.trim().is_empty(),
            Part::Arg(_) | Part::Hole => false,
            Part::End => true,
        })
    }

    /// How many statements the batch holds.
    pub fn statements(&self) -> usize {
        let mut count = 0;
        let mut open = false;
        for part in &self.parts {
            match part {
                Part::Text(t) if t.trim().is_empty() => {}
                Part::Text(_) | Part::Arg(_) | Part::Hole => open = true,
                Part::End => count += usize::from(std::mem::take(&mut open)),
            }
        }
        count + usize::from(open)
    }

    /// The whole batch for SQLite: statements joined by `;`, `?` for each value.
    pub fn for_sqlite(&self) -> (String, Vec<Arg>) {
        let mut text = String::new();
        let mut args = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Arg(a) => {
                    text.push('?');
                    args.push(a.clone());
                }
                Part::End => text.push_str("; "),
                Part::Hole => panic!("a ? without its arg in {text}"),
            }
        }
        (text, args)
    }

    /// The statements as one script for PostgreSQL's simple query protocol,
    /// their values written in as literals ([`super::literal`]): several
    /// statements in one round trip, as sqlx has no pipelining.
    pub fn to_postgres_script(&self) -> Result<String, super::literal::NulInText> {
        let mut script = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => script.push_str(t),
                Part::Arg(a) => super::literal::push_literal(&mut script, a)?,
                Part::End => script.push_str(";\n"),
                Part::Hole => panic!("a ? without its arg in {script}"),
            }
        }
        Ok(script)
    }

    /// The statements for PostgreSQL, one by one, each numbering its values
    /// from `$1`.
    pub fn for_postgres(&self) -> Vec<(String, Vec<Arg>)> {
        let mut statements = Vec::new();
        let (mut text, mut args) = (String::new(), Vec::new());
        for part in &self.parts {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Arg(a) => {
                    args.push(a.clone());
                    text.push_str(&format!("${}", args.len()));
                }
                Part::Hole => panic!("a ? without its arg in {text}"),
                Part::End => {
                    if !text.trim().is_empty() {
                        statements.push((std::mem::take(&mut text), std::mem::take(&mut args)));
                    }
                }
            }
        }
        if !text.trim().is_empty() {
            statements.push((text, args));
        }
        statements
    }
}

/// The values of one row in [`Sql::push_values`].
pub struct Values<'a> {
    sql: &'a mut Sql,
    first: bool,
}

impl Values<'_> {
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> Sql {
        let mut sql = Sql::new("INSERT INTO t (a, b) ");
        sql.push_values([(1_i64, "x"), (2, "y")], |row, (a, b)| {
            row.bind(a).bind(b);
        });
        sql.end();
        sql.push("UPDATE u SET c = ")
            .push_bind(Option::<i64>::None)
            .push(" WHERE d = ")
            .push_bind("z");
        sql
    }

    #[test]
    fn sqlite_gets_one_batch_with_question_marks() {
        let (text, args) = batch().for_sqlite();
        assert_eq!(
            text,
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?); UPDATE u SET c = ? WHERE d = ?"
        );
        assert_eq!(args.len(), 6);
        assert_eq!(args[4], Arg::Int(None));
    }

    #[test]
    fn postgres_gets_statements_numbered_from_one() {
        let statements = batch().for_postgres();
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[0].0,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(statements[1].0, "UPDATE u SET c = $1 WHERE d = $2");
        assert_eq!(statements[1].1, vec![Arg::Int(None), Arg::from("z")]);
    }

    #[test]
    fn question_marks_take_their_args_in_order() {
        let sql = Sql::query("UPDATE t SET a = ? WHERE b = ? AND c = ?")
            .arg(1_i64)
            .arg("x")
            .arg(Option::<String>::None);
        assert_eq!(
            sql.for_postgres()[0].0,
            "UPDATE t SET a = $1 WHERE b = $2 AND c = $3"
        );
        assert_eq!(
            sql.for_sqlite().0,
            "UPDATE t SET a = ? WHERE b = ? AND c = ?"
        );
    }

    #[test]
    fn empty_statements_are_dropped_and_ends_do_not_repeat() {
        let mut sql = Sql::default();
        sql.end().end();
        assert!(sql.is_empty());
        assert!(sql.for_postgres().is_empty());
        sql.push("SELECT 1").end().end();
        assert_eq!(sql.for_sqlite().0, "SELECT 1; ");
    }
}
