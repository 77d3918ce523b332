//! Kanri's query language, a small JQL:
//! `project = ABC AND status IN ("To Do", "In Progress") AND assignee =
//! currentUser() AND points >= 3 AND text ~ "login" ORDER BY rank`.
//! Fields, `= != > >= < <= ~ !~`, `IN`/`NOT IN`, `IS [NOT] EMPTY`, `AND`,
//! `OR`, `NOT`, parentheses and `ORDER BY field [ASC|DESC], …`. Keywords and
//! field names are case-insensitive; an error names the column it is at.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::ids::{IssueKey, UserName};
use super::model::{Issue, ProjectState};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;

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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Op(Op),
    LParen,
    RParen,
    Comma,
}

/// Tokens with their 1-based columns; the end of input is `len + 1`.
fn lex(src: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |i: usize, m: &str| QueryError {
        column: i + 1,
        message: m.into(),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = chars.get(i + 1).copied();
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '=' => Tok::Op(Op::Eq),
            '~' => Tok::Op(Op::Contains),
            '!' if two == Some('=') => {
                i += 1;
                Tok::Op(Op::Ne)
            }
            '!' if two == Some('~') => {
                i += 1;
                Tok::Op(Op::NotContains)
            }
            '>' | '<' => {
                let eq = two == Some('=');
                if eq {
                    i += 1;
                }
                Tok::Op(match (c, eq) {
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    ('<', false) => Op::Lt,
                    _ => Op::Le,
                })
            }
            '"' | '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "this quote is never closed")),
                        Some('\\') if chars.get(i + 1).is_some() => {
                            text.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(q) if *q == c => break,
                        Some(ch) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(text)
            }
            c if c.is_ascii_digit() => {
                let mut end = i;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                    end += 1;
                }
                let text: String = chars[i..end].iter().collect();
                // A key like ABC-1 never starts with a digit; 3.5 is a number.
                i = end - 1;
                Tok::Num(text.parse().map_err(|_| err(start, "not a number"))?)
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = i;
                while end < chars.len()
                    && (chars[end].is_alphanumeric() || matches!(chars[end], '_' | '-' | '.'))
                {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                i = end - 1;
                Tok::Word(word)
            }
            _ => return Err(err(start, &format!("unexpected character '{c}'"))),
        };
        out.push((tok, start + 1));
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn column(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, c)| *c)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, QueryError> {
        Err(QueryError {
            column: self.column(),
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn eat_keyword(&mut self, k: &str) -> bool {
        let hit = self.keyword(k);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat(&mut self, t: &Tok) -> bool {
        let hit = self.peek() == Some(t);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.eat_keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.eat(&Tok::LParen) {
            let inner = self.or()?;
            if !self.eat(&Tok::RParen) {
                return self.err("expected ')' to close the '('");
            }
            return Ok(inner);
        }
        self.clause()
    }

    fn field(&mut self) -> Result<QField, QueryError> {
        match self.peek() {
            Some(Tok::Word(w)) => match QField::parse(w) {
                Some(f) => {
                    self.pos += 1;
                    Ok(f)
                }
                None => self.err(format!(
                    "unknown field \"{w}\"; use project, key, status, assignee, reporter, type, priority, points, label, sprint, epic, text or rank"
                )),
            },
            _ => self.err("expected a field, such as status or assignee"),
        }
    }

    fn value(&mut self) -> Result<QValue, QueryError> {
        let v = match self.peek() {
            Some(Tok::Str(s)) => QValue::Text(s.clone()),
            Some(Tok::Num(n)) => QValue::Number(*n),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("currentUser") => {
                self.pos += 1;
                if !(self.eat(&Tok::LParen) && self.eat(&Tok::RParen)) {
                    return self.err("write currentUser()");
                }
                return Ok(QValue::CurrentUser);
            }
            Some(Tok::Word(w))
                if !["AND", "OR", "NOT", "ORDER", "IN", "IS"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                QValue::Text(w.clone())
            }
            _ => {
                return self
                    .err("expected a value: a word, \"quoted text\", a number or currentUser()");
            }
        };
        self.pos += 1;
        Ok(v)
    }

    fn clause(&mut self) -> Result<Expr, QueryError> {
        let field = self.field()?;
        if field == QField::Rank {
            return Err(QueryError {
                column: self.toks[self.pos - 1].1,
                message: "rank can only be used in ORDER BY".into(),
            });
        }
        if self.eat_keyword("IS") {
            let negated = self.eat_keyword("NOT");
            if !self.eat_keyword("EMPTY") {
                return self.err("expected EMPTY");
            }
            return Ok(Expr::Empty(field, !negated));
        }
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            if !self.eat(&Tok::LParen) {
                return self.err("expected '(' after IN");
            }
            let mut values = vec![self.value()?];
            while self.eat(&Tok::Comma) {
                values.push(self.value()?);
            }
            if !self.eat(&Tok::RParen) {
                return self.err("expected ',' or ')' in the IN list");
            }
            return Ok(Expr::In(field, values, !negated));
        }
        if negated {
            return self.err("expected IN after NOT");
        }
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            _ => return self.err("expected an operator: = != > >= < <= ~ !~ IN or IS"),
        };
        self.pos += 1;
        let numeric = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
        if numeric && !matches!(field, QField::Points | QField::Priority) {
            return Err(QueryError {
                column: self.toks[self.pos - 1].1,
                message: "> and < work on points and priority only".into(),
            });
        }
        if matches!(op, Op::Contains | Op::NotContains) && field != QField::Text {
            return Err(QueryError {
                column: self.toks[self.pos - 1].1,
                message: "~ works on text only".into(),
            });
        }
        Ok(Expr::Compare(field, op, self.value()?))
    }
}

impl Query {
    pub fn parse(src: &str) -> Result<Self, QueryError> {
        if src.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError {
                column: MAX_QUERY_CHARS + 1,
                message: format!("a query is at most {MAX_QUERY_CHARS} characters"),
            });
        }
        let toks = lex(src)?;
        let end = src.chars().count() + 1;
        let mut p = Parser { toks, pos: 0, end };
        let filter = if p.peek().is_none() || p.keyword("ORDER") {
            None
        } else {
            Some(p.or()?)
        };
        let mut order = Vec::new();
        if p.eat_keyword("ORDER") {
            if !p.eat_keyword("BY") {
                return p.err("expected BY after ORDER");
            }
            loop {
                let field = p.field()?;
                let desc = if p.eat_keyword("DESC") {
                    true
                } else {
                    p.eat_keyword("ASC");
                    false
                };
                order.push((field, desc));
                if !p.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        if p.peek().is_some() {
            return p.err("expected AND, OR or ORDER BY here");
        }
        Ok(Self { filter, order })
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

fn compare(f: QField, a: &Issue, b: &Issue, state: &ProjectState) -> Ordering {
    let status_index = |i: &Issue| {
        state
            .project
            .as_ref()
            .and_then(|p| p.statuses.iter().position(|s| s.id == i.status))
    };
    match f {
        QField::Rank => a.rank.cmp(&b.rank),
        QField::Key | QField::Project => a.key.number.cmp(&b.key.number),
        // Ascending goes from the lowest priority up, as in Jira.
        QField::Priority => b.priority.cmp(&a.priority),
        QField::Points => a.points.cmp(&b.points),
        QField::Status => status_index(a).cmp(&status_index(b)),
        QField::Assignee => a.assignee.cmp(&b.assignee),
        QField::Reporter => a.reporter.cmp(&b.reporter),
        QField::Type => a.issue_type.cmp(&b.issue_type),
        QField::Sprint => a.sprint.cmp(&b.sprint),
        QField::Epic => a.parent.cmp(&b.parent),
        QField::Label | QField::Text => a.title.as_str().cmp(b.title.as_str()),
    }
}

/// The issue's values of a field, as text, for `=` and `IN`.
fn texts(f: QField, i: &Issue, state: &ProjectState) -> Vec<String> {
    let one = |s: String| vec![s];
    match f {
        QField::Project => one(i.key.project.to_string()),
        QField::Key => one(i.key.to_string()),
        QField::Status => one(state
            .project
            .as_ref()
            .map(|p| p.status_name(i.status))
            .unwrap_or_default()),
        QField::Assignee => i.assignee.iter().map(|u| u.to_string()).collect(),
        QField::Reporter => one(i.reporter.to_string()),
        QField::Type => vec![
            i.issue_type.label().to_string(),
            format!("{:?}", i.issue_type),
        ],
        QField::Priority => one(i.priority.label().to_string()),
        QField::Points => i.points.iter().map(|p| p.to_string()).collect(),
        QField::Label => i.labels.iter().map(|l| l.to_string()).collect(),
        QField::Sprint => i
            .sprint
            .map(|n| {
                let name = state.sprints.get(&n).map(|s| s.name.to_string());
                let mut v = vec![n.0.to_string()];
                v.extend(name);
                v
            })
            .unwrap_or_default(),
        QField::Epic => i
            .parent
            .map(|p| vec![IssueKey::new(i.key.project.clone(), p).to_string()])
            .unwrap_or_default(),
        QField::Text => one(format!("{}\n{}", i.title, i.description.as_str())),
        QField::Rank => vec![],
    }
}

fn value_text(v: &QValue, me: &UserName) -> String {
    match v {
        QValue::Text(t) => t.clone(),
        QValue::Number(n) => format!("{n}"),
        QValue::CurrentUser => me.to_string(),
    }
}

fn eval(e: &Expr, i: &Issue, state: &ProjectState, me: &UserName) -> bool {
    let equals = |f: QField, v: &QValue| {
        let want = value_text(v, me);
        texts(f, i, state).iter().any(|t| {
            t.eq_ignore_ascii_case(&want)
                || (f == QField::Type
                    && t.replace('-', "")
                        .eq_ignore_ascii_case(&want.replace('-', "")))
        })
    };
    match e {
        Expr::And(a, b) => eval(a, i, state, me) && eval(b, i, state, me),
        Expr::Or(a, b) => eval(a, i, state, me) || eval(b, i, state, me),
        Expr::Not(a) => !eval(a, i, state, me),
        Expr::Empty(f, empty) => texts(*f, i, state).is_empty() == *empty,
        Expr::In(f, values, inside) => values.iter().any(|v| equals(*f, v)) == *inside,
        Expr::Compare(f, op, v) => match op {
            Op::Eq => equals(*f, v),
            Op::Ne => !equals(*f, v),
            Op::Contains | Op::NotContains => {
                let needle = value_text(v, me).to_lowercase();
                let found = texts(*f, i, state)
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle));
                found == (*op == Op::Contains)
            }
            Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                let (have, want) = match f {
                    QField::Points => (
                        i.points.map(|p| f64::from(p.tenths()) / 10.0),
                        match v {
                            QValue::Number(n) => Some(*n),
                            QValue::Text(t) => t.parse().ok(),
                            QValue::CurrentUser => None,
                        },
                    ),
                    // Higher priority is "greater": Highest > High > Medium.
                    _ => (
                        Some(-(i.priority as i32 as f64)),
                        super::model::Priority::ALL
                            .iter()
                            .find(|p| p.label().eq_ignore_ascii_case(&value_text(v, me)))
                            .map(|p| -(*p as i32 as f64)),
                    ),
                };
                match (have, want) {
                    (Some(h), Some(w)) => match op {
                        Op::Gt => h > w,
                        Op::Ge => h >= w,
                        Op::Lt => h < w,
                        _ => h <= w,
                    },
                    _ => false,
                }
            }
        },
    }
}
