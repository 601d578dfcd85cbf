//! The audit log's hash chain. Each entry's hash is the SHA-256 of the previous entry's hash
//! and the entry's canonical content (a JSON object with sorted keys), so altering, removing
//! or inserting a row breaks the chain from that row on.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append. `details` is any JSON; it is stored as text and hashed canonically.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub ticket_number: Option<String>,
    pub source: Option<String>,
    pub outcome: String,
    pub details: Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub ticket_number: Option<String>,
    pub source: Option<String>,
    pub outcome: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// The hash of an entry with number `seq` chained after `prev_hash`.
pub fn entry_hash(seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
    let canonical = json!({
        "seq": seq,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "ticket_number": entry.ticket_number,
        "source": entry.source,
        "outcome": entry.outcome,
        "details": entry.details,
    });
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_json(&canonical).as_bytes());
    hex::encode(hasher.finalize())
}

/// JSON text with object keys sorted at every depth, whatever order the map keeps.
pub fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

impl AuditEntry {
    fn as_new(&self) -> Result<NewAuditEntry, ChainBreak> {
        let details = serde_json::from_str(&self.details).map_err(|_| ChainBreak {
            seq: self.seq,
            reason: "details are not valid JSON".to_owned(),
        })?;
        Ok(NewAuditEntry {
            at: self.at,
            actor: self.actor.clone(),
            role: self.role.clone(),
            action: self.action.clone(),
            ticket_number: self.ticket_number.clone(),
            source: self.source.clone(),
            outcome: self.outcome.clone(),
            details,
        })
    }
}

/// Walks the chain state by state. Feed entries in `seq` order, then call `finish` with
/// the stored head.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks one entry against the chain so far.
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let fail = |reason: &str| ChainBreak {
            seq: entry.seq,
            reason: reason.to_owned(),
        };
        if entry.seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!("missing (the next entry found is {})", entry.seq),
            });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(fail(
                "does not chain to the entry before it (inserted or reordered)",
            ));
        }
        if entry_hash(entry.seq, &entry.prev_hash, &entry.as_new()?) != entry.hash {
            return Err(fail("content does not match its hash (altered)"));
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// Compares the end of the walk with the stored head; returns the number of entries.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.expected_seq - 1;
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainBreak {
                seq: last + 1,
                reason: format!(
                    "the chain ends at {last} but its head says {head_seq} (entries removed from the end)"
                ),
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64) -> NewAuditEntry {
        NewAuditEntry {
            at: 1000 + n,
            actor: "a@example.go.id".into(),
            role: "csirt".into(),
            action: "validate".into(),
            ticket_number: Some("BCSIRT-2026-00001".into()),
            source: Some("127.0.0.1".into()),
            outcome: "ok".into(),
            details: json!({"b": 1, "a": [n]}),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = entry(seq);
                let hash = entry_hash(seq, &prev, &e);
                let row = AuditEntry {
                    seq,
                    at: e.at,
                    actor: e.actor,
                    role: e.role,
                    action: e.action,
                    ticket_number: e.ticket_number,
                    source: e.source,
                    outcome: e.outcome,
                    details: e.details.to_string(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[AuditEntry]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for r in rows {
            v.push(r)?;
        }
        let head = chain(3).last().cloned().expect("three entries");
        v.finish(head.seq, &head.hash)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(3)), Ok(3));
    }

    #[test]
    fn altered_entry_is_named() {
        let mut rows = chain(3);
        rows[1].outcome = "refused".into();
        assert_eq!(verify(&rows).map_err(|b| b.seq), Err(2));
    }

    #[test]
    fn removed_entry_is_named() {
        let mut rows = chain(3);
        rows.remove(1);
        assert_eq!(verify(&rows).map_err(|b| b.seq), Err(2));
    }

    #[test]
    fn removed_tail_is_seen_against_the_head() {
        let rows = chain(3);
        assert_eq!(verify(&rows[..2]).map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn details_key_order_does_not_matter() {
        let mut rows = chain(1);
        rows[0].details = r#"{"a":[1],"b":1}"#.into();
        let mut v = ChainVerifier::default();
        assert!(v.push(&rows[0]).is_ok());
    }
}
