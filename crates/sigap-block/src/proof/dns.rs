//! The DNS part of a capture: the A, AAAA and CNAME answers for the host from one resolver.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use serde::{Deserialize, Serialize};

use crate::dns;
use crate::proof::Resolver;
use crate::request::Hostname;

/// The DNS answers for a host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsCapture {
    /// The server asked (`ip:port`), or `system` for the system's lookup.
    pub resolver: String,
    /// The IPv4 addresses answered.
    pub a: Vec<String>,
    /// The IPv6 addresses answered.
    pub aaaa: Vec<String>,
    /// The aliases met on the way (targets of CNAME records).
    pub cname: Vec<String>,
    /// What went wrong, if anything did.
    pub error: Option<String>,
}

impl DnsCapture {
    /// Every address answered, IPv4 first.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.a
            .iter()
            .chain(self.aaaa.iter())
            .filter_map(|text| text.parse().ok())
            .collect()
    }
}

/// Asks `resolver` about `host`.
pub async fn capture(host: &Hostname, resolver: Resolver, timeout: Duration) -> DnsCapture {
    let server = match resolver {
        Resolver::At(server) => Some(server),
        Resolver::System => system_nameserver(),
    };
    match server {
        Some(server) => ask(host, server, timeout).await,
        None => system_lookup(host, timeout).await,
    }
}

/// The first `nameserver` line of `/etc/resolv.conf`.
fn system_nameserver() -> Option<SocketAddr> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    text.lines().find_map(|line| {
        let address = line.trim().strip_prefix("nameserver")?.trim();
        address
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

async fn ask(host: &Hostname, server: SocketAddr, timeout: Duration) -> DnsCapture {
    let mut capture = DnsCapture {
        resolver: server.to_string(),
        ..DnsCapture::default()
    };
    let name = match Name::from_str(&host.fqdn()) {
        Ok(name) => name,
        Err(error) => {
            capture.error = Some(error.to_string());
            return capture;
        }
    };
    let client = match dns::connect(server, timeout, None).await {
        Ok(client) => client,
        Err(error) => {
            capture.error = Some(error.to_string());
            return capture;
        }
    };
    for record_type in [RecordType::A, RecordType::AAAA] {
        match dns::query(&client, &name, record_type, true, timeout).await {
            Ok(response) => add_answers(&mut capture, response.answers()),
            Err(error) => capture.error = Some(format!("{record_type} query: {error}")),
        }
    }
    capture
}

fn add_answers(capture: &mut DnsCapture, answers: &[hickory_proto::rr::Record]) {
    for record in answers {
        let (list, text) = match record.data() {
            RData::A(address) => (&mut capture.a, address.to_string()),
            RData::AAAA(address) => (&mut capture.aaaa, address.to_string()),
            RData::CNAME(target) => (&mut capture.cname, target.to_string()),
            _ => continue,
        };
        if !list.contains(&text) {
            list.push(text);
        }
    }
}

async fn system_lookup(host: &Hostname, timeout: Duration) -> DnsCapture {
    let mut capture = DnsCapture {
        resolver: "system".into(),
        ..DnsCapture::default()
    };
    let lookup = tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), 0))).await;
    match lookup {
        Err(_) => capture.error = Some("the system lookup timed out".into()),
        Ok(Err(error)) => capture.error = Some(error.to_string()),
        Ok(Ok(addresses)) => {
            for address in addresses {
                let list = if address.is_ipv4() {
                    &mut capture.a
                } else {
                    &mut capture.aaaa
                };
                let text = address.ip().to_string();
                if !list.contains(&text) {
                    list.push(text);
                }
            }
        }
    }
    capture
}
