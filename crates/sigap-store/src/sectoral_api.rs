//! The reports of Peraturan BSSN 1/2024 to the sectoral CSIRT (see the migration
//! `0037_sectoral_reports.sql`): the rows, and the [`Store`] / [`Tx`] methods that forward
//! to the backend functions in `sectoral.rs`.

use crate::{Result, Store, Tx};

/// A ticket's report to the sectoral CSIRT.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SectoralReportRow {
    pub ticket_id: i64,
    pub started_at: i64,
    pub due_at: i64,
    /// `high`, `personal_data`, `iiv`, comma-separated.
    pub reasons: String,
    pub sent_at: Option<i64>,
    pub channel: Option<String>,
    pub reference: Option<String>,
    pub recipient: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<i64>,
    /// The latest report issued (a `sectoral_report` document), once prepared.
    pub document_id: Option<i64>,
    /// The STIX 2.1 bundle issued with it, in the blob store.
    pub bundle_sha256: Option<String>,
}

/// The sending of a report, to record.
#[derive(Debug, Clone)]
pub struct SectoralSent<'a> {
    pub ticket_id: i64,
    pub sent_at: i64,
    pub channel: &'a str,
    pub reference: &'a str,
    pub recipient: &'a str,
    pub recorded_by: &'a str,
    pub recorded_at: i64,
}

impl Store {
    /// A ticket's report to the sectoral CSIRT, if it has one.
    pub async fn get_sectoral_report(&self, ticket_id: i64) -> Result<Option<SectoralReportRow>> {
        read_pool!(self, get_sectoral_report(ticket_id))
    }
}

impl Tx {
    pub async fn open_sectoral_report(
        &mut self,
        ticket_id: i64,
        started_at: i64,
        due_at: i64,
        reasons: &str,
    ) -> Result<bool> {
        write_tx!(
            self,
            open_sectoral_report(ticket_id, started_at, due_at, reasons)
        )
    }
    pub async fn get_sectoral_report(
        &mut self,
        ticket_id: i64,
    ) -> Result<Option<SectoralReportRow>> {
        write_tx!(self, get_sectoral_report(ticket_id))
    }
    pub async fn record_sectoral_sent(&mut self, s: &SectoralSent<'_>) -> Result<bool> {
        write_tx!(self, record_sectoral_sent(s))
    }
    pub async fn set_sectoral_document(
        &mut self,
        ticket_id: i64,
        document_id: i64,
        bundle_sha256: &str,
    ) -> Result<bool> {
        write_tx!(
            self,
            set_sectoral_document(ticket_id, document_id, bundle_sha256)
        )
    }
    pub async fn sectoral_candidates(&mut self, now: i64, limit: i64) -> Result<Vec<String>> {
        write_tx!(self, sectoral_candidates(now, limit))
    }
}
