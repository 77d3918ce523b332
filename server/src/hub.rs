//! The in-process hub: after a commit, events go to one broadcast channel per
//! project (the WebSocket layer reads them), with who is viewing that board.
//! The log head is announced to the subscriber projections.
//!
//! Presence is ephemeral: it lives here only, never in the log. Its updates
//! are coalesced (one message per board per [`PRESENCE_EVERY`]) and name at
//! most [`PRESENCE_SHOWN`] viewers, so a crowd of viewers costs O(N), not
//! O(N²).

use app::api::live::{PRESENCE_SHOWN, Viewer};
use kanri_domain::{IssueNumber, ProjectKey, Recorded, UserName};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

const PRESENCE_EVERY: Duration = Duration::from_millis(200);

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
}

impl Board {
    fn presence(&self) -> Presence {
        let dragging = self.viewers.values().filter(|v| v.dragging.is_some());
        let idle = self.viewers.values().filter(|v| v.dragging.is_none());
        Presence {
            shown: dragging.chain(idle).take(PRESENCE_SHOWN).cloned().collect(),
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
}

fn lock(boards: &Mutex<HashMap<ProjectKey, Board>>) -> MutexGuard<'_, HashMap<ProjectKey, Board>> {
    boards.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    pub fn new(head: u64, capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            boards: Arc::default(),
            next_connection: AtomicU64::new(1),
            head: watch::Sender::new(head),
        }
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
        let mut boards = lock(&self.boards);
        let board = boards.entry(project.clone()).or_default();
        change(&mut board.viewers);
        if board.presence_due {
            return;
        }
        board.presence_due = true;
        let (boards, project) = (self.boards.clone(), project.clone());
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
            // Forget boards nobody views or listens to.
            if board.viewers.is_empty()
                && board.tx.as_ref().is_none_or(|tx| tx.receiver_count() == 0)
            {
                boards.remove(&project);
            }
        });
    }
}
