//! What a block is asked to do: the validated host name, the ticket it is for, the office
//! contact shown on a maintenance page, and the time (time is a parameter, never read here).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A host name checked to be safe to write into an nginx map file or a DNS name: lowercase
/// ASCII labels of letters, digits, `-` and `_`, separated by dots, no trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hostname(String);

/// Why a host name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a host name: {reason}")]
pub struct HostnameError {
    /// The text that was given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Hostname {
    /// Parses a host name; case is folded and one trailing dot is dropped.
    pub fn parse(input: &str) -> Result<Hostname, HostnameError> {
        let name = input.trim().trim_end_matches('.').to_ascii_lowercase();
        let fail = |reason| {
            Err(HostnameError {
                input: input.to_owned(),
                reason,
            })
        };
        if name.is_empty() || name.len() > 253 {
            return fail("it must have 1 to 253 characters");
        }
        for label in name.split('.') {
            if label.is_empty() || label.len() > 63 {
                return fail("each label between dots must have 1 to 63 characters");
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return fail("only letters, digits, `-` and `_` are allowed between dots");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return fail("a label may not start or end with `-`");
            }
        }
        Ok(Hostname(name))
    }

    /// The name without a trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fully qualified form with a trailing dot, as DNS servers write it.
    pub fn fqdn(&self) -> String {
        format!("{}.", self.0)
    }

    /// Whether this name is `zone` itself or a name below it.
    pub fn is_in_zone(&self, zone: &Hostname) -> bool {
        self.0 == zone.0 || self.0.ends_with(&format!(".{}", zone.0))
    }
}

impl TryFrom<String> for Hostname {
    type Error = HostnameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Hostname::parse(&value)
    }
}

impl From<Hostname> for String {
    fn from(value: Hostname) -> Self {
        value.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A request to suspend one host for one ticket.
#[derive(Debug, Clone)]
pub struct BlockRequest {
    /// The host to suspend.
    pub host: Hostname,
    /// The ticket number the block is for (sent to webhooks, kept in the record).
    pub ticket: String,
    /// The office contact shown on the maintenance page (e.g. "BATAM-CSIRT, csirt@batam.go.id").
    pub contact: String,
    /// When the block happens.
    pub now: DateTime<Utc>,
}
