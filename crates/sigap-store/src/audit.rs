//! The audit log's keyed hash chain. Each entry's hash is an HMAC-SHA256, under a key
//! derived from the server's secret key, of the previous entry's hash and the entry's
//! canonical content (a JSON object with sorted keys): altering, removing or inserting a row
//! breaks the chain from that row on, and someone who can write to the database but does not
//! hold the key cannot rebuild it.
//!
//! A database from before the chain was keyed holds entries hashed with plain SHA-256. The
//! operator accepts them once (`sigap audit seal`): the head then records up to which entry
//! the chain is legacy, and that record is itself sealed with the key.

use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key that seals the chain: 32 bytes derived from the server's secret key for this use
/// alone. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct AuditKey(Arc<[u8; 32]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id())
    }
}

impl AuditKey {
    pub fn new(bytes: [u8; 32]) -> AuditKey {
        AuditKey(Arc::new(bytes))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        // HMAC takes keys of any length, so this cannot fail; an empty answer would match
        // no stored hash.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_slice()) else {
            return String::new();
        };
        for part in parts {
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A name of the key that gives nothing of it away: the first 16 hexadecimal digits of
    /// its MAC of a fixed text. The head stores it, so that a server started with another
    /// key is told so.
    pub fn id(&self) -> String {
        self.mac(&[b"sigap audit key id"])[..16].to_owned()
    }

    /// The seal of the record that entries 1 to `until` are legacy, the last of them
    /// hashed `hash`.
    pub fn legacy_seal(&self, until: i64, hash: &str) -> String {
        self.mac(&[
            b"sigap audit legacy\n",
            until.to_string().as_bytes(),
            b"\n",
            hash.as_bytes(),
        ])
    }
}

/// What the chain's head row holds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    /// [`AuditKey::id`] of the key the chain is sealed with; `None` before the first keyed
    /// entry.
    pub key_id: Option<String>,
    /// Entries up to this number were written before the chain was keyed (0: none).
    pub legacy_until: i64,
    /// [`AuditKey::legacy_seal`] of `legacy_until`, set by `sigap audit seal`.
    pub legacy_seal: Option<String>,
}

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

fn canonical_entry(seq: i64, entry: &NewAuditEntry) -> String {
    canonical_json(&json!({
        "seq": seq,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "ticket_number": entry.ticket_number,
        "source": entry.source,
        "outcome": entry.outcome,
        "details": entry.details,
    }))
}

/// The keyed hash of an entry with number `seq` chained after `prev_hash`.
pub fn entry_hash(key: &AuditKey, seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
    key.mac(&[
        prev_hash.as_bytes(),
        b"\n",
        canonical_entry(seq, entry).as_bytes(),
    ])
}

/// The plain SHA-256 hash of an entry written before the chain was keyed.
pub fn legacy_entry_hash(seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_entry(seq, entry).as_bytes());
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

/// Refuses a head that names another key than `key`: the server was started with another
/// `SIGAP_SECRET_KEY` than the one the log was written with. (The name is a hint for the
/// operator; the seals are the proof.)
pub fn check_key(key: &AuditKey, head: &AuditHead) -> Result<(), ChainBreak> {
    match head.key_id.as_deref() {
        Some(id) if id != key.id() => Err(ChainBreak {
            seq: head.legacy_until + 1,
            reason: format!(
                "the chain is sealed under the key {id}, and this server's key is {}: \
                 SIGAP_SECRET_KEY or the key file is not the one the log was written with",
                key.id()
            ),
        }),
        _ => Ok(()),
    }
}

/// Walks the chain state by state. Feed entries in `seq` order, then call `finish` with
/// the stored head.
#[derive(Debug)]
pub struct ChainVerifier {
    key: AuditKey,
    legacy_until: i64,
    expected_seq: i64,
    prev_hash: String,
    /// The hash of entry `legacy_until`, once walked past.
    legacy_hash: Option<String>,
}

impl ChainVerifier {
    /// A walk from the first entry, under `key`, accepting plain SHA-256 entries up to
    /// `legacy_until` (0: none).
    pub fn new(key: &AuditKey, legacy_until: i64) -> ChainVerifier {
        ChainVerifier::after(key, legacy_until, 0, GENESIS_HASH)
    }

