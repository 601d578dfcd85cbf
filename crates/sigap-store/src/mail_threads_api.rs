//! The Message-IDs of a ticket's mail (see the migration `0022_mail_messages.sql`): the
//! rows, and the [`Store`] / [`Tx`] methods that forward to the backend functions in
//! `mail_threads.rs`.

use crate::{Result, Store, Tx};

/// A mail to record: the ticket it is about and the party it goes to.
#[derive(Debug, Clone, Copy)]
pub struct NewMailMessage<'a> {
    pub message_id: &'a str,
    pub ticket_id: i64,
    pub job_id: Option<i64>,
    pub audience: &'a str,
    pub now: i64,
}

/// A recorded mail, with its ticket's number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailMessageRow {
    pub id: i64,
    pub message_id: String,
    pub ticket_id: i64,
    pub number: String,
    pub job_id: Option<i64>,
    pub audience: String,
    pub created_at: i64,
}

impl Store {
    pub async fn find_mail_message(&self, message_id: &str) -> Result<Option<MailMessageRow>> {
        read_pool!(self, find_mail_message(message_id))
    }
    /// The Message-IDs sent before `message_id` on its ticket to its party, oldest first.
    pub async fn earlier_in_thread(&self, message_id: &str) -> Result<Vec<String>> {
        read_pool!(self, earlier_in_thread(message_id))
    }
}

impl Tx {
    /// Enqueues the mail job `job` about its ticket (`job.ticket_id`, which must be set) and
    /// records it as `message_id` to `audience`, as [`Tx::enqueue_job`] then
    /// [`Tx::record_mail_message`] would, in fewer round trips. Answers the job's id.
    pub async fn enqueue_mail(
        &mut self,
        job: &crate::NewJob<'_>,
        message_id: &str,
        audience: &str,
    ) -> Result<i64> {
        if job.ticket_id.is_none() {
            return Err(crate::StoreError::Reference(
                "a mail recorded in a ticket's thread needs its ticket".to_owned(),
            ));
        }
        let mut kept = String::new();
        let job = &crate::contact::key_of(&self.contact_key)?.sealed_job(job, &mut kept)?;
        write_tx!(self, enqueue_mail(job, message_id, audience))
    }
    pub async fn record_mail_message(&mut self, m: &NewMailMessage<'_>) -> Result<()> {
        write_tx!(self, record_mail_message(m))
    }
    pub async fn find_mail_message(&mut self, message_id: &str) -> Result<Option<MailMessageRow>> {
        write_tx!(self, find_mail_message(message_id))
    }
    /// Marks a delivered mail job bounced; `false` when it was not delivered (or not there).
    pub async fn mark_job_bounced(&mut self, id: i64, why: &str) -> Result<bool> {
        write_tx!(self, mark_job_bounced(id, why))
    }
}
