//! Sign-ups per client address per hour: each costs a password hash and a
//! row, so one address may not create accounts in bulk. A team behind one
//! NAT still fits under the default.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::attempts::Attempts;
use super::table::BoundedTable;

/// The window the limit counts over.
pub const SIGN_UP_WINDOW: Duration = Duration::from_secs(60 * 60);
/// The default of `KANRI_SIGN_UPS_PER_HOUR`.
pub const SIGN_UPS_PER_HOUR: usize = 20;
/// Addresses tracked at most; past it the least recently seen is forgotten.
const MAX_ADDRESSES: usize = 30_000;

pub struct SignUpLimit {
    per_hour: usize,
    sign_ups: Mutex<BoundedTable<IpAddr, Attempts>>,
}

/// A sign-up counted against its address unless withdrawn.
#[must_use = "a claim is withdrawn if the sign-up did not happen"]
pub struct SignUpClaim<'a> {
    limit: &'a SignUpLimit,
    address: IpAddr,
    at: Instant,
}

impl SignUpLimit {
    pub fn new(per_hour: usize) -> Self {
        Self {
            per_hour,
            sign_ups: Mutex::new(BoundedTable::new(MAX_ADDRESSES)),
        }
    }

    /// Counts a sign-up from `address`, or `Err(wait)` while it has had its
    /// share this hour.
    pub fn claim(&self, address: IpAddr, now: Instant) -> Result<SignUpClaim<'_>, Duration> {
        let mut sign_ups = self.sign_ups.lock().unwrap_or_else(|e| e.into_inner());
        let times = sign_ups.touch(&address);
        let wait = times.wait(self.per_hour, SIGN_UP_WINDOW, now);
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        times.push(now);
        Ok(SignUpClaim {
            limit: self,
            address,
            at: now,
        })
    }
}

impl SignUpClaim<'_> {
    /// The sign-up was not attempted after all (no hashing capacity).
    pub fn withdraw(self) {
        let mut sign_ups = self
            .limit
            .sign_ups
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if sign_ups
            .get_mut(&self.address)
            .is_some_and(|t| t.forget(self.at))
        {
            sign_ups.remove(&self.address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn an_address_gets_its_share_per_hour_and_withdrawn_ones_do_not_count() {
        let limit = SignUpLimit::new(3);
        let home = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let now = Instant::now();
        limit.claim(home, now).unwrap().withdraw();
        let _kept: Vec<_> = (0..3).map(|_| limit.claim(home, now).unwrap()).collect();
        assert_eq!(limit.claim(home, now).err(), Some(SIGN_UP_WINDOW));
        let elsewhere = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        assert!(limit.claim(elsewhere, now).is_ok());
        assert!(limit.claim(home, now + SIGN_UP_WINDOW).is_ok());
    }
}
