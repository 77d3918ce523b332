//! Sign-in limits. An attempt is claimed, and counted as a failure, before
//! its password is hashed, so parallel guesses see each other; a right
//! password takes its claim back. Limits are per account *and* address, so
//! someone guessing from one address cannot lock the owner out from
//! another; an account guessed at from many addresses gets its attempts
//! spaced out instead of locked.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::attempts::Attempts;
use super::table::BoundedTable;

/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures for one account from one address within the window before
/// that address may not try that account again.
pub const PER_ACCOUNT_AND_ADDRESS: usize = 5;
/// Failures from one address over all accounts (several people may share
/// one address).
pub const PER_ADDRESS: usize = 20;
/// Failures for one account from all addresses before its attempts are
/// spaced out.
pub const ACCOUNT_BURST: usize = 10;
/// Past [`ACCOUNT_BURST`], one attempt per account this often: guessing
/// from many addresses gets one guess per interval, while the owner waits
/// at most this long instead of being locked out.
pub const ACCOUNT_SPACING: Duration = Duration::from_secs(30);
/// Keys (account–address pairs, addresses, accounts) tracked at most; past
/// it the least recently seen is forgotten.
pub const MAX_KEYS: usize = 30_000;

pub struct Throttle {
    failures: Mutex<BoundedTable<Key, Attempts>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, IpAddr),
    Address(IpAddr),
    Account(String),
}

/// An attempt counted as a failure until it is settled otherwise.
#[must_use = "a claim is settled by the attempt's outcome"]
pub struct Claim<'a> {
    throttle: &'a Throttle,
    account: String,
    address: IpAddr,
    at: Instant,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::with_capacity(MAX_KEYS)
    }
}

impl Throttle {
    pub fn with_capacity(max_keys: usize) -> Self {
        Self {
            failures: Mutex::new(BoundedTable::new(max_keys)),
        }
    }

    /// Claims one attempt at `account` from `address`, or `Err(wait)` while
    /// one of the limits is reached (counting attempts still under way).
    pub fn claim(
        &self,
        account: &str,
        address: IpAddr,
        now: Instant,
    ) -> Result<Claim<'_>, Duration> {
        let account = account.to_ascii_lowercase();
        let keys = keys(&account, address);
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(times) = failures.get_mut(key) {
                wait = wait.max(wait_for(key, times, now));
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for key in &keys {
            failures.touch(key).push(now);
        }
        Ok(Claim {
            throttle: self,
            account,
            address,
            at: now,
        })
    }

    fn take_back(&self, claim: &Claim<'_>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys(&claim.account, claim.address) {
            if failures.get_mut(&key).is_some_and(|t| t.forget(claim.at)) {
                failures.remove(&key);
            }
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.failures.lock().unwrap().len()
    }
}

impl Claim<'_> {
    /// The right password: no failure, and this address's earlier failures
    /// for the account are forgiven.
    pub fn succeeded(self) {
        self.throttle.take_back(&self);
        let mut failures = self
            .throttle
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        failures.remove(&Key::Pair(self.account, self.address));
    }

    /// A wrong password (or unknown account): the claim stays a failure.
    pub fn failed(self) {}

    /// Not attempted after all (no hashing capacity): as if never claimed.
    pub fn withdraw(self) {
        self.throttle.take_back(&self);
    }
}

fn keys(account: &str, address: IpAddr) -> [Key; 3] {
    [
        Key::Pair(account.to_owned(), address),
        Key::Address(address),
        Key::Account(account.to_owned()),
    ]
}

fn wait_for(key: &Key, times: &mut Attempts, now: Instant) -> Duration {
    match key {
        Key::Pair(..) => times.wait(PER_ACCOUNT_AND_ADDRESS, WINDOW, now),
        Key::Address(_) => times.wait(PER_ADDRESS, WINDOW, now),
        Key::Account(_) => match times.last() {
            Some(last) if times.within(WINDOW, now) >= ACCOUNT_BURST => {
                ACCOUNT_SPACING.saturating_sub(now.saturating_duration_since(last))
            }
            _ => Duration::ZERO,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn address(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn an_account_locks_for_one_address_only_and_unlocks_when_failures_age_out() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            t.claim("Ada@x.io", HOME, start).unwrap().failed();
        }
        let wait = t.claim("ADA@x.io", HOME, start).err().unwrap();
        assert_eq!(wait, WINDOW);
        assert!(t.claim("ada@x.io", address(1), start).is_ok(), "elsewhere");
        assert!(t.claim("bob@x.io", HOME, start).is_ok(), "other accounts");
        assert!(t.claim("ada@x.io", HOME, start + WINDOW).is_ok());
    }

    #[test]
    fn attempts_under_way_count_before_their_outcome() {
        let t = Throttle::default();
        let now = Instant::now();
        let pending: Vec<_> = (0..PER_ACCOUNT_AND_ADDRESS)
            .map(|_| t.claim("ada", HOME, now).unwrap())
            .collect();
        assert!(t.claim("ada", HOME, now).is_err(), "five are under way");
        for claim in pending {
            claim.withdraw();
        }
        assert!(
            t.claim("ada", HOME, now).is_ok(),
            "withdrawn claims are gone"
        );
    }

    #[test]
    fn success_forgives_the_address_its_failures() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            t.claim("ada", HOME, now).unwrap().failed();
        }
        t.claim("ada", HOME, now).unwrap().succeeded();
        t.claim("ada", HOME, now).unwrap().failed();
        assert!(t.claim("ada", HOME, now).is_ok());
    }

    #[test]
    fn an_address_locks_after_its_limit_across_accounts() {
        let t = Throttle::default();
        let now = Instant::now();
        for n in 0..PER_ADDRESS {
            t.claim(&format!("user{n}@x.io"), HOME, now)
                .unwrap()
                .failed();
        }
        assert!(t.claim("new@x.io", HOME, now).is_err());
        assert!(t.claim("new@x.io", address(1), now).is_ok());
    }

    #[test]
    fn guesses_from_many_addresses_are_spaced_out_not_locked() {
        let t = Throttle::default();
        let now = Instant::now();
        for n in 0..ACCOUNT_BURST as u32 {
            t.claim("ada", address(n), now).unwrap().failed();
        }
        let wait = t.claim("ada", HOME, now).err().unwrap();
        assert_eq!(wait, ACCOUNT_SPACING);
        let later = now + ACCOUNT_SPACING;
        t.claim("ada", address(99), later).unwrap().failed();
        assert!(t.claim("ada", HOME, later).is_err(), "one per interval");
        assert!(t.claim("ada", HOME, later + ACCOUNT_SPACING).is_ok());
    }

    #[test]
    fn the_tracked_keys_are_capped() {
        let t = Throttle::with_capacity(300);
        let now = Instant::now();
        for n in 0..5_000 {
            t.claim(&format!("user{n}"), address(n), now)
                .unwrap()
                .failed();
            assert!(t.tracked() <= 300);
        }
        // The most recent keys are the ones kept.
        for _ in 1..PER_ACCOUNT_AND_ADDRESS {
            t.claim("user4999", address(4999), now).unwrap().failed();
        }
        assert!(t.claim("user4999", address(4999), now).is_err());
    }
}
