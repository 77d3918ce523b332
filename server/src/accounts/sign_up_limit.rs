//! Sign-ups per client address per hour: each costs a password hash and a
//! row, so one address may not create accounts in bulk. A team behind one
//! NAT still fits under the default.

use std::net::IpAddr;
use std::time::Duration;

use super::attempts::AttemptLog;

/// The window the limit counts over.
pub const SIGN_UP_WINDOW: Duration = Duration::from_secs(60 * 60);
/// The default of `KANRI_SIGN_UPS_PER_HOUR`.
pub const SIGN_UPS_PER_HOUR: usize = 20;

pub struct SignUpLimit<'a> {
    per_hour: usize,
    log: &'a AttemptLog,
}

impl<'a> SignUpLimit<'a> {
    pub fn new(per_hour: usize, log: &'a AttemptLog) -> Self {
        Self { per_hour, log }
    }

    /// Counts a sign-up from `address`, or `Err(wait)` while it has had its
    /// share this hour (on every node together).
    pub async fn claim(
        &self,
        address: IpAddr,
        now_ms: i64,
    ) -> Result<Result<(), Duration>, sqlx::Error> {
        let key = [format!("sign-up/address/{address}")];
        let claimed = self
            .log
            .claim(&key, now_ms, |a| {
                a[0].wait(self.per_hour, SIGN_UP_WINDOW, now_ms)
            })
            .await?;
        Ok(claimed.map(drop))
    }
}
