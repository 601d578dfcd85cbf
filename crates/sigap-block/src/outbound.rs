//! The one rule for every request the server makes to another machine: proof captures
//! (HTTP and Chromium), blocking adapters' APIs and DNS servers, and webhooks. Reports are
//! written by strangers, so an address a stranger chose must never make the server talk to
//! its own network: loopback, private (RFC 1918), link-local (where cloud metadata lives),
//! shared (CGNAT), unique-local, multicast, unspecified, documentation and reserved
//! addresses are refused
//! unless the operator lists them in `SIGAP_OUTBOUND_ALLOW`.
//!
//! The address checked is the address connected to: a name is resolved once, every refused
//! address is dropped, and the connection goes to what is left ([`OutboundPolicy::client`]
//! puts this resolver into an HTTP client; a capture pins the checked address for Chromium).
//! A DNS answer that changes between a check and a connection therefore gains nothing.

#[cfg(feature = "adapters")]
use std::net::SocketAddr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use url::{Host, Url};

/// Which special addresses the operator lets the server connect to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow: Vec<IpNet>,
}

/// Why the server did not connect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// The address is in a range the server does not connect to.
    #[error(
        "{address} is {range}; sigap does not connect there unless SIGAP_OUTBOUND_ALLOW lists it"
    )]
    Refused {
        /// The address.
        address: IpAddr,
        /// The range, in words.
        range: &'static str,
    },
    /// The name has no address the server may connect to.
    #[error(
        "{host} resolves only to addresses sigap does not connect to unless \
         SIGAP_OUTBOUND_ALLOW lists them ({reasons})"
    )]
    NoAllowedAddress {
        /// The name.
        host: String,
        /// Each address with its range.
        reasons: String,
    },
    /// The name did not resolve.
    #[error("{host} could not be resolved: {reason}")]
    Unresolved {
        /// The name.
        host: String,
        /// What the resolver said.
        reason: String,
    },
}

impl OutboundPolicy {
    /// A policy that lets the server connect to the special addresses in `allow` too.
    pub fn allowing(allow: Vec<IpNet>) -> OutboundPolicy {
        OutboundPolicy { allow }
    }

    /// Loopback allowed (127.0.0.0/8 and ::1): for servers and tests on one machine.
    pub fn loopback() -> OutboundPolicy {
        let nets = ["127.0.0.0/8", "::1/128"];
        OutboundPolicy::allowing(nets.iter().filter_map(|n| n.parse().ok()).collect())
    }

    /// Reads `SIGAP_OUTBOUND_ALLOW`: CIDRs or single addresses separated by commas or spaces.
    pub fn parse(list: &str) -> Result<OutboundPolicy, String> {
        let mut allow = Vec::new();
        for item in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("`{item}` is not an address or a CIDR like 10.0.0.0/8"))?,
            };
            allow.push(net.trunc());
        }
        Ok(OutboundPolicy { allow })
    }

    /// The ranges the operator allowed, as written in CIDR form.
    pub fn allowed(&self) -> Vec<String> {
        self.allow.iter().map(ToString::to_string).collect()
    }

    /// Whether the server may connect to `address`.
    pub fn check(&self, address: IpAddr) -> Result<(), OutboundError> {
        let address = canonical(address);
        let Some(range) = special_range(address) else {
            return Ok(());
        };
        if self.allow.iter().any(|net| net.contains(&address)) {
            return Ok(());
        }
        Err(OutboundError::Refused { address, range })
    }

    /// Checks a URL whose host is an address literal; names are checked when resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), OutboundError> {
        match url.host() {
            Some(Host::Ipv4(v4)) => self.check(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.check(IpAddr::V6(v6)),
            _ => Ok(()),
        }
    }

    /// Keeps the addresses the server may connect to; an error names every refused one when
    /// none is left.
    pub fn filter(&self, host: &str, addresses: &[IpAddr]) -> Result<Vec<IpAddr>, OutboundError> {
        let mut allowed = Vec::new();
        let mut reasons = Vec::new();
        for address in addresses {
            match self.check(*address) {
                Ok(()) => allowed.push(*address),
                Err(e) => reasons.push(e),
            }
        }
        if allowed.is_empty() && !reasons.is_empty() {
            return Err(OutboundError::NoAllowedAddress {
                host: host.to_owned(),
                reasons: reasons
                    .iter()
                    .map(|r| match r {
                        OutboundError::Refused { address, range } => format!("{address}: {range}"),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        Ok(allowed)
    }

    /// Resolves `host` with the system's resolver and keeps the allowed addresses.
    #[cfg(feature = "adapters")]
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, OutboundError> {
        if let Ok(address) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
            self.check(address)?;
            return Ok(vec![SocketAddr::new(address, port)]);
        }
        let found: Vec<IpAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| OutboundError::Unresolved {
                host: host.to_owned(),
                reason: e.to_string(),
            })?
            .map(|a| a.ip())
            .collect();
        if found.is_empty() {
            return Err(OutboundError::Unresolved {
                host: host.to_owned(),
                reason: "no address".to_owned(),
            });
        }
        let allowed = self.filter(host, &found)?;
        Ok(allowed
            .into_iter()
            .map(|a| SocketAddr::new(a, port))
            .collect())
    }

    /// An HTTP client builder whose every connection follows this policy: no proxy from the
    /// environment, and names resolved by [`OutboundPolicy::resolve`]. Requests to address
    /// literals must be checked with [`OutboundPolicy::check_url`] before they are sent,
    /// since the client does not resolve them.
    #[cfg(feature = "adapters")]
    pub fn client(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(GuardedResolver(self.clone())))
    }
}

/// The HTTP client's resolver: the system's answers less the refused addresses.
#[cfg(feature = "adapters")]
struct GuardedResolver(OutboundPolicy);

#[cfg(feature = "adapters")]
impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let addresses = policy.resolve(name.as_str(), 0).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An IPv4 address written as IPv6 (mapped, or through NAT64 or 6to4) is judged as the
/// IPv4 address it reaches.
fn canonical(address: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = address else {
        return address;
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let s = v6.segments();
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    };
    // 64:ff9b::/96 (NAT64) carries the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return embedded(s[6], s[7]);
    }
    // 2002::/16 (6to4) carries it in bits 16 to 48.
    if s[0] == 0x2002 {
        return embedded(s[1], s[2]);
    }
    address
}