    /// A walk that starts after entry `seq`, hashed `hash`, already verified.
    pub fn after(key: &AuditKey, legacy_until: i64, seq: i64, hash: &str) -> ChainVerifier {
        ChainVerifier {
            key: key.clone(),
            legacy_until,
            expected_seq: seq + 1,
            prev_hash: hash.to_owned(),
            legacy_hash: None,
        }
    }

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
        let content = entry.as_new()?;
        let legacy = legacy_entry_hash(entry.seq, &entry.prev_hash, &content);
        if entry.seq <= self.legacy_until {
            if legacy != entry.hash {
                return Err(fail("content does not match its hash (altered)"));
            }
        } else if entry_hash(&self.key, entry.seq, &entry.prev_hash, &content) != entry.hash {
            return Err(fail(if legacy == entry.hash {
                "is not sealed with the server's key: written before the chain was keyed \
                 (accept such entries once with `sigap audit seal`), or rebuilt by someone \
                 without the key"
            } else {
                "content does not match its seal (altered, or sealed under another key)"
            }));
        }
        if entry.seq == self.legacy_until {
            self.legacy_hash = Some(entry.hash.clone());
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// Compares the end of the walk with the stored head; returns the number of entries.
    pub fn finish(self, head: &AuditHead) -> Result<i64, ChainBreak> {
        let last = self.expected_seq - 1;
        if head.seq != last || head.hash != self.prev_hash {
            return Err(ChainBreak {
                seq: last + 1,
                reason: format!(
                    "the chain ends at {last} but its head says {} (entries removed from the end)",
                    head.seq
                ),
            });
        }
        check_key(&self.key, head)?;
        if let Some(hash) = &self.legacy_hash {
            let sealed = head.legacy_seal.as_deref()
                == Some(self.key.legacy_seal(head.legacy_until, hash).as_str());
            if !sealed {
                return Err(ChainBreak {
                    seq: head.legacy_until,
                    reason: "the record of the entries from before the keyed chain is not \
                             sealed with this server's key"
                        .to_owned(),
                });
            }
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
                let hash = entry_hash(&key(), seq, &prev, &e);
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

    fn key() -> AuditKey {
        AuditKey::new([7; 32])
    }

    fn head_of(rows: &[AuditEntry]) -> AuditHead {
        let last = rows.last().expect("an entry");
        AuditHead {
            seq: last.seq,
            hash: last.hash.clone(),
            key_id: Some(key().id()),
            legacy_until: 0,
            legacy_seal: None,
        }
    }

    fn verify_with(
        key: &AuditKey,
        rows: &[AuditEntry],
        head: &AuditHead,
    ) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new(key, head.legacy_until);
        for r in rows {
            v.push(r)?;
        }
        v.finish(head)
    }

    fn verify(rows: &[AuditEntry]) -> Result<i64, ChainBreak> {
        verify_with(&key(), rows, &head_of(&chain(3)))
    }

    /// Rehashes `rows` from the first on with `hash`, as a writer of the database would.
    fn rebuild(rows: &mut [AuditEntry], hash: impl Fn(i64, &str, &NewAuditEntry) -> String) {
        let mut prev = GENESIS_HASH.to_owned();
        for row in rows.iter_mut() {
            row.prev_hash = prev.clone();
            row.hash = hash(row.seq, &prev, &row.as_new().expect("entry"));
            prev = row.hash.clone();
        }
    }

    #[test]
    fn a_chain_rebuilt_without_the_key_is_refused() {
        let mut rows = chain(3);
        rows[1].outcome = "refused".into();
        rebuild(&mut rows, legacy_entry_hash);
        let mut head = head_of(&rows);
        let broken = verify_with(&key(), &rows, &head).expect_err("rebuilt with SHA-256");
        assert_eq!(broken.seq, 1);
        assert!(
            broken.reason.contains("not sealed with the server's key"),
            "{broken}"
        );

        let other = AuditKey::new([8; 32]);
        rebuild(&mut rows, |s, p, e| entry_hash(&other, s, p, e));
        head = head_of(&rows);
        head.key_id = Some(other.id());
        let broken = verify_with(&key(), &rows, &head).expect_err("rebuilt with another key");
        assert_eq!(broken.seq, 1);
        assert!(broken.reason.contains("another key"), "{broken}");
        // The key the log was written with verifies it.
        assert_eq!(verify_with(&other, &rows, &head), Ok(3));
    }

    #[test]
    fn legacy_entries_verify_only_when_their_record_is_sealed() {
        // Two entries from before the keyed chain, then one keyed entry after them.
        let mut rows = chain(3);
        rebuild(&mut rows[..2], legacy_entry_hash);
        let prev = rows[1].hash.clone();
        rows[2].prev_hash = prev.clone();
        rows[2].hash = entry_hash(&key(), 3, &prev, &rows[2].as_new().expect("entry"));
        let mut head = head_of(&rows);
        assert_eq!(verify_with(&key(), &rows, &head).map_err(|b| b.seq), Err(1));

        head.legacy_until = 2;
        head.legacy_seal = Some(key().legacy_seal(2, &rows[1].hash));
        assert_eq!(verify_with(&key(), &rows, &head), Ok(3));

        // The record moved to cover the keyed entry too, or sealed by another key.
        let mut moved = head.clone();
        moved.legacy_until = 3;
        assert!(verify_with(&key(), &rows, &moved).is_err());
        let mut forged = head.clone();
        forged.legacy_seal = Some(AuditKey::new([8; 32]).legacy_seal(2, &rows[1].hash));
        assert_eq!(
            verify_with(&key(), &rows, &forged).map_err(|b| b.seq),
            Err(2)
        );
        // A legacy entry altered is still named.
        rows[0].actor = "someone@else".into();
        assert_eq!(verify_with(&key(), &rows, &head).map_err(|b| b.seq), Err(1));
    }

    #[test]
    fn a_walk_resumes_after_a_checked_entry() {
        let rows = chain(3);
        let mut v = ChainVerifier::after(&key(), 0, 1, &rows[0].hash);
        v.push(&rows[1]).expect("second");
        v.push(&rows[2]).expect("third");
        assert_eq!(v.finish(&head_of(&rows)), Ok(3));
        let mut v = ChainVerifier::after(&key(), 0, 1, GENESIS_HASH);
        assert_eq!(v.push(&rows[1]).map_err(|b| b.seq), Err(2));
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
        let mut v = ChainVerifier::new(&key(), 0);
        assert!(v.push(&rows[0]).is_ok());
    }
}
