// The documents and their signed copies, the job table and the deadline notices: query
// text shared by both backends, compiled into each by `include!` after `common.rs` (whose
// imports it uses).

// ---- documents ------------------------------------------------------------------------

/// The columns of a document with its ticket's number, as one literal for `concat!`.
macro_rules! document_select {
    () => {
        "SELECT d.id, d.ticket_id, t.number AS ticket_number, d.kind, d.number, d.sha256, \
         d.verify_code, d.replaces_id, d.step_record_id, d.created_at, d.signed_by, d.draft \
         FROM documents d JOIN tickets t ON t.id = d.ticket_id "
    };
}

pub async fn insert_document(c: &mut Conn, d: &NewDocument<'_>) -> Result<i64> {
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO documents (ticket_id, kind, number, year, seq, sha256, pdf_sha256, \
         verify_code, replaces_id, step_record_id, created_at, signed_by, draft) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(d.ticket_id)
    .bind(d.kind)
    .bind(d.number)
    .bind(d.year)
    .bind(d.seq)
    .bind(d.sha256)
    .bind(d.verify_code)
    .bind(d.replaces_id)
    .bind(d.step_record_id)
    .bind(d.now)
    .bind(d.signed_by)
    .bind(d.draft)
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "number", d.number))
}

pub async fn list_documents(c: &mut Conn, ticket_id: i64) -> Result<Vec<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.ticket_id = $1 ORDER BY d.id"
    ))
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn get_document(c: &mut Conn, id: i64) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(document_select!(), "WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?)
}

pub async fn find_document_by_code(c: &mut Conn, code: &str) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.verify_code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

