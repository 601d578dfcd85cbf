//! The embedded SQLite backend: one file in WAL mode with foreign keys on and a busy
//! timeout. Writes go through a pool of one connection (SQLite has one writer at a time;
//! queuing them in-process avoids lock contention), reads through a pool of several.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::stats_api::LONG_PERIOD_MS;
use crate::{StoreOptions, TicketRow};

pub type Db = sqlx::Sqlite;
pub type Conn = sqlx::SqliteConnection;

/// Whether one statement may write to several tables through `WITH` (no: SQLite has no
/// `INSERT` inside a `WITH`): the intake's writes then take fewer round trips.
const WRITES_IN_WITH: bool = false;

include!("common.rs");
include!("ticket_queries.rs");
include!("audit_queries.rs");
include!("paperwork_queries.rs");
include!("sessions.rs");
include!("sso.rs");
include!("meetings.rs");
include!("receipts.rs");
include!("totp.rs");
include!("overrides.rs");
include!("tokens.rs");
include!("seen.rs");
include!("resets.rs");
include!("registry_edits.rs");
include!("mail_threads.rs");
include!("inbound.rs");
include!("stats.rs");
include!("period_reports.rs");
include!("personal_data.rs");
include!("sectoral.rs");
/// Empties the finished acknowledgements (`inbox` jobs, which name the message in their
/// payload) of the mail of ticket `$1`.
const INBOX_JOBS_OF_TICKET_EMPTIED: &str = "UPDATE jobs SET payload = '{}' \
    WHERE kind = 'inbox' AND ticket_id IS NULL AND state <> 'pending' AND payload <> '{}' \
    AND CAST(json_extract(payload, '$.inbound_id') AS INTEGER) IN (SELECT id FROM inbound_mail WHERE ticket_id = $1)";
include!("retention.rs");
include!("rights.rs");
include!("gauges.rs");

/// The two pools over one database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    pub async fn open(path: &Path, options: &StoreOptions) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Url(format!("cannot create {}: {e}", dir.display())))?;
        }
        // Opening is done by one process at a time: SQLite applies each migration in a
        // transaction of its own (two processes opening one new file at once would both
        // apply the first), and switching a new file to WAL is refused while another
        // connection holds it. A lock on a file beside the database makes the others wait.
        let _opening = migration_lock(path).await?;
        let synchronous = if options.sqlite_synchronous_full {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        };
        let connect = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // What is deleted or overwritten (an anonymised reporter, a corrected address)
            // is overwritten with zeros, not left in the file's free pages.
            .pragma("secure_delete", "ON");
        // The pool does not ping a connection before handing it out: an embedded database
        // has no network to lose, and the ping would cost a round trip per write.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(connect.clone())
            .await?;
        {
            let mut c = writer.acquire().await?;
            crate::schema::refuse_newer(&crate::schema::SQLITE, schema_version(&mut c).await?)?;
            crate::schema::SQLITE.run(&mut *c).await?;
            fill_weakness_classes(&mut c).await?;
        }
        let reader = SqlitePoolOptions::new()
            .test_before_acquire(false)
            // Each SQLite connection keeps its own page cache and thread; a few readers
            // keep memory low and are as fast on a small machine.
            .max_connections(options.max_connections.clamp(2, 4))
            // Readers map the file (up to 1 GiB) instead of copying each page through a
            // read call into a 2 MB cache of their own, which any write empties: the
            // figures of a year at 100,000 tickets spent as much time in the kernel as in
            // SQLite. The mapped pages are the kernel's page cache, shared by every reader.
            .connect_with(connect.read_only(true).pragma("mmap_size", "1073741824"))
            .await?;
        Ok(SqliteStore { writer, reader })
    }

    /// A write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so that
    /// a transaction that reads before it writes can never fail to upgrade its lock.
    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub(crate) fn reader_pool(&self) -> &SqlitePool {
        &self.reader
    }

    pub(crate) fn writer_pool(&self) -> &SqlitePool {
        &self.writer
    }

    pub async fn read_conn(&self) -> Result<sqlx::pool::PoolConnection<Sqlite>> {
        Ok(self.reader.acquire().await?)
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Writes a consistent copy of the database to `out` while it is in use.
    pub async fn backup_to(&self, out: &Path) -> Result<()> {
        let out = out.to_string_lossy().into_owned();
        sqlx::query::<Db>("VACUUM INTO $1")
            .bind(out)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

/// Inside a write transaction the writer is alone, so a plain read is already exclusive.
pub async fn lock_ticket(c: &mut Conn, number: &str) -> Result<Option<TicketRow>> {
    get_ticket(c, number).await
}

pub async fn lock_audit_head(c: &mut Conn) -> Result<AuditHead> {
    audit_head(c).await
}

/// Full-text queries start from the FTS5 index (forced with `CROSS JOIN`), which returns
/// rowids newest first, so `LIMIT` stops the scan early.
fn text_search_from(index: TextIndex) -> &'static str {
    match index {
        TextIndex::Report => {
            "FROM reports_fts f CROSS JOIN tickets t ON t.id = f.rowid \
            JOIN reports r ON r.ticket_id = t.id \
            LEFT JOIN agencies a ON a.id = t.agency_id \
            LEFT JOIN systems s ON s.id = t.system_id \
            LEFT JOIN users u ON u.id = t.assignee_id WHERE 1 = 1"
        }
        TextIndex::Reporter => {
            "FROM reporters_fts f CROSS JOIN tickets t ON t.id = f.rowid \
            JOIN reports r ON r.ticket_id = t.id \
            LEFT JOIN agencies a ON a.id = t.agency_id \
            LEFT JOIN systems s ON s.id = t.system_id \
            LEFT JOIN users u ON u.id = t.assignee_id WHERE 1 = 1"
        }
    }
}
const TEXT_SEARCH_ORDER: &str = "f.rowid";
/// The tickets of a period's intake. A long period of every agency is read in the order of
/// its groups (`tickets_intake_groups`, migration 0031): one pass over the index instead of
/// a sort of the period's tickets. A short one (its tickets are few) or one agency's (its
/// own indexes find them) is left to the planner.
fn intake_from(s: &StatsScope) -> &'static str {
    if s.agency_id.is_none() && s.until - s.from > LONG_PERIOD_MS {
        "tickets t INDEXED BY tickets_intake_groups"
    } else {
        "tickets t"
    }
}

