//! The one live-event client: follows a project's events over its
//! WebSocket from the last sequence number a page has applied. It
//! reconnects after a loss with exponential back-off and jitter (see
//! [`reconnect`]), at once when the network comes back or a batch does not
//! follow on (a gap: the server resends from the log), and never after a
//! close that says the reader's access ended (4401–4405). It also carries
//! presence ("dragging ABC-7") out. The board and the issue page use it,
//! each through its own [`Follower`].

pub mod reconnect;

use crate::api::live::Viewer;
use crate::domain::{ProjectKey, Recorded};

/// The state of a live connection, as a page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    /// Lost; the next attempt comes after a back-off.
    Reconnecting,
    /// The browser says it has no network.
    Offline,
    /// The share link this page was opened through was revoked or expired.
    LinkEnded,
    /// The server closed with this code because the reader's access ended
    /// (removed, signed out, token revoked, password changed).
    AccessEnded(u16),
}

/// What a page does with what the server sends.
pub trait Follower: 'static {
    /// The sequence number of the last event the page has applied: a new
    /// socket resumes after it.
    fn last_seq(&self) -> u64;
    /// A batch that follows on from [`Self::last_seq`] (it may repeat events
    /// already applied). `false`: the page found a gap after all, and the
    /// client resumes from the log at once.
    fn events(&self, prev: u64, events: Vec<Recorded>) -> bool;
    /// Who has the board open.
    fn presence(&self, _viewers: Vec<Viewer>, _total: usize) {}
    /// The connection's state changed.
    fn connection(&self, _state: Connection) {}
}

/// Where to follow: a project, read through a share link's token or as
/// the signed-in user.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub project: ProjectKey,
    pub share: Option<String>,
}

impl Subscription {
    /// The socket's address, resuming after `after`.
    pub fn url(&self, after: u64) -> String {
        let mut url = crate::ui::platform::socket_url(&self.project, after);
        if let Some(token) = &self.share {
            url.push_str(&format!("&share={token}"));
        }
        url
    }
}

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
pub use browser::{follow, send};

/// Server-side rendering has no socket.
#[cfg(not(feature = "hydrate"))]
pub fn follow(_to: Subscription, _follower: impl Follower) {}
#[cfg(not(feature = "hydrate"))]
pub fn send(_message: crate::api::live::ClientMessage) {}
