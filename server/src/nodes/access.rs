//! Ends of access announced to every node: the sockets that rested on a
//! revoked share link or token, or on an ended session, close on all nodes.

use kanri_domain::UserName;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::announce::notify;
use crate::api_tokens::ApiTokens;
use crate::db::Db;
use crate::sessions::{SessionEnd, Sessions};
use crate::sharing::ShareLinks;

/// The channel ends of access are announced on.
pub const ACCESS_CHANNEL: &str = "kanri_access";

/// An access that ended on some node: the sockets resting on it close on
/// every node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ended", rename_all = "snake_case")]
pub enum AccessEnd {
    Link {
        id: i64,
    },
    /// One of the user's API tokens was revoked.
    Token {
        user: UserName,
    },
    SignedOut {
        session: String,
    },
    PasswordChanged {
        user: UserName,
    },
}

/// Tells the other nodes that an access ended (this node's sockets heard it
/// already). Alone on SQLite there is nobody to tell. A failure is logged:
/// the access is ended in the database either way, and the other nodes'
/// sockets on it close at their next check of it.
pub async fn announce(db: &Db, end: AccessEnd) {
    let Db::Postgres(pg) = db else {
        return;
    };
    let payload = serde_json::to_string(&end).expect("an access end serializes");
    if let Err(e) = notify(&pg.pool, ACCESS_CHANNEL, vec![payload]).await {
        tracing::warn!(error = %e, ?end, "cannot tell the other nodes that an access ended");
    }
}

/// Where this node's sockets hear of ended access.
#[derive(Clone)]
pub struct Access {
    pub shares: Arc<ShareLinks>,
    pub tokens: Arc<ApiTokens>,
    pub sessions: Arc<Sessions>,
}

impl Access {
    pub(super) fn ended(&self, end: AccessEnd) {
        match end {
            AccessEnd::Link { id } => self.shares.revoked_elsewhere(id),
            AccessEnd::Token { user } => self.tokens.revoked_elsewhere(user),
            AccessEnd::SignedOut { session } => self
                .sessions
                .ended_elsewhere(SessionEnd::SignedOut(session)),
            AccessEnd::PasswordChanged { user } => self
                .sessions
                .ended_elsewhere(SessionEnd::PasswordChanged(user)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_ends_read_back_as_sent() {
        let user = UserName::parse("alice").unwrap();
        for end in [
            AccessEnd::Link { id: 7 },
            AccessEnd::Token { user: user.clone() },
            AccessEnd::SignedOut {
                session: "abc".into(),
            },
            AccessEnd::PasswordChanged { user },
        ] {
            let text = serde_json::to_string(&end).unwrap();
            assert_eq!(serde_json::from_str::<AccessEnd>(&text).unwrap(), end);
        }
        assert!(
            serde_json::from_str::<AccessEnd>(r#"{"ended":"token","user":"Not A Name"}"#).is_err()
        );
    }
}
