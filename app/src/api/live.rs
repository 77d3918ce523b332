//! The live board's WebSocket protocol, shared by the server and the browser.
//!
//! The client connects to `/api/live/{KEY}?after={seq}` with the last global
//! sequence number it has applied. The server first sends every later event
//! from the log, then live ones, with no gaps and no duplicates. Each batch
//! carries `prev`, the project's sequence number just before its first event
//! (global numbers are not contiguous within a project), so the client can
//! tell a gap and resume from the log. A share link's reader connects with
//! `&share={token}` instead of a session.

use serde::{Deserialize, Serialize};

use crate::domain::{IssueNumber, Recorded, UserName};

/// Viewers named in a presence message; a crowd is summed up by `total`.
pub const PRESENCE_SHOWN: usize = 50;

/// The largest message a client may send; larger frames close that socket.
pub const MAX_CLIENT_MESSAGE: usize = 4 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Events in sequence order; `prev` is the project's sequence number
    /// just before the first of them.
    Events { prev: u64, events: Vec<Recorded> },
    /// Who has the board open right now, and what they are dragging: the
    /// viewers who drag first, at most [`PRESENCE_SHOWN`], and how many there
    /// are in all.
    Presence { viewers: Vec<Viewer>, total: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The card this viewer is dragging now (`None` when it lets go).
    Dragging { issue: Option<IssueNumber> },
}

/// One open board (a user with two tabs is two viewers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub connection: u64,
    pub user: UserName,
    pub dragging: Option<IssueNumber>,
}

/// Close codes the server uses (RFC 6455 section 7.4). The application
/// codes (4000–4999) mean the access the socket was opened with has ended:
/// the client must not reconnect, and says why (see [`close::ended`]).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const UNSUPPORTED: u16 = 1003;
    pub const INVALID: u16 = 1007;
    pub const TOO_BIG: u16 = 1009;
    /// The session the socket was opened with was signed out.
    pub const SIGNED_OUT: u16 = 4401;
    /// The API token the socket was opened with was revoked.
    pub const TOKEN_REVOKED: u16 = 4402;
    /// The user was removed from the project.
    pub const MEMBER_REMOVED: u16 = 4403;
    /// The share link the socket was opened through was revoked or expired.
    pub const LINK_ENDED: u16 = 4404;
    /// The user's password was changed: every socket of theirs closes.
    pub const PASSWORD_CHANGED: u16 = 4405;

    /// What to tell the reader when the server closed with `code` because
    /// access ended; `None` for the codes after which a client reconnects.
    pub fn ended(code: u16) -> Option<&'static str> {
        match code {
            SIGNED_OUT => Some("Signed out: sign in again to follow this board"),
            TOKEN_REVOKED => Some("The API token was revoked"),
            MEMBER_REMOVED => Some("You were removed from this project"),
            LINK_ENDED => Some("Link revoked"),
            PASSWORD_CHANGED => Some("Your password was changed: sign in again"),
            _ => None,
        }
    }
}
