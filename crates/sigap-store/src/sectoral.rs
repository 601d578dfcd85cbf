// The reports of Peraturan BSSN 1/2024 to the sectoral CSIRT (migration
// `0037_sectoral_reports.sql`): the query text shared by both backends, compiled twice by
// `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`.

/// Starts a ticket's report clock; `false` when it has one already.
pub async fn open_sectoral_report(
    c: &mut Conn,
    ticket_id: i64,
    started_at: i64,
    due_at: i64,
    reasons: &str,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO sectoral_reports (ticket_id, started_at, due_at, reasons) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(ticket_id)
    .bind(started_at)
    .bind(due_at)
    .bind(reasons)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A ticket's report to the sectoral CSIRT, if it has one.
pub async fn get_sectoral_report(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Option<crate::sectoral_api::SectoralReportRow>> {
    Ok(sqlx::query_as::<Db, crate::sectoral_api::SectoralReportRow>(
        "SELECT ticket_id, started_at, due_at, reasons, sent_at, channel, reference, \
         recipient, recorded_by, recorded_at, document_id, bundle_sha256 \
         FROM sectoral_reports WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records that the report was sent; `false` when it was recorded already.
pub async fn record_sectoral_sent(
    c: &mut Conn,
    s: &crate::sectoral_api::SectoralSent<'_>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE sectoral_reports SET sent_at = $2, channel = $3, reference = $4, \
         recipient = $5, recorded_by = $6, recorded_at = $7 \
         WHERE ticket_id = $1 AND sent_at IS NULL",
    )
    .bind(s.ticket_id)
    .bind(s.sent_at)
    .bind(s.channel)
    .bind(s.reference)
    .bind(s.recipient)
    .bind(s.recorded_by)
    .bind(s.recorded_at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps the report just issued for a ticket and its bundle; `false` when the report was
/// recorded as sent already (what was sent stays as it was).
pub async fn set_sectoral_document(
    c: &mut Conn,
    ticket_id: i64,
    document_id: i64,
    bundle_sha256: &str,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE sectoral_reports SET document_id = $2, bundle_sha256 = $3 \
         WHERE ticket_id = $1 AND sent_at IS NULL",
    )
    .bind(ticket_id)
    .bind(document_id)
    .bind(bundle_sha256)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The numbers of tickets whose unsent report may call for a notice at `now` (half its
/// period gone) and has not been escalated yet, the soonest due first.
pub async fn sectoral_candidates(c: &mut Conn, now: i64, limit: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT t.number FROM sectoral_reports r JOIN tickets t ON t.id = r.ticket_id \
         WHERE r.sent_at IS NULL AND r.started_at + (r.due_at - r.started_at) / 2 <= $1 \
         AND NOT EXISTS (SELECT 1 FROM deadline_notices n WHERE n.ticket_id = r.ticket_id \
         AND n.due_at = r.due_at AND n.notice = 'bssn_overdue') \
         ORDER BY r.due_at, r.ticket_id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}