/// A page of the queue: one query (FTS5 walks its matches newest first and stops at the
/// page's end).
pub async fn list_tickets(c: &mut Conn, f: &TicketFilter) -> Result<Vec<TicketListRow>> {
    list_queue(c, f).await
}

/// FTS5: every word must match a word's start (`sqli` finds `sqlinjection`, `00005` is not
/// read as a number); each word is quoted so that no user input is read as FTS5 syntax.
/// The reporter index holds the tokens of word starts already (`contact.rs`): matched whole.
fn push_text_filter(qb: &mut QueryBuilder<Db>, index: TextIndex, words: &[String]) {
    let star = match index {
        TextIndex::Report => "*",
        TextIndex::Reporter => "",
    };
    let terms: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"{star}", w.replace('"', "")))
        .collect();
    let table = match index {
        TextIndex::Report => "reports_fts",
        TextIndex::Reporter => "reporters_fts",
    };
    qb.push(" AND ")
        .push(table)
        .push(" MATCH ")
        .push_bind(terms.join(" "));
}

/// Claims up to `limit` due jobs (pending and due, or running with a lapsed lease) for a
/// lease ending at `until`. SQLite has one writer, so no two claims overlap.
pub async fn claim_jobs(
    c: &mut Conn,
    now: i64,
    until: i64,
    limit: i64,
    skip_kind: Option<sigap_core::JobKind>,
) -> Result<Vec<JobRow>> {
    // The due jobs and those of a lapsed lease, each read in order along `jobs_due` (with
    // the kind in the index: a backlog of mail left to another worker is skipped without
    // visiting the table), then the first `limit` of both.
    Ok(sqlx::query_as::<Db, JobRow>(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2 \
         WHERE id IN (SELECT id FROM (\
         SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 'pending' AND run_at <= $1 \
         AND ($4 IS NULL OR kind <> $4) ORDER BY run_at, id LIMIT $3) \
         UNION ALL SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 'running' \
         AND locked_until < $1 AND ($4 IS NULL OR kind <> $4) ORDER BY run_at, id LIMIT $3)) \
         ORDER BY run_at, id LIMIT $3) \
         RETURNING id, kind, payload, NULL AS ticket_number, state, attempts, run_at, \
         locked_until, last_error, created_at, done_at",
    )
    .bind(now)
    .bind(until)
    .bind(limit)
    .bind(skip_kind.map(sigap_core::JobKind::as_str))
    .fetch_all(&mut *c)
    .await?)
}

/// The newest migration applied to the database (0 on a new one).
pub async fn schema_version(c: &mut Conn) -> Result<i64> {
    let made: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *c)
    .await?;
    if made == 0 {
        return Ok(0);
    }
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *c)
            .await?,
    )
}

/// An exclusive lock on `<database>.migrate-lock`, held until dropped.
async fn migration_lock(path: &Path) -> Result<std::fs::File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".migrate-lock");
    let lock = std::path::PathBuf::from(name);
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| StoreError::Url(e.to_string()))?
    .map_err(|e| StoreError::Url(format!("cannot lock the database for its migrations: {e}")))
}
