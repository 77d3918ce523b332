//! Sign-in limits. An attempt is claimed, and counted as a failure, before
//! its password is hashed, so parallel guesses see each other; a right
//! password takes its claim back. Limits are per account *and* address, so
//! someone guessing from one address cannot lock the owner out from
//! another; an account guessed at from many addresses gets its attempts
//! spaced out instead of locked.

use std::net::IpAddr;
use std::time::Duration;

use super::attempts::{AttemptLog, Attempts};

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

/// What an attempt counts against, in the order [`keys`] names them.
const PAIR: usize = 0;
const ADDRESS: usize = 1;
const ACCOUNT: usize = 2;

pub struct Throttle<'a> {
    log: &'a AttemptLog,
}

/// An attempt counted as a failure until it is settled otherwise.
#[must_use = "a claim is settled by the attempt's outcome"]
pub struct Claim<'a> {
    log: &'a AttemptLog,
    ids: Vec<i64>,
    pair: String,
}

impl<'a> Throttle<'a> {
    pub fn new(log: &'a AttemptLog) -> Self {
        Self { log }
    }

    /// Claims one attempt at `account` from `address`, or `Err(wait)` while
    /// one of the limits is reached (counting attempts still under way, on
    /// every node).
    pub async fn claim(
        &self,
        account: &str,
        address: IpAddr,
        now_ms: i64,
    ) -> Result<Result<Claim<'a>, Duration>, sqlx::Error> {
        let keys = keys(account, address);
        let claimed = self.log.claim(&keys, now_ms, |a| wait(a, now_ms)).await?;
        Ok(claimed.map(|ids| Claim {
            log: self.log,
            ids,
            pair: keys[PAIR].clone(),
        }))
    }
}

impl Claim<'_> {
    /// The right password: no failure, and this address's earlier failures
    /// for the account are forgiven.
    pub async fn succeeded(self) -> Result<(), sqlx::Error> {
        self.log.forgive(&self.ids, &self.pair).await
    }

    /// A wrong password (or unknown account): the claim stays a failure.
    pub fn failed(self) {}
}

/// One account however it is capitalised.
fn keys(account: &str, address: IpAddr) -> [String; 3] {
    let account = account.to_ascii_lowercase();
    [
        format!("sign-in/pair/{account}/{address}"),
        format!("sign-in/address/{address}"),
        format!("sign-in/account/{account}"),
    ]
}

/// How long an attempt must wait, given the recent attempts at its keys
/// (pair, address, account): the longest of the three limits' waits.
fn wait(attempts: &mut [Attempts], now_ms: i64) -> Duration {
    let pair = attempts[PAIR].wait(PER_ACCOUNT_AND_ADDRESS, WINDOW, now_ms);
    let address = attempts[ADDRESS].wait(PER_ADDRESS, WINDOW, now_ms);
    let account = &mut attempts[ACCOUNT];
    let spacing = match account.last_ago(now_ms) {
        Some(ago) if account.within(WINDOW, now_ms) >= ACCOUNT_BURST => {
            ACCOUNT_SPACING.saturating_sub(ago)
        }
        _ => Duration::ZERO,
    };
    pair.max(address).max(spacing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_800_000_000_000;

    fn ms(d: Duration) -> i64 {
        d.as_millis() as i64
    }

    /// Recent attempts: `pair`, `address` and `account` attempts at `at`.
    fn recent(pair: usize, address: usize, account: usize, at: i64) -> [Attempts; 3] {
        let mut keys: [Attempts; 3] = Default::default();
        for (times, count) in keys.iter_mut().zip([pair, address, account]) {
            (0..count).for_each(|_| times.push(at));
        }
        keys
    }

    #[test]
    fn an_account_locks_for_one_address_only_and_unlocks_when_failures_age_out() {
        let n = PER_ACCOUNT_AND_ADDRESS;
        assert_eq!(wait(&mut recent(n, n, n, START), START), WINDOW);
        assert_eq!(wait(&mut recent(n - 1, n, n, START), START), Duration::ZERO);
        assert_eq!(
            wait(&mut recent(0, n, n, START), START),
            Duration::ZERO,
            "elsewhere"
        );
        let later = START + ms(WINDOW);
        assert_eq!(wait(&mut recent(n, n, n, START), later), Duration::ZERO);
        let wait_left = wait(&mut recent(n, n, n, START), START + 60_000);
        assert_eq!(wait_left, WINDOW - Duration::from_secs(60));
    }

    #[test]
    fn an_address_locks_after_its_limit_across_accounts() {
        assert_eq!(wait(&mut recent(0, PER_ADDRESS, 0, START), START), WINDOW);
        assert_eq!(
            wait(&mut recent(0, PER_ADDRESS - 1, 0, START), START),
            Duration::ZERO
        );
    }

    #[test]
    fn guesses_from_many_addresses_are_spaced_out_not_locked() {
        let burst = recent(0, 0, ACCOUNT_BURST, START);
        assert_eq!(wait(&mut burst.clone(), START), ACCOUNT_SPACING);
        let later = START + ms(ACCOUNT_SPACING);
        assert_eq!(wait(&mut burst.clone(), later), Duration::ZERO);
        let mut one_more = burst;
        one_more[ACCOUNT].push(later);
        assert_eq!(
            wait(&mut one_more, later),
            ACCOUNT_SPACING,
            "one per interval"
        );
        let below = recent(0, 0, ACCOUNT_BURST - 1, START);
        assert_eq!(wait(&mut below.clone(), START), Duration::ZERO);
    }

    #[test]
    fn keys_name_the_account_in_one_case() {
        let home = IpAddr::from([127, 0, 0, 1]);
        assert_eq!(keys("Ada", home)[PAIR], "sign-in/pair/ada/127.0.0.1");
        assert_eq!(keys("ADA", home)[ADDRESS], "sign-in/address/127.0.0.1");
        assert_eq!(keys("adA", home)[ACCOUNT], "sign-in/account/ada");
    }
}
