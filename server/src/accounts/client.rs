//! The client address account limits count against. Behind a reverse
//! proxy every request comes from the proxy, so its `X-Forwarded-For` (or
//! `Forwarded: for=`) names the client; but anyone can send those headers,
//! so they are read only from the proxies named in
//! `KANRI_TRUSTED_PROXIES`, and only up to the right-most hop that is not
//! one of them (what is left of it was written by the client).

use http::HeaderMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare
/// address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an address or CIDR range like 10.0.0.0/8 or fd00::/8")]
pub struct BadCidr(pub String);

impl FromStr for Cidr {
    type Err = BadCidr;

    fn from_str(raw: &str) -> Result<Self, BadCidr> {
        let bad = || BadCidr(raw.to_owned());
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let network = network.to_canonical();
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            Some(_) => return Err(bad()),
            None => bits,
        };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The reverse proxies whose forwarding headers are believed; none by
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// A list separated by commas or spaces.
    pub fn parse(list: &str) -> Result<Self, BadCidr> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client's address: `peer`, unless `peer` is a trusted proxy; then
    /// the right-most forwarded hop that is not. A hop that does not parse
    /// ends the walk at the last trusted one, which is then the best
    /// address known.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        for hop in forwarded_hops(headers).iter().rev() {
            let Some(hop) = parse_hop(hop) else {
                return client;
            };
            client = hop;
            if !self.trusts(hop) {
                return hop;
            }
        }
        client
    }
}

/// The hops a request went through, the client's first: from
/// `X-Forwarded-For` (every such header, in order), else from the `for=`
/// of `Forwarded`. An element without `for=` is an empty, unparsable hop.
fn forwarded_hops(headers: &HeaderMap) -> Vec<&str> {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or_default())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    if headers.contains_key("x-forwarded-for") {
        return values("x-forwarded-for");
    }
    values("forwarded")
        .into_iter()
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .map_or("", |(_, value)| value.trim())
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`,
/// any of them in quotes.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = hop.strip_prefix('[') {
        let (inside, _) = rest.split_once(']')?;
        return inside.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
    }
    let (address, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn ranges_parse_and_contain_their_addresses() {
        let lan: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(lan.contains(ip("10.200.3.4")));
        assert!(!lan.contains(ip("11.0.0.1")));
        assert!(lan.contains(ip("::ffff:10.0.0.1")), "v4-mapped v6 is v4");
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert_eq!(one.to_string(), "127.0.0.1/32");
        assert!(!one.contains(ip("127.0.0.2")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("::1")));
        assert!("fd00::/8".parse::<Cidr>().unwrap().contains(ip("fd12::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "localhost",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
        assert_eq!(
            TrustedProxies::parse(" 10.0.0.0/8, ::1  192.168.1.1 ")
                .unwrap()
                .0
                .len(),
            3
        );
        assert!(TrustedProxies::parse("10.0.0.0/8,nonsense").is_err());
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.2");
        let none = TrustedProxies::default();
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(none.client_address(proxy, &spoofed), proxy);

        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let from_proxy = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            trusted.client_address(proxy, &from_proxy),
            ip("198.51.100.7")
        );
        assert_eq!(
            trusted.client_address(ip("203.0.113.1"), &from_proxy),
            ip("203.0.113.1"),
            "an untrusted peer's header is ignored"
        );
        // The client wrote the left part itself: the right-most untrusted hop wins.
        let chain = headers(&[
            ("x-forwarded-for", "1.2.3.4, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.9"),
        ]);
        assert_eq!(trusted.client_address(proxy, &chain), ip("198.51.100.7"));
        let garbage = headers(&[("x-forwarded-for", "1.2.3.4, not-an-ip, 10.0.0.9")]);
        assert_eq!(trusted.client_address(proxy, &garbage), ip("10.0.0.9"));
        assert_eq!(trusted.client_address(proxy, &HeaderMap::new()), proxy);

        let forwarded = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::17]:4711\";proto=https",
        )]);
        assert_eq!(
            trusted.client_address(proxy, &forwarded),
            ip("2001:db8::17")
        );
        let with_port = headers(&[("forwarded", "for=198.51.100.7:8080;by=10.0.0.2")]);
        assert_eq!(
            trusted.client_address(proxy, &with_port),
            ip("198.51.100.7")
        );
        let hidden = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(trusted.client_address(proxy, &hidden), proxy);
    }
}
