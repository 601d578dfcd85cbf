//! Opening a ticket in the intake's serial write ([`Tx::open_ticket`]): the ticket, its
//! report, the audit entry of its receipt and its mail, in one round trip on PostgreSQL.

use crate::{Opening, Result, Tx};

impl Tx {
    /// Writes a new ticket, its report, its audit entry (sealed with the store's key, after
    /// the head as [`Tx::append_audit`] finds it) and its mail jobs with their Message-IDs.
    /// Answers the ticket's id. On PostgreSQL this is one statement; on SQLite the same
    /// writes one after the other.
    pub async fn open_ticket(&mut self, opening: &Opening<'_>) -> Result<i64> {
        let key = self
            .audit_key
            .clone()
            .ok_or_else(crate::store_api::no_audit_key)?;
        let known = self.audit_head.take();
        let (id, head) = write_tx!(self, open_ticket(&key, known, opening))?;
        self.audit_head = Some(head);
        Ok(id)
    }
}
