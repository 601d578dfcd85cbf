//! The RFC 2136 adapter: reads the host's A, AAAA and CNAME sets with ordinary queries to
//! the primary server, then sends one TSIG-signed DNS UPDATE that deletes them and adds the
//! maintenance addresses (a server applies an UPDATE all or nothing). Unblock sends the
//! recorded sets back the same way.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hickory_client::client::Client;
use hickory_proto::dnssec::rdata::tsig::TsigAlgorithm as WireAlgorithm;
use hickory_proto::dnssec::tsig::TSigner;

use crate::config::{Rfc2136Config, TsigAlgorithm};
use crate::dns;
use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::outbound::OutboundPolicy;
use crate::record::{BlockRecord, RrSet};
use crate::request::{BlockRequest, Hostname};
use crate::zone::{self, DnsZone};
use crate::{Adapter, AdapterFuture};

const ADAPTER: AdapterKind = AdapterKind::Rfc2136;

/// The TSIG fudge (allowed clock difference) in seconds, as BIND and PowerDNS use.
const TSIG_FUDGE: u16 = 300;

/// Sends signed updates to one primary server for one zone.
pub struct Rfc2136Adapter {
    config: Rfc2136Config,
    timeout: Duration,
    outbound: OutboundPolicy,
}

impl Rfc2136Adapter {
    /// An adapter for `config` with `timeout` per DNS exchange.
    pub fn new(config: Rfc2136Config, timeout: Duration, outbound: OutboundPolicy) -> Self {
        Rfc2136Adapter {
            config,
            timeout,
            outbound,
        }
    }

    async fn server_address(&self) -> Result<SocketAddr, BlockError> {
        let server = self.config.server.as_str();
        let lookup = tokio::time::timeout(self.timeout, tokio::net::lookup_host(server)).await;
        let failure = |detail: String| BlockError::new(ADAPTER, FailureKind::Unreachable, detail);
        match lookup {
            Err(_) => Err(BlockError::new(
                ADAPTER,
                FailureKind::Timeout,
                format!("resolving {server}"),
            )),
            Ok(Err(error)) => Err(failure(format!("resolving {server}: {error}"))),
            Ok(Ok(addresses)) => {
                let found: Vec<_> = addresses.collect();
                let ips: Vec<_> = found.iter().map(SocketAddr::ip).collect();
                let allowed = self.outbound.filter(server, &ips).map_err(|e| {
                    BlockError::new(ADAPTER, FailureKind::NotAllowed, e.to_string())
                })?;
                found
                    .into_iter()
                    .find(|a| allowed.contains(&a.ip()))
                    .ok_or_else(|| failure(format!("{server} has no address")))
            }
        }
    }

    fn signer(&self) -> Result<TSigner, BlockError> {
        let invalid =
            |detail: String| BlockError::new(ADAPTER, FailureKind::WrongCredentials, detail);
        let key = BASE64
            .decode(self.config.tsig_secret.expose().trim())
            .map_err(|e| invalid(format!("the TSIG secret is not base64: {e}")))?;
        let algorithm = match self.config.tsig_algorithm {
            TsigAlgorithm::HmacSha256 => WireAlgorithm::HmacSha256,
            TsigAlgorithm::HmacSha384 => WireAlgorithm::HmacSha384,
            TsigAlgorithm::HmacSha512 => WireAlgorithm::HmacSha512,
        };
        let name = dns::dns_name(ADAPTER, &self.config.tsig_name)?;
        TSigner::new(key, algorithm, name, TSIG_FUDGE)
            .map_err(|e| invalid(format!("the TSIG key cannot be used: {e}")))
    }

    async fn client(&self, signed: bool) -> Result<Client, BlockError> {
        let address = self.server_address().await?;
        let signer: Option<Arc<dyn hickory_proto::op::MessageFinalizer>> = if signed {
            Some(Arc::new(self.signer()?))
        } else {
            None
        };
        dns::connect(address, self.timeout, signer)
            .await
            .map_err(|error| dns::dns_failure(ADAPTER, &format!("connecting to {address}"), &error))
    }

    async fn read_sets(&self, host: &Hostname) -> Result<Vec<RrSet>, BlockError> {
        let client = self.client(false).await?;
        let what = format!("reading the records of {host} at {}", self.config.server);
        dns::read_sets(ADAPTER, &client, host, self.timeout, &what).await
    }

    /// Makes the host's A, AAAA and CNAME sets exactly `sets` with one signed UPDATE.
    async fn write_sets(&self, host: &Hostname, sets: &[RrSet]) -> Result<(), BlockError> {
        let what = format!(
            "updating zone {} at {}",
            self.config.zone, self.config.server
        );
        let message = dns::replace_message(ADAPTER, &self.config.zone, host, sets)?;
        let client = self.client(true).await?;
        let response = dns::exchange(&client, message, self.timeout)
            .await
            .map_err(|error| dns::dns_failure(ADAPTER, &what, &error))?;
        dns::check_rcode(ADAPTER, &what, response.response_code(), false)
    }
}

impl DnsZone for Rfc2136Adapter {
    fn adapter(&self) -> AdapterKind {
        ADAPTER
    }

    fn zone(&self) -> &Hostname {
        &self.config.zone
    }

    fn server(&self) -> String {
        self.config.server.clone()
    }

    fn maintenance(&self) -> (Ipv4Addr, Option<Ipv6Addr>) {
        (self.config.maintenance_a, self.config.maintenance_aaaa)
    }

    async fn read_sets(&self, host: &Hostname) -> Result<Vec<RrSet>, BlockError> {
        Rfc2136Adapter::read_sets(self, host).await
    }

    async fn write_sets(&self, host: &Hostname, sets: &[RrSet]) -> Result<(), BlockError> {
        Rfc2136Adapter::write_sets(self, host, sets).await
    }
}

impl Adapter for Rfc2136Adapter {
    fn kind(&self) -> AdapterKind {
        ADAPTER
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(zone::block(self, request))
    }

    fn unblock<'a>(
        &'a self,
        record: &'a BlockRecord,
        now: DateTime<Utc>,
    ) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(zone::unblock(self, record, now))
    }

    fn check(&self) -> AdapterFuture<'_, ()> {
        Box::pin(async move {
            self.signer()?;
            self.read_sets(&self.config.zone).await.map(|_| ())
        })
    }
}
