//! Accounts: sign-up, sign-in with argon2id-hashed passwords, and
//! profiles, with the limits that keep both cheap to serve and hard to
//! abuse: sign-ups per address, sign-in failures per account and address,
//! and a bounded hashing pool. Sessions themselves are tower-sessions' (see
//! `routes::auth`); this module only says who someone is.

mod attempts;
mod client;
mod pool;
mod sign_up_limit;
mod theme;
mod throttle;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use kanri_domain::{DisplayName, Email, Password, Profile, UserName};
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

pub use client::{BadCidr, Cidr, TrustedProxies};
use pool::Reservation;
pub use pool::{BUSY_RETRY, HashPool};

use crate::db::{Db, Sql, unique_violation_on};
pub use sign_up_limit::{SIGN_UP_WINDOW, SIGN_UPS_PER_HOUR, SignUpLimit};
pub use throttle::{ACCOUNT_BURST, ACCOUNT_SPACING, PER_ACCOUNT_AND_ADDRESS, PER_ADDRESS, WINDOW};

use attempts::AttemptLog;
use throttle::Throttle;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Deliberately the same for an unknown account and a wrong password.
    #[error("wrong e-mail or password")]
    WrongCredentials,
    #[error("too many failed sign-ins; try again in {} minute(s)", .0.as_secs().div_ceil(60))]
    Throttled(Duration),
    #[error("too many sign-ups from your address; try again in {} minute(s)", .0.as_secs().div_ceil(60))]
    SignUpLimited(Duration),
    /// The hashing pool and its queue are full.
    #[error("the server is busy signing people in; try again in a moment")]
    Busy,
    #[error("the user name {0} is taken")]
    NameTaken(UserName),
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// A new account, parsed.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub name: UserName,
    pub email: Email,
    pub display_name: DisplayName,
    pub password: Password,
}

pub struct Accounts {
    db: Db,
    /// Sign-in and sign-up attempts, shared by every node.
    attempts: AttemptLog,
    sign_ups_per_hour: usize,
    hashing: HashPool,
    proxies: TrustedProxies,
}

/// Longest password sign-in hashes; a longer one is simply wrong (and
/// hashing megabytes per request would be a cheap attack).
const MAX_SIGN_IN_PASSWORD: usize = Password::MAX_CHARS * 4;

impl Accounts {
    /// `sign_ups_per_hour` per client address; client addresses are read
    /// from forwarding headers of `proxies` only.
    pub fn new(db: Db, sign_ups_per_hour: usize, proxies: TrustedProxies) -> Self {
        Self {
            attempts: AttemptLog::new(db.clone()),
            db,
            sign_ups_per_hour,
            hashing: HashPool::for_this_machine(),
            proxies,
        }
    }

    /// The proxies whose forwarding headers name the client.
    pub fn trusted_proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// A sign-up from a client at `from`, within its address's hourly share.
    #[tracing::instrument(skip_all, fields(name = %new.name, %from))]
    pub async fn sign_up_from(
        &self,
        new: SignUp,
        from: IpAddr,
        now_ms: i64,
    ) -> Result<Profile, AccountError> {
        // A slot first: a burst past the pool is refused before it costs
        // a claim.
        let slot = self.hashing.reserve()?;
        SignUpLimit::new(self.sign_ups_per_hour, &self.attempts)
            .claim(from, now_ms)
            .await?
            .map_err(AccountError::SignUpLimited)?;
        self.create(new, slot, now_ms).await
    }

    /// A sign-up with no address limit (the demo's accounts).
    #[tracing::instrument(skip_all, fields(name = %new.name))]
    pub async fn sign_up(&self, new: SignUp, now_ms: i64) -> Result<Profile, AccountError> {
        self.create(new, self.hashing.reserve()?, now_ms).await
    }

