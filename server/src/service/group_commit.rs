//! Group commit (PostgreSQL): commands to one project that arrive while
//! another is being written share its transaction, so one flush of the
//! database's log commits them all.
//!
//! A project's commands run one at a time under its lock, as always. The
//! first writes its events into a transaction it begins; if other tasks
//! are queued for the lock by then, it leaves the transaction open (a
//! [`Batch`]), queues a settler behind them and waits. Each command that
//! gets the lock before the settler writes into the same transaction,
//! decided against the state the earlier ones left, and waits too; the
//! settler (or the command that fills the batch) commits, then publishes
//! every event to the board sockets and the other nodes, in order, and
//! wakes the commands to answer.
//!
//! Nothing uncommitted is ever shown: everything else that takes the lock
//! (reads, catching up with other nodes) settles the open batch first, and
//! so does a command before it is refused or rebased (a rebase reads the
//! log's history). If the transaction
//! fails, the cached state (which holds the batch's events) is dropped and
//! every command in the batch runs again from the stored state; a command
//! that did commit is then answered as a repeat, from its stored answer. A
//! command whose own write fails (say, a retry of a command that committed
//! long ago: its id is already recorded) fails the transaction too, so the
//! others run again.

use kanri_domain::*;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{mpsc, oneshot};

use super::{Cached, Slot};
use crate::hub::Hub;
use crate::store::Turn;

/// Commands written in one transaction, at most: bounds how long the
/// first of them waits for its answer, and stays below the 64
/// subtransactions (one per `kanri_append`) PostgreSQL tracks cheaply.
pub(super) const BATCH_MAX: usize = 32;

/// An open transaction holding some commands' events, not yet committed.
pub(super) struct Batch {
    pub turn: Turn,
    /// The project's last sequence before the batch's first event.
    prev: u64,
    events: Vec<Recorded>,
    /// One per command in the batch: sent to once the batch commits;
    /// dropped unsent if it does not.
    members: Vec<oneshot::Sender<()>>,
}

/// Where a command's answer waits: resolved when its batch committed, an
/// error if it did not (the command must run again).
pub(super) type Committed = oneshot::Receiver<()>;

impl Batch {
    pub fn new(turn: Turn, prev: u64) -> Self {
        Self {
            turn,
            prev,
            events: Vec::new(),
            members: Vec::new(),
        }
    }

    /// Adds a command whose events were just written in the batch.
    pub fn join(&mut self, recorded: Vec<&Recorded>) -> Committed {
        self.events.extend(recorded.into_iter().cloned());
        let (tx, rx) = oneshot::channel();
        self.members.push(tx);
        rx
    }

    pub fn is_full(&self) -> bool {
        self.members.len() >= BATCH_MAX
    }
}

/// Where committed appends are announced to the other nodes, if anywhere.
pub(super) type Announce = Option<mpsc::UnboundedSender<(ProjectKey, u64)>>;

impl Batch {
    /// Commits, then publishes the events and wakes the commands; `false`
    /// if the commit failed (the commands, unwoken, run again).
    async fn commit(self, key: &ProjectKey, hub: &Hub, announce: &Announce) -> bool {
        let Batch {
            turn,
            prev,
            events,
            members,
        } = self;
        if let Err(e) = turn.commit().await {
            let commands = members.len();
            tracing::warn!(project = %key, commands, error = %e, "a group commit failed; its commands run again");
            return false;
        }
        published(key, prev, &events.iter().collect::<Vec<_>>(), hub, announce);
        for member in members {
            // An error only means the command's caller went away.
            let _ = member.send(());
        }
        true
    }
}

/// Commits the project's open batch, if any, then publishes its events and
/// wakes its commands. If the commit fails, the cache is dropped (it holds
/// the batch's events). The commit runs as a task of its own: once begun,
/// it and its publishing finish even if the caller is dropped meanwhile
/// (the cache is then reloaded by the next holder of the lock).
pub(super) async fn settle(
    key: &ProjectKey,
    cached: &mut Option<Cached>,
    hub: &Arc<Hub>,
    announce: &Announce,
) {
    let Some(entry) = cached.as_mut() else {
        return;
    };
    let Some(batch) = entry.batch.take() else {
        return;
    };
    entry.writing = true;
    let (key, hub, announce) = (key.clone(), hub.clone(), announce.clone());
    let committed = tokio::spawn(async move { batch.commit(&key, &hub, &announce).await }).await;
    match (committed, cached.as_mut()) {
        (Ok(true), Some(entry)) => entry.writing = false,
        _ => *cached = None,
    }
}

/// Hands committed events to this node's board sockets and announces them
/// to the other nodes.
pub(super) fn published(
    key: &ProjectKey,
    prev: u64,
    events: &[&Recorded],
    hub: &Hub,
    announce: &Announce,
) {
    hub.publish(prev, events);
    if let (Some(tx), Some(last)) = (announce, events.last()) {
        let _ = tx.send((key.clone(), last.seq));
    }
}

/// Queues a task for the project's lock that settles whatever batch is open
/// when its turn comes: after every command that queued before it has
/// joined. A task of its own, so a batch commits even if the command that
/// opened it is dropped by its caller. It does not count among the lock's
/// waiters: a command that comes after it commits at once.
pub(super) fn settle_later(slot: Slot, key: ProjectKey, hub: Arc<Hub>, announce: Announce) {
    tokio::spawn(async move {
        let mut cached = lock(&slot, &key, Waiter::Settler).await;
        settle(&key, &mut cached, &hub, &announce).await;
    });
}

/// Who waits for a slot's lock: only commands and reads count among its
/// waiters (see [`super::SlotCell::waiting`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiter {
    Counted,
    Settler,
}

/// Locks a slot. A cache left by a command dropped while writing is
/// discarded, and with it any open batch (rolled back; its commands run
/// again).
pub(super) async fn lock(
    slot: &Slot,
    key: &ProjectKey,
    waiter: Waiter,
) -> tokio::sync::OwnedMutexGuard<Option<Cached>> {
    struct Waiting<'a>(&'a Slot);
    impl Drop for Waiting<'_> {
        fn drop(&mut self) {
            self.0.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let _waiting = (waiter == Waiter::Counted).then(|| {
        slot.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(slot)
    });
    let mut cached = slot.cached.clone().lock_owned().await;
    if cached.as_ref().is_some_and(|c| c.writing) {
        tracing::warn!(project = %key, "a command was dropped while writing; the project is reloaded");
        *cached = None;
    }
    cached
}
