//! Password hashing on a bounded pool. An argon2 hash takes ~19 MiB and
//! tens of milliseconds of one core; unbounded, a burst of sign-ins would
//! start one blocking thread and one such buffer per request. Here at most
//! one hash per core runs, a short queue waits, and the rest are told to
//! come back shortly.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AccountError;

/// What a refused request is told to wait (`Retry-After`).
pub const BUSY_RETRY: Duration = Duration::from_secs(1);

pub struct HashPool {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl HashPool {
    pub fn new(slots: usize, max_waiting: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(slots.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// One hash per core, twice as many waiting.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores, 2 * cores)
    }

    /// Runs `work` on a blocking thread once a slot is free, or
    /// [`AccountError::Busy`] at once if the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        self.reserve()?.run(work).await
    }

    /// A slot, or a place in the queue for one, taken before the work that
    /// leads to the hash (a sign-in's claim, a database read), so a burst
    /// past the pool is refused before it costs anything.
    pub fn reserve(&self) -> Result<Reservation<'_>, AccountError> {
        Ok(match self.running.clone().try_acquire_owned() {
            Ok(permit) => Reservation::Running(permit),
            Err(_) => Reservation::Queued(self, self.queue()?),
        })
    }

    fn queue(&self) -> Result<QueuePlace<'_>, AccountError> {
        self.waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_waiting).then_some(n + 1)
            })
            .map_err(|_| AccountError::Busy)?;
        Ok(QueuePlace(&self.waiting))
    }
}

/// A reserved slot (or queue place), given back when dropped unused.
pub enum Reservation<'a> {
    Running(OwnedSemaphorePermit),
    Queued(&'a HashPool, QueuePlace<'a>),
}

impl Reservation<'_> {
    /// Runs `work` on a blocking thread once the slot is free.
    pub async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        let permit = match self {
            Self::Running(permit) => permit,
            Self::Queued(pool, _place) => pool
                .running
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| AccountError::Busy)?,
        };
        // The permit goes with the work: a request that gives up does not
        // free the slot while its hash still runs.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))
    }
}

/// A place in the queue, given up when dropped (served or cancelled).
pub struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_running_slots_and_the_queue_requests_are_refused_at_once() {
        let pool = Arc::new(HashPool::new(1, 2));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let (pool, hold) = (pool.clone(), hold.clone());
            tasks.push(tokio::spawn(async move {
                pool.run(move || {
                    let _ = hold.lock().unwrap().recv();
                })
                .await
            }));
        }
        // One runs, two wait: poll until the queue is full.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while pool.waiting.load(Ordering::Acquire) < 2 {
            assert!(std::time::Instant::now() < deadline, "the queue fills");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(matches!(pool.run(|| ()).await, Err(AccountError::Busy)));
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(pool.waiting.load(Ordering::Acquire), 0);
        assert!(pool.run(|| ()).await.is_ok());
    }
}
