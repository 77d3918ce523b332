//! Which addresses a webhook may reach. By default only public ones: a
//! webhook must not become a way into the server's own network (SSRF:
//! loopback services, the cloud metadata endpoint, the office LAN). The
//! check runs at creation for a literal address, and at every delivery on
//! the addresses the name resolves to then, which are the only ones the
//! delivery connects to (see [`super::resolve`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The addresses webhooks may target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Targets {
    /// Public addresses only (the default).
    #[default]
    PublicOnly,
    /// Any address, private ones included (`KANRI_WEBHOOK_ALLOW_PRIVATE=1`):
    /// for receivers inside the operator's own network.
    Any,
}

impl Targets {
    pub fn allow_private(allow: bool) -> Self {
        if allow { Self::Any } else { Self::PublicOnly }
    }

    /// Why `ip` may not be targeted; `None` when it may.
    pub fn refuses(self, ip: IpAddr) -> Option<Blocked> {
        match self {
            Self::PublicOnly => blocked(ip),
            Self::Any => None,
        }
    }
}

/// A range of addresses that is not the public internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// 0.0.0.0/8 (0.0.0.0 itself included) and `::`.
    Unspecified,
    /// 127.0.0.0/8 and `::1`.
    Loopback,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16) and unique local fc00::/7
    /// (with the deprecated site-local fec0::/10).
    Private,
    /// 169.254.0.0/16 (the cloud metadata endpoint lives here) and fe80::/10.
    LinkLocal,
    /// Carrier-grade NAT, 100.64.0.0/10.
    SharedAddressSpace,
    /// 224.0.0.0/4 and ff00::/8.
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// Documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)
    /// and benchmarking (198.18/15, 2001:2::/48) ranges: never real hosts.
    Documentation,
    /// IETF protocol assignments (192.0.0/24), reserved 240/4, discard-only
    /// 100::/64: not public hosts either.
    Reserved,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "an unspecified address",
            Self::Loopback => "a loopback address",
            Self::Private => "a private address",
            Self::LinkLocal => "a link-local address",
            Self::SharedAddressSpace => "a carrier-grade NAT address",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "the broadcast address",
            Self::Documentation => "a documentation or benchmarking address",
            Self::Reserved => "a reserved address",
        })
    }
}

