//! Search over the `issues` projection: a parsed query becomes one SQL
//! statement with bound parameters over indexed columns, the label table and
//! the trigram text index.
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
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

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
        state: &ProjectState,
        query: &Query,
        me: &UserName,
        limit: usize,
    ) -> Result<Self, QueryError> {
        let compiler = Compiler::new(state, me)?;
        let count = compiler.filtered("SELECT COUNT(*)", query.filter.as_ref())?;
        let mut page = compiler.filtered("SELECT doc", query.filter.as_ref())?;
        page.push(" ORDER BY ");
        // Rank decides (ranks are unique), so terms after it are dropped and
        // the rank index can serve the order; the number breaks any tie.
        let decisive = query.order.iter().position(|(f, _)| *f == QField::Rank);
        let terms = &query.order[..decisive.map_or(query.order.len(), |i| i + 1)];
        for (field, desc) in terms {
            order_term(&mut page, compiler.project, *field);
            page.push(if *desc { " DESC, " } else { " ASC, " });
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
        state: &ProjectState,
        filter: Option<&Expr>,
        narrowing: &Narrowing,
        me: &UserName,
        limit: usize,
    ) -> Result<Self, QueryError> {
        let compiler = Compiler::new(state, me)?;
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
    pub async fn run(mut self, db: &SqlitePool) -> Result<(Vec<Issue>, usize), StoreError> {
        let rows = self.page.build().fetch_all(db).await?;
        let issues = rows
            .iter()
            .map(|r| serde_json::from_str(r.get::<&str, _>("doc")))
            .collect::<Result<Vec<Issue>, _>>()
            .map_err(StoreError::corrupt("issue row"))?;
        // A short page is the whole answer; only a full one needs counting.
        let total = match &mut self.count {
            Some(count) if issues.len() >= self.limit => {
                let n: i64 = count.build_query_scalar().fetch_one(db).await?;
                n as usize
            }
            _ => issues.len(),
        };
        Ok((issues, total))
    }

    /// The page's statement, for tests and `EXPLAIN QUERY PLAN`.
    pub fn sql(&self) -> &str {
        self.page.sql()
    }

    /// The count's statement: the filter alone (none for a listing).
    pub fn count_sql(&self) -> Option<&str> {
        self.count.as_ref().map(|c| c.sql())
    }
}

fn unsupported(message: &str) -> QueryError {
    QueryError {
        column: 1,
        message: message.into(),
    }
}

struct Compiler<'a> {
    state: &'a ProjectState,
    project: &'a Project,
    me: &'a UserName,
}

impl<'a> Compiler<'a> {
    fn new(state: &'a ProjectState, me: &'a UserName) -> Result<Self, QueryError> {
        let Some(project) = &state.project else {
            return Err(unsupported("the project does not exist"));
        };
        Ok(Self { state, project, me })
    }

    /// `select` over the project's issues matching `filter`.
    fn filtered(&self, select: &str, filter: Option<&Expr>) -> Result<Sql, QueryError> {
        let mut sql = QueryBuilder::new(select);
        sql.push(" FROM issues WHERE project = ")
            .push_bind(self.project.key.to_string());
        if let Some(filter) = filter {
            sql.push(" AND ");
            self.expr(&mut sql, filter)?;
        }
        Ok(sql)
    }
}

type Sql = QueryBuilder<'static, Sqlite>;

/// `column IN (?, ?, …)`, false for a NULL column (so `NOT` stays exact),
/// or a constant false for no values.
fn push_in<T>(sql: &mut Sql, column: &str, values: Vec<T>)
where
    T: 'static + Send + sqlx::Encode<'static, Sqlite> + sqlx::Type<Sqlite>,
{
    if values.is_empty() {
        sql.push("0");
        return;
    }
    sql.push(format!("({column} IS NOT NULL AND {column} IN ("));
    let mut list = sql.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    sql.push("))");
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
            Expr::Compare(f, op, v) => {
                match op {
                    Op::Eq | Op::Ne => {
                        sql.push(if *op == Op::Eq { "(" } else { "(NOT " });
                        self.equals_any(sql, *f, &[value_text(v, self.me)]);
                        sql.push(")");
                    }
                    Op::Contains | Op::NotContains if *f == QField::Text => {
                        let needle = value_text(v, self.me).to_lowercase();
                        sql.push(if *op == Op::Contains { "(" } else { "(NOT " });
                        sql.push("instr(search_text, ").push_bind(needle.clone());
                        sql.push(") > 0");
                        if *op == Op::Contains && needle.chars().count() >= TRIGRAM {
                            // The exact test above decides; the index narrows the rows.
                            sql.push(" AND rowid IN (SELECT rowid FROM issue_text WHERE issue_text MATCH ")
                            .push_bind(format!("\"{}\"", needle.replace('"', "\"\"")))
                            .push(")");
                        }
                        sql.push(")");
                    }
                    Op::Contains | Op::NotContains => {
                        return Err(unsupported("~ works on text only"));
                    }
                    Op::Gt | Op::Ge | Op::Lt | Op::Le => self.ordering(sql, *f, *op, v),
                }
            }
        }
        Ok(())
    }

    /// Whether one of the field's texts equals one of `wants`.
    fn equals_any(&self, sql: &mut Sql, f: QField, wants: &[String]) {
        let any = |have: &str| wants.iter().any(|w| text_equals(f, have, w));
        let key = &self.project.key;
        match f {
            QField::Project => {
                sql.push(if any(key.as_str()) { "1" } else { "0" });
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
                push_in(sql, "l.label COLLATE NOCASE", wants.to_vec());
                sql.push(")");
            }
            QField::Text => {
                // Rare, so read from the stored document rather than indexed.
                sql.push("(");
                let mut any_of = sql.separated(" OR ");
                for w in wants {
                    any_of
                        .push("title || char(10) || COALESCE(json_extract(doc, '$.description'), '') = ")
                        .push_bind_unseparated(w.clone())
                        .push_unseparated(" COLLATE NOCASE");
                }
                if wants.is_empty() {
                    any_of.push("0");
                }
                sql.push(")");
            }
            QField::Rank => {
                sql.push("0");
            }
        }
    }

    /// `points > 3`, `priority >= High`: points compared as numbers, a
    /// priority resolved to the set of priorities that satisfy it.
    fn ordering(&self, sql: &mut Sql, f: QField, op: Op, v: &QValue) {
        let Some(want) = numeric_operand(f, v, self.me).filter(|w| !w.is_nan()) else {
            sql.push("0");
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
        QField::Rank => "1",
        QField::Project
        | QField::Key
        | QField::Status
        | QField::Reporter
        | QField::Type
        | QField::Priority
        | QField::Text => "0",
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
