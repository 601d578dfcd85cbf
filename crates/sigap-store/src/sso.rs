// Sign-in through an OpenID Connect provider: the query text shared by both backends,
// compiled twice by `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`, whose
// `use` lines are already in scope here. Times are UTC milliseconds.

/// Stores a new attempt.
pub async fn insert_sso_attempt(c: &mut Conn, a: &crate::sso_api::NewSsoAttempt<'_>) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO sso_attempts (binding_hash, state, nonce, pkce_verifier, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(a.binding_hash)
    .bind(a.state)
    .bind(a.nonce)
    .bind(a.pkce_verifier)
    .bind(a.now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Forgets the attempts started before `before`.
pub async fn delete_old_sso_attempts(c: &mut Conn, before: i64) -> Result<u64> {
    Ok(
        sqlx::query::<Db>("DELETE FROM sso_attempts WHERE created_at < $1")
            .bind(before)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}

/// Marks the attempt taken, once: a second call for the same state finds nothing.
pub async fn take_sso_attempt(
    c: &mut Conn,
    binding_hash: &str,
    state: &str,
    since: i64,
    now: i64,
) -> Result<Option<crate::sso_api::TakenSsoAttempt>> {
    Ok(sqlx::query_as::<Db, crate::sso_api::TakenSsoAttempt>(
        "UPDATE sso_attempts SET taken_at = $4 \
         WHERE binding_hash = $1 AND state = $2 AND created_at >= $3 AND taken_at IS NULL \
         RETURNING nonce, pkce_verifier",
    )
    .bind(binding_hash)
    .bind(state)
    .bind(since)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records whom a taken attempt signed in.
pub async fn check_sso_attempt(
    c: &mut Conn,
    binding_hash: &str,
    user_id: i64,
    id_token: Option<&str>,
    mfa: bool,
) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE sso_attempts SET user_id = $2, id_token = $3, mfa = $4 \
         WHERE binding_hash = $1 AND taken_at IS NOT NULL",
    )
    .bind(binding_hash)
    .bind(user_id)
    .bind(id_token)
    .bind(mfa)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Deletes the attempt and answers it when it was checked in time.
pub async fn finish_sso_attempt(
    c: &mut Conn,
    binding_hash: &str,
    since: i64,
) -> Result<Option<crate::sso_api::CheckedSsoAttempt>> {
    let row = sqlx::query_as::<Db, (Option<i64>, Option<String>, bool, Option<i64>)>(
        "DELETE FROM sso_attempts WHERE binding_hash = $1 \
         RETURNING user_id, id_token, mfa, taken_at",
    )
    .bind(binding_hash)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.and_then(|(user_id, id_token, mfa, taken_at)| {
        let user_id = user_id.filter(|_| taken_at.is_some_and(|at| at >= since))?;
        Some(crate::sso_api::CheckedSsoAttempt {
            user_id,
            id_token,
            mfa,
        })
    }))
}

/// Deletes one attempt.
pub async fn delete_sso_attempt(c: &mut Conn, binding_hash: &str) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM sso_attempts WHERE binding_hash = $1")
        .bind(binding_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The user matched to (`issuer`, `subject`).
pub async fn find_identity_user(c: &mut Conn, issuer: &str, subject: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records (`issuer`, `subject`) for `user_id`, unless the pair is known already.
pub async fn link_identity(
    c: &mut Conn,
    issuer: &str,
    subject: &str,
    user_id: i64,
    now: i64,
) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO user_identities (issuer, subject, user_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Forgets the pairs of `user_id`.
pub async fn unlink_identities(c: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(
        sqlx::query::<Db>("DELETE FROM user_identities WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}

/// Keeps the sealed ID token with a session.
pub async fn set_session_id_token(c: &mut Conn, id_hash: &str, id_token: &str) -> Result<()> {
    sqlx::query::<Db>("UPDATE sessions SET id_token = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(id_token)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The sealed ID token of a session.
pub async fn session_id_token(c: &mut Conn, id_hash: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<Db, Option<String>>(
        "SELECT id_token FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&mut *c)
    .await?
    .flatten())
}
