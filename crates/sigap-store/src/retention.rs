// Retention of a closed ticket's data (migration `0039_retention.sql`): the query text
// shared by both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs`
// next to `common.rs`.

/// Holds a ticket; `false` when it is held already.
pub async fn set_legal_hold(
    c: &mut Conn,
    ticket_id: i64,
    reason: &str,
    set_by: &str,
    set_at: i64,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO legal_holds (ticket_id, reason, set_by, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(ticket_id)
    .bind(reason)
    .bind(set_by)
    .bind(set_at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Lifts a ticket's hold; `false` when it had none.
pub async fn lift_legal_hold(c: &mut Conn, ticket_id: i64) -> Result<bool> {
    let done = sqlx::query::<Db>("DELETE FROM legal_holds WHERE ticket_id = $1")
        .bind(ticket_id)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A ticket's hold, if it has one.
pub async fn get_legal_hold(
    c: &mut Conn,
    ticket_id: i64,
) -> Result<Option<crate::retention_api::LegalHoldRow>> {
    Ok(sqlx::query_as::<Db, crate::retention_api::LegalHoldRow>(
        "SELECT ticket_id, reason, set_by, set_at FROM legal_holds WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// When the ticket's reporter contact data were anonymised, if they were.
pub async fn contact_removed_at(c: &mut Conn, ticket_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<Db, Option<i64>>(
        "SELECT contact_removed_at FROM tickets WHERE id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *c)
    .await?
    .flatten())
}

/// Tickets closed at or before `closed_by` whose reporter is still named, not held: the
/// earliest closed first.
pub async fn contact_due(c: &mut Conn, closed_by: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as::<Db, (i64, String)>(
        "SELECT t.id, t.number FROM tickets t WHERE t.closed_at IS NOT NULL \
         AND t.closed_at <= $1 AND t.contact_removed_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.ticket_id = t.id) \
         ORDER BY t.closed_at, t.id LIMIT $2",
    )
    .bind(closed_by)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Tickets closed at or before `closed_by` that still keep an evidence file, not held.
pub async fn evidence_due(c: &mut Conn, closed_by: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as::<Db, (i64, String)>(
        "SELECT t.id, t.number FROM tickets t WHERE t.closed_at IS NOT NULL \
         AND t.closed_at <= $1 \
         AND EXISTS (SELECT 1 FROM evidence e WHERE e.ticket_id = t.id AND e.destroyed_at IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.ticket_id = t.id) \
         ORDER BY t.closed_at, t.id LIMIT $2",
    )
    .bind(closed_by)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// The tickets closed at or before `closed_by` under a legal hold, for the record of a
/// run: their numbers.
pub async fn held_numbers(c: &mut Conn, closed_by: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT t.number FROM legal_holds h JOIN tickets t ON t.id = h.ticket_id \
         WHERE t.closed_at IS NOT NULL AND t.closed_at <= $1 ORDER BY t.id",
    )
    .bind(closed_by)
    .fetch_all(&mut *c)
    .await?)
}

/// Removes the reporter from ticket `ticket_id`: name, e-mail, telephone, alias and
/// tracking token; the sender of the mail they wrote and its raw copy; the payloads of the
/// ticket's finished mail jobs; their identifiers, as `[dihapus]`, in the ticket's messages
/// and the bodies of its mail. Answers how many records changed; none when it was done
/// already.
pub async fn anonymise_reporter(
    c: &mut Conn,
    ticket_id: i64,
    now: i64,
    key: &crate::ContactKey,
) -> Result<u64> {
    let marked = sqlx::query::<Db>(
        "UPDATE tickets SET contact_removed_at = $2, tracking_token_hash = '' \
         WHERE id = $1 AND contact_removed_at IS NULL",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(0);
    }
    let person = person_of(c, ticket_id, key).await?;
    let mut changed = 1 + sqlx::query::<Db>(
        "UPDATE reports SET reporter_name = 'Anonim', reporter_email = '', \
         reporter_phone = NULL, credit = 'anonymous', credit_alias = NULL, reporter_index = '' \
         WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .execute(&mut *c)
    .await?
    .rows_affected();
    // The reporter's messages and the staff's replies to them (a reply may greet them by
    // name): each that names them.
    let comments =
        sqlx::query_as::<Db, (i64, String)>("SELECT id, body FROM comments WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_all(&mut *c)
            .await?;
    for (id, body) in comments {
        let redacted = person.redact(&body);
        if redacted == body {
            continue;
        }
        sqlx::query::<Db>("UPDATE comments SET body = $1 WHERE id = $2")
            .bind(redacted)
            .bind(id)
            .execute(&mut *c)
            .await?;
        changed += 1;
    }
    changed += anonymise_mail(c, ticket_id, &person).await?;
    changed += neutral_file_names(c, ticket_id).await?;
    changed += sqlx::query::<Db>(
        "UPDATE jobs SET payload = '{}' WHERE ticket_id = $1 AND state <> 'pending' \
         AND payload <> '{}'",
    )
    .bind(ticket_id)
    .execute(&mut *c)
    .await?
    .rows_affected();
    // The acknowledgements of the reporter's mail were enqueued before the mail joined the
    // ticket: they name its message, not the ticket.
    changed += sqlx::query::<Db>(INBOX_JOBS_OF_TICKET_EMPTIED)
        .bind(ticket_id)
        .execute(&mut *c)
        .await?
        .rows_affected();
    Ok(changed)
}

/// The reporter of ticket `ticket_id` as the text to take out of messages: name, e-mail,
/// telephone, alias, opened with `key`.
async fn person_of(
    c: &mut Conn,
    ticket_id: i64,
    key: &crate::ContactKey,
) -> Result<crate::redact::Person> {
    let (name, email, phone, alias) =
        sqlx::query_as::<Db, (String, String, Option<String>, Option<String>)>(
            "SELECT reporter_name, reporter_email, reporter_phone, credit_alias FROM reports \
             WHERE ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_one(&mut *c)
        .await?;
    use crate::contact::Field;
    let name = key.open(Field::Name, &name)?;
    let email = key.open(Field::Email, &email)?;
    let phone = key.open_opt(Field::Phone, phone.as_deref())?;
    Ok(crate::redact::Person::new(&[
        Some(name.as_str()),
        Some(email.as_str()),
        phone.as_deref(),
        alias.as_deref(),
    ]))
}

/// The mail of ticket `ticket_id` without its sender: no envelope or header sender, no raw
/// copy, no parsed fields, the person's identifiers out of the body.
async fn anonymise_mail(
    c: &mut Conn,
    ticket_id: i64,
    person: &crate::redact::Person,
) -> Result<u64> {
    let mail = sqlx::query_as::<Db, (i64, String)>(
        "SELECT id, body_text FROM inbound_mail WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?;
    let mut changed = 0;
    for (id, body) in mail {
        sqlx::query::<Db>(
            "UPDATE inbound_mail SET envelope_from = '', from_address = NULL, from_name = NULL, \
             raw_sha256 = '', fields = '{}', body_text = $1 WHERE id = $2",
        )
        .bind(person.redact(&body))
        .bind(id)
        .execute(&mut *c)
        .await?;
        changed += 1;
    }
    Ok(changed)
}

/// The names the reporter gave their files (their evidence, their mail's attachments),
/// which may carry who they are, replaced by neutral ones.
async fn neutral_file_names(c: &mut Conn, ticket_id: i64) -> Result<u64> {
    // Theirs: sent with the form or the tracking page, or taken from their mail by the desk.
    let evidence = sqlx::query_as::<Db, (i64, String)>(
        "SELECT id, media_type FROM evidence WHERE ticket_id = $1 AND (uploaded_by IS NULL \
         OR sha256 IN (SELECT f.sha256 FROM inbound_files f JOIN inbound_mail m \
         ON m.id = f.inbound_id WHERE m.ticket_id = $1 AND f.sha256 IS NOT NULL))",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?;
    let attachments = sqlx::query_as::<Db, (i64, String)>(
        "SELECT f.id, COALESCE(f.media_type, f.declared_type) FROM inbound_files f \
         JOIN inbound_mail m ON m.id = f.inbound_id WHERE m.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?;
    let renames = evidence
        .into_iter()
        .map(|(id, media)| ("evidence", "original_name", "bukti-pelapor", id, media))
        .chain(
            attachments
                .into_iter()
                .map(|(id, media)| ("inbound_files", "name", "lampiran-surel", id, media)),
        );
    let mut changed = 0;
    for (table, column, prefix, id, media) in renames {
        let name = sigap_core::evidence::neutral_name(prefix, id, &media);
        let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} <> $1");
        changed += sqlx::query::<Db>(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

/// Destroys the evidence files of ticket `ticket_id` (their rows stay, marked); answers
/// how many.
pub async fn destroy_evidence(c: &mut Conn, ticket_id: i64, now: i64) -> Result<u64> {
    let destroyed = sqlx::query::<Db>(
        "UPDATE evidence SET destroyed_at = $2 WHERE ticket_id = $1 AND destroyed_at IS NULL",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected();
    // The attachments of the ticket's mail are the same files (or the refused ones): they
    // no longer hold their bytes either.
    sqlx::query::<Db>(
        "UPDATE inbound_files SET sha256 = NULL WHERE sha256 IS NOT NULL \
         AND inbound_id IN (SELECT id FROM inbound_mail WHERE ticket_id = $1)",
    )
    .bind(ticket_id)
    .execute(&mut *c)
    .await?;
    Ok(destroyed)
}

/// Records a run's Berita Acara Pemusnahan.
pub async fn insert_destruction_record(
    c: &mut Conn,
    r: &crate::retention_api::NewDestructionRecord<'_>,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO destruction_records (number, year, seq, pdf_sha256, verify_code, \
         signed_by, draft, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(r.number)
    .bind(r.year)
    .bind(r.seq)
    .bind(r.pdf_sha256)
    .bind(r.verify_code)
    .bind(r.signed_by)
    .bind(r.draft)
    .bind(r.details)
    .bind(r.created_at)
    .fetch_one(&mut *c)
    .await?)
}

macro_rules! destruction_select {
    () => {
        "SELECT id, number, pdf_sha256, verify_code, signed_by, draft, details, created_at \
         FROM destruction_records "
    };
}

/// The records of destruction, the newest first.
pub async fn list_destruction_records(
    c: &mut Conn,
    limit: i64,
) -> Result<Vec<crate::retention_api::DestructionRecordRow>> {
    Ok(sqlx::query_as::<Db, crate::retention_api::DestructionRecordRow>(concat!(
        destruction_select!(),
        "ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// One record of destruction.
pub async fn get_destruction_record(
    c: &mut Conn,
    id: i64,
) -> Result<Option<crate::retention_api::DestructionRecordRow>> {
    Ok(sqlx::query_as::<Db, crate::retention_api::DestructionRecordRow>(concat!(
        destruction_select!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The record of destruction with verification code `code`.
pub async fn find_destruction_record_by_code(
    c: &mut Conn,
    code: &str,
) -> Result<Option<crate::retention_api::DestructionRecordRow>> {
    Ok(sqlx::query_as::<Db, crate::retention_api::DestructionRecordRow>(concat!(
        destruction_select!(),
        "WHERE verify_code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}
