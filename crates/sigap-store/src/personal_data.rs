// The clock of UU PDP Pasal 46 (migration `0035_personal_data_breaches.sql`): the query text
// shared by both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs`
// next to `common.rs`, whose `use` lines are already in scope here.

/// Starts a ticket's clock; `false` when it has one already, which is left as it was.
pub async fn open_breach(
    c: &mut Conn,
    b: &crate::personal_data_api::NewBreach<'_>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO personal_data_breaches (ticket_id, started_at, due_at, source, reason, \
         recorded_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(b.ticket_id)
    .bind(b.started_at)
    .bind(b.due_at)
    .bind(b.source)
    .bind(b.reason)
    .bind(b.recorded_by)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A ticket's clock, if it has one.
pub async fn get_breach(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Option<crate::personal_data_api::BreachRow>> {
    Ok(sqlx::query_as::<Db, crate::personal_data_api::BreachRow>(
        "SELECT ticket_id, started_at, due_at, source, reason, recorded_by, stopped_at \
         FROM personal_data_breaches WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The notices recorded on a ticket's clock, subjects first.
pub async fn list_breach_notices(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Vec<crate::personal_data_api::BreachNoticeRow>> {
    Ok(sqlx::query_as::<Db, crate::personal_data_api::BreachNoticeRow>(
        "SELECT recipient, notified_at, channel, note, sha256, file_name, media_type, size, \
         recorded_by, recorded_at FROM personal_data_notices WHERE ticket_id = $1 \
         ORDER BY recipient DESC",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Records a notice; `false` when that recipient's is recorded already (nothing changes).
/// With both recorded, the clock stops at the later one's time.
pub async fn record_breach_notice(
    c: &mut Conn,
    n: &crate::personal_data_api::NewBreachNotice<'_>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO personal_data_notices (ticket_id, recipient, notified_at, channel, note, \
         sha256, file_name, media_type, size, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
    )
    .bind(n.ticket_id)
    .bind(n.recipient)
    .bind(n.notified_at)
    .bind(n.channel)
    .bind(n.note)
    .bind(n.sha256)
    .bind(n.file_name)
    .bind(n.media_type)
    .bind(n.size)
    .bind(n.recorded_by)
    .bind(n.recorded_at)
    .execute(&mut *c)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query::<Db>(
        "UPDATE personal_data_breaches SET stopped_at = (SELECT MAX(n.notified_at) \
         FROM personal_data_notices n WHERE n.ticket_id = $1) WHERE ticket_id = $1 \
         AND (SELECT COUNT(*) FROM personal_data_notices n WHERE n.ticket_id = $1) = 2",
    )
    .bind(n.ticket_id)
    .execute(&mut *c)
    .await?;
    Ok(true)
}

/// The numbers of tickets whose running clock may call for a notice at `now` (a third of
/// its period gone) and has not been escalated yet, the soonest due first.
pub async fn breach_candidates(c: &mut Conn, now: i64, limit: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT t.number FROM personal_data_breaches b JOIN tickets t ON t.id = b.ticket_id \
         WHERE b.stopped_at IS NULL AND b.started_at + (b.due_at - b.started_at) / 3 <= $1 \
         AND NOT EXISTS (SELECT 1 FROM deadline_notices n WHERE n.ticket_id = b.ticket_id \
         AND n.due_at = b.due_at AND n.notice = 'pdp_overdue') \
         ORDER BY b.due_at, b.ticket_id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Saves the agency's text of a notice, over the earlier one.
pub async fn save_breach_draft(
    c: &mut Conn,
    d: &crate::personal_data_api::NewBreachDraft<'_>,
) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO personal_data_drafts (ticket_id, recipient, data_exposed, when_how, \
         handling, contact, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (ticket_id, recipient) DO UPDATE SET data_exposed = excluded.data_exposed, \
         when_how = excluded.when_how, handling = excluded.handling, contact = excluded.contact, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(d.ticket_id)
    .bind(d.recipient)
    .bind(d.data_exposed)
    .bind(d.when_how)
    .bind(d.handling)
    .bind(d.contact)
    .bind(d.updated_by)
    .bind(d.updated_at)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The saved text of a ticket's notice to `recipient`, if any.
pub async fn get_breach_draft(
    c: &mut Conn,
    ticket_id: i64,
    recipient: &str,
) -> Result<Option<crate::personal_data_api::BreachDraftRow>> {
    Ok(sqlx::query_as::<Db, crate::personal_data_api::BreachDraftRow>(
        "SELECT data_exposed, when_how, handling, contact, updated_by, updated_at \
         FROM personal_data_drafts WHERE ticket_id = $1 AND recipient = $2",
    )
    .bind(ticket_id)
    .bind(recipient)
    .fetch_optional(&mut *c)
    .await?)
}
