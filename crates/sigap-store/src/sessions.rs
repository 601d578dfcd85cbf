// Staff web sessions and failed logins: the query text shared by both backends, compiled
// twice by `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`, whose `use`
// lines are already in scope here. Times are UTC milliseconds.

/// Stores a new session (its id already hashed by the caller).
pub async fn insert_session(c: &mut Conn, s: &crate::sessions_api::NewSession<'_>) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO sessions (id_hash, user_id, stage, csrf_token, created_at, last_seen_at, \
         expires_at, source) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(s.id_hash)
    .bind(s.user_id)
    .bind(s.stage)
    .bind(s.csrf_token)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.source)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The session with this id hash and its user, when the user is not disabled. Expiry is
/// the caller's decision (it knows the time and the idle limit).
pub async fn find_session(
    c: &mut Conn,
    id_hash: &str,
) -> Result<Option<crate::sessions_api::SessionRow>> {
    Ok(sqlx::query_as::<Db, crate::sessions_api::SessionRow>(
        "SELECT s.id_hash, s.user_id, s.stage, s.csrf_token, s.created_at, s.last_seen_at, \
         s.expires_at, u.email, u.name, u.role, u.agency_id, a.code AS agency_code \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN agencies a ON a.id = u.agency_id \
         WHERE s.id_hash = $1 AND NOT u.disabled",
    )
    .bind(id_hash)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records activity on a session (the idle timeout counts from here).
pub async fn touch_session(c: &mut Conn, id_hash: &str, now: i64) -> Result<()> {
    sqlx::query::<Db>("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete_session(c: &mut Conn, id_hash: &str) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Removes sessions past their absolute limit or idle since before `idle_before`.
pub async fn delete_expired_sessions(c: &mut Conn, now: i64, idle_before: i64) -> Result<u64> {
    Ok(
        sqlx::query::<Db>("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
            .bind(now)
            .bind(idle_before)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}

/// Records one failed login for `email`.
pub async fn insert_login_failure(
    c: &mut Conn,
    email: &str,
    at: i64,
    source: Option<&str>,
) -> Result<()> {
    sqlx::query::<Db>("INSERT INTO login_failures (email, at, source) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(at)
        .bind(source)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The times of the failed logins for `email` since `since`, oldest first.
pub async fn list_login_failures(c: &mut Conn, email: &str, since: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT at FROM login_failures WHERE email = $1 AND at >= $2 ORDER BY at, id",
    )
    .bind(email)
    .bind(since)
    .fetch_all(&mut *c)
    .await?)
}

/// Forgets the failed logins of `email` (after a successful login), and every failure
/// older than `before` (they no longer count towards any lockout).
pub async fn clear_login_failures(c: &mut Conn, email: &str, before: i64) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM login_failures WHERE email = $1 OR at < $2")
        .bind(email)
        .bind(before)
        .execute(&mut *c)
        .await?;
    Ok(())
}
