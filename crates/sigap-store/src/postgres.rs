//! The PostgreSQL backend, for several stateless instances on one database. Rows that
//! serialise work (a ticket during an action, the audit chain's head) are locked with
//! `FOR UPDATE` inside the action's transaction.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::{StoreOptions, TicketRow};

pub type Db = sqlx::Postgres;
pub type Conn = sqlx::PgConnection;

/// Whether one statement may write to several tables through `WITH` (yes: PostgreSQL):
/// the intake's writes then take fewer round trips.
const WRITES_IN_WITH: bool = true;

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
    AND (payload::jsonb ->> 'inbound_id')::bigint IN (SELECT id FROM inbound_mail WHERE ticket_id = $1)";
include!("retention.rs");
include!("rights.rs");
include!("gauges.rs");

/// A pool of connections to one database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    pub async fn open(url: &str, options: &StoreOptions) -> Result<PgStore> {
        let connect = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        migrate(&pool).await?;
        Ok(PgStore { pool })
    }

    pub async fn begin(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Applies the pending migrations under the advisory lock [`crate::schema::MIGRATION_LOCK`]:
/// instances started together wait for the first, then find nothing to do. A failure
/// closes the connection, so that no pooled connection keeps the lock.
async fn migrate(pool: &PgPool) -> Result<()> {
    let mut c = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(crate::schema::MIGRATION_LOCK)
        .execute(&mut *c)
        .await?;
    let migrated = async {
        crate::schema::refuse_newer(&crate::schema::POSTGRES, schema_version(&mut c).await?)?;
        crate::schema::POSTGRES.run(&mut *c).await?;
        fill_weakness_classes(&mut c).await?;
        Ok::<(), StoreError>(())
    }
    .await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(crate::schema::MIGRATION_LOCK)
        .execute(&mut *c)
        .await;
    if migrated.is_err() || unlocked.is_err() {
        c.close_on_drop();
    }
    migrated?;
    unlocked?;
    Ok(())
}

/// The newest migration applied to the database (0 on a new one).
pub async fn schema_version(c: &mut Conn) -> Result<i64> {
    let made: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *c)
        .await?;
    if !made {
        return Ok(0);
    }
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *c)
            .await?,
    )
}

/// Reads the ticket and holds its row until the transaction ends, so that two actions on
/// one ticket run one after the other.
pub async fn lock_ticket(c: &mut Conn, number: &str) -> Result<Option<TicketRow>> {
    Ok(sqlx::query_as::<Db, TicketRow>(concat!(
        ticket_select!(),
        "WHERE t.number = $1 FOR UPDATE OF t"
    ))
    .bind(number)
    .fetch_optional(&mut *c)
    .await?)
}

pub async fn lock_audit_head(c: &mut Conn) -> Result<AuditHead> {
    Ok(sqlx::query_as::<Db, AuditHead>(
        "SELECT seq, hash, key_id, legacy_until, legacy_seal FROM audit_head WHERE id = 1 FOR UPDATE",
    )
    .fetch_one(&mut *c)
    .await?)
}

fn text_search_from(_: TextIndex) -> &'static str {
    TICKETS_FROM
}
const TEXT_SEARCH_ORDER: &str = "t.id";
/// The tickets of a period's intake (PostgreSQL groups them by hashing).
fn intake_from(_: &StatsScope) -> &'static str {
    "tickets t"
}

/// How many of the newest tickets that the other filters select a search reads first.
const SEARCH_WINDOW: i64 = 2_000;

/// Where a search reads first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SearchPass {
    /// The newest tickets the other filters select, newest first, each report's words
    /// checked until the page is full: a common word fills it after a few dozen rows.
    Newest,
    /// The GIN index's matches, newest first, each ticket checked against the other
    /// filters until the page is full: for a rare word, which the first pass leaves short.
    Index,
}

/// A page of the queue. A search reads the newest tickets first ([`SearchPass::Newest`],
/// at most [`SEARCH_WINDOW`] of them) and only when they hold less than a page, the index
/// ([`SearchPass::Index`]): the planner cannot tell a word of 10 tickets from one of 10,000
/// before it runs (its estimate of a prefix is a floor), and each plan is slow on the other.
pub async fn list_tickets(c: &mut Conn, f: &TicketFilter) -> Result<Vec<TicketListRow>> {
    if f.words.is_empty() {
        return list_queue(c, f).await;
    }
    let newest = search_pass(c, f, SearchPass::Newest).await?;
    if newest.len() as i64 >= f.limit {
        // Any other match is older than all of these.
        return Ok(newest);
    }
    search_pass(c, f, SearchPass::Index).await
}