/// The correction that replaces document `id`, if one was issued.
pub async fn find_document_replacing(c: &mut Conn, id: i64) -> Result<Option<DocumentRow>> {
    Ok(sqlx::query_as::<Db, DocumentRow>(concat!(
        document_select!(),
        "WHERE d.replaces_id = $1 ORDER BY d.id LIMIT 1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

// ---- signed copies --------------------------------------------------------------------

/// Keeps a signed copy of a document; the same file twice, or a second signature of one
/// signer, is a conflict.
pub async fn insert_signed_copy(c: &mut Conn, n: &NewSignedCopy<'_>) -> Result<i64> {
    let s = n.signature.as_ref();
    sqlx::query_scalar::<Db, i64>(
        "INSERT INTO signed_copies (document_id, sha256, size, note, uploaded_by, created_at, \
         method, signer_id, cert_subject, cert_issuer, cert_serial, level, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(n.document_id)
    .bind(n.sha256)
    .bind(n.size)
    .bind(n.note)
    .bind(n.uploaded_by)
    .bind(n.now)
    .bind(s.map(|s| s.method))
    .bind(s.map(|s| s.signer_id))
    .bind(s.map(|s| s.cert_subject))
    .bind(s.map(|s| s.cert_issuer))
    .bind(s.map(|s| s.cert_serial))
    .bind(s.map(|s| s.level))
    .bind(s.map(|_| n.now))
    .fetch_one(&mut *c)
    .await
    .map_err(|e| map_unique(e, "signed_copy", n.sha256))
}

/// The signed copies of a document, oldest first.
pub async fn list_signed_copies(c: &mut Conn, document_id: i64) -> Result<Vec<SignedCopyRow>> {
    Ok(sqlx::query_as::<Db, SignedCopyRow>(
        "SELECT sc.id, sc.document_id, sc.sha256, sc.size, sc.note, u.email AS uploaded_by, \
         sc.created_at, sc.method, s.email AS signer, sc.cert_subject, sc.cert_issuer, \
         sc.cert_serial, sc.level FROM signed_copies sc \
         LEFT JOIN users u ON u.id = sc.uploaded_by LEFT JOIN users s ON s.id = sc.signer_id \
         WHERE sc.document_id = $1 ORDER BY sc.id",
    )
    .bind(document_id)
    .fetch_all(&mut *c)
    .await?)
}

// ---- jobs -----------------------------------------------------------------------------

/// Enqueues a job inside the caller's transaction.
pub async fn enqueue_job(c: &mut Conn, j: &NewJob<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO jobs (kind, payload, ticket_id, run_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(j.kind.as_str())
    .bind(j.payload)
    .bind(j.ticket_id)
    .bind(j.run_at)
    .bind(j.now)
    .fetch_one(&mut *c)
    .await?)
}

/// Marks a claimed job done and empties its payload of secrets (of everything, when its
/// ticket's reporter was anonymised meanwhile: the last mail to a reporter who asked for
/// erasure names them); answers whether this claim (its attempt number) still held the job.
pub async fn finish_job(c: &mut Conn, id: i64, attempt: i64, now: i64, payload: &str) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'done', done_at = $1, locked_until = NULL, \
         payload = CASE WHEN EXISTS (SELECT 1 FROM tickets t WHERE t.id = jobs.ticket_id \
         AND t.contact_removed_at IS NOT NULL) THEN '{}' ELSE $2 END, \
         last_error = NULL WHERE id = $3 AND attempts = $4 AND state = 'running'",
    )
    .bind(now)
    .bind(payload)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: retried at `retry_at`, or `failed` for good when `retry_at` is
/// `None`.
pub async fn fail_job(
    c: &mut Conn,
    id: i64,
    attempt: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = CASE WHEN $1 IS NULL THEN 'failed' ELSE 'pending' END, \
         run_at = COALESCE($1, run_at), locked_until = NULL, last_error = $2 \
         WHERE id = $3 AND attempts = $4 AND state = 'running'",
    )
    .bind(retry_at)
    .bind(error)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a claimed job that was not started back to the queue, due at `now`, with the
/// attempt its claim counted taken back; answers whether this claim still held it.
pub async fn release_job(c: &mut Conn, id: i64, attempt: i64, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'pending', attempts = attempts - 1, locked_until = NULL, \
         run_at = $1 WHERE id = $2 AND attempts = $3 AND state = 'running'",
    )
    .bind(now)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the payload of a job that failed for good (e.g. without a secret it no longer
/// needs); answers whether the job was that failed attempt.
pub async fn set_failed_job_payload(
    c: &mut Conn,
    id: i64,
    attempt: i64,
    payload: &str,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET payload = $1 WHERE id = $2 AND attempts = $3 AND state = 'failed'",
    )
    .bind(payload)
    .bind(id)
    .bind(attempt)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a failed job back in the queue, due now, with a fresh count of attempts; answers
/// whether the job was failed.
pub async fn retry_job(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE jobs SET state = 'pending', run_at = $1, attempts = 0, locked_until = NULL \
         WHERE id = $2 AND state = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many jobs are in each state.
pub async fn count_jobs(c: &mut Conn) -> Result<Vec<(JobState, i64)>> {
    Ok(sqlx::query_as::<Db, (JobState, i64)>(
        "SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state",
    )
    .fetch_all(&mut *c)
    .await?)
}

// ---- deadline notices -----------------------------------------------------------------

/// Open tickets whose overdue notice for their current deadline has not been sent, and
/// whose deadline has passed at `now` or, in `remediating` (which has reminders), falls
/// before `horizon`: what the clock may have something to say about.
pub async fn deadline_candidates(
    c: &mut Conn,
    now: i64,
    horizon: i64,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT t.number FROM tickets t WHERE t.due_at IS NOT NULL \
         AND (t.due_at < $3 OR (t.state = 'remediating' AND t.due_at <= $1)) \
         AND t.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM deadline_notices n \
         WHERE n.ticket_id = t.id AND n.due_at = t.due_at AND n.notice = 'overdue') \
         ORDER BY t.due_at, t.id LIMIT $2",
    )
    .bind(horizon)
    .bind(limit)
    .bind(now)
    .fetch_all(&mut *c)
    .await?)
}

/// Records that `notice` was sent for the deadline `due_at`; answers `false` when it was
/// already (another worker got there first), in which case nothing must be sent.
pub async fn record_notice(
    c: &mut Conn,
    ticket_id: i64,
    notice: &str,
    due_at: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO deadline_notices (ticket_id, notice, due_at, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(ticket_id)
    .bind(notice)
    .bind(due_at)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The notices sent for a ticket, oldest first: `(notice, due_at, sent_at)`.
pub async fn list_notices(c: &mut Conn, ticket_id: i64) -> Result<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as::<Db, (String, i64, i64)>(
        "SELECT notice, due_at, sent_at FROM deadline_notices WHERE ticket_id = $1 \
         ORDER BY sent_at, notice",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// One job, as the admins see it.
pub async fn get_job(c: &mut Conn, id: i64) -> Result<Option<JobRow>> {
    Ok(sqlx::query_as::<Db, JobRow>(
        "SELECT j.id, j.kind, j.payload, t.number AS ticket_number, j.state, j.attempts, \
         j.run_at, j.locked_until, j.last_error, j.created_at, j.done_at \
         FROM jobs j LEFT JOIN tickets t ON t.id = j.ticket_id WHERE j.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The newest jobs, optionally of one state, for the admins.
pub async fn list_jobs(
    c: &mut Conn,
    state: Option<JobState>,
    limit: i64,
) -> Result<Vec<JobRow>> {
    Ok(sqlx::query_as::<Db, JobRow>(
        "SELECT j.id, j.kind, j.payload, t.number AS ticket_number, j.state, j.attempts, \
         j.run_at, j.locked_until, j.last_error, j.created_at, j.done_at \
         FROM jobs j LEFT JOIN tickets t ON t.id = j.ticket_id \
         WHERE ($1 IS NULL OR j.state = $1) ORDER BY j.id DESC LIMIT $2",
    )
    .bind(state.map(JobState::as_str))
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Records a proof-of-work challenge as used; answers `false` when it already was.
pub async fn spend_challenge(c: &mut Conn, salt: &str, expires_at: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO spent_challenges (salt, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(salt)
    .bind(expires_at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one report from `client` in `hour`, with or without a proof; answers the hour's
/// counts (with, without) including this one.
pub async fn count_intake(c: &mut Conn, client: &str, hour: i64, proven: bool) -> Result<(i64, i64)> {
    let (with, without) = if proven { (1_i64, 0_i64) } else { (0, 1) };
    Ok(sqlx::query_as::<Db, (i64, i64)>(
        "INSERT INTO intake_counts (client, hour, proven, plain) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (client, hour) DO UPDATE SET proven = intake_counts.proven + excluded.proven, \
         plain = intake_counts.plain + excluded.plain RETURNING proven, plain",
    )
    .bind(client)
    .bind(hour)
    .bind(with)
    .bind(without)
    .fetch_one(&mut *c)
    .await?)
}

/// Deletes the challenges expired at `now` and the counts of hours before `hour`.
pub async fn forget_intake(c: &mut Conn, now: i64, hour: i64) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM spent_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *c)
        .await?;
    sqlx::query::<Db>("DELETE FROM intake_counts WHERE hour < $1")
        .bind(hour)
        .execute(&mut *c)
        .await?;
    Ok(())
}
