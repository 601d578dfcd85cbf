//! The job table's write methods on [`Tx`]: each forwards to the backend's function of the
//! same name, the addresses of a job's payload sealed on the way in and opened on the way
//! out (see [`crate::contact`]).

use crate::rows::*;
use crate::{Result, Tx};

impl Tx {
    /// Enqueues a job, the addresses of its payload sealed.
    pub async fn enqueue_job(&mut self, j: &NewJob<'_>) -> Result<i64> {
        let mut kept = String::new();
        let j = &crate::contact::key_of(&self.contact_key)?.sealed_job(j, &mut kept)?;
        write_tx!(self, enqueue_job(j))
    }
    /// Claims due jobs for a lease until `until` (see the backends' `claim_jobs`), leaving
    /// the jobs of `skip_kind` (mail, when no mail server is set) to others.
    pub async fn claim_jobs(
        &mut self,
        now: i64,
        until: i64,
        limit: i64,
        skip_kind: Option<sigap_core::JobKind>,
    ) -> Result<Vec<JobRow>> {
        let rows = write_tx!(self, claim_jobs(now, until, limit, skip_kind))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        rows.into_iter().map(|r| key.open_job(r)).collect()
    }
    pub async fn retry_job(&mut self, id: i64, now: i64) -> Result<bool> {
        write_tx!(self, retry_job(id, now))
    }
    pub async fn finish_job(
        &mut self,
        id: i64,
        attempt: i64,
        now: i64,
        payload: &str,
    ) -> Result<bool> {
        let payload = &crate::contact::key_of(&self.contact_key)?.seal_payload(payload)?;
        write_tx!(self, finish_job(id, attempt, now, payload))
    }
    pub async fn fail_job(
        &mut self,
        id: i64,
        attempt: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        write_tx!(self, fail_job(id, attempt, error, retry_at))
    }
    /// Gives a claimed job that was not started back to the queue (see `release_job`).
    pub async fn release_job(&mut self, id: i64, attempt: i64, now: i64) -> Result<bool> {
        write_tx!(self, release_job(id, attempt, now))
    }
    pub async fn set_failed_job_payload(
        &mut self,
        id: i64,
        attempt: i64,
        payload: &str,
    ) -> Result<bool> {
        let payload = &crate::contact::key_of(&self.contact_key)?.seal_payload(payload)?;
        write_tx!(self, set_failed_job_payload(id, attempt, payload))
    }
}
