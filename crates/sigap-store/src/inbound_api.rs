//! Mail received by the CSIRT (see the migrations `0023_inbound_mail.sql` and
//! `0024_inbound_pgp.sql`): the rows, and the [`Store`] / [`Tx`] methods that forward to
//! the backend functions in `inbound.rs`.

use crate::{Result, Store, Tx};

/// A received message to record.
#[derive(Debug, Clone, Copy)]
pub struct NewInbound<'a> {
    pub dedupe_key: &'a str,
    pub message_id: Option<&'a str>,
    pub mailbox_uid: Option<&'a str>,
    pub thread_key: &'a str,
    pub via: &'a str,
    pub envelope_from: &'a str,
    /// JSON list of the recipients.
    pub recipients: &'a str,
    pub from_address: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub raw_sha256: &'a str,
    pub raw_size: i64,
    /// JSON: what the receiving mail server said of SPF, DKIM and DMARC.
    pub authentication: &'a str,
    /// JSON: the report's fields read from the text.
    pub fields: &'a str,
    /// JSON list: what the headers say of the message (automatic, bulk, a list).
    pub flags: &'a str,
    pub kind: &'a str,
    pub status: &'a str,
    pub ticket_id: Option<i64>,
    /// JSON: what was found of OpenPGP; empty when nothing.
    pub pgp: &'a str,
    pub now: i64,
}

/// An attachment of a received message to record.
#[derive(Debug, Clone, Copy)]
pub struct NewInboundFile<'a> {
    pub name: &'a str,
    pub declared_type: &'a str,
    pub media_type: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub size: i64,
    pub refused: Option<&'a str>,
}

/// A received message, with its ticket's number once it has one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboundRow {
    pub id: i64,
    pub message_id: Option<String>,
    pub thread_key: String,
    pub via: String,
    pub envelope_from: String,
    pub recipients: String,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub raw_sha256: String,
    pub raw_size: i64,
    pub authentication: String,
    pub fields: String,
    pub flags: String,
    pub kind: String,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub discard_reason: Option<String>,
    pub acknowledged: bool,
    pub received_at: i64,
    /// JSON: what was found of OpenPGP; empty when nothing.
    pub pgp: String,
}

/// An attachment of a received message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboundFileRow {
    pub id: i64,
    pub inbound_id: i64,
    pub name: String,
    pub declared_type: String,
    pub media_type: Option<String>,
    pub sha256: Option<String>,
    pub size: i64,
    pub refused: Option<String>,
}

/// A decision on a message waiting in the inbox.
#[derive(Debug, Clone, Copy)]
pub struct InboundDecision<'a> {
    pub id: i64,
    /// `accepted`, `discarded` or `posted`.
    pub status: &'a str,
    pub ticket_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub discard_reason: Option<&'a str>,
    pub now: i64,
}

impl Store {
    pub async fn get_inbound(&self, id: i64) -> Result<Option<InboundRow>> {
        let row = read_pool!(self, get_inbound(id))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_inbound(r)).transpose()
    }
    pub async fn list_inbound(
        &self,
        statuses: &[&str],
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<InboundRow>> {
        let rows = read_pool!(self, list_inbound(statuses, before_id, limit))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        rows.into_iter().map(|r| key.open_inbound(r)).collect()
    }
    pub async fn count_inbound_new(&self) -> Result<i64> {
        read_pool!(self, count_inbound_new())
    }
    pub async fn inbound_files(&self, inbound_id: i64) -> Result<Vec<InboundFileRow>> {
        read_pool!(self, inbound_files(inbound_id))
    }
    pub async fn find_inbound(
        &self,
        dedupe_key: &str,
        mailbox_uid: Option<&str>,
    ) -> Result<Option<i64>> {
        let dedupe_key = &crate::contact::key_of(&self.contact_key)?.dedupe_key(dedupe_key);
        read_pool!(self, find_inbound(dedupe_key, mailbox_uid))
    }
}

impl Tx {
    /// Records a received message, its sender and fields sealed (see [`crate::contact`]);
    /// `None` when it was recorded before.
    pub async fn insert_inbound(&mut self, m: &NewInbound<'_>) -> Result<Option<i64>> {
        let kept = crate::contact::key_of(&self.contact_key)?.sealed_sender(m)?;
        let m = &NewInbound {
            dedupe_key: &kept.dedupe_key,
            envelope_from: &kept.envelope_from,
            from_address: kept.from_address.as_deref(),
            from_name: kept.from_name.as_deref(),
            fields: &kept.fields,
            ..*m
        };
        write_tx!(self, insert_inbound(m))
    }
    pub async fn insert_inbound_file(
        &mut self,
        inbound_id: i64,
        f: &NewInboundFile<'_>,
    ) -> Result<()> {
        write_tx!(self, insert_inbound_file(inbound_id, f))
    }
    pub async fn get_inbound(&mut self, id: i64) -> Result<Option<InboundRow>> {
        let row = write_tx!(self, get_inbound(id))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_inbound(r)).transpose()
    }
    pub async fn inbound_files(&mut self, inbound_id: i64) -> Result<Vec<InboundFileRow>> {
        write_tx!(self, inbound_files(inbound_id))
    }
    /// Decides a waiting message; `false` when it was no longer waiting.
    pub async fn decide_inbound(&mut self, d: &InboundDecision<'_>) -> Result<bool> {
        write_tx!(self, decide_inbound(d))
    }
    /// Marks the thread acknowledged; `false` when it was already.
    pub async fn acknowledge_thread(&mut self, id: i64, thread_key: &str) -> Result<bool> {
        write_tx!(self, acknowledge_thread(id, thread_key))
    }
}
