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

/// Close codes the server uses (RFC 6455 section 7.4).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const UNSUPPORTED: u16 = 1003;
    pub const INVALID: u16 = 1007;
    pub const TOO_BIG: u16 = 1009;
    /// The share link the socket was opened through was revoked or expired
    /// (an application code, 4000–4999): the reader should not reconnect.
    pub const LINK_ENDED: u16 = 4404;
}
