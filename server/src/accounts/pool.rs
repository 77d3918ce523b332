//! Password hashing on a bounded pool. An argon2 hash takes ~19 MiB and
//! tens of milliseconds of one core; unbounded, a burst of sign-ins would
//! start one blocking thread and one such buffer per request. Here one
//! thread per core hashes, a short queue waits, and the rest are told to
//! come back shortly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::AccountError;

/// What a refused request is told to wait (`Retry-After`).
pub const BUSY_RETRY: Duration = Duration::from_secs(1);

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of hashing threads. Fixed, not tokio's blocking pool: each
/// thread that ever hashed keeps a ~19 MiB buffer in its malloc arena, so
/// threads that come and go under a burst would hold many.
pub struct HashPool {
    jobs: mpsc::Sender<Job>,
    /// Jobs sent and not yet done (running or waiting).
    admitted: Arc<AtomicUsize>,
    /// The threads plus the places in the queue.
    capacity: usize,
}

impl HashPool {
    pub fn new(slots: usize, max_waiting: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let admitted = Arc::new(AtomicUsize::new(0));
        let slots = slots.max(1);
        for n in 0..slots {
            let (queue, admitted) = (queue.clone(), admitted.clone());
            std::thread::Builder::new()
                .name(format!("kanri-hash-{n}"))
                .spawn(move || {
                    // Ends when the pool (the sender) is dropped.
                    while let Ok(job) = next(&queue) {
                        job();
                        admitted.fetch_sub(1, Ordering::AcqRel);
                    }
                })
                .expect("a hashing thread starts");
        }
        Self {
            jobs,
            admitted,
            capacity: slots + max_waiting,
        }
    }

    /// One hash per core, twice as many waiting.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores, 2 * cores)
    }

    /// Runs `work` on a hashing thread once one is free, or
    /// [`AccountError::Busy`] at once if the queue is full. A request that
    /// gives up does not free its thread while its hash still runs.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .map_err(|_| AccountError::Busy)?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        if self.jobs.send(job).is_err() {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(AccountError::Hash("the hashing threads stopped".into()));
        }
        answered
            .await
            .map_err(|_| AccountError::Hash("a hashing thread panicked".into()))
    }
}

fn next(queue: &Mutex<mpsc::Receiver<Job>>) -> Result<Job, mpsc::RecvError> {
    queue.lock().unwrap_or_else(|e| e.into_inner()).recv()
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
        while pool.admitted.load(Ordering::Acquire) < 3 {
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
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while pool.admitted.load(Ordering::Acquire) > 0 {
            assert!(std::time::Instant::now() < deadline, "every job is done");
            std::thread::yield_now();
        }
        assert!(pool.run(|| ()).await.is_ok());
    }
}
