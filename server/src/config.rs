//! Configuration from the environment, parsed once at start-up. Every error
//! names the variable and says what is wrong with its value.

use std::net::SocketAddr;
use std::path::PathBuf;

pub use crate::db::DatabaseUrl;

use crate::accounts::{BadCidr, SIGN_UPS_PER_HOUR, TrustedProxies};

#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`KANRI_ADDR`, default `127.0.0.1:3000`).
    pub addr: SocketAddr,
    /// Where the data lives (`DATABASE_URL`: an SQLite file, the default
    /// `./data/kanri.db`, or a PostgreSQL URL).
    pub database: DatabaseUrl,
    /// Whether subscriber projections run (`KANRI_SUBSCRIBERS=off` pauses them).
    pub run_subscribers: bool,
    /// Messages buffered per board for its sockets; a socket that falls
    /// further behind resyncs from the log.
    pub hub_capacity: usize,
    /// Session cookies marked Secure: set `KANRI_SECURE_COOKIES=on` when the
    /// site is served over TLS (directly or behind a proxy).
    pub secure_cookies: bool,
    /// Create the demo workspace on an empty database: on for `kanri run`
    /// unless `KANRI_NO_DEMO=1`, off in [`Config::new`] (tests).
    pub demo: bool,
    /// When failed webhook deliveries are retried.
    pub webhook_backoff: crate::webhooks::Backoff,
    /// Mounts `GET /__test/panic`, a route that panics: it exists for the
    /// tests of the panic handling only, is false in [`Config::new`] and is
    /// never set from the environment.
    pub panic_route: bool,
    /// Webhooks may target private, loopback and link-local addresses
    /// (`KANRI_WEBHOOK_ALLOW_PRIVATE=1`): off by default, here and in
    /// [`Config::new`], so a webhook cannot reach the server's own network.
    pub webhook_allow_private: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` name the
    /// client (`KANRI_TRUSTED_PROXIES`, a CIDR list; default none).
    pub trusted_proxies: TrustedProxies,
    /// Sign-ups per client address per hour (`KANRI_SIGN_UPS_PER_HOUR`,
    /// default [`SIGN_UPS_PER_HOUR`]).
    pub sign_ups_per_hour: usize,
    /// This node's name in `/healthz` and the logs (`KANRI_NODE_ID`, default
    /// the host name and process id).
    pub node_id: String,
    /// The built WASM, JS and CSS (`LEPTOS_SITE_ROOT`) and whether their
    /// names are hashed.
    pub site: crate::site::Site,
}

/// The default of [`Config::hub_capacity`].
pub const HUB_CAPACITY: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("KANRI_ADDR={0:?} is not an address like 127.0.0.1:3000")]
    Addr(String),
    #[error(
        "DATABASE_URL={0:?}: use sqlite://path/to/kanri.db or postgres://user:password@host/database"
    )]
    UnsupportedDatabase(String),
    #[error("DATABASE_URL={0:?} is not a PostgreSQL URL: {1}")]
    BadPostgresUrl(String, String),
    #[error("DATABASE_URL={0:?} names no database file")]
    EmptyDatabasePath(String),
    #[error("KANRI_SUBSCRIBERS={0:?} must be on or off")]
    Subscribers(String),
    #[error("KANRI_SECURE_COOKIES={0:?} must be on or off")]
    SecureCookies(String),
    #[error("KANRI_NO_DEMO={0:?} must be 1 or 0")]
    NoDemo(String),
    #[error("KANRI_WEBHOOK_ALLOW_PRIVATE={0:?} must be 1 or 0")]
    WebhookAllowPrivate(String),
    #[error("KANRI_TRUSTED_PROXIES: {0}")]
    TrustedProxies(#[from] BadCidr),
    #[error("KANRI_SIGN_UPS_PER_HOUR={0:?} must be a whole number from 1 to 1000000")]
    SignUpsPerHour(String),
    #[error("KANRI_NODE_ID={0:?} must be 1 to 64 letters, digits, dots, dashes or underscores")]
    NodeId(String),
}

fn valid_node_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("KANRI_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr.parse().map_err(|_| ConfigError::Addr(addr))?;
        let database =
            database_url(&var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kanri.db".into()))?;
        let run_subscribers = match var("KANRI_SUBSCRIBERS").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(ConfigError::Subscribers(other.into())),
        };
        let secure_cookies = match var("KANRI_SECURE_COOKIES").as_deref() {
            None | Some("off") => false,
            Some("on") => true,
            Some(other) => return Err(ConfigError::SecureCookies(other.into())),
        };
        let demo = match var("KANRI_NO_DEMO").as_deref() {
            None | Some("0") => true,
            Some("1") => false,
            Some(other) => return Err(ConfigError::NoDemo(other.into())),
        };
        let webhook_allow_private =
            webhook_allow_private(var("KANRI_WEBHOOK_ALLOW_PRIVATE").as_deref())?;
        let trusted_proxies =
            TrustedProxies::parse(&var("KANRI_TRUSTED_PROXIES").unwrap_or_default())?;
        let sign_ups_per_hour = match var("KANRI_SIGN_UPS_PER_HOUR") {
            None => SIGN_UPS_PER_HOUR,
            Some(raw) => raw
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or(ConfigError::SignUpsPerHour(raw))?,
        };
        let node_id = match var("KANRI_NODE_ID") {
            None => crate::nodes::default_id(),
            Some(id) if valid_node_id(&id) => id,
            Some(id) => return Err(ConfigError::NodeId(id)),
        };
        Ok(Self {
            node_id,
            site: crate::site::Site::from_env(),
            run_subscribers,
            secure_cookies,
            demo,
            webhook_allow_private,
            trusted_proxies,
            sign_ups_per_hour,
            ..Self::new(addr, database)
        })
    }

    /// A configuration with the defaults for everything but where to listen
    /// and which database file to use.
    pub fn new(addr: SocketAddr, database: impl Into<DatabaseUrl>) -> Self {
        Self {
            addr,
            database: database.into(),
            run_subscribers: true,
            hub_capacity: HUB_CAPACITY,
            secure_cookies: false,
            demo: false,
            webhook_backoff: crate::webhooks::Backoff::default(),
            panic_route: false,
            webhook_allow_private: false,
            trusted_proxies: TrustedProxies::default(),
            node_id: crate::nodes::default_id(),
            sign_ups_per_hour: SIGN_UPS_PER_HOUR,
            site: crate::site::Site::plain("target/site"),
        }
    }
}

/// `KANRI_WEBHOOK_ALLOW_PRIVATE`: `1` allows, `0` or unset does not.
fn webhook_allow_private(value: Option<&str>) -> Result<bool, ConfigError> {
    match value.map(str::trim) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ConfigError::WebhookAllowPrivate(other.into())),
    }
}

/// `DATABASE_URL`: `postgres://…` or `postgresql://…` for PostgreSQL,
/// otherwise an SQLite file (see [`database_path`]).
pub fn database_url(url: &str) -> Result<DatabaseUrl, ConfigError> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        use std::str::FromStr;
        return match sqlx::postgres::PgConnectOptions::from_str(url) {
            Ok(_) => Ok(DatabaseUrl::Postgres(url.to_owned())),
            Err(e) => Err(ConfigError::BadPostgresUrl(
                crate::db::redacted(url),
                e.to_string(),
            )),
        };
    }
    database_path(url).map(DatabaseUrl::Sqlite)
}

