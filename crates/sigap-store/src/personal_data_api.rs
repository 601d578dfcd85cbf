//! The clock of UU PDP Pasal 46 (see the migration `0035_personal_data_breaches.sql`): the
//! rows, and the [`Store`] / [`Tx`] methods that forward to the backend functions in
//! `personal_data.rs`. The store keeps what it is given; `sigap-app` decides when a clock
//! starts and what a notice must hold.

use sigap_core::pdp::{NoticeChannel, NoticeRecipient};

use crate::{Result, Store, Tx};

/// A clock to start.
#[derive(Debug, Clone)]
pub struct NewBreach<'a> {
    pub ticket_id: i64,
    pub started_at: i64,
    pub due_at: i64,
    /// `assessment` or `staff`.
    pub source: &'a str,
    /// Why, when staff recorded it after the assessment.
    pub reason: Option<&'a str>,
    /// Who recorded it (the assessor or the staff member), by name.
    pub recorded_by: &'a str,
}

/// A ticket's clock.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BreachRow {
    pub ticket_id: i64,
    pub started_at: i64,
    pub due_at: i64,
    pub source: String,
    pub reason: Option<String>,
    pub recorded_by: String,
    /// The later notice's time, once both are recorded.
    pub stopped_at: Option<i64>,
}

/// A notice to record.
#[derive(Debug, Clone)]
pub struct NewBreachNotice<'a> {
    pub ticket_id: i64,
    pub recipient: &'a str,
    pub notified_at: i64,
    pub channel: &'a str,
    pub note: Option<&'a str>,
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub recorded_by: &'a str,
    pub recorded_at: i64,
}

/// A recorded notice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BreachNoticeRow {
    pub recipient: NoticeRecipient,
    pub notified_at: i64,
    pub channel: NoticeChannel,
    pub note: Option<String>,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// The agency's text of a notice, to save.
#[derive(Debug, Clone)]
pub struct NewBreachDraft<'a> {
    pub ticket_id: i64,
    pub recipient: &'a str,
    pub data_exposed: &'a str,
    pub when_how: &'a str,
    pub handling: &'a str,
    pub contact: Option<&'a str>,
    pub updated_by: &'a str,
    pub updated_at: i64,
}

/// The agency's saved text of a notice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BreachDraftRow {
    pub data_exposed: String,
    pub when_how: String,
    pub handling: String,
    pub contact: Option<String>,
    pub updated_by: String,
    pub updated_at: i64,
}

impl Store {
    /// The saved text of a ticket's notice to `recipient`.
    pub async fn get_breach_draft(
        &self,
        ticket_id: i64,
        recipient: &str,
    ) -> Result<Option<BreachDraftRow>> {
        read_pool!(self, get_breach_draft(ticket_id, recipient))
    }
    /// A ticket's clock, if it has one.
    pub async fn get_breach(&self, ticket_id: i64) -> Result<Option<BreachRow>> {
        read_pool!(self, get_breach(ticket_id))
    }
    /// The notices recorded on a ticket's clock.
    pub async fn list_breach_notices(&self, ticket_id: i64) -> Result<Vec<BreachNoticeRow>> {
        read_pool!(self, list_breach_notices(ticket_id))
    }
}

impl Tx {
    pub async fn save_breach_draft(&mut self, d: &NewBreachDraft<'_>) -> Result<()> {
        write_tx!(self, save_breach_draft(d))
    }
    pub async fn get_breach_draft(
        &mut self,
        ticket_id: i64,
        recipient: &str,
    ) -> Result<Option<BreachDraftRow>> {
        write_tx!(self, get_breach_draft(ticket_id, recipient))
    }
    pub async fn open_breach(&mut self, b: &NewBreach<'_>) -> Result<bool> {
        write_tx!(self, open_breach(b))
    }
    pub async fn get_breach(&mut self, ticket_id: i64) -> Result<Option<BreachRow>> {
        write_tx!(self, get_breach(ticket_id))
    }
    pub async fn list_breach_notices(&mut self, ticket_id: i64) -> Result<Vec<BreachNoticeRow>> {
        write_tx!(self, list_breach_notices(ticket_id))
    }
    pub async fn record_breach_notice(&mut self, n: &NewBreachNotice<'_>) -> Result<bool> {
        write_tx!(self, record_breach_notice(n))
    }
    pub async fn breach_candidates(&mut self, now: i64, limit: i64) -> Result<Vec<String>> {
        write_tx!(self, breach_candidates(now, limit))
    }
}
