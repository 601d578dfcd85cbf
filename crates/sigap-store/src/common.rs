// The query text shared by both backends. This file is compiled twice, by `include!` in
// `sqlite.rs` and in `postgres.rs`, where `Db` and `Conn` name that backend's types and the
// backend supplies `lock_ticket`, `lock_audit_head` and `push_text_filter`. `$n`
// placeholders work on both engines.

use sqlx::QueryBuilder;

use crate::audit::{AuditEntry, AuditHead, AuditKey, NewAuditEntry, entry_hash};
use crate::rows::*;
use crate::{Result, StoreError, map_unique};

/// The columns of a ticket with its report and names, as one literal for `concat!`.
macro_rules! ticket_select {
    () => {
        "SELECT t.id, t.number, t.state, t.channel, t.agency_id, a.code AS agency_code, \
         a.name AS agency_name, t.system_id, s.name AS system_name, t.criticality, t.valid, \
         t.blocked, t.round, t.tlp, t.duplicate_of, u.email AS assignee_email, \
         t.tracking_token_hash, t.state_entered_at, t.due_at, t.created_at, t.updated_at, \
         t.closed_at, r.reporter_name, r.reporter_email, r.reporter_phone, r.severity, \
         r.vulnerability_type, r.target_url, r.target_host, r.title, r.description, \
         r.proof_of_concept, r.evidence_text, r.cvss_vector, r.cvss_score, r.language, r.credit, \
         r.credit_alias FROM tickets t JOIN reports r ON r.ticket_id = t.id \
         LEFT JOIN agencies a ON a.id = t.agency_id \
         LEFT JOIN systems s ON s.id = t.system_id \
         LEFT JOIN users u ON u.id = t.assignee_id "
    };
}

const SYSTEM_SELECT: &str = "SELECT s.id, s.agency_id, a.code AS agency_code, s.name, \
    s.suspended, s.blocking_adapter, s.blocking_params, s.created_at \
    FROM systems s JOIN agencies a ON a.id = s.agency_id ";

const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.agency_id, \
    a.code AS agency_code, u.password_hash, u.disabled, u.created_at \
    FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ";

// ---- agencies -------------------------------------------------------------------------

pub async fn insert_agency(
    c: &mut Conn,
    code: &str,
    name: &str,
    email: Option<&str>,
    now: i64,
) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO agencies (code, name, email, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(email)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "code", code))
}