async fn search_pass(
    c: &mut Conn,
    f: &TicketFilter,
    pass: SearchPass,
) -> Result<Vec<TicketListRow>> {
    let others = TicketFilter {
        words: Vec::new(),
        ..f.clone()
    };
    let mut qb = QueryBuilder::<Db>::new(QUEUE_COLUMNS);
    match pass {
        SearchPass::Newest => {
            qb.push("FROM (SELECT * FROM tickets t WHERE 1 = 1");
            push_queue_filters(&mut qb, &others);
            if let Some(before) = f.before_id {
                qb.push(" AND t.id < ").push_bind(before);
            }
            qb.push(" ORDER BY t.id DESC LIMIT ")
                .push_bind(SEARCH_WINDOW);
            qb.push(") t");
        }
        SearchPass::Index => {
            qb.push("FROM (SELECT ticket_id FROM reports WHERE ");
            push_words_match(&mut qb, f.words_in, &f.words);
            if let Some(before) = f.before_id {
                qb.push(" AND ticket_id < ").push_bind(before);
            }
            // `OFFSET 0` keeps the matches a subquery of their own, read in this order.
            qb.push(" ORDER BY ticket_id DESC OFFSET 0) m CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE t.id = m.ticket_id");
            push_queue_filters(&mut qb, &others);
            qb.push(") t");
        }
    }
    qb.push(
        " JOIN reports r ON r.ticket_id = t.id LEFT JOIN agencies a ON a.id = t.agency_id \
         LEFT JOIN systems s ON s.id = t.system_id LEFT JOIN users u ON u.id = t.assignee_id",
    );
    if pass == SearchPass::Newest {
        qb.push(" WHERE r.");
        push_words_match(&mut qb, f.words_in, &f.words);
        qb.push(" ORDER BY t.id DESC LIMIT ").push_bind(f.limit);
    } else {
        qb.push(" ORDER BY m.ticket_id DESC LIMIT ")
            .push_bind(f.limit);
    }
    Ok(qb
        .build_query_as::<TicketListRow>()
        .fetch_all(&mut *c)
        .await?)
}

/// `column @@ query`: every word must match a word's start (the reporter index holds the
/// tokens of word starts already, `contact.rs`: matched whole).
fn push_words_match(qb: &mut QueryBuilder<Db>, index: TextIndex, words: &[String]) {
    let (column, star) = match index {
        TextIndex::Report => ("search", ":*"),
        TextIndex::Reporter => ("reporter_search", ""),
    };
    let terms: Vec<String> = words.iter().map(|w| format!("{w}{star}")).collect();
    qb.push(column)
        .push(" @@ to_tsquery('simple', ")
        .push_bind(terms.join(" & "))
        .push(")");
}

/// `tsvector` with the `simple` configuration: every word must match a word's start. Words
/// hold only letters and digits, so they cannot carry tsquery syntax. The match runs in its
/// own subquery (`OFFSET 0` keeps the planner from folding it), so the GIN index finds the
/// tickets instead of a backwards walk of all of them (a count; a page takes the two passes
/// of [`list_tickets`]).
fn push_text_filter(qb: &mut QueryBuilder<Db>, index: TextIndex, words: &[String]) {
    qb.push(" AND t.id IN (SELECT ticket_id FROM (SELECT ticket_id FROM reports WHERE ");
    push_words_match(qb, index, words);
    qb.push(" OFFSET 0) m)");
}

/// Claims up to `limit` due jobs (pending and due, or running with a lapsed lease) for a
/// lease ending at `until`. `SKIP LOCKED` lets several workers on one database claim at
/// once without ever claiming the same job.
pub async fn claim_jobs(
    c: &mut Conn,
    now: i64,
    until: i64,
    limit: i64,
    skip_kind: Option<sigap_core::JobKind>,
) -> Result<Vec<JobRow>> {
    Ok(sqlx::query_as::<Db, JobRow>(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2 \
         WHERE id IN (SELECT id FROM jobs WHERE ((state = 'pending' AND run_at <= $1) \
         OR (state = 'running' AND locked_until < $1)) AND ($4 IS NULL OR kind <> $4) \
         ORDER BY run_at, id LIMIT $3 \
         FOR UPDATE SKIP LOCKED) \
         RETURNING id, kind, payload, NULL::text AS ticket_number, state, attempts, run_at, \
         locked_until, last_error, created_at, done_at",
    )
    .bind(now)
    .bind(until)
    .bind(limit)
    .bind(skip_kind.map(sigap_core::JobKind::as_str))
    .fetch_all(&mut *c)
    .await?)
}
