//! Kanri's query language, a small JQL:
//! `project = ABC AND status IN ("To Do", "In Progress") AND assignee =
//! currentUser() AND points >= 3 AND text ~ "login" ORDER BY rank`.
//! Fields, `= != > >= < <= ~ !~`, `IN`/`NOT IN`, `IS [NOT] EMPTY`, `AND`,
//! `OR`, `NOT`, parentheses and `ORDER BY field [ASC|DESC], …`. Keywords and
//! field names are case-insensitive; an error names the column it is at.

use serde::{Deserialize, Serialize};

use super::ids::UserName;
use super::model::{Issue, ProjectState};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;

/// How deeply parentheses and `NOT` may nest. The parser, the evaluator and
/// the SQL compiler recurse once per level, so a query must not choose how
/// deep; 32 is far more than a hand-written filter needs.
pub const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("column {column}: {message}")]
pub struct QueryError {
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QField {
    Project,
    Key,
    Status,
    Assignee,
    Reporter,
    Type,
    Priority,
    Points,
    Label,
    Sprint,
    Epic,
    Text,
    Rank,
}

impl QField {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "project" => Self::Project,
            "key" | "issue" => Self::Key,
            "status" => Self::Status,
            "assignee" => Self::Assignee,
            "reporter" => Self::Reporter,
            "type" | "issuetype" => Self::Type,
            "priority" => Self::Priority,
            "points" | "storypoints" => Self::Points,
            "label" | "labels" => Self::Label,
            "sprint" => Self::Sprint,
            "epic" | "parent" => Self::Epic,
            "text" | "summary" | "title" => Self::Text,
            "rank" => Self::Rank,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
    NotContains,
}

/// A value in a clause: text, a number or `currentUser()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QValue {
    Text(String),
    Number(f64),
    CurrentUser,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    Compare(QField, Op, QValue),
    In(QField, Vec<QValue>, bool),
    Empty(QField, bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub filter: Option<Expr>,
    /// Fields to sort by, `true` for descending; rank when empty.
    pub order: Vec<(QField, bool)>,
}

mod eval;
mod lex;
mod parse;
#[cfg(test)]
mod tests;
pub mod values;

use eval::{compare, eval};

impl Query {
    pub fn parse(src: &str) -> Result<Self, QueryError> {
        parse::query(src)
    }

    /// The issues of `state` that match, sorted as asked (rank by default).
    pub fn run<'a>(&self, state: &'a ProjectState, me: &UserName) -> Vec<&'a Issue> {
        let mut hits: Vec<&Issue> = state
            .issues
            .values()
            .filter(|i| self.filter.as_ref().is_none_or(|e| eval(e, i, state, me)))
            .collect();
        hits.sort_by(|a, b| {
            self.order
                .iter()
                .map(|(f, desc)| {
                    let o = compare(*f, a, b, state);
                    if *desc { o.reverse() } else { o }
                })
                .find(|o| o.is_ne())
                .unwrap_or_else(|| a.rank.cmp(&b.rank))
        });
        hits
    }
}
