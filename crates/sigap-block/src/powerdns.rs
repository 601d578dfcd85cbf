//! The PowerDNS adapter: reads the host's A, AAAA and CNAME sets through the authoritative
//! server's HTTP API, replaces them with the maintenance addresses in one PATCH (which
//! PowerDNS applies in one transaction), and on unblock writes the recorded sets back
//! exactly as they were.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::PowerDnsConfig;
use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::http;
use crate::outbound::OutboundPolicy;
use crate::record::{BlockRecord, RecordContent, RecordType, RrSet};
use crate::request::{BlockRequest, Hostname};
use crate::zone::{self, DnsZone};
use crate::{Adapter, AdapterFuture};

const ADAPTER: AdapterKind = AdapterKind::PowerDns;

/// A zone as the API returns it (only the part read here).
#[derive(Debug, Deserialize)]
struct ApiZone {
    rrsets: Vec<ApiRrSet>,
}

/// A record set as the API reads and writes it.
#[derive(Debug, Serialize, Deserialize)]
struct ApiRrSet {
    name: String,
    #[serde(rename = "type")]
    record_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    changetype: Option<String>,
    #[serde(default)]
    records: Vec<ApiRecord>,
}

/// One record as the API reads and writes it.
#[derive(Debug, Serialize, Deserialize)]
struct ApiRecord {
    content: String,
    #[serde(default)]
    disabled: bool,
}

/// The body of a PATCH on a zone.
#[derive(Debug, Serialize)]
struct ApiPatch {
    rrsets: Vec<ApiRrSet>,
}

/// Talks to one PowerDNS API about one zone.
pub struct PowerDnsAdapter {
    config: PowerDnsConfig,
    client: reqwest::Client,
}

impl PowerDnsAdapter {
    /// An adapter for `config` with `timeout` per API call.
    pub fn new(
        config: PowerDnsConfig,
        timeout: Duration,
        outbound: &OutboundPolicy,
    ) -> Result<Self, BlockError> {
        Ok(PowerDnsAdapter {
            client: http::client(ADAPTER, timeout, &config.api_url, outbound)?,
            config,
        })
    }

    fn zone_url(&self) -> Result<url::Url, BlockError> {
        let path = format!(
            "api/v1/servers/{}/zones/{}",
            self.config.server_id,
            self.config.zone.fqdn()
        );
        let mut base = self.config.api_url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(&path)
            .map_err(|e| BlockError::new(ADAPTER, FailureKind::InvalidRecord, e.to_string()))
    }

    /// The host's A, AAAA and CNAME sets as the server has them now.
    async fn read_sets(&self, host: &Hostname) -> Result<Vec<RrSet>, BlockError> {
        let what = format!(
            "reading zone {} at {}",
            self.config.zone, self.config.api_url
        );
        let response = self
            .client
            .get(self.zone_url()?)
            .header("X-API-Key", self.config.api_key.expose())
            .send()
            .await
            .map_err(|error| http::request_failure(ADAPTER, &what, &error))?;
        let status = response.status().as_u16();
        if status != 200 {
            let body = http::body_text(ADAPTER, &what, response)
                .await
                .unwrap_or_default();
            return Err(http::status_failure(ADAPTER, &what, status, &body));
        }
        let zone: ApiZone = response.json().await.map_err(|error| {
            BlockError::new(
                ADAPTER,
                FailureKind::UnexpectedAnswer,
                format!("{what}: {error}"),
            )
        })?;
        Ok(host_sets(zone.rrsets, &host.fqdn()))
    }

    /// Makes the host's A, AAAA and CNAME sets exactly `sets` in one PATCH.
    async fn write_sets(&self, host: &Hostname, sets: &[RrSet]) -> Result<(), BlockError> {
        let what = format!(
            "changing zone {} at {}",
            self.config.zone, self.config.api_url
        );
        let patch = ApiPatch {
            rrsets: patch_sets(host, sets),
        };
        let response = self
            .client
            .patch(self.zone_url()?)
            .header("X-API-Key", self.config.api_key.expose())
            .json(&patch)
            .send()
            .await
            .map_err(|error| http::request_failure(ADAPTER, &what, &error))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = http::body_text(ADAPTER, &what, response)
                .await
                .unwrap_or_default();
            return Err(http::status_failure(ADAPTER, &what, status, &body));
        }
        Ok(())
    }
}

/// The A, AAAA and CNAME sets owned by `fqdn`, sorted by type.
fn host_sets(rrsets: Vec<ApiRrSet>, fqdn: &str) -> Vec<RrSet> {
    let mut sets: Vec<RrSet> = rrsets
        .into_iter()
        .filter(|set| set.name.eq_ignore_ascii_case(fqdn) && !set.records.is_empty())
        .filter_map(|set| {
            let record_type = RecordType::ALL
                .into_iter()
                .find(|t| t.as_str() == set.record_type)?;
            Some(RrSet {
                name: set.name,
                record_type,
                ttl: set.ttl.unwrap_or(3600),
                records: set
                    .records
                    .into_iter()
                    .map(|r| RecordContent {
                        content: r.content,
                        disabled: r.disabled,
                    })
                    .collect(),
            })
        })
        .collect();
    sets.sort_by_key(|set| set.record_type);
    sets
}

/// PATCH entries that make the host's three types exactly `sets`: DELETE for the types not
/// in `sets`, then REPLACE for those in it (PowerDNS checks CNAME conflicts in order).
fn patch_sets(host: &Hostname, sets: &[RrSet]) -> Vec<ApiRrSet> {
    let deletes = RecordType::ALL
        .into_iter()
        .filter(|record_type| !sets.iter().any(|set| set.record_type == *record_type))
        .map(|record_type| ApiRrSet {
            name: host.fqdn(),
            record_type: record_type.as_str().to_owned(),
            ttl: None,
            changetype: Some("DELETE".into()),
            records: Vec::new(),
        });
    let replaces = sets.iter().map(|set| ApiRrSet {
        name: set.name.clone(),
        record_type: set.record_type.as_str().to_owned(),
        ttl: Some(set.ttl),
        changetype: Some("REPLACE".into()),
        records: set
            .records
            .iter()
            .map(|r| ApiRecord {
                content: r.content.clone(),
                disabled: r.disabled,
            })
            .collect(),
    });
    deletes.chain(replaces).collect()
}

impl DnsZone for PowerDnsAdapter {
    fn adapter(&self) -> AdapterKind {
        ADAPTER
    }

    fn zone(&self) -> &Hostname {
        &self.config.zone
    }

    fn server(&self) -> String {
        self.config.api_url.to_string()
    }

    fn maintenance(&self) -> (Ipv4Addr, Option<Ipv6Addr>) {
        (self.config.maintenance_a, self.config.maintenance_aaaa)
    }

    async fn read_sets(&self, host: &Hostname) -> Result<Vec<RrSet>, BlockError> {
        PowerDnsAdapter::read_sets(self, host).await
    }

    async fn write_sets(&self, host: &Hostname, sets: &[RrSet]) -> Result<(), BlockError> {
        PowerDnsAdapter::write_sets(self, host, sets).await
    }
}

impl Adapter for PowerDnsAdapter {
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
        Box::pin(async move { self.read_sets(&self.config.zone).await.map(|_| ()) })
    }
}
