//! Sign-in rate limits: failed attempts are counted per account and per
//! client address over a sliding window; past the limit, every attempt is
//! refused (even with the right password) until old failures age out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures per account within the window before it is locked.
pub const PER_ACCOUNT: usize = 5;
/// Failures per address within the window (several people may share one).
pub const PER_ADDRESS: usize = 20;
/// Keys tracked before stale ones are swept, bounding the memory an
/// attacker can make us use.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

impl Throttle {
    /// `Err(wait)` while the account or the address is over its limit.
    pub fn check(&self, account: &str, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for (key, limit) in keys(account, address) {
            if let Some(times) = failures.get_mut(&key) {
                prune(times, now);
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(WINDOW.saturating_sub(now - *oldest));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.max(Duration::from_secs(1)))
        }
    }

    pub fn failed(&self, account: &str, address: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for (key, _) in keys(account, address) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&Key::Account(account.to_ascii_lowercase()));
    }
}

fn keys(account: &str, address: IpAddr) -> [(Key, usize); 2] {
    [
        (Key::Account(account.to_ascii_lowercase()), PER_ACCOUNT),
        (Key::Address(address), PER_ADDRESS),
    ]
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_locks_after_its_limit_and_unlocks_when_failures_age_out() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..PER_ACCOUNT {
            assert!(t.check("Ada@x.io", HOME, start).is_ok());
            t.failed("ada@x.io", HOME, start);
        }
        let wait = t.check("ADA@x.io", HOME, start).unwrap_err();
        assert_eq!(wait, WINDOW);
        assert!(
            t.check("bob@x.io", HOME, start).is_ok(),
            "other accounts are not locked"
        );
        assert!(t.check("ada@x.io", HOME, start + WINDOW).is_ok());
    }

    #[test]
    fn an_address_locks_after_its_limit_across_accounts() {
        let t = Throttle::default();
        let now = Instant::now();
        for n in 0..PER_ADDRESS {
            t.failed(&format!("user{n}@x.io"), HOME, now);
        }
        assert!(t.check("new@x.io", HOME, now).is_err());
        let elsewhere = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert!(t.check("new@x.io", elsewhere, now).is_ok());
    }

    #[test]
    fn success_clears_the_account() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT - 1 {
            t.failed("ada", HOME, now);
        }
        t.succeeded("ada");
        t.failed("ada", HOME, now);
        assert!(t.check("ada", HOME, now).is_ok());
    }
}
