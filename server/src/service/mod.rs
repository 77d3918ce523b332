//! The application service: runs commands through decide → rebase rule →
//! append → publish, and answers queries. It is the only writer of state.
//!
//! Each project's state is cached in memory behind its own lock, so a
//! command is judged without reading the database; the cache is dropped and
//! reloaded from the projections whenever an append fails. Only projects
//! that exist keep an entry: a key read that names no project leaves none,
//! so reading random keys does not grow memory. On PostgreSQL, commands to
//! one project that queue up while one is written share its transaction
//! ([`group_commit`]).

use kanri_domain::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::db::Engine;
use crate::hub::Hub;
use crate::store::{Store, StoreError, Until};

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the command creates project {key} but is addressed to {addressed}")]
    KeyMismatch {
        key: ProjectKey,
        addressed: ProjectKey,
    },
    #[error("command id {0} was already used by another user")]
    CommandIdTaken(CommandId),
    /// A number out of the range its form allows (e.g. a raw JSON command).
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    #[error(transparent)]
    Store(#[from] StoreError),
}

mod execute;
mod group_commit;

use group_commit::Batch;

/// A project's cached state and the last global sequence folded into it
/// (including the events of an open batch, not yet committed).
struct Cached {
    state: ProjectState,
    last_seq: u64,
    batch: Option<Batch>,
    /// Set while a command decides and writes. Still set when the lock is
    /// next taken, that command was dropped halfway (its caller went away):
    /// the state may hold events its transaction never got, so it is
    /// discarded with any open batch (see [`group_commit::lock_counted`]).
    writing: bool,
}

/// A project's place in memory: its cache behind its lock.
#[derive(Default)]
struct SlotCell {
    cached: Arc<tokio::sync::Mutex<Option<Cached>>>,
    /// Tasks waiting for the lock: a command that finds some leaves its
    /// transaction open for them (group commit).
    waiting: std::sync::atomic::AtomicUsize,
}

type Slot = Arc<SlotCell>;
type Slots = Mutex<HashMap<ProjectKey, Slot>>;

/// A project's slot, locked. When it is released holding no project (the
/// key named none, or the cache was dropped), its entry is removed, under
/// the lock, so unknown keys leave nothing behind.
struct Held<'a> {
    slots: &'a Slots,
    key: ProjectKey,
    slot: Slot,
    cached: tokio::sync::OwnedMutexGuard<Option<Cached>>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let exists = (*self.cached)
            .as_ref()
            .is_some_and(|c| c.state.project.is_some());
        if !exists {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots
                .get(&self.key)
                .is_some_and(|s| Arc::ptr_eq(s, &self.slot))
            {
                slots.remove(&self.key);
            }
        }
    }
}

pub struct Kanri {
    store: Store,
    hub: Arc<Hub>,
    slots: Slots,
    /// Where this node's appends go to be announced to the other nodes.
    appended: Mutex<Option<tokio::sync::mpsc::UnboundedSender<(ProjectKey, u64)>>>,
}

/// Attempts when another node appended to the project first: the next one
/// holds the project's turn (see `execute_based`).
const RACE_RETRIES: usize = 3;
/// Events read at a time when catching up with other nodes' appends.
const CATCH_UP_BATCH: u32 = 1_000;

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A command's outcome and what the caller's view made of the state it
/// left: for an accepted or merged command, its stream as of the command's
/// own last event; for a conflict, the current state it was refused on.
#[derive(Debug)]
pub struct Executed<T> {
    pub outcome: Outcome,
    /// For a repeated command id, the view of the current state: what it
    /// produced then is not kept (a whole issue per logged command would
    /// grow the log's table without bound).
    pub produced: T,
}

/// Whether the actor's role is checked: always, but for the service's own
/// upkeep (`adopt_projects_without_members`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    Role,
    Skip,
}

/// What a command's base version is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The one its envelope gives: what its author saw.
    Given,
    /// The target's current version.
    Head,
}

impl Kanri {
    pub fn new(store: Store, hub: Arc<Hub>) -> Self {
        Self {
            store,
            hub,
            slots: Mutex::default(),
            appended: Mutex::default(),
        }
    }

