//! Identifiers and small value types. Each one parses from untrusted input
//! exactly once; holding a value of the type is the proof that it is valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::error::ParseError;

/// Implements `Display`, `FromStr` and string-based serde for a newtype whose
/// canonical form is a string, so stored JSON and URLs use one spelling.
macro_rules! string_form {
    ($ty:ty) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.canonical())
            }
        }
        impl FromStr for $ty {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse(s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.canonical())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(super) use string_form;

/// A project key such as `ABC`: 2–10 uppercase ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectKey(String);

impl ProjectKey {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok_len = (Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len());
        if ok_len && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::ProjectKey(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(ProjectKey);

/// Trims `raw` and checks it is non-empty and at most `max` characters.
fn bounded_text(raw: &str, max: usize, what: &'static str) -> Result<String, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty(what.into()));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ParseError::TooLong {
            what: what.into(),
            max,
            len,
        });
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(ParseError::ControlCharacter(what.into()));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                bounded_text(raw, Self::MAX_CHARS, $what).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            fn canonical(&self) -> String {
                self.0.clone()
            }
        }
        string_form!($name);
    };
}

text_newtype!(
    /// A project's display name, trimmed, 1–80 characters.
    ProjectName,
    80,
    "project name"
);
text_newtype!(
    /// An issue's summary line, trimmed, 1–255 characters.
    Title,
    255,
    "title"
);
text_newtype!(
    /// A workflow status (board column) name, 1–40 characters.
    StatusName,
    40,
    "status name"
);
text_newtype!(
    /// A sprint's name, 1–80 characters.
    SprintName,
    80,
    "sprint name"
);
text_newtype!(
    /// A person's name as shown (profile), 1–60 characters.
    DisplayName,
    60,
    "display name"
);
text_newtype!(
    /// A saved filter's name, 1–60 characters.
    FilterName,
    60,
    "filter name"
);

/// Free text (description, sprint goal): may be empty, bounded in size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 32_000;
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let len = raw.chars().count();
        if len > Self::MAX_CHARS {
            return Err(ParseError::TooLong {
                what: "text".into(),
                max: Self::MAX_CHARS,
                len,
            });
        }
        Ok(Self(raw.trim_end().to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for LongText {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}
impl From<LongText> for String {
    fn from(t: LongText) -> String {
        t.0
    }
}

/// A user's handle, the actor recorded on every event: 1–32 of `a-z 0-9 _ . -`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if (1..=32).contains(&raw.len()) && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::UserName(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Up to two letters for an avatar: `alice` → `AL`, `mary.jones` → `MJ`.
    pub fn initials(&self) -> String {
        let parts: Vec<&str> = self
            .0
            .split(['.', '_', '-'])
            .filter(|p| !p.is_empty())
            .collect();
        let letters: String = match parts.as_slice() {
            [first, second, ..] => first
                .chars()
                .take(1)
                .chain(second.chars().take(1))
                .collect(),
            _ => self.0.chars().take(2).collect(),
        };
        letters.to_uppercase()
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(UserName);

/// A label: 1–40 characters, no whitespace (as in Jira).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        if (1..=40).contains(&raw.chars().count()) && !raw.chars().any(char::is_whitespace) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::Label(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(Label);

/// The per-project issue counter value: the `123` in `ABC-123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssueNumber(pub u32);

impl fmt::Display for IssueNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An issue key such as `ABC-123`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssueKey {
    pub project: ProjectKey,
    pub number: IssueNumber,
}

impl IssueKey {
    pub fn new(project: ProjectKey, number: IssueNumber) -> Self {
        Self { project, number }
    }
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::IssueKey(raw.to_owned());
        let (project, number) = raw.split_once('-').ok_or_else(bad)?;
        let project = ProjectKey::parse(project).map_err(|_| bad())?;
        let digits_only = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        let number: u32 = if digits_only {
            number.parse().map_err(|_| bad())?
        } else {
            0
        };
        if number == 0 {
            return Err(bad());
        }
        Ok(Self {
            project,
            number: IssueNumber(number),
        })
    }
    fn canonical(&self) -> String {
        format!("{}-{}", self.project, self.number)
    }
}
string_form!(IssueKey);

/// A workflow status's stable id within its project (names can be renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusId(pub u32);

/// A sprint's number within its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SprintNumber(pub u32);

/// Client-chosen id of one command; a repeat of it is answered from the
/// record of the first, so offline replays and retries are safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(pub uuid::Uuid);

impl CommandId {
    /// Builds an id from 16 random bytes (the caller owns the entropy source,
    /// so this module stays free of I/O).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The largest position in the event log (a global sequence number or a
/// stream version) a client may name: what SQLite's signed integers hold.
pub const MAX_LOG_POSITION: u64 = i64::MAX as u64;

/// A log position a client sent (`after`, `at`), refused beyond
/// [`MAX_LOG_POSITION`] rather than wrapped into a negative number.
pub fn log_position(raw: u64) -> Result<u64, ParseError> {
    if raw <= MAX_LOG_POSITION {
        Ok(raw)
    } else {
        Err(ParseError::LogPositionOutOfRange(raw))
    }
}

/// A worklog's number within its issue: 1, 2, 3…
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorklogNumber(pub u32);
