// The second factor of staff sign-in: the TOTP credential of a user and their recovery
// codes. Query text shared by both backends, compiled twice by `include!` in `sqlite.rs`
// and `postgres.rs` next to `common.rs`, whose `use` lines are already in scope here.
// Times are UTC milliseconds.

/// The TOTP credential of `user_id`, enabled or awaiting its first code.
pub async fn find_totp(c: &mut Conn, user_id: i64) -> Result<Option<crate::totp_api::TotpRow>> {
    Ok(sqlx::query_as::<Db, crate::totp_api::TotpRow>(
        "SELECT user_id, secret, created_at, enabled_at, last_step \
         FROM totp_credentials WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The users who have an enabled credential (not one still awaiting its first code).
pub async fn list_totp_enrolled(c: &mut Conn) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT user_id FROM totp_credentials WHERE enabled_at IS NOT NULL ORDER BY user_id",
    )
    .fetch_all(&mut *c)
    .await?)
}

/// Stores a new, not yet enabled credential for `user_id`, replacing any earlier one.
pub async fn put_pending_totp(c: &mut Conn, user_id: i64, secret: &str, now: i64) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM totp_credentials WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    sqlx::query::<Db>(
        "INSERT INTO totp_credentials (user_id, secret, created_at) VALUES ($1, $2, $3)",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Enables the credential of `user_id` with its first accepted time step.
pub async fn enable_totp(c: &mut Conn, user_id: i64, step: i64, now: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE totp_credentials SET enabled_at = $1, last_step = $2 \
         WHERE user_id = $3 AND enabled_at IS NULL",
    )
    .bind(now)
    .bind(step)
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Records `step` as the last accepted one, only when it is later than the last: false
/// when the step (or a later one) was accepted already, so that a code is used once even
/// by two requests at the same time.
pub async fn advance_totp_step(c: &mut Conn, user_id: i64, step: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE totp_credentials SET last_step = $1 \
         WHERE user_id = $2 AND enabled_at IS NOT NULL \
         AND (last_step IS NULL OR last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Removes the credential and the recovery codes of `user_id`; answers whether there was
/// a credential.
pub async fn delete_totp(c: &mut Conn, user_id: i64) -> Result<bool> {
    sqlx::query::<Db>("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    Ok(
        sqlx::query::<Db>("DELETE FROM totp_credentials WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
            > 0,
    )
}

/// Replaces the recovery codes of `user_id` with these hashes.
pub async fn replace_recovery_codes(
    c: &mut Conn,
    user_id: i64,
    code_hashes: &[String],
    now: i64,
) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    for hash in code_hashes {
        sqlx::query::<Db>(
            "INSERT INTO totp_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Marks an unused recovery code of `user_id` as used; false when there is no such code.
pub async fn use_recovery_code(c: &mut Conn, user_id: i64, code_hash: &str, now: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE totp_recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(code_hash)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// How many recovery codes of `user_id` are still unused.
pub async fn count_recovery_codes(c: &mut Conn, user_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *c)
    .await?)
}

/// The e-mail address of the user `user_id`.
pub async fn find_user_email(c: &mut Conn, user_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar::<Db, String>("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?,
    )
}

/// Ends every session of `user_id`.
pub async fn delete_user_sessions(c: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(sqlx::query::<Db>("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await?
        .rows_affected())
}
