//! Search over the `issues` projection: a parsed query becomes one SQL
//! statement with bound parameters over indexed columns, the label table and
//! the trigram text index.
//!
//! The statement is written for the engine it runs on (`Engine`): text
//! search uses SQLite's FTS5 trigram index or PostgreSQL's pg_trgm, and
//! case-insensitive equality folds ASCII only on both, as SQLite's NOCASE
//! does.
//!
//! Every clause is matched through `kanri_domain::query_values`, the same
//! functions the in-memory evaluator uses; a field with a small closed set of
//! values (status, type, priority, sprint) is resolved to that set here, from
//! the project's catalogue. Each clause yields 0 or 1, never NULL, so `NOT`
//! keeps its two-valued meaning.

use kanri_domain::query_values::{
    key_number, numeric_holds, numeric_operand, priority_number, sprint_texts, text_equals,
    type_texts, value_text,
};
use kanri_domain::*;

use crate::db::{Db, Engine, Sql};

use super::StoreError;
use super::projection::enum_name as serde_name;

/// A search ready to run: the page's statement and, for a search (not a
/// listing), the count's.
pub struct SearchSql {
    page: Sql,
    count: Option<Sql>,
    limit: usize,
}

/// Needles shorter than this cannot use the trigram index.
const TRIGRAM: usize = 3;

/// A listing's narrowing beyond a query's filter: each one present must
/// hold. Listings are in rank order (the number breaks ties).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub status: Option<StatusId>,
    /// The assignee's exact user name; `Some(None)`: unassigned issues only.
    pub assignee: Option<Option<String>>,
    pub sprint: Option<SprintNumber>,
    /// Only the issues placed after this one: its rank and number.
    pub after: Option<(String, IssueNumber)>,
}

impl SearchSql {
    /// Compiles `query` for the issues of `state`'s project, `limit` at most.
    /// `Err` names a clause the query language never produces (the parser
    /// rejects `~` on a field other than text).
    pub fn compile(
        engine: Engine,
        state: &ProjectState,
        query: &Query,
        me: &UserName,
        limit: usize,
    ) -> Result<Self, QueryError> {
        let compiler = Compiler::new(engine, state, me)?;
        let count = compiler.filtered("SELECT COUNT(*)", query.filter.as_ref())?;
        let mut page = compiler.filtered("SELECT doc", query.filter.as_ref())?;
        page.push(" ORDER BY ");
        // Rank decides (ranks are unique), so terms after it are dropped and
        // the rank index can serve the order; the number breaks any tie.
        let decisive = query.order.iter().position(|(f, _)| *f == QField::Rank);
        let terms = &query.order[..decisive.map_or(query.order.len(), |i| i + 1)];
        for (field, desc) in terms {
            order_term(&mut page, compiler.project, *field);
            // Explicit, as the evaluator sorts: the engines differ by default.
            page.push(if *desc {
                " DESC NULLS LAST, "
            } else {
                " ASC NULLS FIRST, "
            });
        }
        if decisive.is_none() {
            page.push("rank ASC, ");
        }
        page.push("number ASC LIMIT ").push_bind(limit as i64);
        Ok(Self {
            page,
            count: Some(count),
            limit,
        })
    }

    /// Compiles a listing: the issues matching `filter` (all without one)
    /// and `narrowing`, in rank order, `limit` at most. Its run counts
    /// nothing: a page asks for one more than it shows to know whether
    /// more follow.
    pub fn listing(
        engine: Engine,
        state: &ProjectState,
        filter: Option<&Expr>,
        narrowing: &Narrowing,
        me: &UserName,
        limit: usize,
    ) -> Result<Self, QueryError> {
        let compiler = Compiler::new(engine, state, me)?;
        let mut page = compiler.filtered("SELECT doc", filter)?;
        if let Some(status) = narrowing.status {
            page.push(" AND status = ").push_bind(i64::from(status.0));
        }
        match &narrowing.assignee {
            Some(Some(user)) => {
                page.push(" AND assignee = ").push_bind(user.clone());
            }
            Some(None) => {
                page.push(" AND assignee IS NULL");
            }
            None => {}
        }
        if let Some(sprint) = narrowing.sprint {
            page.push(" AND sprint = ").push_bind(i64::from(sprint.0));
        }
        if let Some((rank, number)) = &narrowing.after {
            page.push(" AND (rank > ")
                .push_bind(rank.clone())
                .push(" OR (rank = ")
                .push_bind(rank.clone())
                .push(" AND number > ")
                .push_bind(i64::from(number.0))
                .push("))");
        }
        page.push(" ORDER BY rank ASC, number ASC LIMIT ")
            .push_bind(limit as i64);
        Ok(Self {
            page,
            count: None,
            limit,
        })
    }