/// The special range `address` is in, in words, or `None` for an ordinary public address.
pub fn special_range(address: IpAddr) -> Option<&'static str> {
    match canonical(address) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(a: Ipv4Addr) -> Option<&'static str> {
    let [first, second, third, _] = a.octets();
    Some(match (first, second, third) {
        _ if a.is_unspecified() || first == 0 => "an unspecified address (0.0.0.0/8)",
        _ if a.is_loopback() => "loopback (127.0.0.0/8)",
        (10, _, _) => "a private network (10.0.0.0/8)",
        (172, 16..=31, _) => "a private network (172.16.0.0/12)",
        (192, 168, _) => "a private network (192.168.0.0/16)",
        (169, 254, _) => "link-local, where cloud metadata answers (169.254.0.0/16)",
        (100, 64..=127, _) => "shared address space (100.64.0.0/10)",
        (192, 0, 0) => "reserved for protocols (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "reserved for documentation",
        (198, 18..=19, _) => "reserved for benchmarks (198.18.0.0/15)",
        _ if a.is_multicast() => "multicast (224.0.0.0/4)",
        _ if a.is_broadcast() => "broadcast",
        (240..=255, _, _) => "reserved (240.0.0.0/4)",
        _ => return None,
    })
}

fn special_v6(a: Ipv6Addr) -> Option<&'static str> {
    let first = a.segments()[0];
    Some(match first {
        _ if a.is_unspecified() => "an unspecified address (::)",
        _ if a.is_loopback() => "loopback (::1)",
        _ if a.is_multicast() => "multicast (ff00::/8)",
        0xfe80..=0xfebf => "link-local (fe80::/10)",
        0xfec0..=0xfeff => "site-local (fec0::/10)",
        0xfc00..=0xfdff => "a unique local address (fc00::/7)",
        // ::/96 (IPv4-compatible, deprecated) and the rest of ::/8.
        0 => "reserved (::/8)",
        0x2001 if a.segments()[1] == 0x0db8 => "reserved for documentation (2001:db8::/32)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &OutboundPolicy, address: &str) -> bool {
        policy.check(address.parse().unwrap()).is_err()
    }

    #[test]
    fn inward_addresses_are_refused_by_default() {
        let policy = OutboundPolicy::default();
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "192.0.0.192",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "192.0.2.80",
            "2001:db8::10",
        ] {
            assert!(refused(&policy, address), "{address} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        let policy = OutboundPolicy::default();
        for address in [
            "103.10.20.30",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2001:4860::8888",
        ] {
            assert!(!refused(&policy, address), "{address} is public");
        }
    }

    #[test]
    fn the_operator_allows_listed_ranges_only() {
        let policy = OutboundPolicy::parse("127.0.0.0/8, 10.20.0.0/16 ::1").unwrap();
        assert!(!refused(&policy, "127.0.0.1"));
        assert!(!refused(&policy, "::ffff:127.0.0.1"));
        assert!(!refused(&policy, "10.20.3.4"));
        assert!(!refused(&policy, "::1"));
        assert!(refused(&policy, "10.21.0.1"));
        assert!(refused(&policy, "169.254.169.254"));
        assert_eq!(
            OutboundPolicy::parse("10.0.0.1").unwrap().allowed(),
            ["10.0.0.1/32"]
        );
        assert!(OutboundPolicy::parse("10.0.0.0/33").is_err());
        assert!(OutboundPolicy::parse("intranet").is_err());
    }

    #[test]
    fn a_name_with_only_refused_addresses_is_refused_with_each_reason() {
        let policy = OutboundPolicy::default();
        let addresses = ["10.0.0.1".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        let error = policy.filter("intra.example", &addresses).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("10.0.0.1") && text.contains("127.0.0.1"),
            "{text}"
        );
        let mixed = ["10.0.0.1".parse().unwrap(), "8.8.8.8".parse().unwrap()];
        assert_eq!(
            policy.filter("mixed.example", &mixed).unwrap(),
            ["8.8.8.8".parse::<IpAddr>().unwrap()]
        );
    }

    #[cfg(feature = "adapters")]
    #[tokio::test]
    async fn resolving_a_loopback_name_is_refused() {
        let policy = OutboundPolicy::default();
        assert!(policy.resolve("localhost", 80).await.is_err());
        assert!(policy.resolve("127.0.0.1", 80).await.is_err());
        assert!(
            OutboundPolicy::loopback()
                .resolve("127.0.0.1", 80)
                .await
                .is_ok()
        );
    }

    #[test]
    fn address_literal_urls_are_checked() {
        let policy = OutboundPolicy::default();
        let url = Url::parse("http://169.254.169.254/latest/meta-data/").unwrap();
        assert!(policy.check_url(&url).is_err());
        let url = Url::parse("http://[::1]:8080/").unwrap();
        assert!(policy.check_url(&url).is_err());
        let url = Url::parse("http://portal.batam.go.id/").unwrap();
        assert!(policy.check_url(&url).is_ok());
    }
}
