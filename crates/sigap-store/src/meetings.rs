// Meetings scheduled for a step: the query text shared by both backends, compiled twice by
// `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`, whose `use` lines are
// already in scope here. Times are UTC milliseconds; attendees are JSON text.

/// The columns of a meeting with its ticket's number, as one literal for `concat!`.
macro_rules! meeting_select {
    () => {
        "SELECT m.id, m.ticket_id, t.number AS ticket_number, m.purpose, m.round, \
         m.starts_at, m.ends_at, m.place, m.video_url, m.attendees, m.agency_invited, \
         m.sequence, m.status, m.uid, m.created_by, m.created_at, m.updated_at, \
         m.cancel_reason, m.held_step_id FROM meetings m JOIN tickets t ON t.id = m.ticket_id "
    };
}

/// Stores a new meeting; its `uid` is unique.
pub async fn insert_meeting(c: &mut Conn, m: &crate::meetings_api::NewMeeting<'_>) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO meetings (ticket_id, purpose, round, starts_at, ends_at, place, video_url, \
         attendees, agency_invited, sequence, status, uid, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 'scheduled', $10, $11, $12, $12) \
         RETURNING id",
    )
    .bind(m.ticket_id)
    .bind(m.purpose.as_str())
    .bind(m.round)
    .bind(m.starts_at)
    .bind(m.ends_at)
    .bind(m.place)
    .bind(m.video_url)
    .bind(m.attendees)
    .bind(m.agency_invited)
    .bind(m.uid)
    .bind(m.created_by)
    .bind(m.now)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "uid", m.uid))
}

/// One meeting with its ticket's number.
pub async fn get_meeting(c: &mut Conn, id: i64) -> Result<Option<crate::meetings_api::MeetingRow>> {
    Ok(sqlx::query_as::<Db, crate::meetings_api::MeetingRow>(concat!(
        meeting_select!(),
        "WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The meetings of a ticket, by start time.
pub async fn list_meetings(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Vec<crate::meetings_api::MeetingRow>> {
    Ok(sqlx::query_as::<Db, crate::meetings_api::MeetingRow>(concat!(
        meeting_select!(),
        "WHERE m.ticket_id = $1 ORDER BY m.starts_at, m.id"
    ))
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// How many meetings of `purpose` the ticket has had (numbers the next one's UID).
pub async fn count_meetings(
    c: &mut Conn,
    ticket_id: i64,
    purpose: sigap_core::MeetingPurpose,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM meetings WHERE ticket_id = $1 AND purpose = $2",
    )
    .bind(ticket_id)
    .bind(purpose.as_str())
    .fetch_one(&mut *c)
    .await?)
}

/// Changes a scheduled meeting (time, place, link, attendees) with its next sequence;
/// answers whether it was still scheduled.
pub async fn update_meeting(c: &mut Conn, u: &crate::meetings_api::MeetingUpdate<'_>) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE meetings SET starts_at = $2, ends_at = $3, place = $4, video_url = $5, \
         attendees = $6, agency_invited = $7, sequence = $8, updated_at = $9 \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(u.id)
    .bind(u.starts_at)
    .bind(u.ends_at)
    .bind(u.place)
    .bind(u.video_url)
    .bind(u.attendees)
    .bind(u.agency_invited)
    .bind(u.sequence)
    .bind(u.now)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Calls off a scheduled meeting; answers whether it was still scheduled.
pub async fn cancel_meeting(
    c: &mut Conn,
    id: i64,
    sequence: i64,
    reason: &str,
    now: i64,
) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE meetings SET status = 'cancelled', sequence = $2, cancel_reason = $3, \
         updated_at = $4 WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(sequence)
    .bind(reason)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Marks a scheduled meeting as held by the step record `step_id`; answers whether it was
/// still scheduled.
pub async fn mark_meeting_held(c: &mut Conn, id: i64, step_id: Option<i64>, now: i64) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE meetings SET status = 'held', held_step_id = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(step_id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}