    /// The matching issues (at most the limit) and how many matched in all.
    pub async fn run(self, db: &Db) -> Result<(Vec<Issue>, usize), StoreError> {
        let mut issues = Vec::new();
        for row in db.fetch_all(&self.page).await? {
            let issue = serde_json::from_str(&row.text("doc")?)
                .map_err(StoreError::corrupt("issue row"))?;
            issues.push(issue);
        }
        // A short page is the whole answer; only a full one needs counting.
        let total = match &self.count {
            Some(count) if issues.len() >= self.limit => {
                db.fetch_all(count).await?[0].int(0)? as usize
            }
            _ => issues.len(),
        };
        Ok((issues, total))
    }

    /// The page's statement (as SQLite gets it), for tests and `EXPLAIN QUERY PLAN`.
    pub fn sql(&self) -> String {
        self.page.for_sqlite().0
    }

    /// The count's statement: the filter alone (none for a listing).
    pub fn count_sql(&self) -> Option<String> {
        self.count.as_ref().map(|c| c.for_sqlite().0)
    }
}

fn unsupported(message: &str) -> QueryError {
    QueryError {
        column: 1,
        message: message.into(),
    }
}

struct Compiler<'a> {
    engine: Engine,
    state: &'a ProjectState,
    project: &'a Project,
    me: &'a UserName,
}

impl<'a> Compiler<'a> {
    fn new(engine: Engine, state: &'a ProjectState, me: &'a UserName) -> Result<Self, QueryError> {
        let Some(project) = &state.project else {
            return Err(unsupported("the project does not exist"));
        };
        Ok(Self {
            engine,
            state,
            project,
            me,
        })
    }

    /// `select` over the project's issues matching `filter`.
    fn filtered(&self, select: &str, filter: Option<&Expr>) -> Result<Sql, QueryError> {
        let mut sql = Sql::new(select);
        sql.push(" FROM issues WHERE project = ")
            .push_bind(self.project.key.to_string());
        if let Some(filter) = filter {
            sql.push(" AND ");
            self.expr(&mut sql, filter)?;
        }
        Ok(sql)
    }
}

/// `column IN (?, ?, …)`, false for a NULL column (so `NOT` stays exact),
/// or a constant false for no values.
fn push_in<T: Into<crate::db::Arg>>(sql: &mut Sql, column: &str, values: Vec<T>) {
    if values.is_empty() {
        sql.push(FALSE);
        return;
    }
    sql.push(format!("({column} IS NOT NULL AND {column} IN ("));
    let mut list = sql.separated();
    for v in values {
        list.bind(v);
    }
    sql.push("))");
}

/// Constant truth values both engines read as booleans.
const FALSE: &str = "(1 = 0)";
const TRUE: &str = "(1 = 1)";

/// `text` with ASCII letters lower-cased (SQLite's NOCASE; PostgreSQL's
/// `lower` would fold every script).
fn ascii_fold(engine: Engine, text: &str) -> String {
    match engine {
        Engine::Sqlite => format!("({text} COLLATE NOCASE)"),
        Engine::Postgres => format!("ascii_lower({text})"),
    }
}