    /// This node's appends from now on, (project, last sequence) each once
    /// committed: for the other nodes to hear of them.
    pub fn appends(&self) -> tokio::sync::mpsc::UnboundedReceiver<(ProjectKey, u64)> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        *self.appended.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        rx
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// How many projects have a cached slot: the projects in use, never the
    /// keys merely asked for. Cheap; for tests and health checks.
    pub fn cached_projects(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn slot(&self, key: &ProjectKey) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(key.clone()).or_default().clone()
    }

    fn is_current(&self, key: &ProjectKey, slot: &Slot) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.get(key).is_some_and(|s| Arc::ptr_eq(s, slot))
    }

    /// Locks the project's slot, its open batch committed: what the holder
    /// reads has committed.
    async fn lock(&self, key: &ProjectKey) -> Held<'_> {
        let mut held = self.lock_for_command(key).await;
        self.settle(key, &mut held.cached).await;
        held
    }

    /// Commits the project's open batch, if any (see [`group_commit`]).
    async fn settle(&self, key: &ProjectKey, cached: &mut Option<Cached>) {
        group_commit::settle(key, cached, &self.hub, &self.announce()).await;
    }

    fn announce(&self) -> group_commit::Announce {
        self.appended
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Locks the project's slot, leaving an open batch open for a command
    /// to join. A slot is only removed under its own lock, so one still in
    /// the map once locked stays there until released: two commands for the
    /// same key (say, two CreateProject) always share one.
    async fn lock_for_command(&self, key: &ProjectKey) -> Held<'_> {
        loop {
            let slot = self.slot(key);
            let cached = group_commit::lock(&slot, key, group_commit::Waiter::Counted).await;
            if self.is_current(key, &slot) {
                return Held {
                    slots: &self.slots,
                    key: key.clone(),
                    slot,
                    cached,
                };
            }
            // Removed while we waited (its project did not exist): take the new one.
        }
    }

    async fn load(&self, key: &ProjectKey) -> Result<Cached, StoreError> {
        let (state, last_seq) = self.store.load_project(key).await?;
        Ok(Cached {
            state: state.unwrap_or_default(),
            last_seq,
            batch: None,
            writing: false,
        })
    }

    /// Folds in the project's events that another node appended since the
    /// cache's last one, and hands them to this node's board sockets. On an
    /// error the cache is dropped (the next use reloads it).
    async fn catch_up(
        &self,
        key: &ProjectKey,
        cached: &mut Option<Cached>,
    ) -> Result<(), StoreError> {
        let Some(entry) = cached.as_mut() else {
            return Ok(());
        };
        let caught_up = self
            .each_missed(key, entry.last_seq, u64::MAX, |events| {
                for recorded in events {
                    apply_mut(&mut entry.state, &recorded.event);
                }
            })
            .await;
        match caught_up {
            Ok(last) => entry.last_seq = last,
            Err(_) => *cached = None,
        }
        caught_up.map(drop)
    }

    /// Replaces a cache that cannot be caught up (a failed append folded its
    /// own events into it) with the stored state, and hands the events it
    /// had missed to this node's board sockets.
    async fn reload(
        &self,
        key: &ProjectKey,
        cached: &mut Option<Cached>,
    ) -> Result<(), StoreError> {
        let missed_after = cached.take().map(|c| c.last_seq);
        let fresh = cached.insert(self.load(key).await?);
        if let Some(after) = missed_after {
            self.each_missed(key, after, fresh.last_seq, |_| ()).await?;
        }
        Ok(())
    }

    /// The project's events in (`after`, `until`], batch by batch: each
    /// given to `fold`, then published to this node's board sockets. The
    /// last sequence handed on (`after` if none).
    async fn each_missed(
        &self,
        key: &ProjectKey,
        mut after: u64,
        until: u64,
        mut fold: impl FnMut(&[&Recorded]),
    ) -> Result<u64, StoreError> {
        while after < until {
            let batch = self
                .store
                .events_after(Some(key), after, CATCH_UP_BATCH)
                .await?;
            let full = batch.len() == CATCH_UP_BATCH as usize;
            let events: Vec<&Recorded> = batch.iter().filter(|r| r.seq <= until).collect();
            let Some(last) = events.last().map(|r| r.seq) else {
                break;
            };
            fold(&events);
            self.hub.publish(after, &events);
            after = last;
            if !full {
                break;
            }
        }
        Ok(after)
    }

    /// Another node appended to `key` up to `seq` (its notification): a
    /// cached project catches up; one this node does not hold is left alone
    /// (it is loaded fresh when first used).
    pub async fn heard(&self, key: &ProjectKey, seq: u64) -> Result<(), StoreError> {
        self.hub.heard(seq);
        let cached = {
            let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.contains_key(key)
        };
        if !cached {
            return Ok(());
        }
        let mut held = self.lock(key).await;
        if held.cached.as_ref().is_some_and(|c| c.last_seq < seq) {
            self.catch_up(key, &mut held.cached).await?;
        }
        Ok(())
    }

    /// Catches every cached project up with the log: after this node may
    /// have missed notifications (its listening connection dropped).
    pub async fn resync(&self) -> Result<(), StoreError> {
        let keys: Vec<ProjectKey> = {
            let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.keys().cloned().collect()
        };
        for key in keys {
            let mut held = self.lock(&key).await;
            self.catch_up(&key, &mut held.cached).await?;
        }
        Ok(())
    }

    /// Runs `read` on a project's current state (and the last sequence
    /// folded into it) under its lock, without copying the state; `None`
    /// if there is no such project.
    ///
    /// On PostgreSQL another node may have written a moment ago, before its
    /// notification arrived: the read first asks for the project's last
    /// event (one indexed query, outside the lock) and catches up to it, so
    /// a client that wrote through one node and reads through another sees
    /// its write, and an ETag it is given is current.
    pub async fn read<T>(
        &self,
        key: &ProjectKey,
        read: impl FnOnce(&ProjectState, u64) -> T,
    ) -> Result<Option<T>, StoreError> {
        let head = match self.store.db().engine() {
            Engine::Postgres => Some(self.store.head(Some(key)).await?),
            Engine::Sqlite => None,
        };
        let mut held = self.lock(key).await;
        let cached = &mut *held.cached;
        match cached {
            None => *cached = Some(self.load(key).await?),
            Some(c) if head.is_some_and(|h| h > c.last_seq) => self.catch_up(key, cached).await?,
            Some(_) => {}
        }
        let entry = cached.as_ref().expect("loaded above");
        Ok(entry
            .state
            .project
            .is_some()
            .then(|| read(&entry.state, entry.last_seq)))
    }

    /// A copy of a project's current state and the last sequence folded into it.
    pub async fn project_state(
        &self,
        key: &ProjectKey,
    ) -> Result<Option<(ProjectState, u64)>, StoreError> {
        self.read(key, |state, seq| (state.clone(), seq)).await
    }

    /// Time travel: the project as it was after sequence `seq` or at time
    /// `at_ms`, with its last event then (0 and 0 for none).
    pub async fn past(&self, key: &ProjectKey, until: Until) -> Result<Past, StoreError> {
        let events = self.store.events_until(key, until).await?;
        let last = events.last();
        Ok(Past {
            seq: last.map_or(0, |r| r.seq),
            at_ms: last.map_or(0, |r| r.at_ms),
            state: replay(events.iter().map(|r| &r.event)),
        })
    }

    /// [`Self::past`]'s state and last sequence.
    pub async fn project_as_of(
        &self,
        key: &ProjectKey,
        until: Until,
    ) -> Result<(ProjectState, u64), StoreError> {
        self.past(key, until).await.map(|p| (p.state, p.seq))
    }
}

/// A project as it was at some moment.
#[derive(Debug, Clone)]
pub struct Past {
    pub state: ProjectState,
    /// Its last event then, and when that happened (Unix ms); 0 for none.
    pub seq: u64,
    pub at_ms: i64,
}

/// The current state of one stream, for a conflict answer.
pub fn snapshot(state: &ProjectState, stream: StreamRef) -> Option<Snapshot> {
    match stream {
        StreamRef::Project => state.project.clone().map(Snapshot::Project),
        StreamRef::Issue(n) => state
            .issues
            .get(&n)
            .cloned()
            .map(|i| Snapshot::Issue(Box::new(i))),
        StreamRef::Sprint(n) => state.sprints.get(&n).cloned().map(Snapshot::Sprint),
    }
}
