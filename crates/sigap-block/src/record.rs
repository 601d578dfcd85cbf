//! The block record: exactly what an adapter changed and where, serialised as JSON with the
//! ticket's step. An unblock takes it back as input and puts the previous state back from it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::request::Hostname;

/// Whether the record is of a block or of the unblock that undid one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The host was suspended.
    Block,
    /// The host was given back its previous state.
    Unblock,
}

/// What one block or unblock changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    /// The adapter that made the change.
    pub adapter: AdapterKind,
    /// Block or unblock.
    pub direction: Direction,
    /// The host.
    pub host: Hostname,
    /// The ticket the change was for.
    pub ticket: String,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The change itself.
    pub change: Change,
}

impl BlockRecord {
    /// Checks that this is a block record of `adapter`, as an unblock needs.
    pub fn expect_block_of(&self, adapter: AdapterKind) -> Result<(), BlockError> {
        if self.adapter != adapter || self.direction != Direction::Block {
            let detail = format!(
                "the record is a {:?} by the {} adapter, not a block by this one",
                self.direction, self.adapter
            );
            return Err(BlockError::new(adapter, FailureKind::InvalidRecord, detail));
        }
        Ok(())
    }
}

/// The adapter-specific part of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Nothing was changed by software; the officer's uploaded proof is the record.
    Manual,
    /// The nginx map file (and maintenance page) were rewritten and nginx reloaded.
    Nginx(NginxChange),
    /// DNS records were replaced (PowerDNS API or RFC 2136).
    Dns(DnsChange),
    /// A webhook was called and answered.
    Webhook(WebhookCall),
}

/// The nginx files before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NginxChange {
    /// The map include file.
    pub map_file: PathBuf,
    /// SHA-256 of the map file before (`None`: it did not exist).
    pub previous_sha256: Option<String>,
    /// SHA-256 of the map file after.
    pub new_sha256: Option<String>,
    /// The maintenance page file, when one was written.
    pub page_file: Option<PathBuf>,
    /// SHA-256 of the page written.
    pub page_sha256: Option<String>,
    /// Whether the host line was already there (block) or already gone (unblock), so that
    /// the file did not change.
    pub unchanged: bool,
}

/// DNS record sets before and after, at one server and zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsChange {
    /// The API URL or the `host:port` of the DNS server.
    pub server: String,
    /// The zone.
    pub zone: String,
    /// The host's A, AAAA and CNAME sets before the change.
    pub previous: Vec<RrSet>,
    /// The host's A, AAAA and CNAME sets after the change.
    pub new: Vec<RrSet>,
}

/// The record types an adapter replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    #[allow(clippy::upper_case_acronyms)]
    AAAA,
    /// Alias.
    #[allow(clippy::upper_case_acronyms)]
    CNAME,
}

impl RecordType {
    /// The three types, in the order they are read and written.
    pub const ALL: [RecordType; 3] = [RecordType::A, RecordType::AAAA, RecordType::CNAME];

    /// The type's name as DNS servers write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::AAAA => "AAAA",
            RecordType::CNAME => "CNAME",
        }
    }
}

/// One record set: every record of one name and type, with the content as the server wrote
/// it, so that it can be put back byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RrSet {
    /// The owner name, fully qualified with a trailing dot.
    pub name: String,
    /// The type.
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The records.
    pub records: Vec<RecordContent>,
}

/// One record's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordContent {
    /// The content in presentation form (`192.0.2.1`, `target.example.`).
    pub content: String,
    /// Whether the record was disabled (PowerDNS keeps disabled records).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// The answer of a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCall {
    /// The URL called.
    pub url: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The body of the answer (at most 64 KiB, as text).
    pub body: String,
}
