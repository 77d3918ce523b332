//! How a signed-in caller authenticated: a browser session, or a personal
//! access token with its scope. The server's auth middleware puts it next
//! to the `Caller`; the adapters (server functions, REST extractors, the
//! board socket) ask it whether the request may write or needs a session.

use serde::{Deserialize, Serialize};

use super::ApiError;

/// What an API token may do, chosen when it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenScope {
    /// Reads only: every write is refused (403).
    Read,
    /// Reads and writes, with its owner's roles.
    ReadWrite,
}

impl TokenScope {
    /// The scope a new token gets when none is chosen: the owner's full
    /// rights, as tokens had before scopes existed.
    pub const DEFAULT: Self = Self::ReadWrite;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read-write",
        }
    }

    /// A scope from a form or the database: `read` or `read-write`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "read" => Ok(Self::Read),
            "read-write" => Ok(Self::ReadWrite),
            other => Err(format!(
                "\"{other}\" is not a token scope: choose read or read-write"
            )),
        }
    }
}

impl std::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the request's user authenticated (a request extension): so a use
/// case can require a browser session or a writing token, and a board
/// socket knows what must end it.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (signed in with a password), by its id.
    Session(String),
    /// `Authorization: Bearer kanri_…`: the token's id, its scope and the
    /// token as sent (a socket checks it again when tokens are revoked).
    Token {
        id: i64,
        scope: TokenScope,
        bearer: String,
    },
}

/// Never shows a token or session id, so neither can leak into a log line.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Session(_) => f.write_str("Credential::Session(…)"),
            Self::Token { id, scope, .. } => write!(f, "Credential::Token({id}, {scope})"),
        }
    }
}

impl Credential {
    /// Refuses what only a browser session may do (manage tokens, change
    /// the password): a leaked token must not be able to mint more tokens
    /// or lock its owner out. Gives the session's id.
    pub fn require_session(&self, what: &str) -> Result<&str, ApiError> {
        match self {
            Self::Session(id) => Ok(id),
            Self::Token { .. } => Err(ApiError::Forbidden(format!(
                "an API token cannot {what}: sign in with a browser session"
            ))),
        }
    }

    /// Refuses a write by a read-only token.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.may_write() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "this API token is read-only: create a read-write token to make changes".into(),
            ))
        }
    }

    /// Whether this credential may change anything.
    pub fn may_write(&self) -> bool {
        !matches!(
            self,
            Self::Token {
                scope: TokenScope::Read,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_token_may_not_write_and_no_token_is_a_session() {
        let token = |id, scope| Credential::Token {
            id,
            scope,
            bearer: format!("kanri_{id}"),
        };
        let read = token(1, TokenScope::Read);
        let write = token(2, TokenScope::ReadWrite);
        let session = Credential::Session("s".into());
        assert!(read.require_write().is_err());
        assert!(write.require_write().is_ok());
        assert!(session.require_write().is_ok());
        assert!(write.require_session("create tokens").is_err());
        assert!(session.require_session("create tokens").is_ok());
    }

    #[test]
    fn scopes_parse_from_their_names() {
        for scope in [TokenScope::Read, TokenScope::ReadWrite] {
            assert_eq!(TokenScope::parse(scope.as_str()), Ok(scope));
        }
        assert!(TokenScope::parse("admin").is_err());
    }
}