/// The non-public range `ip` is in, if any.
pub fn blocked(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

/// IPv4 ranges: (network, prefix length, class). Order matters only where
/// ranges nest (255.255.255.255 is also in 240/4).
const V4: &[([u8; 4], u32, Blocked)] = &[
    ([0, 0, 0, 0], 8, Blocked::Unspecified),
    ([10, 0, 0, 0], 8, Blocked::Private),
    ([100, 64, 0, 0], 10, Blocked::SharedAddressSpace),
    ([127, 0, 0, 0], 8, Blocked::Loopback),
    ([169, 254, 0, 0], 16, Blocked::LinkLocal),
    ([172, 16, 0, 0], 12, Blocked::Private),
    ([192, 0, 0, 0], 24, Blocked::Reserved),
    ([192, 0, 2, 0], 24, Blocked::Documentation),
    ([192, 168, 0, 0], 16, Blocked::Private),
    ([198, 18, 0, 0], 15, Blocked::Documentation),
    ([198, 51, 100, 0], 24, Blocked::Documentation),
    ([203, 0, 113, 0], 24, Blocked::Documentation),
    ([224, 0, 0, 0], 4, Blocked::Multicast),
    ([255, 255, 255, 255], 32, Blocked::Broadcast),
    ([240, 0, 0, 0], 4, Blocked::Reserved),
];

fn blocked_v4(ip: Ipv4Addr) -> Option<Blocked> {
    let bits = u32::from(ip);
    V4.iter().find_map(|&(net, len, class)| {
        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
        (bits & mask == u32::from(Ipv4Addr::from(net))).then_some(class)
    })
}

/// IPv6 ranges: (network, prefix length, class).
const V6: &[(u128, u32, Blocked)] = &[
    (0, 128, Blocked::Unspecified),
    (1, 128, Blocked::Loopback),
    (0x0100 << 112, 64, Blocked::Reserved),
    (0x2001_0db8 << 96, 32, Blocked::Documentation),
    (0x2001_0002 << 96, 48, Blocked::Documentation),
    (0xfc00 << 112, 7, Blocked::Private),
    (0xfe80 << 112, 10, Blocked::LinkLocal),
    (0xfec0 << 112, 10, Blocked::Private),
    (0xff00 << 112, 8, Blocked::Multicast),
];

fn blocked_v6(ip: Ipv6Addr) -> Option<Blocked> {
    // An IPv6 address that carries an IPv4 one reaches that IPv4 address:
    // mapped (::ffff:a.b.c.d), the deprecated compatible form (::a.b.c.d),
    // NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
    if let Some(v4) = embedded_v4(ip) {
        return blocked_v4(v4);
    }
    let bits = u128::from(ip);
    V6.iter().find_map(|&(net, len, class)| {
        let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
        (bits & mask == net).then_some(class)
    })
}

fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(bits as u32);
    let s = ip.segments();
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // `::` and `::1` are IPv6's own unspecified and loopback.
        [0, 0, 0, 0, 0, 0, _, _] if bits > 1 => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(ip: &str) -> Option<Blocked> {
        blocked(ip.parse().unwrap())
    }

    #[test]
    fn ipv4_ranges_are_classified_up_to_their_edges() {
        use Blocked::*;
        for (ip, expected) in [
            ("0.0.0.0", Some(Unspecified)),
            ("0.255.255.255", Some(Unspecified)),
            ("1.0.0.0", None),
            ("9.255.255.255", None),
            ("10.0.0.0", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some(SharedAddressSpace)),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.127.255.255", Some(SharedAddressSpace)),
            ("100.128.0.0", None),
            ("126.255.255.255", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.255", Some(Loopback)),
            ("128.0.0.0", None),
            ("169.253.255.255", None),
            ("169.254.0.0", Some(LinkLocal)),
            ("169.254.169.254", Some(LinkLocal)),
            ("169.254.255.255", Some(LinkLocal)),
            ("169.255.0.0", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("192.0.0.8", Some(Reserved)),
            ("192.0.1.0", None),
            ("192.0.2.1", Some(Documentation)),
            ("192.167.255.255", None),
            ("192.168.0.0", Some(Private)),
            ("192.168.255.255", Some(Private)),
            ("192.169.0.0", None),
            ("198.17.255.255", None),
            ("198.18.0.0", Some(Documentation)),
            ("198.19.255.255", Some(Documentation)),
            ("198.20.0.0", None),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.255", Some(Documentation)),
            ("223.255.255.255", None),
            ("224.0.0.0", Some(Multicast)),
            ("239.255.255.255", Some(Multicast)),
            ("240.0.0.0", Some(Reserved)),
            ("255.255.255.254", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("93.184.216.34", None),
        ] {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges_are_classified_up_to_their_edges() {
        use Blocked::*;
        for (ip, expected) in [
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::2", Some(Unspecified)), // ::0.0.0.2, in 0.0.0.0/8
            ("100::1", Some(Reserved)),
            ("100:0:0:1::", None),
            ("2001:db8::1", Some(Documentation)),
            ("2001:db9::", None),
            ("2001:2::1", Some(Documentation)),
            ("2001:3::", None),
            ("fbff:ffff::", None),
            ("fc00::", Some(Private)),
            ("fd12:3456::1", Some(Private)),
            ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(Private)),
            ("fe00::", None),
            ("fe7f:ffff::", None),
            ("fe80::", Some(LinkLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("febf:ffff::", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("ff02::1", Some(Multicast)),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(Multicast)),
            ("2606:4700::1111", None),
            ("2a00:1450:4001::200e", None),
        ] {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn ipv6_forms_of_an_ipv4_address_are_judged_by_that_address() {
        use Blocked::*;
        for (ip, expected) in [
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:169.254.169.254", Some(LinkLocal)),
            ("::ffff:0.0.0.0", Some(Unspecified)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Loopback)),
            ("64:ff9b::192.168.1.1", Some(Private)),
            ("64:ff9b::8.8.8.8", None),
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:a9fe:a9fe::1", Some(LinkLocal)),
            ("2002:0808:0808::", None),
        ] {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn allowing_private_targets_allows_every_address() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            Targets::default().refuses(loopback),
            Some(Blocked::Loopback)
        );
        assert_eq!(Targets::allow_private(true).refuses(loopback), None);
        assert_eq!(Targets::allow_private(false), Targets::PublicOnly);
    }
}
