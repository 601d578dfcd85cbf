// Mail received by the CSIRT (migration `0023_inbound_mail.sql`): the query text shared by
// both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs` next to
// `common.rs`, whose `use` lines are already in scope here.

/// `SELECT` of an [`crate::inbound_api::InboundRow`] with its ticket's number, then `$rest`.
macro_rules! select_inbound {
    ($rest:literal) => {
        concat!(
            "SELECT m.id, m.message_id, m.thread_key, m.via, m.envelope_from, m.recipients, \
             m.from_address, m.from_name, m.subject, m.body_text, m.raw_sha256, m.raw_size, \
             m.authentication, m.fields, m.flags, m.kind, m.status, m.ticket_id, \
             t.number AS ticket_number, m.decided_by, m.decided_at, m.discard_reason, \
             m.acknowledged, m.received_at, m.pgp \
             FROM inbound_mail m LEFT JOIN tickets t ON t.id = m.ticket_id ",
            $rest
        )
    };
}

/// Records a received message; `None` when it was recorded before (the same dedupe key or
/// mailbox UID): a repeated delivery adds nothing.
pub async fn insert_inbound(
    c: &mut Conn,
    m: &crate::inbound_api::NewInbound<'_>,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO inbound_mail (dedupe_key, message_id, mailbox_uid, thread_key, via, \
         envelope_from, recipients, from_address, from_name, subject, body_text, raw_sha256, \
         raw_size, authentication, fields, flags, kind, status, ticket_id, received_at, pgp) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(m.dedupe_key)
    .bind(m.message_id)
    .bind(m.mailbox_uid)
    .bind(m.thread_key)
    .bind(m.via)
    .bind(m.envelope_from)
    .bind(m.recipients)
    .bind(m.from_address)
    .bind(m.from_name)
    .bind(m.subject)
    .bind(m.body_text)
    .bind(m.raw_sha256)
    .bind(m.raw_size)
    .bind(m.authentication)
    .bind(m.fields)
    .bind(m.flags)
    .bind(m.kind)
    .bind(m.status)
    .bind(m.ticket_id)
    .bind(m.now)
    .bind(m.pgp)
    .fetch_optional(&mut *c)
    .await?)
}

/// Records one attachment of received message `inbound_id`.
pub async fn insert_inbound_file(
    c: &mut Conn,
    inbound_id: i64,
    f: &crate::inbound_api::NewInboundFile<'_>,
) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO inbound_files (inbound_id, name, declared_type, media_type, sha256, size, \
         refused) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(inbound_id)
    .bind(f.name)
    .bind(f.declared_type)
    .bind(f.media_type)
    .bind(f.sha256)
    .bind(f.size)
    .bind(f.refused)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The received message `id`.
pub async fn get_inbound(
    c: &mut Conn,
    id: i64,
) -> Result<Option<crate::inbound_api::InboundRow>> {
    Ok(sqlx::query_as::<Db, crate::inbound_api::InboundRow>(select_inbound!(
        "WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The received message recorded under `dedupe_key` or `mailbox_uid`.
pub async fn find_inbound(
    c: &mut Conn,
    dedupe_key: &str,
    mailbox_uid: Option<&str>,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT id FROM inbound_mail WHERE dedupe_key = $1 OR mailbox_uid = $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(dedupe_key)
    .bind(mailbox_uid)
    .fetch_optional(&mut *c)
    .await?)
}

/// Received messages of `statuses` (all when empty), newest first, before `before_id`.
pub async fn list_inbound(
    c: &mut Conn,
    statuses: &[&str],
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<crate::inbound_api::InboundRow>> {
    let mut qb = QueryBuilder::<Db>::new(select_inbound!("WHERE 1 = 1"));
    if !statuses.is_empty() {
        qb.push(" AND m.status IN (");
        let mut list = qb.separated(", ");
        for s in statuses {
            list.push_bind(s.to_string());
        }
        qb.push(")");
    }
    if let Some(before) = before_id {
        qb.push(" AND m.id < ").push_bind(before);
    }
    qb.push(" ORDER BY m.id DESC LIMIT ").push_bind(limit);
    Ok(qb
        .build_query_as::<crate::inbound_api::InboundRow>()
        .fetch_all(&mut *c)
        .await?)
}

/// How many received messages wait in the inbox.
pub async fn count_inbound_new(c: &mut Conn) -> Result<i64> {
    Ok(
        sqlx::query_scalar::<Db, i64>("SELECT COUNT(*) FROM inbound_mail WHERE status = 'new'")
            .fetch_one(&mut *c)
            .await?,
    )
}

/// The attachments of received message `inbound_id`, in order.
pub async fn inbound_files(
    c: &mut Conn,
    inbound_id: i64,
) -> Result<Vec<crate::inbound_api::InboundFileRow>> {
    Ok(sqlx::query_as::<Db, crate::inbound_api::InboundFileRow>(
        "SELECT id, inbound_id, name, declared_type, media_type, sha256, size, refused \
         FROM inbound_files WHERE inbound_id = $1 ORDER BY id",
    )
    .bind(inbound_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Decides a message waiting in the inbox; answers whether it was still waiting (a second
/// decision, or one racing another, changes nothing).
pub async fn decide_inbound(
    c: &mut Conn,
    d: &crate::inbound_api::InboundDecision<'_>,
) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE inbound_mail SET status = $1, ticket_id = $2, decided_by = $3, decided_at = $4, \
         discard_reason = $5 WHERE id = $6 AND status = 'new'",
    )
    .bind(d.status)
    .bind(d.ticket_id)
    .bind(d.decided_by)
    .bind(d.now)
    .bind(d.discard_reason)
    .bind(d.id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the thread `thread_key` acknowledged through message `id`; answers whether no
/// message of the thread was acknowledged before (one acknowledgement per thread).
pub async fn acknowledge_thread(c: &mut Conn, id: i64, thread_key: &str) -> Result<bool> {
    let before = sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM inbound_mail WHERE thread_key = $1 AND acknowledged",
    )
    .bind(thread_key)
    .fetch_one(&mut *c)
    .await?;
    if before > 0 {
        return Ok(false);
    }
    sqlx::query::<Db>("UPDATE inbound_mail SET acknowledged = TRUE WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(true)
}