/// Sets the address of the agency's head (told of an overdue remediation).
pub async fn set_agency_head(c: &mut Conn, id: i64, head_email: Option<&str>) -> Result<()> {
    sqlx::query::<Db>("UPDATE agencies SET head_email = $1 WHERE id = $2")
        .bind(head_email)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn list_agencies(c: &mut Conn, only: Option<i64>) -> Result<Vec<AgencyRow>> {
    Ok(sqlx::query_as::<Db, AgencyRow>(
        "SELECT id, code, name, email, head_email, created_at FROM agencies \
         WHERE ($1 IS NULL OR id = $1) ORDER BY code",
    )
    .bind(only)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn find_agency(c: &mut Conn, code: &str) -> Result<Option<AgencyRow>> {
    Ok(sqlx::query_as::<Db, AgencyRow>(
        "SELECT id, code, name, email, head_email, created_at FROM agencies WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

// ---- systems and domains --------------------------------------------------------------

pub async fn insert_system(c: &mut Conn, agency_id: i64, name: &str, now: i64) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO systems (agency_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(agency_id)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "agency", &agency_id.to_string()))
}

pub async fn insert_domain(c: &mut Conn, system_id: i64, domain: &str) -> Result<()> {
    sqlx::query::<Db>("INSERT INTO system_domains (system_id, domain) VALUES ($1, $2)")
        .bind(system_id)
        .bind(domain)
        .execute(&mut *c)
        .await
        .map_err(|e| map_unique(e, "domain", domain))?;
    Ok(())
}

pub async fn list_systems(c: &mut Conn, agency: Option<i64>) -> Result<Vec<SystemRow>> {
    let mut qb = QueryBuilder::<Db>::new(SYSTEM_SELECT);
    if let Some(agency) = agency {
        qb.push("WHERE s.agency_id = ").push_bind(agency);
    }
    qb.push(" ORDER BY a.code, s.name");
    Ok(qb.build_query_as::<SystemRow>().fetch_all(&mut *c).await?)
}

pub async fn list_domains(c: &mut Conn, agency: Option<i64>) -> Result<Vec<DomainRow>> {
    Ok(sqlx::query_as::<Db, DomainRow>(
        "SELECT d.system_id, d.domain FROM system_domains d \
         JOIN systems s ON s.id = d.system_id \
         WHERE ($1 IS NULL OR s.agency_id = $1) ORDER BY d.domain",
    )
    .bind(agency)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn get_system(c: &mut Conn, id: i64) -> Result<Option<SystemRow>> {
    let mut qb = QueryBuilder::<Db>::new(SYSTEM_SELECT);
    qb.push("WHERE s.id = ").push_bind(id);
    Ok(qb.build_query_as::<SystemRow>().fetch_optional(&mut *c).await?)
}

/// The system registered under exactly this domain.
pub async fn find_system_by_domain(c: &mut Conn, domain: &str) -> Result<Option<SystemRow>> {
    let mut qb = QueryBuilder::<Db>::new(SYSTEM_SELECT);
    qb.push("JOIN system_domains d ON d.system_id = s.id WHERE d.domain = ")
        .push_bind(domain.to_owned());
    Ok(qb.build_query_as::<SystemRow>().fetch_optional(&mut *c).await?)
}

/// The system with the longest registered domain among `domains` (a host and its parent
/// domains), in one query.
pub async fn find_system_covering(c: &mut Conn, domains: &[String]) -> Result<Option<SystemRow>> {
    if domains.is_empty() {
        return Ok(None);
    }
    let mut qb = QueryBuilder::<Db>::new(SYSTEM_SELECT);
    qb.push("JOIN system_domains d ON d.system_id = s.id WHERE d.domain IN (");
    let mut list = qb.separated(", ");
    for d in domains {
        list.push_bind(d.clone());
    }
    qb.push(") ORDER BY LENGTH(d.domain) DESC LIMIT 1");
    Ok(qb.build_query_as::<SystemRow>().fetch_optional(&mut *c).await?)
}

pub async fn set_blocking(c: &mut Conn, system_id: i64, adapter: &str, params: &str) -> Result<()> {
    sqlx::query::<Db>("UPDATE systems SET blocking_adapter = $1, blocking_params = $2 WHERE id = $3")
        .bind(adapter)
        .bind(params)
        .bind(system_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn set_system_suspended(c: &mut Conn, system_id: i64, suspended: bool) -> Result<()> {
    sqlx::query::<Db>("UPDATE systems SET suspended = $1 WHERE id = $2")
        .bind(suspended)
        .bind(system_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- users and tokens -----------------------------------------------------------------

pub async fn insert_user(
    c: &mut Conn,
    email: &str,
    name: &str,
    role: &str,
    agency_id: Option<i64>,
    password_hash: Option<&str>,
    now: i64,
) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO users (email, name, role, agency_id, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(agency_id)
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "email", email))
}

pub async fn find_user(c: &mut Conn, email: &str) -> Result<Option<UserRow>> {
    let mut qb = QueryBuilder::<Db>::new(USER_SELECT);
    qb.push("WHERE u.email = ").push_bind(email.to_owned());
    Ok(qb.build_query_as::<UserRow>().fetch_optional(&mut *c).await?)
}

pub async fn list_users(c: &mut Conn) -> Result<Vec<UserRow>> {
    let mut qb = QueryBuilder::<Db>::new(USER_SELECT);
    qb.push("ORDER BY u.email");
    Ok(qb.build_query_as::<UserRow>().fetch_all(&mut *c).await?)
}

/// Disables or enables the user `id`; false when there is no such user.
pub async fn set_user_disabled(c: &mut Conn, id: i64, disabled: bool) -> Result<bool> {
    Ok(sqlx::query::<Db>("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(disabled)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

pub async fn insert_token(
    c: &mut Conn,
    user_id: i64,
    token_hash: &str,
    label: &str,
    now: i64,
) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The enabled user holding an unrevoked token with this hash.
pub async fn find_user_by_token(c: &mut Conn, token_hash: &str) -> Result<Option<UserRow>> {
    let mut qb = QueryBuilder::<Db>::new(USER_SELECT);
    qb.push("JOIN api_tokens k ON k.user_id = u.id WHERE k.revoked_at IS NULL AND NOT u.disabled AND k.token_hash = ")
        .push_bind(token_hash.to_owned());
    Ok(qb.build_query_as::<UserRow>().fetch_optional(&mut *c).await?)
}

// ---- counters -------------------------------------------------------------------------

/// The next number of a gapless sequence, taken inside the caller's transaction.
pub async fn next_counter(c: &mut Conn, scope: &str, year: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO counters (scope, year, value) VALUES ($1, $2, 1) \
         ON CONFLICT (scope, year) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(scope)
    .bind(year)
    .fetch_one(&mut *c)
    .await?)
}

/// The next number of a gapless sequence that takes over from older ones: met for the first
/// time in `year`, it starts after the highest value of the `continues` sequences that year,
/// so that no number they gave is given again.
pub async fn next_counter_continuing(
    c: &mut Conn,
    scope: &str,
    year: i64,
    continues: &[String],
) -> Result<i64> {
    let mut qb = QueryBuilder::<Db>::new("INSERT INTO counters (scope, year, value) SELECT ");
    qb.push_bind(scope.to_owned())
        .push(", ")
        .push_bind(year)
        .push(", COALESCE(MAX(value), 0) + 1 FROM counters WHERE year = ")
        .push_bind(year)
        .push(" AND scope IN (");
    let mut list = qb.separated(", ");
    // The scope itself keeps the list from being empty; it has no row yet when this counts.
    list.push_bind(scope.to_owned());
    for other in continues {
        list.push_bind(other.clone());
    }
    qb.push(
        ") ON CONFLICT (scope, year) DO UPDATE SET value = counters.value + 1 RETURNING value",
    );
    Ok(qb.build_query_scalar::<i64>().fetch_one(&mut *c).await?)
}

// ---- tickets --------------------------------------------------------------------------

pub async fn insert_ticket(c: &mut Conn, t: &NewTicket<'_>, r: &NewReport<'_>) -> Result<i64> {
    let id = sqlx::query_scalar::<Db, i64>(
        "INSERT INTO tickets (number, year, seq, state, channel, agency_id, system_id, \
         created_by, tracking_token_hash, state_entered_at, due_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10) RETURNING id",
    )
    .bind(t.number)
    .bind(t.year)
    .bind(t.seq)
    .bind(t.state)
    .bind(t.channel)
    .bind(t.agency_id)
    .bind(t.system_id)
    .bind(t.created_by)
    .bind(t.tracking_token_hash)
    .bind(t.now)
    .bind(t.due_at)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "ticket_number", t.number))?;
    sqlx::query::<Db>(
        "INSERT INTO reports (ticket_id, reporter_name, reporter_email, reporter_phone, \
         severity, vulnerability_type, target_url, target_host, title, description, \
         proof_of_concept, evidence_text, cvss_vector, cvss_score, language, credit, \
         credit_alias) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(id)
    .bind(r.reporter_name)
    .bind(r.reporter_email)
    .bind(r.reporter_phone)
    .bind(r.severity)
    .bind(r.vulnerability_type)
    .bind(r.target_url)
    .bind(r.target_host)
    .bind(r.title)
    .bind(r.description)
    .bind(r.proof_of_concept)
    .bind(r.evidence_text)
    .bind(r.cvss_vector)
    .bind(r.cvss_score)
    .bind(r.language)
    .bind(r.credit)
    .bind(r.credit_alias)
    .execute(&mut *c)
    .await?;
    Ok(id)
}

pub async fn get_ticket(c: &mut Conn, number: &str) -> Result<Option<TicketRow>> {
    Ok(sqlx::query_as::<Db, TicketRow>(concat!(ticket_select!(), "WHERE t.number = $1"))
        .bind(number)
        .fetch_optional(&mut *c)
        .await?)
}

pub async fn update_ticket(c: &mut Conn, u: &TicketUpdate<'_>) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE tickets SET state = $1, agency_id = $2, system_id = $3, criticality = $4, \
         valid = $5, blocked = $6, round = $7, duplicate_of = $8, state_entered_at = $9, \
         due_at = $10, updated_at = $11, closed_at = $12 WHERE id = $13",
    )
    .bind(u.state)
    .bind(u.agency_id)
    .bind(u.system_id)
    .bind(u.criticality)
    .bind(u.valid)
    .bind(u.blocked)
    .bind(u.round)
    .bind(u.duplicate_of)
    .bind(u.state_entered_at)
    .bind(u.due_at)
    .bind(u.now)
    .bind(u.closed_at)
    .bind(u.id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn set_assignee(c: &mut Conn, ticket_id: i64, user_id: i64, now: i64) -> Result<()> {
    sqlx::query::<Db>("UPDATE tickets SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(user_id)
        .bind(now)
        .bind(ticket_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Valid reports against any system of the agency created at or after `since`.
pub async fn count_valid_reports(c: &mut Conn, agency_id: i64, since: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM tickets WHERE agency_id = $1 AND valid = TRUE \
         AND state NOT IN ('duplicate', 'rejected') AND created_at >= $2",
    )
    .bind(agency_id)
    .bind(since)
    .fetch_one(&mut *c)
    .await?)
}

/// Another ticket that holds a block on this system, if any.
pub async fn other_block_holder(c: &mut Conn, system_id: i64, except: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT number FROM tickets WHERE system_id = $1 AND blocked = TRUE AND id <> $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(system_id)
    .bind(except)
    .fetch_optional(&mut *c)
    .await?)
}

pub async fn list_tickets(c: &mut Conn, f: &TicketFilter) -> Result<Vec<TicketListRow>> {
    let searching = !f.words.is_empty();
    // Full-text queries read from the backend's index side first, so that the newest
    // matches come out in order and the scan stops at the page's end.
    let (from, order) = if searching { (TEXT_SEARCH_FROM, TEXT_SEARCH_ORDER) } else { (TICKETS_FROM, "t.id") };
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT t.id, t.number, t.state, a.code AS agency_code, s.name AS system_name, \
         t.criticality, t.blocked, r.severity, r.title, r.target_host, t.due_at, t.created_at ",
    );
    qb.push(from);
    if let Some(agency) = f.agency_id {
        qb.push(" AND t.agency_id = ").push_bind(agency);
    }
    if let Some(state) = &f.state {
        qb.push(" AND t.state = ").push_bind(state.clone());
    }
    if let Some(criticality) = &f.criticality {
        qb.push(" AND t.criticality = ").push_bind(criticality.clone());
    }
    if let Some(at) = f.overdue_at {
        qb.push(" AND t.due_at < ").push_bind(at);
    }
    if let Some(before) = f.before_id {
        qb.push(" AND ").push(order).push(" < ").push_bind(before);
    }
    if searching {
        push_text_filter(&mut qb, &f.words);
    }
    qb.push(" ORDER BY ").push(order).push(" DESC LIMIT ").push_bind(f.limit);
    Ok(qb.build_query_as::<TicketListRow>().fetch_all(&mut *c).await?)
}

/// The queue's tables, for a query without full text.
const TICKETS_FROM: &str = "FROM tickets t JOIN reports r ON r.ticket_id = t.id \
    LEFT JOIN agencies a ON a.id = t.agency_id \
    LEFT JOIN systems s ON s.id = t.system_id WHERE 1 = 1";

/// Words as both backends match them: every word whole, the last also as a prefix (so
/// that a query typed halfway still finds). Answers (whole words, the prefix word).
pub fn split_last(words: &[String]) -> (&[String], Option<&String>) {
    match words.split_last() {
        Some((last, whole)) => (whole, Some(last)),
        None => (&[], None),
    }
}

/// Ticket counts grouped by one of a fixed set of columns, within an optional agency.
pub async fn count_tickets_by(c: &mut Conn, by: CountBy, agency: Option<i64>) -> Result<Vec<CountRow>> {
    let key = by.column();
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(key).push(
        " AS key, COUNT(*) AS count FROM tickets t JOIN reports r ON r.ticket_id = t.id \
         LEFT JOIN agencies a ON a.id = t.agency_id",
    );
    if let Some(agency) = agency {
        qb.push(" WHERE t.agency_id = ").push_bind(agency);
    }
    qb.push(" GROUP BY ").push(key).push(" ORDER BY 2 DESC");
    Ok(qb.build_query_as::<CountRow>().fetch_all(&mut *c).await?)
}

// ---- step records, comments, evidence -------------------------------------------------

pub async fn insert_step_record(c: &mut Conn, s: &NewStepRecord<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO step_records (ticket_id, action, round, actor_id, actor_role, from_state, \
         to_state, records, started_at, due_at, done_at, overdue) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(s.ticket_id)
    .bind(s.action)
    .bind(s.round)
    .bind(s.actor_id)
    .bind(s.actor_role)
    .bind(s.from_state)
    .bind(s.to_state)
    .bind(s.records)
    .bind(s.started_at)
    .bind(s.due_at)
    .bind(s.done_at)
    .bind(s.overdue)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_step_records(c: &mut Conn, ticket_id: i64) -> Result<Vec<StepRecordRow>> {
    Ok(sqlx::query_as::<Db, StepRecordRow>(
        "SELECT s.id, s.action, s.round, u.name AS actor_name, s.actor_role, s.from_state, \
         s.to_state, s.records, s.started_at, s.due_at, s.done_at, s.overdue \
         FROM step_records s LEFT JOIN users u ON u.id = s.actor_id \
         WHERE s.ticket_id = $1 ORDER BY s.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn insert_comment(c: &mut Conn, n: &NewComment<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO comments (ticket_id, author_id, author_kind, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.ticket_id)
    .bind(n.author_id)
    .bind(n.author_kind.as_str())
    .bind(n.visibility)
    .bind(n.body)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_comments(c: &mut Conn, ticket_id: i64) -> Result<Vec<CommentRow>> {
    Ok(sqlx::query_as::<Db, CommentRow>(
        "SELECT m.id, u.name AS author_name, m.author_kind, m.visibility, m.body, m.created_at \
         FROM comments m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.ticket_id = $1 ORDER BY m.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn insert_evidence(c: &mut Conn, e: &NewEvidence<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO evidence (ticket_id, step_record_id, comment_id, sha256, original_name, \
         media_type, size, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e.ticket_id)
    .bind(e.step_record_id)
    .bind(e.comment_id)
    .bind(e.sha256)
    .bind(e.original_name)
    .bind(e.media_type)
    .bind(e.size)
    .bind(e.uploaded_by)
    .bind(e.now)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_evidence(c: &mut Conn, ticket_id: i64) -> Result<Vec<EvidenceRow>> {
    Ok(sqlx::query_as::<Db, EvidenceRow>(
        "SELECT id, step_record_id, comment_id, sha256, original_name, media_type, size, \
         uploaded_by, created_at FROM evidence WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Every SHA-256 a row names in the blob store: evidence, documents (and their PDFs),
/// signed copies. The blob sweep keeps these.
pub async fn referenced_blobs(c: &mut Conn) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT sha256 FROM evidence UNION SELECT sha256 FROM documents \
         UNION SELECT pdf_sha256 FROM documents UNION SELECT sha256 FROM signed_copies",
    )
    .fetch_all(&mut *c)
    .await?)
}

// ---- audit ----------------------------------------------------------------------------

/// Appends an entry after the current head, inside the caller's transaction, sealed with
/// `key`. The first keyed entry names the key in the head; an entry under another key than
/// the head names is refused, so that a server started with the wrong key breaks nothing.
pub async fn append_audit(c: &mut Conn, key: &AuditKey, entry: &NewAuditEntry) -> Result<i64> {
    let head = lock_audit_head(&mut *c).await?;
    let key_id = key.id();
    if head.key_id.as_deref().is_some_and(|id| id != key_id) {
        return Err(StoreError::Corrupt(format!(
            "the audit log is sealed under the key {}, not this server's ({key_id}): \
             SIGAP_SECRET_KEY or the key file changed",
            head.key_id.unwrap_or_default()
        )));
    }
    let seq = head.seq + 1;
    let hash = entry_hash(key, seq, &head.hash, entry);
    sqlx::query::<Db>(
        "INSERT INTO audit_log (seq, at, actor, role, action, ticket_number, source, outcome, \
         details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.role)
    .bind(&entry.action)
    .bind(&entry.ticket_number)
    .bind(&entry.source)
    .bind(&entry.outcome)
    .bind(crate::audit::canonical_json(&entry.details))
    .bind(&head.hash)
    .bind(&hash)
    .execute(&mut *c)
    .await?;
    sqlx::query::<Db>("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .bind(&key_id)
        .execute(&mut *c)
        .await?;
    Ok(seq)
}

const AUDIT_HEAD: &str = "SELECT seq, hash, key_id, legacy_until, legacy_seal FROM audit_head WHERE id = 1";

pub async fn audit_head(c: &mut Conn) -> Result<AuditHead> {
    Ok(sqlx::query_as::<Db, AuditHead>(AUDIT_HEAD).fetch_one(&mut *c).await?)
}

/// Records that the entries up to `until` are from before the keyed chain, with its seal.
pub async fn set_audit_legacy(c: &mut Conn, until: i64, seal: &str, key_id: &str) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE audit_head SET legacy_until = $1, legacy_seal = $2, key_id = $3 WHERE id = 1",
    )
    .bind(until)
    .bind(seal)
    .bind(key_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The audit entries matching `f`, newest first (oldest first after `after_seq`).
pub async fn search_audit(c: &mut Conn, f: &crate::rows::AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE 1 = 1",
    );
    if let Some(ticket) = &f.ticket_number {
        qb.push(" AND ticket_number = ").push_bind(ticket.clone());
    }
    if let Some(actor) = &f.actor {
        qb.push(" AND actor = ").push_bind(actor.clone());
    }
    if let Some(action) = &f.action {
        qb.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(outcome) = &f.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.clone());
    }
    if let Some(from) = f.from {
        qb.push(" AND at >= ").push_bind(from);
    }
    if let Some(until) = f.until {
        qb.push(" AND at < ").push_bind(until);
    }
    if let Some(before) = f.before_seq {
        qb.push(" AND seq < ").push_bind(before);
    }
    if let Some(after) = f.after_seq {
        qb.push(" AND seq > ").push_bind(after);
        qb.push(" ORDER BY seq LIMIT ").push_bind(f.limit);
    } else {
        qb.push(" ORDER BY seq DESC LIMIT ").push_bind(f.limit);
    }
    Ok(qb.build_query_as::<AuditEntry>().fetch_all(&mut *c).await?)
}

pub async fn audit_watch(c: &mut Conn) -> Result<Option<crate::rows::AuditWatchRow>> {
    Ok(sqlx::query_as::<Db, crate::rows::AuditWatchRow>(
        "SELECT checked_at, checked_seq, intact, broken_seq, reason, alerted_seq \
         FROM audit_watch WHERE id = 1",
    )
    .fetch_optional(&mut *c)
    .await?)
}

pub async fn set_audit_watch(c: &mut Conn, w: &crate::rows::AuditWatchRow) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO audit_watch (id, checked_at, checked_seq, intact, broken_seq, reason, \
         alerted_seq) VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET \
         checked_at = excluded.checked_at, checked_seq = excluded.checked_seq, \
         intact = excluded.intact, broken_seq = excluded.broken_seq, \
         reason = excluded.reason, alerted_seq = excluded.alerted_seq",
    )
    .bind(w.checked_at)
    .bind(w.checked_seq)
    .bind(w.intact)
    .bind(w.broken_seq)
    .bind(&w.reason)
    .bind(w.alerted_seq)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Up to `limit` entries after `after_seq`, in order.
pub async fn list_audit(c: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as::<Db, AuditEntry>(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn list_ticket_audit(c: &mut Conn, number: &str) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as::<Db, AuditEntry>(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE ticket_number = $1 ORDER BY seq",
    )
    .bind(number)
    .fetch_all(&mut *c)
    .await?)
}

/// Answers when the database does.
pub async fn ping(c: &mut Conn) -> Result<()> {
    sqlx::query_scalar::<Db, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(&mut *c).await?;
    Ok(())
}

/// Per kind of step: executions, late ones and mean time from the step's start to done.
pub async fn step_stats(c: &mut Conn, agency: Option<i64>) -> Result<Vec<StepStatsRow>> {
    Ok(sqlx::query_as::<Db, StepStatsRow>(
        "SELECT s.action, COUNT(*) AS count, \
         SUM(CASE WHEN s.overdue THEN 1 ELSE 0 END) AS overdue, \
         CAST(AVG(s.done_at - s.started_at) AS DOUBLE PRECISION) AS mean_ms \
         FROM step_records s JOIN tickets t ON t.id = s.ticket_id \
         WHERE ($1 IS NULL OR t.agency_id = $1) GROUP BY s.action ORDER BY s.action",
    )
    .bind(agency)
    .fetch_all(&mut *c)
    .await?)
}

// ---- documents ------------------------------------------------------------------------

/// The columns of a document with its ticket's number, as one literal for `concat!`.
macro_rules! document_select {
    () => {
        "SELECT d.id, d.ticket_id, t.number AS ticket_number, d.kind, d.number, d.sha256, \
         d.verify_code, d.replaces_id, d.step_record_id, d.created_at, d.signed_by, d.draft \
         FROM documents d JOIN tickets t ON t.id = d.ticket_id "
    };
}

pub async fn insert_document(c: &mut Conn, d: &NewDocument<'_>) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO documents (ticket_id, kind, number, year, seq, sha256, pdf_sha256, \
         verify_code, replaces_id, step_record_id, created_at, signed_by, draft) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(d.ticket_id)
    .bind(d.kind)
    .bind(d.number)
    .bind(d.year)
    .bind(d.seq)
    .bind(d.sha256)
    .bind(d.verify_code)
    .bind(d.replaces_id)
    .bind(d.step_record_id)
    .bind(d.now)
    .bind(d.signed_by)
    .bind(d.draft)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "number", d.number))
}

pub async fn list_documents(c: &mut Conn, ticket_id: i64) -> Result<Vec<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.ticket_id = $1 ORDER BY d.id"
    ))
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn get_document(c: &mut Conn, id: i64) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(document_select!(), "WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?)
}

pub async fn find_document_by_code(c: &mut Conn, code: &str) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.verify_code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

/// The correction that replaces document `id`, if one was issued.
pub async fn find_document_replacing(c: &mut Conn, id: i64) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.replaces_id = $1 ORDER BY d.id LIMIT 1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

// ---- signed copies --------------------------------------------------------------------

/// Keeps a signed copy of a document; the same file twice is a conflict.
pub async fn insert_signed_copy(c: &mut Conn, n: &NewSignedCopy<'_>) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO signed_copies (document_id, sha256, size, note, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.document_id)
    .bind(n.sha256)
    .bind(n.size)
    .bind(n.note)
    .bind(n.uploaded_by)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "signed_copy", n.sha256))
}

/// The signed copies of a document, oldest first.
pub async fn list_signed_copies(c: &mut Conn, document_id: i64) -> Result<Vec<SignedCopyRow>> {
    Ok(sqlx::query_as::<Db, SignedCopyRow>(
        "SELECT sc.id, sc.document_id, sc.sha256, sc.size, sc.note, u.email AS uploaded_by, \
         sc.created_at FROM signed_copies sc LEFT JOIN users u ON u.id = sc.uploaded_by \
         WHERE sc.document_id = $1 ORDER BY sc.id",
    )
    .bind(document_id)
    .fetch_all(&mut *c)
    .await?)
}

// ---- jobs -----------------------------------------------------------------------------

/// Enqueues a job inside the caller's transaction.
pub async fn enqueue_job(c: &mut Conn, j: &NewJob<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO jobs (kind, payload, ticket_id, run_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(j.kind)
    .bind(j.payload)
    .bind(j.ticket_id)
    .bind(j.run_at)
    .bind(j.now)
    .fetch_one(&mut *c)
    .await?)
}

/// Marks a claimed job done and empties its payload of secrets; answers whether this claim
/// (its attempt number) still held the job.
pub async fn finish_job(c: &mut Conn, id: i64, attempt: i64, now: i64, payload: &str) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'done', done_at = $1, locked_until = NULL, payload = $2, \
         last_error = NULL WHERE id = $3 AND attempts = $4 AND state = 'running'",
    )
    .bind(now)
    .bind(payload)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: retried at `retry_at`, or `failed` for good when `retry_at` is
/// `None`.
pub async fn fail_job(
    c: &mut Conn,
    id: i64,
    attempt: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = CASE WHEN $1 IS NULL THEN 'failed' ELSE 'pending' END, \
         run_at = COALESCE($1, run_at), locked_until = NULL, last_error = $2 \
         WHERE id = $3 AND attempts = $4 AND state = 'running'",
    )
    .bind(retry_at)
    .bind(error)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the payload of a job that failed for good (e.g. without a secret it no longer
/// needs); answers whether the job was that failed attempt.
pub async fn set_failed_job_payload(
    c: &mut Conn,
    id: i64,
    attempt: i64,
    payload: &str,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET payload = $1 WHERE id = $2 AND attempts = $3 AND state = 'failed'",
    )
    .bind(payload)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a failed job back in the queue, due now, with a fresh count of attempts; answers
/// whether the job was failed.
pub async fn retry_job(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'pending', run_at = $1, attempts = 0, locked_until = NULL \
         WHERE id = $2 AND state = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many jobs are in each state.
pub async fn count_jobs(c: &mut Conn) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as::<Db, (String, i64)>(
        "SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state",
    )
    .fetch_all(&mut *c)
    .await?)
}

// ---- deadline notices -----------------------------------------------------------------

/// Open tickets whose overdue notice for their current deadline has not been sent, and
/// whose deadline has passed at `now` or, in `remediating` (which has reminders), falls
/// before `horizon`: what the clock may have something to say about.
pub async fn deadline_candidates(
    c: &mut Conn,
    now: i64,
    horizon: i64,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT t.number FROM tickets t WHERE t.due_at IS NOT NULL \
         AND (t.due_at < $3 OR (t.state = 'remediating' AND t.due_at <= $1)) \
         AND t.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM deadline_notices n \
         WHERE n.ticket_id = t.id AND n.due_at = t.due_at AND n.notice = 'overdue') \
         ORDER BY t.due_at, t.id LIMIT $2",
    )
    .bind(horizon)
    .bind(limit)
    .bind(now)
    .fetch_all(&mut *c)
    .await?)
}

/// Records that `notice` was sent for the deadline `due_at`; answers `false` when it was
/// already (another worker got there first), in which case nothing must be sent.
pub async fn record_notice(
    c: &mut Conn,
    ticket_id: i64,
    notice: &str,
    due_at: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO deadline_notices (ticket_id, notice, due_at, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(ticket_id)
    .bind(notice)
    .bind(due_at)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The notices sent for a ticket, oldest first: `(notice, due_at, sent_at)`.
pub async fn list_notices(c: &mut Conn, ticket_id: i64) -> Result<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as::<Db, (String, i64, i64)>(
        "SELECT notice, due_at, sent_at FROM deadline_notices WHERE ticket_id = $1 \
         ORDER BY sent_at, notice",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// One job, as the admins see it.
pub async fn get_job(c: &mut Conn, id: i64) -> Result<Option<JobRow>> {
    Ok(sqlx::query_as::<Db, JobRow>(
        "SELECT j.id, j.kind, j.payload, t.number AS ticket_number, j.state, j.attempts, \
         j.run_at, j.locked_until, j.last_error, j.created_at, j.done_at \
         FROM jobs j LEFT JOIN tickets t ON t.id = j.ticket_id WHERE j.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The newest jobs, optionally of one state, for the admins.
pub async fn list_jobs(c: &mut Conn, state: Option<&str>, limit: i64) -> Result<Vec<JobRow>> {
    Ok(sqlx::query_as::<Db, JobRow>(
        "SELECT j.id, j.kind, j.payload, t.number AS ticket_number, j.state, j.attempts, \
         j.run_at, j.locked_until, j.last_error, j.created_at, j.done_at \
         FROM jobs j LEFT JOIN tickets t ON t.id = j.ticket_id \
         WHERE ($1 IS NULL OR j.state = $1) ORDER BY j.id DESC LIMIT $2",
    )
    .bind(state)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Records a proof-of-work challenge as used; answers `false` when it already was.
pub async fn spend_challenge(c: &mut Conn, salt: &str, expires_at: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO spent_challenges (salt, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(salt)
    .bind(expires_at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one report from `client` in `hour`, with or without a proof; answers the hour's
/// counts (with, without) including this one.
pub async fn count_intake(c: &mut Conn, client: &str, hour: i64, proven: bool) -> Result<(i64, i64)> {
    let (with, without) = if proven { (1_i64, 0_i64) } else { (0, 1) };
    Ok(sqlx::query_as::<Db, (i64, i64)>(
        "INSERT INTO intake_counts (client, hour, proven, plain) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (client, hour) DO UPDATE SET proven = intake_counts.proven + excluded.proven, \
         plain = intake_counts.plain + excluded.plain RETURNING proven, plain",
    )
    .bind(client)
    .bind(hour)
    .bind(with)
    .bind(without)
    .fetch_one(&mut *c)
    .await?)
}

/// Deletes the challenges expired at `now` and the counts of hours before `hour`.
pub async fn forget_intake(c: &mut Conn, now: i64, hour: i64) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM spent_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *c)
        .await?;
    sqlx::query::<Db>("DELETE FROM intake_counts WHERE hour < $1")
        .bind(hour)
        .execute(&mut *c)
        .await?;
    Ok(())
}
