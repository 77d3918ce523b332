//! Name resolution for deliveries: the delivery client resolves names with
//! this resolver only, which keeps the addresses [`Targets`] allows. reqwest
//! connects to exactly the addresses returned here, so a name cannot be
//! checked against one address and then connect to another (DNS rebinding).
//! Literal addresses never reach a resolver: [`literal_refused`] checks them.

use std::io;
use std::net::{IpAddr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::targets::{Blocked, Targets};

/// Why a webhook's host name gave no address to connect to.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Every address of the name is one webhooks may not reach.
    #[error("{host} resolves only to addresses webhooks may not reach ({why})")]
    Refused { host: String, why: Blocked },
    #[error("cannot resolve {host}: {source}")]
    Lookup { host: String, source: io::Error },
    #[error("{host} has no address")]
    NoAddress { host: String },
}

/// Resolves with the system's resolver (via tokio) and keeps the allowed
/// addresses.
#[derive(Debug, Clone, Copy)]
pub struct CheckedResolver {
    pub targets: Targets,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let targets = self.targets;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match resolve_allowed(targets, host).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// The addresses of `host` that `targets` allows; an error when there are none.
async fn resolve_allowed(targets: Targets, host: String) -> Result<Vec<SocketAddr>, ResolveError> {
    let found = tokio::net::lookup_host((host.as_str(), 0))
        .await
        .map(|found| found.collect::<Vec<SocketAddr>>());
    let found = match found {
        Ok(found) => found,
        Err(source) => return Err(ResolveError::Lookup { host, source }),
    };
    let (allowed, refused) = allowed(targets, found);
    if !allowed.is_empty() {
        return Ok(allowed);
    }
    Err(match refused.first() {
        Some(&(addr, why)) => {
            // The address is for the operator's log, not the delivery log.
            tracing::warn!(%host, %addr, %why, "webhook delivery refused: not a public address");
            ResolveError::Refused { host, why }
        }
        None => ResolveError::NoAddress { host },
    })
}

/// Splits resolved addresses into those `targets` allows and the refused ones.
fn allowed(
    targets: Targets,
    found: Vec<SocketAddr>,
) -> (Vec<SocketAddr>, Vec<(SocketAddr, Blocked)>) {
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for addr in found {
        match targets.refuses(addr.ip()) {
            Some(why) => refused.push((addr, why)),
            None => allowed.push(addr),
        }
    }
    (allowed, refused)
}

/// Why the URL's host, when it is a literal address, may not be targeted.
/// (The URL parser has already normalised forms like `2130706433` or
/// `0x7f.1` to dotted IPv4, and IPv6 to brackets.)
pub fn literal_refused(url: &Url, targets: Targets) -> Option<Blocked> {
    targets.refuses(literal_ip(url)?)
}

/// The URL's host when it is an address rather than a name.
pub fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_addresses_are_kept() {
        let found: Vec<SocketAddr> = ["127.0.0.1:0", "93.184.216.34:0", "[fd00::1]:0"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let (kept, refused) = allowed(Targets::PublicOnly, found.clone());
        assert_eq!(kept, [found[1]]);
        assert_eq!(
            refused,
            [(found[0], Blocked::Loopback), (found[2], Blocked::Private)]
        );
        assert_eq!(allowed(Targets::Any, found.clone()).0, found);
    }

    #[test]
    fn literal_hosts_are_read_from_the_parsed_url() {
        let ip = |u: &str| literal_ip(&Url::parse(u).unwrap());
        assert_eq!(ip("http://[::1]:8080/x"), Some("::1".parse().unwrap()));
        assert_eq!(ip("http://2130706433/"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(ip("http://localhost/"), None);
        assert_eq!(ip("http://127.0.0.1.example.com/"), None);
    }

    // `localhost` comes from the hosts file: no query leaves the machine.
    #[tokio::test]
    async fn a_name_of_loopback_addresses_resolves_to_nothing_by_default() {
        let refused = resolve_allowed(Targets::PublicOnly, "localhost".into()).await;
        assert!(
            matches!(refused, Err(ResolveError::Refused { .. })),
            "{refused:?}"
        );
        let allowed = resolve_allowed(Targets::Any, "localhost".into())
            .await
            .unwrap();
        assert!(allowed.iter().all(|a| a.ip().is_loopback()), "{allowed:?}");
        assert!(!allowed.is_empty());
    }
}
