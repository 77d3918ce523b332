//! The in-process hub: after a commit, events go to one broadcast channel per
//! project (the WebSocket layer reads them), with who is viewing that board.
//! The log head is announced to the subscriber projections.
//!
//! Presence is ephemeral: it lives here only, never in the log.

use app::api::live::Viewer;
use app::domain::{IssueNumber, ProjectKey, Recorded, UserName};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{broadcast, watch};

#[derive(Debug, Clone)]
pub enum HubMessage {
    /// Committed events of one project, in sequence order; `prev` is the
    /// project's sequence number just before the first one.
    Events {
        prev: u64,
        events: Arc<Vec<Recorded>>,
    },
    Presence(Arc<Vec<Viewer>>),
}

#[derive(Default)]
struct Board {
    tx: Option<broadcast::Sender<HubMessage>>,
    viewers: BTreeMap<u64, Viewer>,
}

pub struct Hub {
    /// Messages buffered per board before a slow receiver is told it lagged
    /// (it then resyncs from the log instead of holding everyone back).
    capacity: usize,
    boards: Mutex<HashMap<ProjectKey, Board>>,
    next_connection: AtomicU64,
    head: watch::Sender<u64>,
}

impl Hub {
    pub fn new(head: u64, capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            boards: Mutex::default(),
            next_connection: AtomicU64::new(1),
            head: watch::Sender::new(head),
        }
    }

    fn boards(&self) -> MutexGuard<'_, HashMap<ProjectKey, Board>> {
        self.boards.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Messages of one project from now on.
    pub fn subscribe(&self, project: &ProjectKey) -> broadcast::Receiver<HubMessage> {
        let mut boards = self.boards();
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
            let mut boards = self.boards();
            if let Some(board) = boards.get_mut(&first.project)
                && let Some(tx) = &board.tx
            {
                let events = Arc::new(events.iter().map(|e| (*e).clone()).collect());
                // An error only means nobody listens right now.
                let _ = tx.send(HubMessage::Events { prev, events });
            }
        }
        self.head.send_if_modified(|head| {
            let advanced = last.seq > *head;
            *head = (*head).max(last.seq);
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
        let mut boards = self.boards();
        let idle = boards.get(project).is_some_and(|b| {
            b.viewers.is_empty() && b.tx.as_ref().is_none_or(|tx| tx.receiver_count() == 0)
        });
        if idle {
            boards.remove(project);
        }
    }

    pub fn viewers(&self, project: &ProjectKey) -> Vec<Viewer> {
        self.boards()
            .get(project)
            .map(|b| b.viewers.values().cloned().collect())
            .unwrap_or_default()
    }

    fn update_presence(
        &self,
        project: &ProjectKey,
        change: impl FnOnce(&mut BTreeMap<u64, Viewer>),
    ) {
        let mut boards = self.boards();
        let board = boards.entry(project.clone()).or_default();
        change(&mut board.viewers);
        if let Some(tx) = &board.tx {
            let _ = tx.send(HubMessage::Presence(Arc::new(
                board.viewers.values().cloned().collect(),
            )));
        }
    }
}
