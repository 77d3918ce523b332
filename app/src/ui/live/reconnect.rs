//! Whether and when a lost live connection tries again: the pure rules of
//! the client in `ui::live`, tested natively.
//!
//! The wait doubles from [`FIRST`] up to [`LONGEST`], plus a random part of
//! up to a quarter of it, so that the pages a restarted server had open do
//! not all come back in the same instant. A close that says the reader's
//! access ended (4401–4405) is final: trying again would only be refused.

use std::time::Duration;

use super::Connection;
use crate::api::live::close;

/// The wait before the first new attempt.
pub const FIRST: Duration = Duration::from_millis(500);
/// The longest wait, before jitter.
pub const LONGEST: Duration = Duration::from_secs(10);
/// The jitter's share of a wait, at most (1/4).
const JITTER_DIVISOR: u32 = 4;

/// The wait before attempt `failures + 1`, after `failures` in a row (the
/// first failure is `0`); `unit` in `[0, 1)` picks the jitter (values out
/// of range are clamped).
pub fn delay(failures: u32, unit: f64) -> Duration {
    let base = FIRST
        .checked_mul(2u32.saturating_pow(failures))
        .map_or(LONGEST, |d| d.min(LONGEST));
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    base + (base / JITTER_DIVISOR).mul_f64(unit)
}

/// The failures in a row of one connection; the schedule of [`delay`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait before the next attempt, counting this failure.
    pub fn next(&mut self, unit: f64) -> Duration {
        let wait = delay(self.failures, unit);
        self.failures = self.failures.saturating_add(1);
        wait
    }

    /// A connection that worked (or ended on purpose) starts again from
    /// the shortest wait.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// The state a close with `code` ends in for good, if it is one of the
/// codes after which the client must not reconnect; `None` otherwise.
pub fn final_state(code: u16) -> Option<Connection> {
    if code == close::LINK_ENDED {
        Some(Connection::LinkEnded)
    } else if close::ended(code).is_some() {
        Some(Connection::AccessEnded(code))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(d: Duration) -> u128 {
        d.as_millis()
    }

    #[test]
    fn the_wait_doubles_from_half_a_second_up_to_ten() {
        let waits: Vec<u128> = (0..8).map(|n| ms(delay(n, 0.0))).collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]
        );
    }

    #[test]
    fn jitter_adds_at_most_a_quarter() {
        assert_eq!(ms(delay(0, 0.5)), 562);
        assert_eq!(ms(delay(5, 0.999_999)), 12_499);
        for n in 0..40 {
            for unit in [0.0, 0.1, 0.5, 0.9, 0.999] {
                let wait = delay(n, unit);
                let base = delay(n, 0.0);
                assert!(
                    wait >= base && wait <= base + base / 4,
                    "{n} {unit}: {wait:?}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_jitter_is_clamped() {
        assert_eq!(delay(0, -3.0), delay(0, 0.0));
        assert_eq!(delay(0, f64::NAN), delay(0, 0.0));
        assert_eq!(delay(0, 7.0), Duration::from_millis(625));
        assert_eq!(delay(3, f64::INFINITY), delay(3, 0.0));
    }

    #[test]
    fn many_failures_neither_overflow_nor_pass_the_longest_wait() {
        assert_eq!(delay(u32::MAX, 0.0), LONGEST);
        let mut backoff = Backoff { failures: u32::MAX };
        assert_eq!(backoff.next(0.0), LONGEST);
        assert_eq!(backoff.next(0.0), LONGEST);
    }

    #[test]
    fn the_schedule_grows_and_a_reset_starts_it_again() {
        let mut backoff = Backoff::default();
        let waits: Vec<u128> = (0..4).map(|_| ms(backoff.next(0.0))).collect();
        assert_eq!(waits, [500, 1_000, 2_000, 4_000]);
        backoff.reset();
        assert_eq!(backoff.next(0.0), FIRST);
    }

    #[test]
    fn access_ended_closes_are_final_and_others_retry() {
        assert_eq!(final_state(close::LINK_ENDED), Some(Connection::LinkEnded));
        for code in [
            close::SIGNED_OUT,
            close::TOKEN_REVOKED,
            close::MEMBER_REMOVED,
            close::PASSWORD_CHANGED,
        ] {
            assert_eq!(final_state(code), Some(Connection::AccessEnded(code)));
        }
        for code in [1000, close::GOING_AWAY, 1006, close::TOO_BIG, 4400, 4406] {
            assert_eq!(final_state(code), None, "{code}");
        }
    }
}
