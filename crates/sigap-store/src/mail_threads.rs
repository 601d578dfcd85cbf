// The Message-IDs of a ticket's mail (migration `0022_mail_messages.sql`): the query text
// shared by both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs`
// next to `common.rs`, whose `use` lines are already in scope here.

/// Enqueues a mail job about its ticket and records it as `message_id` to `audience`:
/// one statement where the database writes through a `WITH` (PostgreSQL), two otherwise.
/// Answers the job's id.
pub async fn enqueue_mail(
    c: &mut Conn,
    job: &NewJob<'_>,
    message_id: &str,
    audience: &str,
) -> Result<i64> {
    if !WRITES_IN_WITH {
        let job_id = enqueue_job(&mut *c, job).await?;
        let ticket_id = job.ticket_id.unwrap_or_default();
        record_mail_message(
            &mut *c,
            &crate::mail_threads_api::NewMailMessage {
                message_id,
                ticket_id,
                job_id: Some(job_id),
                audience,
                now: job.now,
            },
        )
        .await?;
        return Ok(job_id);
    }
    Ok(sqlx::query_scalar::<Db, i64>(
        "WITH j AS (INSERT INTO jobs (kind, payload, ticket_id, run_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id) \
         INSERT INTO mail_messages (message_id, ticket_id, job_id, audience, created_at) \
         SELECT $6, $3, id, $7, $5 FROM j RETURNING job_id",
    )
    .bind(job.kind.as_str())
    .bind(job.payload)
    .bind(job.ticket_id)
    .bind(job.run_at)
    .bind(job.now)
    .bind(message_id)
    .bind(audience)
    .fetch_one(&mut *c)
    .await?)
}

/// Records that the mail job `job_id` about ticket `ticket_id` goes to `audience` as
/// `message_id`.
pub async fn record_mail_message(
    c: &mut Conn,
    m: &crate::mail_threads_api::NewMailMessage<'_>,
) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO mail_messages (message_id, ticket_id, job_id, audience, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(m.message_id)
    .bind(m.ticket_id)
    .bind(m.job_id)
    .bind(m.audience)
    .bind(m.now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The mail recorded as `message_id`, with its ticket's number.
pub async fn find_mail_message(
    c: &mut Conn,
    message_id: &str,
) -> Result<Option<crate::mail_threads_api::MailMessageRow>> {
    Ok(sqlx::query_as::<Db, crate::mail_threads_api::MailMessageRow>(
        "SELECT m.id, m.message_id, m.ticket_id, t.number, m.job_id, m.audience, m.created_at \
         FROM mail_messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The Message-IDs sent before `message_id` on its ticket to its audience, oldest first.
pub async fn earlier_in_thread(c: &mut Conn, message_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT e.message_id FROM mail_messages m JOIN mail_messages e \
         ON e.ticket_id = m.ticket_id AND e.audience = m.audience AND e.id < m.id \
         WHERE m.message_id = $1 ORDER BY e.id",
    )
    .bind(message_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Marks the mail job `id` bounced with `why` (a delivered job only); answers whether it was.
pub async fn mark_job_bounced(c: &mut Conn, id: i64, why: &str) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'bounced', last_error = $1 WHERE id = $2 AND state = 'done'",
    )
    .bind(why)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}
