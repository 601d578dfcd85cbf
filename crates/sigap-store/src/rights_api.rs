//! A reporter's requests made with the tracking token (migration
//! `0040_reporter_requests.sql`): the row, and the [`Store`] / [`Tx`] methods that forward
//! to the backend functions in `rights.rs`.

use crate::{Result, Store, Tx};

/// A request of a reporter.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReporterRequestRow {
    pub id: i64,
    pub ticket_id: i64,
    /// `export`, `correction` or `erasure`.
    pub kind: String,
    pub requested_at: i64,
    /// When it took effect; `None` for an erasure waiting for the ticket's closing.
    pub applied_at: Option<i64>,
}

impl Store {
    pub async fn list_reporter_requests(&self, ticket_id: i64) -> Result<Vec<ReporterRequestRow>> {
        read_pool!(self, list_reporter_requests(ticket_id))
    }
}

impl Tx {
    pub async fn insert_reporter_request(
        &mut self,
        ticket_id: i64,
        kind: &str,
        requested_at: i64,
        applied_at: Option<i64>,
    ) -> Result<i64> {
        write_tx!(
            self,
            insert_reporter_request(ticket_id, kind, requested_at, applied_at)
        )
    }
    pub async fn apply_erasure(&mut self, ticket_id: i64, now: i64) -> Result<bool> {
        write_tx!(self, apply_erasure(ticket_id, now))
    }
    pub async fn correct_contact(
        &mut self,
        ticket_id: i64,
        name: &str,
        email: &str,
        phone: Option<&str>,
    ) -> Result<bool> {
        let kept = crate::contact::key_of(&self.contact_key)?.sealed(name, email, phone)?;
        write_tx!(self, correct_contact(ticket_id, &kept))
    }
}

impl crate::Store {
    /// Seals the reporters' contact data still kept in clear (a database of before
    /// migration 0041), a batch per transaction; answers how many reports. Run at every
    /// start with the key; nothing to do after the first.
    pub async fn seal_contacts(&self) -> Result<u64> {
        const BATCH: i64 = 500;
        let key = crate::contact::key_of(&self.contact_key)?.clone();
        let mut sealed = 0;
        loop {
            let mut tx = self.begin().await?;
            let clear = write_tx!(tx, clear_contacts(BATCH))?;
            for (ticket_id, name, email, phone) in &clear {
                let kept = key.sealed(name, email, phone.as_deref())?;
                if write_tx!(tx, seal_contact(*ticket_id, email, &kept))? {
                    sealed += 1;
                }
            }
            tx.commit().await?;
            if i64::try_from(clear.len()).unwrap_or(0) < BATCH {
                return Ok(sealed);
            }
        }
    }
}