/// Accepts `sqlite://path`, `sqlite:path` or a bare path.
pub fn database_path(url: &str) -> Result<PathBuf, ConfigError> {
    let url = url.trim();
    let path = if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        rest.split('?').next().unwrap_or_default()
    } else if url.contains("://") {
        return Err(ConfigError::UnsupportedDatabase(crate::db::redacted(url)));
    } else {
        url
    };
    if path.is_empty() || path.contains(":memory:") {
        return Err(ConfigError::EmptyDatabasePath(url.into()));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_webhook_targets_are_allowed_only_by_1() {
        assert!(!webhook_allow_private(None).unwrap());
        assert!(!webhook_allow_private(Some("0")).unwrap());
        assert!(webhook_allow_private(Some("1")).unwrap());
        for bad in ["yes", "true", "on", "2"] {
            let error = webhook_allow_private(Some(bad)).unwrap_err();
            assert!(matches!(error, ConfigError::WebhookAllowPrivate(_)));
            assert!(error.to_string().contains("must be 1 or 0"));
        }
        let defaults = Config::new("127.0.0.1:0".parse().unwrap(), PathBuf::from("k.db"));
        assert!(!defaults.webhook_allow_private, "off unless asked for");
    }

    #[test]
    fn database_urls_parse_to_paths() {
        assert_eq!(
            database_path("sqlite://data/k.db").unwrap(),
            PathBuf::from("data/k.db")
        );
        assert_eq!(
            database_path("sqlite:///tmp/k.db?mode=rwc").unwrap(),
            PathBuf::from("/tmp/k.db")
        );
        assert_eq!(database_path("k.db").unwrap(), PathBuf::from("k.db"));
        assert!(matches!(
            database_path("mysql://x/y"),
            Err(ConfigError::UnsupportedDatabase(_))
        ));
        assert_eq!(
            database_url("postgres://k:pw@db:5432/kanri").unwrap(),
            DatabaseUrl::Postgres("postgres://k:pw@db:5432/kanri".into())
        );
        let bad = database_url("postgres://k:secret@db:notaport/kanri").unwrap_err();
        assert!(matches!(bad, ConfigError::BadPostgresUrl(..)));
        assert!(!bad.to_string().contains("secret"), "{bad}");
        assert_eq!(
            database_url("data/k.db").unwrap(),
            DatabaseUrl::Sqlite("data/k.db".into())
        );
        assert!(matches!(
            database_path("sqlite://"),
            Err(ConfigError::EmptyDatabasePath(_))
        ));
        assert!(matches!(
            database_path("sqlite::memory:"),
            Err(ConfigError::EmptyDatabasePath(_))
        ));
    }

    #[test]
    fn a_bad_trusted_proxy_is_named_with_its_variable() {
        let e = ConfigError::from(TrustedProxies::parse("10.0.0.0/8, 10.1/99").unwrap_err());
        assert_eq!(
            e.to_string(),
            "KANRI_TRUSTED_PROXIES: \"10.1/99\" is not an address or CIDR range like 10.0.0.0/8 or fd00::/8"
        );
    }
}
