//! Errors of the adapters: which adapter failed, what kind of failure a person can act on
//! (unreachable, refused, wrong credentials, timeout, a command that exited non-zero) and the
//! detail the server or command gave.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The adapters, by the names used in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdapterKind {
    /// The officer blocks by hand and uploads the proof.
    Manual,
    /// A map include file read by nginx, then a test and a reload.
    Nginx,
    /// The PowerDNS authoritative server's HTTP API.
    #[serde(rename = "powerdns")]
    PowerDns,
    /// DNS UPDATE (RFC 2136) signed with TSIG.
    Rfc2136,
    /// A signed JSON POST to a URL.
    Webhook,
}

impl AdapterKind {
    /// Every adapter, in the order the documentation lists them.
    pub const ALL: [AdapterKind; 5] = [
        AdapterKind::Manual,
        AdapterKind::Nginx,
        AdapterKind::PowerDns,
        AdapterKind::Rfc2136,
        AdapterKind::Webhook,
    ];

    /// The configuration name (`manual`, `nginx`, `powerdns`, `rfc2136`, `webhook`).
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterKind::Manual => "manual",
            AdapterKind::Nginx => "nginx",
            AdapterKind::PowerDns => "powerdns",
            AdapterKind::Rfc2136 => "rfc2136",
            AdapterKind::Webhook => "webhook",
        }
    }

    /// The adapter with this configuration name, if there is one.
    pub fn from_name(name: &str) -> Option<AdapterKind> {
        AdapterKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for AdapterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of failure it was, in the words an officer can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Nothing answered at the address (connection refused, no route, name not found).
    Unreachable,
    /// The server answered but refused the change.
    Refused,
    /// The server rejected the credentials (HTTP 401/403, a bad TSIG signature).
    WrongCredentials,
    /// No answer within the configured time.
    Timeout,
    /// A test or reload command exited non-zero or could not be started.
    CommandFailed,
    /// A file could not be read or written.
    FileSystem,
    /// The host has nothing to block where the adapter looks.
    NotFound,
    /// The server answered something this adapter does not understand.
    UnexpectedAnswer,
    /// The server's address is one sigap does not connect to (`SIGAP_OUTBOUND_ALLOW`).
    NotAllowed,
    /// The block record given to an unblock does not belong to this adapter or is damaged.
    InvalidRecord,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Unreachable => "unreachable",
            FailureKind::Refused => "refused",
            FailureKind::WrongCredentials => "wrong credentials",
            FailureKind::Timeout => "timed out",
            FailureKind::CommandFailed => "command failed",
            FailureKind::FileSystem => "file error",
            FailureKind::NotFound => "not found",
            FailureKind::UnexpectedAnswer => "unexpected answer",
            FailureKind::InvalidRecord => "invalid block record",
            FailureKind::NotAllowed => "address not allowed",
        })
    }
}

/// A failed block, unblock or check. Whatever the adapter had changed has been put back
/// unless `detail` says that putting it back failed too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{adapter} adapter: {kind}: {detail}")]
pub struct BlockError {
    /// The adapter that failed.
    pub adapter: AdapterKind,
    /// The kind of failure.
    pub kind: FailureKind,
    /// What failed, in words (the command and its stderr, the HTTP status and body, ...).
    pub detail: String,
}

impl BlockError {
    /// A failure of `adapter` of this kind.
    pub fn new(adapter: AdapterKind, kind: FailureKind, detail: impl Into<String>) -> Self {
        BlockError {
            adapter,
            kind,
            detail: detail.into(),
        }
    }

    /// This error with a note that putting the previous state back failed as well.
    pub fn with_rollback_failure(mut self, rollback: &BlockError) -> Self {
        self.detail = format!(
            "{}; putting the previous state back also failed ({}: {})",
            self.detail, rollback.kind, rollback.detail
        );
        self
    }
}