impl Compiler<'_> {
    fn expr(&self, sql: &mut Sql, e: &Expr) -> Result<(), QueryError> {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => {
                sql.push("(");
                self.expr(sql, a)?;
                sql.push(if matches!(e, Expr::And(..)) {
                    " AND "
                } else {
                    " OR "
                });
                self.expr(sql, b)?;
                sql.push(")");
            }
            Expr::Not(a) => {
                sql.push("(NOT ");
                self.expr(sql, a)?;
                sql.push(")");
            }
            Expr::Empty(f, empty) => {
                sql.push(if *empty { "(" } else { "(NOT " });
                empty_test(sql, *f);
                sql.push(")");
            }
            Expr::In(f, values, inside) => {
                let wants: Vec<String> = values.iter().map(|v| value_text(v, self.me)).collect();
                sql.push(if *inside { "(" } else { "(NOT " });
                self.equals_any(sql, *f, &wants);
                sql.push(")");
            }
            Expr::Compare(f, op, v) => match op {
                Op::Eq | Op::Ne => {
                    sql.push(if *op == Op::Eq { "(" } else { "(NOT " });
                    self.equals_any(sql, *f, &[value_text(v, self.me)]);
                    sql.push(")");
                }
                Op::Contains | Op::NotContains if *f == QField::Text => {
                    let needle = value_text(v, self.me).to_lowercase();
                    sql.push(if *op == Op::Contains { "(" } else { "(NOT " });
                    self.contains(sql, &needle, *op == Op::Contains);
                    sql.push(")");
                }
                Op::Contains | Op::NotContains => {
                    return Err(unsupported("~ works on text only"));
                }
                Op::Gt | Op::Ge | Op::Lt | Op::Le => self.ordering(sql, *f, *op, v),
            },
        }
        Ok(())
    }

    /// `search_text` holds `needle`. The exact test decides; for a
    /// positive test, the trigram index narrows the rows first.
    fn contains(&self, sql: &mut Sql, needle: &str, use_index: bool) {
        let use_index = use_index && needle.chars().count() >= TRIGRAM;
        match self.engine {
            Engine::Sqlite => {
                sql.push("instr(search_text, ")
                    .push_bind(needle)
                    .push(") > 0");
                if use_index {
                    sql.push(" AND rowid IN (SELECT rowid FROM issue_text WHERE issue_text MATCH ")
                        .push_bind(format!("\"{}\"", needle.replace('"', "\"\"")))
                        .push(")");
                }
            }
            Engine::Postgres => {
                sql.push("strpos(search_text, ")
                    .push_bind(needle)
                    .push(") > 0");
                if use_index {
                    let escaped = needle
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    sql.push(" AND search_text LIKE ")
                        .push_bind(format!("%{escaped}%"));
                }
            }
        }
    }

    /// Whether one of the field's texts equals one of `wants`.
    fn equals_any(&self, sql: &mut Sql, f: QField, wants: &[String]) {
        let any = |have: &str| wants.iter().any(|w| text_equals(f, have, w));
        let key = &self.project.key;
        match f {
            QField::Project => {
                sql.push(if any(key.as_str()) { TRUE } else { FALSE });
            }
            QField::Key | QField::Epic => {
                let numbers = wants
                    .iter()
                    .filter_map(|w| key_number(key, w))
                    .map(|n| i64::from(n.0))
                    .collect();
                let column = if f == QField::Key { "number" } else { "parent" };
                push_in(sql, column, numbers);
            }
            QField::Status => {
                let ids = self
                    .project
                    .statuses
                    .iter()
                    .filter(|s| any(s.name.as_str()))
                    .map(|s| i64::from(s.id.0))
                    .collect();
                push_in(sql, "status", ids);
            }
            // User names are lower-case ASCII, so ASCII-folding the wanted
            // name makes a plain comparison exact.
            QField::Assignee | QField::Reporter => {
                let names = wants.iter().map(|w| w.to_ascii_lowercase()).collect();
                let column = if f == QField::Assignee {
                    "assignee"
                } else {
                    "reporter"
                };
                push_in(sql, column, names);
            }
            QField::Type => {
                let types = IssueType::ALL
                    .into_iter()
                    .filter(|t| type_texts(*t).iter().any(|t| any(t)))
                    .map(|t| serde_name(&t))
                    .collect();
                push_in(sql, "issue_type", types);
            }
            QField::Priority => {
                let priorities = Priority::ALL
                    .into_iter()
                    .filter(|p| any(p.label()))
                    .map(|p| p as i64)
                    .collect();
                push_in(sql, "priority", priorities);
            }
            QField::Points => {
                // Points print one way, so a wanted text matches only the
                // value it parses to, and only if it prints back the same.
                let tenths = wants
                    .iter()
                    .filter_map(|w| Points::parse(w).ok().filter(|p| any(&p.to_string())))
                    .map(|p| i64::from(p.tenths()))
                    .collect();
                push_in(sql, "points", tenths);
            }
            QField::Sprint => {
                let mut numbers: Vec<i64> = self
                    .state
                    .sprints
                    .keys()
                    .filter(|n| sprint_texts(self.state, **n).iter().any(|t| any(t)))
                    .map(|n| i64::from(n.0))
                    .collect();
                // An issue may name a sprint the catalogue lacks: its number still matches.
                numbers.extend(
                    wants
                        .iter()
                        .filter_map(|w| w.parse::<u32>().ok().filter(|n| n.to_string() == *w))
                        .map(i64::from),
                );
                push_in(sql, "sprint", numbers);
            }
            QField::Label => {
                sql.push(
                    "EXISTS (SELECT 1 FROM issue_labels l WHERE l.project = issues.project \
                     AND l.number = issues.number AND ",
                );
                let label = ascii_fold(self.engine, "l.label");
                let folded = wants.iter().map(|w| w.to_ascii_lowercase()).collect();
                push_in(sql, &label, folded);
                sql.push(")");
            }
            QField::Text => {
                // Rare, so read from the stored document rather than indexed.
                let whole = match self.engine {
                    Engine::Sqlite => {
                        "title || char(10) || COALESCE(json_extract(doc, '$.description'), '')"
                    }
                    Engine::Postgres => {
                        "title || chr(10) || COALESCE(doc::jsonb ->> 'description', '')"
                    }
                };
                let whole = ascii_fold(self.engine, whole);
                sql.push("(");
                for (i, w) in wants.iter().enumerate() {
                    if i > 0 {
                        sql.push(" OR ");
                    }
                    sql.push(format!("{whole} = "))
                        .push_bind(w.to_ascii_lowercase());
                }
                if wants.is_empty() {
                    sql.push(FALSE);
                }
                sql.push(")");
            }
            QField::Rank => {
                sql.push(FALSE);
            }
        }
    }

    /// `points > 3`, `priority >= High`: points compared as numbers, a
    /// priority resolved to the set of priorities that satisfy it.
    fn ordering(&self, sql: &mut Sql, f: QField, op: Op, v: &QValue) {
        let Some(want) = numeric_operand(f, v, self.me).filter(|w| !w.is_nan()) else {
            sql.push(FALSE);
            return;
        };
        if f == QField::Points {
            let cmp = match op {
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            sql.push(format!("(points IS NOT NULL AND points / 10.0 {cmp} "))
                .push_bind(want)
                .push(")");
        } else {
            let priorities = Priority::ALL
                .into_iter()
                .filter(|p| numeric_holds(op, priority_number(*p), want))
                .map(|p| p as i64)
                .collect();
            push_in(sql, "priority", priorities);
        }
    }
}

