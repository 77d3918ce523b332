//! The in-process hub: after a commit, events go to one broadcast channel per
//! project (the WebSocket layer reads them), with who is viewing that board.
//! The log head is announced to the subscriber projections.
//!
//! Presence is ephemeral: it lives in memory only, never in the log. Its
//! updates are coalesced (one message per board per [`PRESENCE_EVERY`]) and
//! name at most [`PRESENCE_SHOWN`] viewers, so a crowd of viewers costs O(N),
//! not O(N²). With several nodes, each announces its own viewers of a board
//! when they change (and again now and then); a board shows its node's
//! viewers and the others' as last announced, until [`REMOTE_PRESENCE_TTL`]
//! passes without news (the node died).

use app::api::live::{PRESENCE_SHOWN, Viewer};
use kanri_domain::{IssueNumber, ProjectKey, Recorded, UserName};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch};

const PRESENCE_EVERY: Duration = Duration::from_millis(200);
/// How long another node's viewers count without being announced again.
pub const REMOTE_PRESENCE_TTL: Duration = Duration::from_secs(30);

/// One node's viewers of a board, as it announces them to the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePresence {
    pub node: String,
    pub project: ProjectKey,
    /// At most [`PRESENCE_SHOWN`], draggers first.
    pub viewers: Vec<Viewer>,
    pub total: usize,
}

#[derive(Debug, Clone)]
pub enum HubMessage {
    /// Committed events of one project, in sequence order; `prev` is the
    /// project's sequence number just before the first one.
    Events {
        prev: u64,
        events: Arc<Vec<Recorded>>,
    },
    Presence(Arc<Presence>),
}

/// Who views a board: those shown (draggers first) and how many in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    pub shown: Vec<Viewer>,
    pub total: usize,
}

#[derive(Default)]
struct Board {
    tx: Option<broadcast::Sender<HubMessage>>,
    viewers: BTreeMap<u64, Viewer>,
    /// A presence message is scheduled; further changes ride along.
    presence_due: bool,
    /// This node's viewers changed since the other nodes were told.
    announce_due: bool,
    /// The other nodes' viewers (shown, total), until they expire.
    remote: HashMap<String, (Vec<Viewer>, usize, Instant)>,
}

/// Draggers first, at most [`PRESENCE_SHOWN`].
fn shown<'a>(viewers: impl Iterator<Item = &'a Viewer> + Clone) -> Vec<Viewer> {
    let dragging = viewers.clone().filter(|v| v.dragging.is_some());
    let idle = viewers.filter(|v| v.dragging.is_none());
    dragging.chain(idle).take(PRESENCE_SHOWN).cloned().collect()
}

impl Board {
    /// Everyone viewing, on every node.
    fn presence(&self) -> Presence {
        let now = Instant::now();
        let remote = self.remote.values().filter(|r| r.2 > now);
        let everyone = self
            .viewers
            .values()
            .chain(remote.clone().flat_map(|r| r.0.iter()));
        Presence {
            shown: shown(everyone),
            total: self.viewers.len() + remote.map(|r| r.1).sum::<usize>(),
        }
    }

    /// This node's viewers only.
    fn local(&self) -> Presence {
        Presence {
            shown: shown(self.viewers.values()),
            total: self.viewers.len(),
        }
    }
}

pub struct Hub {
    /// Messages buffered per board before a slow receiver is told it lagged
    /// (it then resyncs from the log instead of holding everyone back).
    capacity: usize,
    boards: Arc<Mutex<HashMap<ProjectKey, Board>>>,
    next_connection: AtomicU64,
    head: watch::Sender<u64>,
    /// Where this node's presence changes go to be announced (several nodes).
    announce: Mutex<Option<mpsc::UnboundedSender<(ProjectKey, Presence)>>>,
}

