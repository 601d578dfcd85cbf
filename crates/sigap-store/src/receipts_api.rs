//! The receipts of reports sent with the public form (see the migration
//! `0014_report_receipts.sql`): the rows, and the [`Store`] / [`Tx`] methods that forward to
//! the backend functions in `receipts.rs`. The store keeps what it is given: the receipt's
//! hash and the sealed token come from `sigap-app`, which alone can make and open them.

use crate::{Result, Store, Tx};

/// A receipt to store.
#[derive(Debug, Clone)]
pub struct NewReceipt<'a> {
    /// The hash of the receipt id that the browser holds.
    pub receipt_hash: &'a str,
    /// The form's anti-spam challenge, when it had one: a resubmission is recognised by it.
    pub form_key: Option<&'a str>,
    pub ticket_id: i64,
    /// The tracking token, sealed.
    pub sealed_token: &'a str,
    pub expires_at: i64,
}

/// A stored receipt with its ticket's number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReceiptRow {
    pub receipt_hash: String,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub sealed_token: String,
    pub expires_at: i64,
}

impl Store {
    /// The receipt whose id hashes to `receipt_hash`, unless it expired before `now`.
    pub async fn get_receipt(&self, receipt_hash: &str, now: i64) -> Result<Option<ReceiptRow>> {
        read_pool!(self, get_receipt(receipt_hash, now))
    }
}

impl Tx {
    pub async fn insert_receipt(&mut self, r: &NewReceipt<'_>) -> Result<bool> {
        write_tx!(self, insert_receipt(r))
    }
    pub async fn receipt_for_form(&mut self, form_key: &str) -> Result<Option<ReceiptRow>> {
        write_tx!(self, receipt_for_form(form_key))
    }
    pub async fn forget_receipts(&mut self, now: i64) -> Result<u64> {
        write_tx!(self, forget_receipts(now))
    }
}
