//! The lexer: tokens with their 1-based columns.

use super::{Op, QueryError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Op(Op),
    LParen,
    RParen,
    Comma,
}

/// Tokens with their 1-based columns; the end of input is `len + 1`.
pub(super) fn lex(src: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
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
