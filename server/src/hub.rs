//! The in-process hub: after a commit, events go to one broadcast channel per
//! project (the WebSocket layer reads them) and the log head is announced to
//! the subscriber projections.

use app::domain::{ProjectKey, Recorded};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// Events buffered per project before a slow receiver is told it lagged
/// (it then resyncs from the log instead of stalling everyone).
const CHANNEL_CAPACITY: usize = 1024;

pub struct Hub {
    channels: Mutex<HashMap<ProjectKey, broadcast::Sender<Arc<Recorded>>>>,
    head: watch::Sender<u64>,
}

impl Hub {
    pub fn new(head: u64) -> Self {
        Self {
            channels: Mutex::default(),
            head: watch::Sender::new(head),
        }
    }

    /// Live events of one project from now on.
    pub fn subscribe(&self, project: &ProjectKey) -> broadcast::Receiver<Arc<Recorded>> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(project.clone())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Publishes committed events (in sequence order) and advances the head.
    pub fn publish(&self, events: &[&Recorded]) {
        let Some(last) = events.last() else { return };
        {
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(tx) = channels.get(&last.project) {
                for e in events {
                    // An error only means nobody listens right now.
                    let _ = tx.send(Arc::new((*e).clone()));
                }
                if tx.receiver_count() == 0 {
                    channels.remove(&last.project);
                }
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
}
