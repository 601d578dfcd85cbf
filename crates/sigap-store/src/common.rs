// The query text shared by both backends. This file is compiled twice, by `include!` in
// `sqlite.rs` and in `postgres.rs`, where `Db` and `Conn` name that backend's types and the
// backend supplies `lock_ticket`, `lock_audit_head` and `push_text_filter`. `$n`
// placeholders work on both engines.

use sigap_core::JobState;
use sqlx::QueryBuilder;

use crate::audit::{AuditEntry, AuditHead, AuditKey, NewAuditEntry, entry_hash};
use crate::rows::*;
use crate::signed_copies::{NewSignedCopy, SignedCopyRow};
use crate::{Result, StoreError, map_unique};

/// The columns of a ticket with its report and names, as one literal for `concat!`.
macro_rules! ticket_select {
    () => {
        "SELECT t.id, t.number, t.state, t.channel, t.agency_id, a.code AS agency_code, \
         a.name AS agency_name, t.system_id, s.name AS system_name, \
         COALESCE(s.iiv, FALSE) AS system_iiv, s.category AS system_category, t.criticality, t.valid, \
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
    s.suspended, s.blocking_adapter, s.blocking_params, s.disabled, s.created_at, s.iiv, \
    s.category \
    FROM systems s JOIN agencies a ON a.id = s.agency_id ";

const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.agency_id, \
    a.code AS agency_code, u.password_hash, u.disabled, u.created_at, \
    COALESCE(u.password_set_at, u.created_at) AS password_set_at \
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
        "SELECT id, code, name, email, head_email, disabled, created_at FROM agencies \
         WHERE ($1 IS NULL OR id = $1) ORDER BY code",
    )
    .bind(only)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn find_agency(c: &mut Conn, code: &str) -> Result<Option<AgencyRow>> {
    Ok(sqlx::query_as::<Db, AgencyRow>(
        "SELECT id, code, name, email, head_email, disabled, created_at FROM agencies \
         WHERE code = $1",
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

/// The system in service with the longest registered domain among `domains` (a host and
/// its parent domains), in one query; a disabled system or one of a disabled agency is
/// never matched.
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
    qb.push(") AND NOT s.disabled AND NOT a.disabled ORDER BY LENGTH(d.domain) DESC LIMIT 1");
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