    async fn create(
        &self,
        new: SignUp,
        slot: Reservation<'_>,
        now_ms: i64,
    ) -> Result<Profile, AccountError> {
        let password = new.password.clone();
        let hash = slot.run(move || hash(&password)).await??;
        let insert = Sql::query(
            "INSERT INTO users (name, email, display_name, password_hash, created_ms) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .arg(new.name.as_str())
        .arg(new.email.as_str())
        .arg(new.display_name.as_str())
        .arg(hash)
        .arg(now_ms);
        match self.db.execute(&insert).await {
            Ok(_) => Ok(Profile::new(new.name, new.display_name)),
            Err(e) if unique_violation_on(&e, "users", "email") => Err(AccountError::EmailTaken),
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                Err(AccountError::NameTaken(new.name))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Signs in by e-mail address or user name.
    #[tracing::instrument(skip(self, password))]
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        from: IpAddr,
        now_ms: i64,
    ) -> Result<Profile, AccountError> {
        let login = login.trim();
        // No account has a longer name or address; refused without a
        // claim, so the throttle never stores a key this long.
        if login.chars().count() > Email::MAX_CHARS {
            return Err(AccountError::WrongCredentials);
        }
        // A slot first: a burst past the pool is refused before it costs
        // a read and a claim.
        let slot = self.hashing.reserve()?;
        let row = self
            .db
            .fetch_optional(
                &Sql::query(
                    "SELECT name, display_name, password_hash FROM users \
                     WHERE email = lower(?) OR name = lower(?)",
                )
                .arg(login)
                .arg(login),
            )
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.text(0)?, r.text(1)?, r.text(2)?)))
            .transpose()?;
        // Failures count against the account, however it was named.
        let account = row
            .as_ref()
            .map_or(login, |(name, _, _)| name.as_str())
            .to_owned();
        // Claimed before hashing, so parallel guesses count each other.
        let claim = Throttle::new(&self.attempts)
            .claim(&account, from, now_ms)
            .await?
            .map_err(AccountError::Throttled)?;
        let too_long = password.len() > MAX_SIGN_IN_PASSWORD;
        // An unknown account still costs one verification, so the answer's
        // timing does not tell which accounts exist.
        let stored = row.as_ref().map(|(_, _, h)| h.clone());
        let matches = if too_long {
            false
        } else {
            let password = password.to_owned();
            slot.run(move || verify(&password, stored)).await??
        };
        let profile = row.and_then(|(name, display, _)| {
            Some(Profile::new(
                UserName::parse(&name).ok()?,
                DisplayName::parse(&display).ok()?,
            ))
        });
        match profile {
            Some(profile) if matches => {
                claim.succeeded().await?;
                Ok(profile)
            }
            _ => {
                claim.failed();
                tracing::info!("sign-in refused");
                Err(AccountError::WrongCredentials)
            }
        }
    }

    /// Replaces `user`'s password once `current` is verified; a wrong one is
    /// `WrongCredentials` and changes nothing. Ending the user's other
    /// sessions is the caller's part (see `sessions::Sessions`).
    #[tracing::instrument(skip(self, current, new))]
    pub async fn change_password(
        &self,
        user: &UserName,
        current: &str,
        new: Password,
    ) -> Result<(), AccountError> {
        let stored = self
            .db
            .fetch_optional(
                &Sql::query("SELECT password_hash FROM users WHERE name = ?").arg(user.as_str()),
            )
            .await?
            .map(|r| r.text(0))
            .transpose()?;
        let too_long = current.len() > MAX_SIGN_IN_PASSWORD;
        let matches = if too_long {
            false
        } else {
            let (current, stored) = (current.to_owned(), stored.clone());
            self.hashing.run(move || verify(&current, stored)).await??
        };
        if !matches {
            tracing::info!("password change refused: wrong current password");
            return Err(AccountError::WrongCredentials);
        }
        let hash = self.hashing.run(move || hash(&new)).await??;
        // Only over the hash just verified, so two changes at once cannot
        // both pass with the same old password.
        let changed = self
            .db
            .execute(
                &Sql::query(
                    "UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?",
                )
                .arg(hash)
                .arg(user.as_str())
                .arg(stored),
            )
            .await?;
        if changed == 1 {
            Ok(())
        } else {
            Err(AccountError::WrongCredentials)
        }
    }

    pub async fn profile(&self, name: &UserName) -> Result<Option<Profile>, AccountError> {
        let display = self
            .db
            .fetch_optional(
                &Sql::query("SELECT display_name FROM users WHERE name = ?").arg(name.as_str()),
            )
            .await?
            .map(|r| r.text(0))
            .transpose()?;
        Ok(display
            .and_then(|d| DisplayName::parse(&d).ok())
            .map(|d| Profile::new(name.clone(), d)))
    }

    /// The account with this e-mail address or user name (an invitation).
    pub async fn find(&self, login: &str) -> Result<Option<Profile>, AccountError> {
        let row = self
            .db
            .fetch_optional(
                &Sql::query(
                    "SELECT name, display_name FROM users WHERE email = lower(?) OR name = lower(?)",
                )
                .arg(login.trim())
                .arg(login.trim()),
            )
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.text(0)?, r.text(1)?)))
            .transpose()?;
        Ok(row.and_then(|(name, display)| {
            Some(Profile::new(
                UserName::parse(&name).ok()?,
                DisplayName::parse(&display).ok()?,
            ))
        }))
    }

    pub async fn count(&self) -> Result<u64, AccountError> {
        let rows = self
            .db
            .fetch_all(&Sql::new("SELECT COUNT(*) FROM users"))
            .await?;
        Ok(rows[0].int(0)? as u64)
    }
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
/// recommendation). Blocking: tens of ms; run it on the [`HashPool`].
fn hash(password: &Password) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches `stored`; with no stored hash, the same
/// work against a dummy, and `false`. Blocking, like [`hash`].
fn verify(password: &str, stored: Option<String>) -> Result<bool, AccountError> {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    let parsed = PasswordHash::new(&stored).map_err(|e| AccountError::Hash(e.to_string()))?;
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(ok && known)
}

/// A hash of nothing anyone knows, made once, for unknown accounts.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(uuid::Uuid::new_v4().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
