//! The periodic reports (migration `0027_period_reports.sql`): the rows, and the [`Store`] /
//! [`Tx`] methods that forward to `period_reports.rs`.

use sigap_core::Tlp;

use crate::{Result, Store, Tx};

/// A draft to store for a period.
#[derive(Debug, Clone)]
pub struct NewPeriodReport<'a> {
    /// `2026-11`, `2026-Q4`, `2026` or `2026-11-01..2026-11-15`.
    pub period: &'a str,
    /// First and last day, `YYYY-MM-DD`.
    pub from: &'a str,
    pub to: &'a str,
    pub tlp: &'a str,
    /// Who asked for it (an e-mail address, or `sigap` for the worker).
    pub by: &'a str,
    pub now: i64,
}

/// What an issued report records.
#[derive(Debug, Clone)]
pub struct IssuedReport<'a> {
    pub number: &'a str,
    pub year: i64,
    pub seq: i64,
    pub pdf_sha256: &'a str,
    pub verify_code: &'a str,
    /// The figures printed, as JSON.
    pub figures: &'a str,
    /// Who signed it as printed, one "position\tname" per line.
    pub signed_by: &'a str,
    /// Issued without a configured signer.
    pub draft: bool,
    pub by: &'a str,
    pub now: i64,
}

/// A periodic report, draft or issued.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PeriodReportRow {
    pub id: i64,
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    /// `draft` or `issued`.
    pub status: String,
    pub narrative: String,
    pub tlp: Tlp,
    pub number: Option<String>,
    pub pdf_sha256: Option<String>,
    pub verify_code: Option<String>,
    pub figures: Option<String>,
    pub signed_by: String,
    pub draft: bool,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub issued_by: Option<String>,
    pub issued_at: Option<i64>,
}

impl Store {
    pub async fn get_period_report(&self, id: i64) -> Result<Option<PeriodReportRow>> {
        read_pool!(self, get_period_report(id))
    }
    pub async fn period_report_by_code(&self, code: &str) -> Result<Option<PeriodReportRow>> {
        read_pool!(self, period_report_by_code(code))
    }
    pub async fn list_period_reports(&self, limit: i64) -> Result<Vec<PeriodReportRow>> {
        read_pool!(self, list_period_reports(limit))
    }
}

impl Tx {
    /// Stores the period's draft unless it has a report; answers the period's report and
    /// whether it was stored now.
    pub async fn insert_period_report(
        &mut self,
        r: &NewPeriodReport<'_>,
    ) -> Result<(PeriodReportRow, bool)> {
        write_tx!(self, insert_period_report(r))
    }
    pub async fn get_period_report(&mut self, id: i64) -> Result<Option<PeriodReportRow>> {
        write_tx!(self, get_period_report(id))
    }
    pub async fn set_period_narrative(&mut self, id: i64, text: &str, now: i64) -> Result<bool> {
        write_tx!(self, set_period_narrative(id, text, now))
    }
    pub async fn issue_period_report(&mut self, id: i64, r: &IssuedReport<'_>) -> Result<bool> {
        write_tx!(self, issue_period_report(id, r))
    }
}
