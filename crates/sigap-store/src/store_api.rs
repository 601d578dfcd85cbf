//! The store's methods: reads on [`Store`] (from the read pool), writes on [`Tx`] (inside
//! one transaction). Each forwards to the backend's function of the same name.

use crate::audit::{AuditEntry, AuditHead, AuditKey, ChainBreak, ChainVerifier, NewAuditEntry};
use crate::rows::*;
use crate::signed_copies::{NewSignedCopy, SignedCopyRow};
use crate::{Result, Store, StoreError, Tx};
use sigap_core::JobState;

/// Splits a search query into the words both backends index: runs of letters and digits,
/// lowercased. Anything else separates words, so no input can be read as query syntax.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(str::to_lowercase)
        .collect()
}

/// Every word of `text`, split and lower-cased as [`search_words`] splits a query.
pub(crate) fn search_words_all(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    Intact { entries: i64, head: String },
    Broken(ChainBreak),
}

impl Store {
    pub async fn ping(&self) -> Result<()> {
        read_pool!(self, ping())
    }
    /// The database's schema version beside this build's (for `/readyz`).
    pub async fn schema_version(&self) -> Result<crate::SchemaVersion> {
        let (database, server) = match &self.backend {
            crate::Backends::Sqlite(s) => {
                let mut c = s.read_conn().await?;
                let database = crate::sqlite::schema_version(&mut c).await?;
                (database, crate::schema::newest(&crate::schema::SQLITE))
            }
            crate::Backends::Postgres(s) => {
                let mut c = s.pool.acquire().await?;
                let database = crate::postgres::schema_version(&mut c).await?;
                (database, crate::schema::newest(&crate::schema::POSTGRES))
            }
        };
        Ok(crate::SchemaVersion { database, server })
    }
    pub async fn list_agencies(&self, only: Option<i64>) -> Result<Vec<AgencyRow>> {
        read_pool!(self, list_agencies(only))
    }
    pub async fn find_agency(&self, code: &str) -> Result<Option<AgencyRow>> {
        read_pool!(self, find_agency(code))
    }
    pub async fn list_systems(&self, agency: Option<i64>) -> Result<Vec<SystemRow>> {
        read_pool!(self, list_systems(agency))
    }
    /// Another open ticket that holds a block on the system, if any.
    pub async fn other_block_holder(&self, system_id: i64, except: i64) -> Result<Option<String>> {
        read_pool!(self, other_block_holder(system_id, except))
    }
    pub async fn get_system(&self, id: i64) -> Result<Option<SystemRow>> {
        read_pool!(self, get_system(id))
    }
    /// The system in service with the longest registered domain among `domains`.
    pub async fn find_system_covering(&self, domains: &[String]) -> Result<Option<SystemRow>> {
        read_pool!(self, find_system_covering(domains))
    }
    pub async fn list_domains(&self, agency: Option<i64>) -> Result<Vec<DomainRow>> {
        read_pool!(self, list_domains(agency))
    }
    pub async fn find_user(&self, email: &str) -> Result<Option<UserRow>> {
        read_pool!(self, find_user(email))
    }
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        read_pool!(self, list_users())
    }
    pub async fn find_user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>> {
        read_pool!(self, find_user_by_token(token_hash))
    }
    pub async fn get_ticket(&self, number: &str) -> Result<Option<TicketRow>> {
        let row = read_pool!(self, get_ticket(number))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_row(r)).transpose()
    }
    pub async fn list_tickets(&self, filter: &TicketFilter) -> Result<Vec<TicketListRow>> {
        let filter = &crate::contact::key_of(&self.contact_key)?.filter(filter);
        read_pool!(self, list_tickets(filter))
    }
    /// How many tickets `filter` selects over all pages.
    pub async fn count_queue(&self, filter: &TicketFilter) -> Result<i64> {
        let filter = &crate::contact::key_of(&self.contact_key)?.filter(filter);
        read_pool!(self, count_queue(filter))
    }
    pub async fn count_tickets_by(&self, by: CountBy, scope: TicketScope) -> Result<Vec<CountRow>> {
        read_pool!(self, count_tickets_by(by, scope))
    }
    pub async fn step_stats(&self, scope: TicketScope) -> Result<Vec<StepStatsRow>> {
        read_pool!(self, step_stats(scope))
    }
    pub async fn list_step_records(&self, ticket_id: i64) -> Result<Vec<StepRecordRow>> {
        read_pool!(self, list_step_records(ticket_id))
    }
    pub async fn list_comments(&self, ticket_id: i64) -> Result<Vec<CommentRow>> {
        read_pool!(self, list_comments(ticket_id))
    }
    pub async fn list_evidence(&self, ticket_id: i64) -> Result<Vec<EvidenceRow>> {
        read_pool!(self, list_evidence(ticket_id))
    }
    pub async fn list_documents(&self, ticket_id: i64) -> Result<Vec<DocumentRow>> {
        read_pool!(self, list_documents(ticket_id))
    }
    /// Every SHA-256 that a row names in the blob store.
    pub async fn referenced_blobs(&self) -> Result<Vec<String>> {
        read_pool!(self, referenced_blobs())
    }
    pub async fn get_document(&self, id: i64) -> Result<Option<DocumentRow>> {
        read_pool!(self, get_document(id))
    }
    pub async fn list_jobs(&self, state: Option<JobState>, limit: i64) -> Result<Vec<JobRow>> {
        let rows = read_pool!(self, list_jobs(state, limit))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        rows.into_iter().map(|r| key.open_job(r)).collect()
    }
    pub async fn get_job(&self, id: i64) -> Result<Option<JobRow>> {
        let row = read_pool!(self, get_job(id))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_job(r)).transpose()
    }
    pub async fn count_jobs(&self) -> Result<Vec<(JobState, i64)>> {
        read_pool!(self, count_jobs())
    }
    pub async fn list_notices(&self, ticket_id: i64) -> Result<Vec<(String, i64, i64)>> {
        read_pool!(self, list_notices(ticket_id))
    }
    pub async fn list_signed_copies(&self, document_id: i64) -> Result<Vec<SignedCopyRow>> {
        read_pool!(self, list_signed_copies(document_id))
    }
    pub async fn find_document_by_code(&self, code: &str) -> Result<Option<DocumentRow>> {
        read_pool!(self, find_document_by_code(code))
    }
    pub async fn find_document_replacing(&self, id: i64) -> Result<Option<DocumentRow>> {
        read_pool!(self, find_document_replacing(id))
    }
    pub async fn list_ticket_audit(&self, number: &str) -> Result<Vec<AuditEntry>> {
        read_pool!(self, list_ticket_audit(number))
    }
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let head = self.audit_head_row().await?;
        Ok((head.seq, head.hash))
    }
    /// The head row with the key's name and the record of legacy entries.
    pub async fn audit_head_row(&self) -> Result<AuditHead> {
        read_pool!(self, audit_head())
    }
    /// Up to `limit` audit entries after `after_seq`, in order.
    pub async fn list_audit(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        read_pool!(self, list_audit(after_seq, limit))
    }
    /// The audit entries that match `filter`, newest first.
    pub async fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        read_pool!(self, search_audit(filter))
    }
    /// The worker's last check of the chain.
    pub async fn audit_watch(&self) -> Result<Option<AuditWatchRow>> {
        read_pool!(self, audit_watch())
    }

    fn require_audit_key(&self) -> Result<&AuditKey> {
        self.audit_key.as_ref().ok_or_else(no_audit_key)
    }

    /// Walks the whole audit chain in order, in batches, and checks it, under the store's
    /// key, against the head.
    pub async fn verify_audit_chain(&self) -> Result<ChainStatus> {
        self.verify_audit_chain_after(None).await
    }

    /// Walks the chain after entry `checked` (its number and hash, verified before), or from
    /// the first entry when `None`; a `checked` entry that no longer chains is a break.
    pub async fn verify_audit_chain_after(
        &self,
        checked: Option<(i64, &str)>,
    ) -> Result<ChainStatus> {
        let key = self.require_audit_key()?;
        let head = self.audit_head_row().await?;
        if let Err(b) = crate::audit::check_key(key, &head) {
            return Ok(ChainStatus::Broken(b));
        }
        let (mut after, mut verifier) = match checked {
            Some((seq, hash)) => (seq, ChainVerifier::after(key, head.legacy_until, seq, hash)),
            None => (0, ChainVerifier::new(key, head.legacy_until)),
        };
        // The walk stops at the head read above: entries appended while it runs (each with
        // the head moved in its own transaction) are the next check's.
        while after < head.seq {
            let batch = self.list_audit(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for entry in batch.iter().take_while(|e| e.seq <= head.seq) {
                if let Err(b) = verifier.push(entry) {
                    return Ok(ChainStatus::Broken(b));
                }
            }
        }
        Ok(match verifier.finish(&head) {
            Ok(entries) => ChainStatus::Intact {
                entries,
                head: head.hash,
            },
            Err(b) => ChainStatus::Broken(b),
        })
    }

    /// Accepts the entries written before the chain was keyed: the longest run from the
    /// first entry that verifies with plain SHA-256 is recorded in the head, sealed with the
    /// key, provided every entry after it verifies under the key. Answers the number of
    /// legacy entries (0: none, nothing written), or the break that stops it.
    pub async fn seal_legacy_audit(&self) -> Result<Result<i64, ChainBreak>> {
        let key = self.require_audit_key()?.clone();
        let head = self.audit_head_row().await?;
        if head.legacy_until > 0 {
            return Ok(Ok(head.legacy_until));
        }
        // The legacy run: entries that verify as plain SHA-256 from the first on.
        let mut legacy = ChainVerifier::new(&key, i64::MAX);
        let mut until = (0, crate::audit::GENESIS_HASH.to_owned());
        let mut after = 0;
        'walk: loop {
            let batch = self.list_audit(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for entry in &batch {
                if legacy.push(entry).is_err() {
                    break 'walk;
                }
                until = (entry.seq, entry.hash.clone());
            }
        }
        if until.0 == 0 {
            return Ok(Ok(0));
        }
        let mut check = ChainVerifier::after(&key, until.0, until.0, &until.1);
        let mut after = until.0;
        loop {
            let batch = self.list_audit(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for entry in &batch {
                if let Err(b) = check.push(entry) {
                    return Ok(Err(b));
                }
            }
        }
        let mut tx = self.begin().await?;
        let mut head = write_tx!(tx, lock_audit_head())?;
        head.legacy_until = until.0;
        if let Err(b) = check.finish(&head) {
            return Ok(Err(b));
        }
        let seal = key.legacy_seal(until.0, &until.1);
        write_tx!(tx, set_audit_legacy(until.0, &seal, &key.id()))?;
        tx.commit().await?;
        Ok(Ok(until.0))
    }

    /// Whether this store is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, crate::Backends::Postgres(_))
    }

    /// PostgreSQL: a snapshot of the database held open for `pg_dump --snapshot` (a dump
    /// and a list of files that agree), with the files its rows name.
    pub async fn export_snapshot(&self) -> Result<ExportedSnapshot> {
        let crate::Backends::Postgres(pg) = &self.backend else {
            return Err(StoreError::Url(
                "a snapshot is exported by PostgreSQL".to_owned(),
            ));
        };
        let mut conn = pg.pool.acquire().await?;
        // Never back in the pool: it ends with its transaction.
        conn.close_on_drop();
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *conn)
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *conn)
            .await?;
        let blobs = crate::postgres::referenced_blobs(&mut conn).await?;
        Ok(ExportedSnapshot { conn, id, blobs })
    }

    /// Writes a consistent copy of an SQLite database to `out`.
    pub async fn backup_sqlite(&self, out: &std::path::Path) -> Result<()> {
        match &self.backend {
            crate::Backends::Sqlite(s) => s.backup_to(out).await,
            crate::Backends::Postgres(_) => Err(StoreError::Url(
                "backups of PostgreSQL are taken with pg_dump; `sigap backup` covers SQLite"
                    .to_owned(),
            )),
        }
    }
}

