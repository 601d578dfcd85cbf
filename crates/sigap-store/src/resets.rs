// The links of "Lupa kata sandi" (migration `0018_password_resets.sql`): the query text
// shared by both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs`
// next to `common.rs`, whose `use` lines are already in scope here.

/// Stores a new link for `user_id`; answers its id.
pub async fn insert_password_reset(
    c: &mut Conn,
    user_id: i64,
    nonce: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO password_resets (user_id, nonce, created_at, expires_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(nonce)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *c)
    .await?)
}

/// How many links `user_id` was sent since `since`.
pub async fn count_password_resets(c: &mut Conn, user_id: i64, since: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(&mut *c)
    .await?)
}

/// The link `id` with its user.
pub async fn find_password_reset(
    c: &mut Conn,
    id: i64,
) -> Result<Option<crate::resets_api::PasswordResetRow>> {
    Ok(sqlx::query_as::<Db, crate::resets_api::PasswordResetRow>(
        "SELECT r.id, r.user_id, r.nonce, r.created_at, r.expires_at, r.used_at, u.email, \
         u.name, u.role, u.disabled FROM password_resets r JOIN users u ON u.id = r.user_id \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// Uses the link `id` at `now` when it is still unused and unexpired, and retires the
/// user's other links; answers whether this call used it (two tabs cannot both).
pub async fn use_password_reset(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE password_resets SET used_at = $2 \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query::<Db>(
        "UPDATE password_resets SET used_at = $2 WHERE used_at IS NULL \
         AND user_id = (SELECT user_id FROM password_resets WHERE id = $1)",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(true)
}
