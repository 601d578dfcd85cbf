// API tokens and the sign-in throttle: the query text shared by both backends, compiled
// twice by `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`, whose `use`
// lines are already in scope here. Times are UTC milliseconds.

/// The columns of a token with its owner's e-mail address.
const TOKEN_SELECT: &str = "SELECT k.id, k.user_id, u.email, k.label, k.scopes, k.created_at, \
    k.expires_at, k.last_used_at, k.revoked_at FROM api_tokens k JOIN users u ON u.id = k.user_id ";

/// Stores a token (its secret already hashed) and answers its id.
pub async fn insert_scoped_token(
    c: &mut Conn,
    t: &crate::tokens_api::NewToken<'_>,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at, scopes) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(t.user_id)
    .bind(t.token_hash)
    .bind(t.label)
    .bind(t.now)
    .bind(t.expires_at)
    .bind(t.scopes)
    .fetch_one(&mut *c)
    .await?)
}

/// The token with this hash and its user, revoked, expired or disabled included: the
/// caller tells these apart so that each refusal is audited for what it is.
pub async fn find_token_holder(
    c: &mut Conn,
    token_hash: &str,
) -> Result<Option<crate::tokens_api::TokenHolderRow>> {
    Ok(sqlx::query_as::<Db, crate::tokens_api::TokenHolderRow>(
        "SELECT k.id AS token_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, \
         u.id AS user_id, u.email, u.name, u.role, u.agency_id, a.code AS agency_code, \
         u.disabled FROM api_tokens k JOIN users u ON u.id = k.user_id \
         LEFT JOIN agencies a ON a.id = u.agency_id WHERE k.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records the use of a token.
pub async fn touch_token(c: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query::<Db>("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The tokens of one user, or of everyone, newest first.
pub async fn list_tokens(
    c: &mut Conn,
    user_id: Option<i64>,
) -> Result<Vec<crate::tokens_api::TokenRow>> {
    let mut qb = QueryBuilder::<Db>::new(TOKEN_SELECT);
    if let Some(user_id) = user_id {
        qb.push("WHERE k.user_id = ").push_bind(user_id);
    }
    qb.push(" ORDER BY k.id DESC");
    Ok(qb
        .build_query_as::<crate::tokens_api::TokenRow>()
        .fetch_all(&mut *c)
        .await?)
}

/// One token by its id.
pub async fn find_token(c: &mut Conn, id: i64) -> Result<Option<crate::tokens_api::TokenRow>> {
    let mut qb = QueryBuilder::<Db>::new(TOKEN_SELECT);
    qb.push("WHERE k.id = ").push_bind(id);
    Ok(qb
        .build_query_as::<crate::tokens_api::TokenRow>()
        .fetch_optional(&mut *c)
        .await?)
}

/// Revokes a token; false when it was already revoked (or does not exist).
pub async fn revoke_token(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Counts one sign-in attempt of `client` in the window starting at `window_start` and
/// answers the attempts counted there so far, this one included.
pub async fn count_login_attempt(c: &mut Conn, client: &str, window_start: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO login_throttle (client, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (client, window_start) \
         DO UPDATE SET attempts = login_throttle.attempts + 1 RETURNING attempts",
    )
    .bind(client)
    .bind(window_start)
    .fetch_one(&mut *c)
    .await?)
}

/// Takes back one attempt of `client` (a sign-in that succeeded is no guess).
pub async fn forgive_login_attempt(c: &mut Conn, client: &str, window_start: i64) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE login_throttle SET attempts = attempts - 1 \
         WHERE client = $1 AND window_start = $2 AND attempts > 0",
    )
    .bind(client)
    .bind(window_start)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Notes that a refusal of `subject` was audited in the window; false when it already was.
pub async fn note_sign_in_refusal(c: &mut Conn, subject: &str, window_start: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "INSERT INTO sign_in_notices (subject, window_start) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(subject)
    .bind(window_start)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Remembers that `email` completed a sign-in from `client` at `at`.
pub async fn remember_sign_in_client(c: &mut Conn, email: &str, client: &str, at: i64) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO known_sign_in_clients (email, client, last_at) VALUES ($1, $2, $3) \
         ON CONFLICT (email, client) DO UPDATE SET last_at = excluded.last_at",
    )
    .bind(email)
    .bind(client)
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Whether `email` completed a sign-in from `client` since `since`.
pub async fn is_known_sign_in_client(
    c: &mut Conn,
    email: &str,
    client: &str,
    since: i64,
) -> Result<bool> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM known_sign_in_clients \
         WHERE email = $1 AND client = $2 AND last_at >= $3",
    )
    .bind(email)
    .bind(client)
    .bind(since)
    .fetch_one(&mut *c)
    .await?
        > 0)
}

/// Forgets throttle windows and notices that began before `before`, and known clients
/// last seen before `known_before`.
pub async fn sweep_sign_in(c: &mut Conn, before: i64, known_before: i64) -> Result<()> {
    let statements = [
        "DELETE FROM login_throttle WHERE window_start < $1",
        "DELETE FROM sign_in_notices WHERE window_start < $1",
    ];
    for statement in statements {
        sqlx::query::<Db>(statement)
            .bind(before)
            .execute(&mut *c)
            .await?;
    }
    sqlx::query::<Db>("DELETE FROM known_sign_in_clients WHERE last_at < $1")
        .bind(known_before)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Replaces the password hash of user `id`; false when there is no such user.
pub async fn set_user_password(
    c: &mut Conn,
    id: i64,
    password_hash: &str,
    now: i64,
) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE users SET password_hash = $1, password_set_at = $3 WHERE id = $2",
    )
    .bind(password_hash)
    .bind(id)
    .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

/// The failed logins for `email` since `since` with the address each came from, oldest
/// first (the lockout tells a known client's own failures from others').
pub async fn list_login_failure_sources(
    c: &mut Conn,
    email: &str,
    since: i64,
) -> Result<Vec<(i64, Option<String>)>> {
    Ok(sqlx::query_as::<Db, (i64, Option<String>)>(
        "SELECT at, source FROM login_failures WHERE email = $1 AND at >= $2 ORDER BY at, id",
    )
    .bind(email)
    .bind(since)
    .fetch_all(&mut *c)
    .await?)
}
