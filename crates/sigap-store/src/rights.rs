// A reporter's requests made with the tracking token (migration
// `0040_reporter_requests.sql`): the query text shared by both backends, compiled twice by
// `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`.

/// Records a request of `kind`, applied at `applied_at` (or pending).
pub async fn insert_reporter_request(
    c: &mut Conn,
    ticket_id: i64,
    kind: &str,
    requested_at: i64,
    applied_at: Option<i64>,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO reporter_requests (ticket_id, kind, requested_at, applied_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(ticket_id)
    .bind(kind)
    .bind(requested_at)
    .bind(applied_at)
    .fetch_one(&mut *c)
    .await?)
}

/// A ticket's requests, oldest first.
pub async fn list_reporter_requests(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Vec<crate::rights_api::ReporterRequestRow>> {
    Ok(sqlx::query_as::<Db, crate::rights_api::ReporterRequestRow>(
        "SELECT id, ticket_id, kind, requested_at, applied_at FROM reporter_requests \
         WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Marks the ticket's pending erasure applied at `now`; `false` when none was pending.
pub async fn apply_erasure(c: &mut Conn, ticket_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE reporter_requests SET applied_at = $2 \
         WHERE ticket_id = $1 AND kind = 'erasure' AND applied_at IS NULL",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Replaces the reporter's contact details of a ticket whose reporter is still named (as
/// kept: sealed, with their blind index); `false` when they were anonymised.
pub async fn correct_contact(
    c: &mut Conn,
    ticket_id: i64,
    kept: &crate::contact::SealedContact,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE reports SET reporter_name = $2, reporter_email = $3, reporter_phone = $4, \
         reporter_index = $5 WHERE ticket_id = $1 AND EXISTS (SELECT 1 FROM tickets t \
         WHERE t.id = $1 AND t.contact_removed_at IS NULL)",
    )
    .bind(ticket_id)
    .bind(&kept.name)
    .bind(&kept.email)
    .bind(&kept.phone)
    .bind(&kept.index)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Up to `limit` reports whose reporter is still kept in clear (written before migration
/// 0041): their ticket, name, e-mail and telephone.
pub async fn clear_contacts(
    c: &mut Conn,
    limit: i64,
) -> Result<Vec<(i64, String, String, Option<String>)>> {
    Ok(sqlx::query_as::<Db, (i64, String, String, Option<String>)>(
        "SELECT ticket_id, reporter_name, reporter_email, reporter_phone FROM reports \
         WHERE reporter_email <> '' AND substr(reporter_email, 1, 3) <> 'c1.' \
         ORDER BY ticket_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Keeps the contact data of ticket `ticket_id` as `kept` (sealed) where they are still
/// `clear_email` in clear; answers whether they were.
pub async fn seal_contact(
    c: &mut Conn,
    ticket_id: i64,
    clear_email: &str,
    kept: &crate::contact::SealedContact,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE reports SET reporter_name = $2, reporter_email = $3, reporter_phone = $4, \
         reporter_index = $5 WHERE ticket_id = $1 AND reporter_email = $6",
    )
    .bind(ticket_id)
    .bind(&kept.name)
    .bind(&kept.email)
    .bind(&kept.phone)
    .bind(&kept.index)
    .bind(clear_email)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}
