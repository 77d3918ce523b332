//! When something was attempted, over a sliding window: the counter behind
//! every account limit.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Attempts(VecDeque<Instant>);

impl Attempts {
    /// Forgets attempts older than `window`; how many remain.
    pub fn within(&mut self, window: Duration, now: Instant) -> usize {
        while self
            .0
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.0.pop_front();
        }
        self.0.len()
    }

    /// How long until fewer than `limit` attempts lie within `window`
    /// (zero if that is already so).
    pub fn wait(&mut self, limit: usize, window: Duration, now: Instant) -> Duration {
        let limit = limit.max(1);
        if self.within(window, now) < limit {
            return Duration::ZERO;
        }
        // The oldest of the last `limit` must age out.
        let deciding = self.0[self.0.len() - limit];
        window.saturating_sub(now.saturating_duration_since(deciding))
    }

    pub fn last(&self) -> Option<Instant> {
        self.0.back().copied()
    }

    pub fn push(&mut self, at: Instant) {
        self.0.push_back(at);
    }

    /// Takes back one attempt made `at`; whether none are left.
    pub fn forget(&mut self, at: Instant) -> bool {
        if let Some(i) = self.0.iter().rposition(|t| *t == at) {
            self.0.remove(i);
        }
        self.0.is_empty()
    }
}