fn lock(boards: &Mutex<HashMap<ProjectKey, Board>>) -> MutexGuard<'_, HashMap<ProjectKey, Board>> {
    boards.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    pub fn new(head: u64, capacity: usize) -> Self {
        // Connection ids start at a random multiple of 2^32, so those of
        // different nodes do not meet in a board's presence.
        let start = (uuid::Uuid::new_v4().as_u128() as u64 & 0xFFFF_FFFF) << 32 | 1;
        Self {
            capacity: capacity.max(1),
            boards: Arc::default(),
            next_connection: AtomicU64::new(start),
            head: watch::Sender::new(head),
            announce: Mutex::default(),
        }
    }

    /// This node's presence changes, per board, from now on (to announce
    /// them to the other nodes).
    pub fn presence_changes(&self) -> mpsc::UnboundedReceiver<(ProjectKey, Presence)> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.announce.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        rx
    }

    /// Another node's viewers of a board, as it announced them `now`.
    pub fn heard_presence(&self, heard: NodePresence, now: Instant) {
        let NodePresence {
            node,
            project,
            mut viewers,
            total,
        } = heard;
        viewers.truncate(PRESENCE_SHOWN);
        let until = now + REMOTE_PRESENCE_TTL;
        self.changed(&project, false, |board| {
            if total == 0 {
                board.remote.remove(&node);
            } else {
                board.remote.insert(node, (viewers, total, until));
            }
        });
    }

    /// Forgets the other nodes' viewers that were not announced again in
    /// time (their node died) as of `now`, and tells those boards.
    pub fn expire_presence(&self, now: Instant) {
        let stale: Vec<ProjectKey> = lock(&self.boards)
            .iter()
            .filter(|(_, b)| b.remote.values().any(|r| r.2 <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for project in stale {
            self.changed(&project, false, |board| {
                board.remote.retain(|_, r| r.2 > now)
            });
        }
    }

    /// This node's viewers of every board it has viewers of.
    pub fn local_presence(&self) -> Vec<(ProjectKey, Presence)> {
        lock(&self.boards)
            .iter()
            .filter(|(_, b)| !b.viewers.is_empty())
            .map(|(k, b)| (k.clone(), b.local()))
            .collect()
    }

    /// Messages of one project from now on.
    pub fn subscribe(&self, project: &ProjectKey) -> broadcast::Receiver<HubMessage> {
        let mut boards = lock(&self.boards);
        let board = boards.entry(project.clone()).or_default();
        board
            .tx
            .get_or_insert_with(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }

    /// Publishes one command's committed events and advances the head.
    pub fn publish(&self, prev: u64, events: &[&Recorded]) {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return;
        };
        {
            let boards = lock(&self.boards);
            if let Some(tx) = boards.get(&first.project).and_then(|b| b.tx.as_ref()) {
                let events = Arc::new(events.iter().map(|e| (*e).clone()).collect());
                // An error only means nobody listens right now.
                let _ = tx.send(HubMessage::Events { prev, events });
            }
        }
        self.heard(last.seq);
    }

    /// The log has events up to `seq` (appended here or on another node):
    /// wakes the subscriber projections and the webhook worker.
    pub fn heard(&self, seq: u64) {
        self.head.send_if_modified(|head| {
            let advanced = seq > *head;
            *head = (*head).max(seq);
            advanced
        });
    }

    /// The highest committed sequence, and a way to wait for it to move.
    pub fn head(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Registers a viewer of a board; returns its connection id.
    pub fn join(&self, project: &ProjectKey, user: UserName) -> u64 {
        let connection = self.next_connection.fetch_add(1, Ordering::Relaxed);
        self.update_presence(project, |viewers| {
            viewers.insert(
                connection,
                Viewer {
                    connection,
                    user,
                    dragging: None,
                },
            );
        });
        connection
    }

    pub fn set_dragging(&self, project: &ProjectKey, connection: u64, issue: Option<IssueNumber>) {
        self.update_presence(project, |viewers| {
            if let Some(v) = viewers.get_mut(&connection) {
                v.dragging = issue;
            }
        });
    }

    pub fn leave(&self, project: &ProjectKey, connection: u64) {
        self.update_presence(project, |viewers| {
            viewers.remove(&connection);
        });
    }

    /// Who views a board now.
    pub fn presence(&self, project: &ProjectKey) -> Presence {
        lock(&self.boards)
            .get(project)
            .map(Board::presence)
            .unwrap_or_default()
    }

    fn update_presence(
        &self,
        project: &ProjectKey,
        change: impl FnOnce(&mut BTreeMap<u64, Viewer>),
    ) {
        self.changed(project, true, |board| change(&mut board.viewers));
    }

    /// Changes a board's presence (this node's viewers when `local`) and
    /// schedules the message that tells its sockets, and the other nodes.
    fn changed(&self, project: &ProjectKey, local: bool, change: impl FnOnce(&mut Board)) {
        let mut boards = lock(&self.boards);
        let board = boards.entry(project.clone()).or_default();
        change(board);
        board.announce_due |= local;
        if board.presence_due {
            return;
        }
        board.presence_due = true;
        let (boards, project) = (self.boards.clone(), project.clone());
        let announce = self
            .announce
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        tokio::spawn(async move {
            tokio::time::sleep(PRESENCE_EVERY).await;
            let mut boards = lock(&boards);
            let Some(board) = boards.get_mut(&project) else {
                return;
            };
            board.presence_due = false;
            if let Some(tx) = &board.tx {
                let _ = tx.send(HubMessage::Presence(Arc::new(board.presence())));
            }
            if std::mem::take(&mut board.announce_due)
                && let Some(announce) = announce
            {
                let _ = announce.send((project.clone(), board.local()));
            }
            // Forget boards nobody views or listens to. Other nodes' viewers
            // are kept (until they expire) for a socket that opens here later.
            if board.viewers.is_empty()
                && board.remote.is_empty()
                && board.tx.as_ref().is_none_or(|tx| tx.receiver_count() == 0)
            {
                boards.remove(&project);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(user: &str, connection: u64) -> Viewer {
        Viewer {
            connection,
            user: UserName::parse(user).unwrap(),
            dragging: None,
        }
    }

    /// The next presence message of a board, within a second.
    async fn next_presence(rx: &mut broadcast::Receiver<HubMessage>) -> Arc<Presence> {
        let wait = tokio::time::timeout(Duration::from_secs(1), rx.recv());
        match wait.await {
            Ok(Ok(HubMessage::Presence(p))) => p,
            other => panic!("no presence message: {other:?}"),
        }
    }

    #[tokio::test]
    async fn another_nodes_viewers_show_until_that_node_is_silent_for_the_ttl() {
        let hub = Hub::new(0, 16);
        let project = ProjectKey::parse("ABC").unwrap();
        let mut board = hub.subscribe(&project);
        let here = hub.join(&project, UserName::parse("alice").unwrap());
        assert_eq!(next_presence(&mut board).await.total, 1);

        let start = Instant::now();
        let from_b = |viewers: Vec<Viewer>| NodePresence {
            node: "b".into(),
            project: project.clone(),
            total: viewers.len(),
            viewers,
        };
        hub.heard_presence(from_b(vec![viewer("bob", 7 << 32)]), start);
        let both = next_presence(&mut board).await;
        assert_eq!((both.total, both.shown.len()), (2, 2), "{both:?}");

        // Announced again within the TTL: still shown after the first
        // announcement's TTL.
        let renewed = start + REMOTE_PRESENCE_TTL / 2;
        hub.heard_presence(from_b(vec![viewer("bob", 7 << 32)]), renewed);
        assert_eq!(next_presence(&mut board).await.total, 2);
        hub.expire_presence(start + REMOTE_PRESENCE_TTL + Duration::from_secs(1));
        assert_eq!(hub.presence(&project).total, 2, "renewed in time");

        // Silent past the TTL (the node died): gone, and the board is told.
        hub.expire_presence(renewed + REMOTE_PRESENCE_TTL);
        let alone = next_presence(&mut board).await;
        assert_eq!(alone.total, 1, "{alone:?}");
        assert_eq!(alone.shown[0].connection, here);

        // A node that announces nobody is forgotten at once.
        hub.heard_presence(from_b(vec![viewer("bob", 7 << 32)]), Instant::now());
        assert_eq!(next_presence(&mut board).await.total, 2);
        hub.heard_presence(from_b(vec![]), Instant::now());
        assert_eq!(next_presence(&mut board).await.total, 1);
    }
}
