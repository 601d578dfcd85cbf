//! Retention of a closed ticket's data (migration `0039_retention.sql`): the rows, and the
//! [`Store`] / [`Tx`] methods that forward to the backend functions in `retention.rs`.

use crate::{Result, Store, Tx};

/// A ticket's legal hold.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LegalHoldRow {
    pub ticket_id: i64,
    pub reason: String,
    /// Who set it (an e-mail address).
    pub set_by: String,
    pub set_at: i64,
}

/// A run's Berita Acara Pemusnahan, to record.
#[derive(Debug, Clone)]
pub struct NewDestructionRecord<'a> {
    pub number: &'a str,
    pub year: i64,
    pub seq: i64,
    pub pdf_sha256: &'a str,
    pub verify_code: &'a str,
    /// Who signed it as printed, one "position\tname" per line.
    pub signed_by: &'a str,
    /// Issued without a configured signer.
    pub draft: bool,
    /// What the run did, as JSON.
    pub details: &'a str,
    pub created_at: i64,
}

/// A Berita Acara Pemusnahan as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DestructionRecordRow {
    pub id: i64,
    pub number: String,
    pub pdf_sha256: String,
    pub verify_code: String,
    pub signed_by: String,
    pub draft: bool,
    pub details: String,
    pub created_at: i64,
}

impl Store {
    pub async fn get_legal_hold(&self, ticket_id: i64) -> Result<Option<LegalHoldRow>> {
        read_pool!(self, get_legal_hold(ticket_id))
    }
    pub async fn contact_removed_at(&self, ticket_id: i64) -> Result<Option<i64>> {
        read_pool!(self, contact_removed_at(ticket_id))
    }
    pub async fn list_destruction_records(&self, limit: i64) -> Result<Vec<DestructionRecordRow>> {
        read_pool!(self, list_destruction_records(limit))
    }
    pub async fn get_destruction_record(&self, id: i64) -> Result<Option<DestructionRecordRow>> {
        read_pool!(self, get_destruction_record(id))
    }
    pub async fn find_destruction_record_by_code(
        &self,
        code: &str,
    ) -> Result<Option<DestructionRecordRow>> {
        read_pool!(self, find_destruction_record_by_code(code))
    }
}

impl Tx {
    pub async fn set_legal_hold(
        &mut self,
        ticket_id: i64,
        reason: &str,
        set_by: &str,
        set_at: i64,
    ) -> Result<bool> {
        write_tx!(self, set_legal_hold(ticket_id, reason, set_by, set_at))
    }
    pub async fn lift_legal_hold(&mut self, ticket_id: i64) -> Result<bool> {
        write_tx!(self, lift_legal_hold(ticket_id))
    }
    pub async fn get_legal_hold(&mut self, ticket_id: i64) -> Result<Option<LegalHoldRow>> {
        write_tx!(self, get_legal_hold(ticket_id))
    }
    pub async fn contact_due(&mut self, closed_by: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        write_tx!(self, contact_due(closed_by, limit))
    }
    pub async fn evidence_due(&mut self, closed_by: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        write_tx!(self, evidence_due(closed_by, limit))
    }
    pub async fn held_numbers(&mut self, closed_by: i64) -> Result<Vec<String>> {
        write_tx!(self, held_numbers(closed_by))
    }
    pub async fn anonymise_reporter(&mut self, ticket_id: i64, now: i64) -> Result<u64> {
        let key = crate::contact::key_of(&self.contact_key)?.clone();
        write_tx!(self, anonymise_reporter(ticket_id, now, &key))
    }
    pub async fn destroy_evidence(&mut self, ticket_id: i64, now: i64) -> Result<u64> {
        write_tx!(self, destroy_evidence(ticket_id, now))
    }
    pub async fn insert_destruction_record(&mut self, r: &NewDestructionRecord<'_>) -> Result<i64> {
        write_tx!(self, insert_destruction_record(r))
    }
}