/// Whether the field has no value. NULL-safe: `IS NULL` is 0 or 1.
fn empty_test(sql: &mut Sql, f: QField) {
    sql.push(match f {
        QField::Assignee => "assignee IS NULL",
        QField::Points => "points IS NULL",
        QField::Sprint => "sprint IS NULL",
        QField::Epic => "parent IS NULL",
        QField::Label => {
            "NOT EXISTS (SELECT 1 FROM issue_labels l WHERE l.project = issues.project \
             AND l.number = issues.number)"
        }
        QField::Rank => TRUE,
        QField::Project
        | QField::Key
        | QField::Status
        | QField::Reporter
        | QField::Type
        | QField::Priority
        | QField::Text => FALSE,
    });
}

/// The sort key of a field, ascending as the in-memory evaluator sorts.
fn order_term(sql: &mut Sql, project: &Project, f: QField) {
    match f {
        QField::Rank => {
            sql.push("rank");
        }
        QField::Key | QField::Project => {
            sql.push("number");
        }
        // Ascending goes from the lowest priority up.
        QField::Priority => {
            sql.push("-priority");
        }
        QField::Points => {
            sql.push("points");
        }
        QField::Status => {
            // The workflow's order; a status it lacks sorts first.
            sql.push("CASE status");
            for (pos, s) in project.statuses.iter().enumerate() {
                sql.push(format!(" WHEN {} THEN {pos}", s.id.0));
            }
            sql.push(" END");
        }
        QField::Assignee => {
            sql.push("assignee");
        }
        QField::Reporter => {
            sql.push("reporter");
        }
        QField::Type => {
            sql.push("CASE issue_type");
            for t in IssueType::ALL {
                sql.push(format!(" WHEN '{}' THEN {}", serde_name(&t), t as i64));
            }
            sql.push(" END");
        }
        QField::Sprint => {
            sql.push("sprint");
        }
        QField::Epic => {
            sql.push("parent");
        }
        QField::Label | QField::Text => {
            sql.push("title");
        }
    }
}
