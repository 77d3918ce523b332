//! Comments on an issue, the `@mentions` in them, and the watchers.
//! Only a comment's author or a project admin may edit or delete it: the
//! service checks that in `member::authorize`, before `decide`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::error::ParseError;
use super::ids::*;
use super::time::UtcTime;

/// Comments per issue.
pub const MAX_COMMENTS: usize = 10_000;

/// A comment's Markdown source: trimmed, 1–10,000 characters; line breaks
/// and tabs are allowed, other control characters are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommentBody(String);

impl CommentBody {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(ParseError::Empty("comment".into()));
        }
        let len = text.chars().count();
        if len > Self::MAX_CHARS {
            return Err(ParseError::TooLong {
                what: "comment".into(),
                max: Self::MAX_CHARS,
                len,
            });
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(ParseError::ControlCharacter("comment".into()));
        }
        Ok(Self(text.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CommentBody {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<CommentBody> for String {
    fn from(b: CommentBody) -> String {
        b.0
    }
}

/// A comment's number within its issue: 1, 2, 3…
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommentNumber(pub u32);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub number: CommentNumber,
    pub author: UserName,
    pub posted: UtcTime,
    pub body: CommentBody,
    /// When it was last edited, if ever.
    #[serde(default)]
    pub edited: Option<UtcTime>,
}

/// Where `@name` mentions sit in `text`: byte ranges of the whole token
/// (the `@` included) with the name. A mention starts a word (so e-mail
/// addresses are not mentions) and a trailing full stop ends a sentence.
pub fn mention_spans(text: &str) -> Vec<(std::ops::Range<usize>, UserName)> {
    let name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
    let mut spans = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts_word = previous.is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
        previous = Some(c);
        if c != '@' || !starts_word {
            continue;
        }
        let rest = &text[at + 1..];
        let len = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
        let name = rest[..len].trim_end_matches(['.', '-']);
        if let Ok(user) = UserName::parse(name) {
            spans.push((at..at + 1 + name.len(), user));
        }
    }
    spans
}

/// The users `text` mentions, whether or not they are members.
pub fn mentions(text: &str) -> BTreeSet<UserName> {
    mention_spans(text).into_iter().map(|(_, u)| u).collect()
}
