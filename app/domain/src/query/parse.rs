//! The recursive-descent parser: `OR` binds loosest, then `AND`, then `NOT`.
//! It recurses once per parenthesis or `NOT`, so their nesting is bounded
//! ([`MAX_NESTING`]); chains of `AND`/`OR` are built as balanced trees, so
//! the evaluator and the SQL compiler, which recurse too, stay shallow.

use super::lex::{Tok, lex};
use super::{Expr, MAX_NESTING, MAX_QUERY_CHARS, Op, QField, QValue, Query, QueryError};

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    /// Parentheses and `NOT`s open around the current position.
    depth: usize,
}

/// Joins `terms` pairwise, level by level, into a balanced tree: a chain of
/// n clauses is about log2(n) deep instead of n. `AND` and `OR` are
/// associative, so the grouping changes no answer.
fn balanced(mut terms: Vec<Expr>, join: fn(Box<Expr>, Box<Expr>) -> Expr) -> Expr {
    while terms.len() > 1 {
        let mut joined = Vec::with_capacity(terms.len().div_ceil(2));
        let mut rest = terms.into_iter();
        while let Some(left) = rest.next() {
            joined.push(match rest.next() {
                Some(right) => join(Box::new(left), Box::new(right)),
                None => left,
            });
        }
        terms = joined;
    }
    terms.pop().expect("a chain has at least one term")
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
        let mut terms = vec![self.and()?];
        while self.eat_keyword("OR") {
            terms.push(self.and()?);
        }
        Ok(balanced(terms, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut terms = vec![self.not()?];
        while self.eat_keyword("AND") {
            terms.push(self.not()?);
        }
        Ok(balanced(terms, Expr::And))
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        let opens = self.keyword("NOT") || self.peek() == Some(&Tok::LParen);
        if !opens {
            return self.clause();
        }
        if self.depth == MAX_NESTING {
            return self.err(format!(
                "nested too deeply (at most {MAX_NESTING} levels of parentheses and NOT)"
            ));
        }
        self.depth += 1;
        let nested = self.nested();
        self.depth -= 1;
        nested
    }

    /// `NOT x` or `( x )`, one level deeper.
    fn nested(&mut self) -> Result<Expr, QueryError> {
        if self.eat_keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.eat(&Tok::LParen);
        let inner = self.or()?;
        if !self.eat(&Tok::RParen) {
            return self.err("expected ')' to close the '('");
        }
        Ok(inner)
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

/// Parses a whole query: an optional filter, then an optional ORDER BY.
pub(super) fn query(src: &str) -> Result<Query, QueryError> {
    if src.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError {
            column: MAX_QUERY_CHARS + 1,
            message: format!("a query is at most {MAX_QUERY_CHARS} characters"),
        });
    }
    let toks = lex(src)?;
    let end = src.chars().count() + 1;
    let mut p = Parser {
        toks,
        pos: 0,
        end,
        depth: 0,
    };
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
    Ok(Query { filter, order })
}