fn no_audit_key() -> StoreError {
    StoreError::Corrupt("the audit log's key is not set (Store::with_audit_key)".to_owned())
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            crate::TxInner::Sqlite(t) => t.commit().await?,
            crate::TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
    /// Undoes everything the transaction wrote (a preview of a step).
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            crate::TxInner::Sqlite(t) => t.rollback().await?,
            crate::TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
    pub async fn insert_agency(
        &mut self,
        code: &str,
        name: &str,
        email: Option<&str>,
        now: i64,
    ) -> Result<i64> {
        write_tx!(self, insert_agency(code, name, email, now))
    }
    pub async fn find_agency(&mut self, code: &str) -> Result<Option<AgencyRow>> {
        write_tx!(self, find_agency(code))
    }
    pub async fn insert_system(&mut self, agency_id: i64, name: &str, now: i64) -> Result<i64> {
        write_tx!(self, insert_system(agency_id, name, now))
    }
    pub async fn insert_domain(&mut self, system_id: i64, domain: &str) -> Result<()> {
        write_tx!(self, insert_domain(system_id, domain))
    }
    pub async fn get_system(&mut self, id: i64) -> Result<Option<SystemRow>> {
        write_tx!(self, get_system(id))
    }
    pub async fn find_system_by_domain(&mut self, domain: &str) -> Result<Option<SystemRow>> {
        write_tx!(self, find_system_by_domain(domain))
    }
    /// The system whose registered domain is the longest of `domains`.
    pub async fn find_system_covering(&mut self, domains: &[String]) -> Result<Option<SystemRow>> {
        write_tx!(self, find_system_covering(domains))
    }
    pub async fn set_blocking(
        &mut self,
        system_id: i64,
        adapter: &str,
        params: &str,
    ) -> Result<()> {
        write_tx!(self, set_blocking(system_id, adapter, params))
    }
    pub async fn set_system_suspended(&mut self, system_id: i64, suspended: bool) -> Result<()> {
        write_tx!(self, set_system_suspended(system_id, suspended))
    }
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_user(
        &mut self,
        email: &str,
        name: &str,
        role: &str,
        agency_id: Option<i64>,
        password_hash: Option<&str>,
        now: i64,
    ) -> Result<i64> {
        write_tx!(
            self,
            insert_user(email, name, role, agency_id, password_hash, now)
        )
    }
    pub async fn find_user(&mut self, email: &str) -> Result<Option<UserRow>> {
        write_tx!(self, find_user(email))
    }
    pub async fn set_user_disabled(&mut self, id: i64, disabled: bool) -> Result<bool> {
        write_tx!(self, set_user_disabled(id, disabled))
    }
    pub async fn insert_token(
        &mut self,
        user_id: i64,
        token_hash: &str,
        label: &str,
        now: i64,
    ) -> Result<()> {
        write_tx!(self, insert_token(user_id, token_hash, label, now))
    }
    pub async fn next_counter(&mut self, scope: &str, year: i64) -> Result<i64> {
        write_tx!(self, next_counter(scope, year))
    }
    /// The next number of `scope`, which continues `continues` when it starts a year.
    pub async fn next_counter_continuing(
        &mut self,
        scope: &str,
        year: i64,
        continues: &[String],
    ) -> Result<i64> {
        write_tx!(self, next_counter_continuing(scope, year, continues))
    }
    /// Inserts a ticket and its report, the reporter's contact data sealed.
    pub async fn insert_ticket(&mut self, t: &NewTicket<'_>, r: &NewReport<'_>) -> Result<i64> {
        let kept = crate::contact::key_of(&self.contact_key)?.sealed(
            r.reporter_name,
            r.reporter_email,
            r.reporter_phone,
        )?;
        let r = &NewReport {
            reporter_name: &kept.name,
            reporter_email: &kept.email,
            reporter_phone: kept.phone.as_deref(),
            ..r.clone()
        };
        write_tx!(self, insert_ticket(t, r, &kept.index))
    }
    /// Reads a ticket and keeps others from changing it until this transaction ends.
    pub async fn lock_ticket(&mut self, number: &str) -> Result<Option<TicketRow>> {
        let row = write_tx!(self, lock_ticket(number))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_row(r)).transpose()
    }
    pub async fn get_ticket(&mut self, number: &str) -> Result<Option<TicketRow>> {
        let row = write_tx!(self, get_ticket(number))?;
        let key = crate::contact::key_of(&self.contact_key)?;
        row.map(|r| key.open_row(r)).transpose()
    }
    pub async fn update_ticket(&mut self, u: &TicketUpdate<'_>) -> Result<()> {
        write_tx!(self, update_ticket(u))
    }
    pub async fn set_assignee(&mut self, ticket_id: i64, user_id: i64, now: i64) -> Result<()> {
        write_tx!(self, set_assignee(ticket_id, user_id, now))
    }
    pub async fn count_valid_reports(&mut self, agency_id: i64, since: i64) -> Result<i64> {
        write_tx!(self, count_valid_reports(agency_id, since))
    }
    pub async fn other_block_holder(
        &mut self,
        system_id: i64,
        except: i64,
    ) -> Result<Option<String>> {
        write_tx!(self, other_block_holder(system_id, except))
    }
    pub async fn insert_step_record(&mut self, s: &NewStepRecord<'_>) -> Result<i64> {
        write_tx!(self, insert_step_record(s))
    }
    pub async fn insert_comment(&mut self, n: &NewComment<'_>) -> Result<i64> {
        write_tx!(self, insert_comment(n))
    }
    pub async fn insert_evidence(&mut self, e: &NewEvidence<'_>) -> Result<i64> {
        write_tx!(self, insert_evidence(e))
    }
    pub async fn insert_document(&mut self, d: &NewDocument<'_>) -> Result<i64> {
        write_tx!(self, insert_document(d))
    }
    /// Appends `entry` after the head, sealed with the store's key. Refused when the store
    /// has no key, or when the chain is sealed under another one. The head this
    /// transaction wrote last is kept (its row stays locked until the end), so the next
    /// append in it reads nothing first.
    pub async fn append_audit(&mut self, entry: &NewAuditEntry) -> Result<i64> {
        let key = self.audit_key.clone().ok_or_else(no_audit_key)?;
        let known = self.audit_head.take();
        let (seq, hash) = write_tx!(self, append_audit(&key, entry, known))?;
        self.audit_head = Some((seq, hash));
        Ok(seq)
    }
    /// Records the worker's check of the chain.
    pub async fn set_audit_watch(&mut self, watch: &AuditWatchRow) -> Result<()> {
        write_tx!(self, set_audit_watch(watch))
    }
    /// The step records of a ticket as this transaction sees them, oldest first.
    pub async fn list_step_records(&mut self, ticket_id: i64) -> Result<Vec<StepRecordRow>> {
        write_tx!(self, list_step_records(ticket_id))
    }
    /// The documents of a ticket as this transaction sees them, oldest first.
    pub async fn list_documents(&mut self, ticket_id: i64) -> Result<Vec<DocumentRow>> {
        write_tx!(self, list_documents(ticket_id))
    }
    /// The evidence of a ticket as this transaction sees it, oldest first.
    pub async fn list_evidence(&mut self, ticket_id: i64) -> Result<Vec<EvidenceRow>> {
        write_tx!(self, list_evidence(ticket_id))
    }
    pub async fn insert_signed_copy(&mut self, n: &NewSignedCopy<'_>) -> Result<i64> {
        write_tx!(self, insert_signed_copy(n))
    }
    pub async fn get_document(&mut self, id: i64) -> Result<Option<DocumentRow>> {
        write_tx!(self, get_document(id))
    }
    pub async fn deadline_candidates(
        &mut self,
        now: i64,
        horizon: i64,
        limit: i64,
    ) -> Result<Vec<String>> {
        write_tx!(self, deadline_candidates(now, horizon, limit))
    }
    pub async fn record_notice(
        &mut self,
        ticket_id: i64,
        notice: &str,
        due_at: i64,
        now: i64,
    ) -> Result<bool> {
        write_tx!(self, record_notice(ticket_id, notice, due_at, now))
    }
    pub async fn spend_challenge(&mut self, salt: &str, expires_at: i64) -> Result<bool> {
        write_tx!(self, spend_challenge(salt, expires_at))
    }
    pub async fn count_intake(
        &mut self,
        client: &str,
        hour: i64,
        proven: bool,
    ) -> Result<(i64, i64)> {
        write_tx!(self, count_intake(client, hour, proven))
    }
    pub async fn forget_intake(&mut self, now: i64, hour: i64) -> Result<()> {
        write_tx!(self, forget_intake(now, hour))
    }
    pub async fn set_agency_head(&mut self, id: i64, head_email: Option<&str>) -> Result<()> {
        write_tx!(self, set_agency_head(id, head_email))
    }
    /// The audit chain's head as this transaction sees it.
    pub async fn audit_head(&mut self) -> Result<(i64, String)> {
        let head = write_tx!(self, audit_head())?;
        Ok((head.seq, head.hash))
    }
}

/// A PostgreSQL snapshot held open (see [`Store::export_snapshot`]); dropping it ends it.
pub struct ExportedSnapshot {
    #[allow(dead_code)] // held: the snapshot lives as long as its transaction
    conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
    /// What `pg_dump --snapshot` takes.
    pub id: String,
    /// The SHA-256 of every file the snapshot's rows name.
    pub blobs: Vec<String>,
}

impl std::fmt::Debug for ExportedSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedSnapshot")
            .field("id", &self.id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::search_words;

    #[test]
    fn search_words_drop_syntax() {
        assert_eq!(
            search_words("SQL-injection \"portal\"* OR x:*"),
            ["sql", "injection", "portal", "or", "x"]
        );
        assert!(search_words("  ** \" ").is_empty());
    }
}
