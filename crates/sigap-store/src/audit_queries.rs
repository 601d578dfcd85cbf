// The audit log's chain: query text shared by both backends, compiled into each by
// `include!` after `common.rs` (whose imports it uses).

// ---- audit ----------------------------------------------------------------------------

macro_rules! insert_audit_sql {
    () => {
        "INSERT INTO audit_log (seq, at, actor, role, action, ticket_number, source, outcome, \
         details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
}

/// Appends an entry after the current head, inside the caller's transaction, sealed with
/// `key`. The first keyed entry names the key in the head; an entry under another key than
/// the head names is refused, so that a server started with the wrong key breaks nothing.
/// Appends `entry` after the head: the one `known` (this transaction's own last append,
/// whose row lock it still holds), or the one read and locked now. Answers the new head.
pub async fn append_audit(
    c: &mut Conn,
    key: &AuditKey,
    entry: &NewAuditEntry,
    known: Option<(i64, String)>,
) -> Result<(i64, String)> {
    let key_id = key.id();
    let (head_seq, head_hash) = match known {
        Some(head) => head,
        None => {
            let head = lock_audit_head(&mut *c).await?;
            if head.key_id.as_deref().is_some_and(|id| id != key_id) {
                return Err(StoreError::Corrupt(format!(
                    "the audit log is sealed under the key {}, not this server's ({key_id}): \
                     SIGAP_SECRET_KEY or the key file changed",
                    head.key_id.unwrap_or_default()
                )));
            }
            (head.seq, head.hash)
        }
    };
    let seq = head_seq + 1;
    let hash = entry_hash(key, seq, &head_hash, entry);
    // The entry and the new head: one statement where the database writes through a
    // `WITH` (PostgreSQL), two otherwise.
    let sql = if WRITES_IN_WITH {
        concat!(
            "WITH entry AS (",
            insert_audit_sql!(),
            ") UPDATE audit_head SET seq = $1, hash = $11, key_id = $12 WHERE id = 1"
        )
    } else {
        insert_audit_sql!()
    };
    let q = sqlx::query::<Db>(sql)
        .bind(seq)
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.role)
        .bind(&entry.action)
        .bind(&entry.ticket_number)
        .bind(&entry.source)
        .bind(&entry.outcome)
        .bind(crate::audit::canonical_json(&entry.details))
        .bind(&head_hash)
        .bind(&hash);
    if WRITES_IN_WITH {
        q.bind(&key_id).execute(&mut *c).await?;
    } else {
        q.execute(&mut *c).await?;
        sqlx::query::<Db>("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .bind(&key_id)
            .execute(&mut *c)
            .await?;
    }
    Ok((seq, hash))
}

const AUDIT_HEAD: &str = "SELECT seq, hash, key_id, legacy_until, legacy_seal FROM audit_head WHERE id = 1";

pub async fn audit_head(c: &mut Conn) -> Result<AuditHead> {
    Ok(sqlx::query_as::<Db, AuditHead>(AUDIT_HEAD).fetch_one(&mut *c).await?)
}

/// Records that the entries up to `until` are from before the keyed chain, with its seal.
pub async fn set_audit_legacy(c: &mut Conn, until: i64, seal: &str, key_id: &str) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE audit_head SET legacy_until = $1, legacy_seal = $2, key_id = $3 WHERE id = 1",
    )
    .bind(until)
    .bind(seal)
    .bind(key_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The audit entries matching `f`, newest first (oldest first after `after_seq`).
pub async fn search_audit(c: &mut Conn, f: &crate::rows::AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE 1 = 1",
    );
    if let Some(ticket) = &f.ticket_number {
        qb.push(" AND ticket_number = ").push_bind(ticket.clone());
    }
    if let Some(actor) = &f.actor {
        qb.push(" AND actor = ").push_bind(actor.clone());
    }
    if let Some(action) = &f.action {
        qb.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(outcome) = &f.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.clone());
    }
    if let Some(from) = f.from {
        qb.push(" AND at >= ").push_bind(from);
    }
    if let Some(until) = f.until {
        qb.push(" AND at < ").push_bind(until);
    }
    if let Some(before) = f.before_seq {
        qb.push(" AND seq < ").push_bind(before);
    }
    if let Some(after) = f.after_seq {
        qb.push(" AND seq > ").push_bind(after);
        qb.push(" ORDER BY seq LIMIT ").push_bind(f.limit);
    } else {
        qb.push(" ORDER BY seq DESC LIMIT ").push_bind(f.limit);
    }
    Ok(qb.build_query_as::<AuditEntry>().fetch_all(&mut *c).await?)
}

pub async fn audit_watch(c: &mut Conn) -> Result<Option<crate::rows::AuditWatchRow>> {
    Ok(sqlx::query_as::<Db, crate::rows::AuditWatchRow>(
        "SELECT checked_at, checked_seq, intact, broken_seq, reason, alerted_seq \
         FROM audit_watch WHERE id = 1",
    )
    .fetch_optional(&mut *c)
    .await?)
}

pub async fn set_audit_watch(c: &mut Conn, w: &crate::rows::AuditWatchRow) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO audit_watch (id, checked_at, checked_seq, intact, broken_seq, reason, \
         alerted_seq) VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET \
         checked_at = excluded.checked_at, checked_seq = excluded.checked_seq, \
         intact = excluded.intact, broken_seq = excluded.broken_seq, \
         reason = excluded.reason, alerted_seq = excluded.alerted_seq",
    )
    .bind(w.checked_at)
    .bind(w.checked_seq)
    .bind(w.intact)
    .bind(w.broken_seq)
    .bind(&w.reason)
    .bind(w.alerted_seq)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Up to `limit` entries after `after_seq`, in order.
pub async fn list_audit(c: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as::<Db, AuditEntry>(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn list_ticket_audit(c: &mut Conn, number: &str) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as::<Db, AuditEntry>(
        "SELECT seq, at, actor, role, action, ticket_number, source, outcome, details, \
         prev_hash, hash FROM audit_log WHERE ticket_number = $1 ORDER BY seq",
    )
    .bind(number)
    .fetch_all(&mut *c)
    .await?)
}

/// Answers when the database does.
pub async fn ping(c: &mut Conn) -> Result<()> {
    sqlx::query_scalar::<Db, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(&mut *c).await?;
    Ok(())
}

/// Per kind of step: executions, late ones and mean time from the step's start to done.
pub async fn step_stats(c: &mut Conn, scope: TicketScope) -> Result<Vec<StepStatsRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT s.action, COUNT(*) AS count, \
         SUM(CASE WHEN s.overdue THEN 1 ELSE 0 END) AS overdue, \
         CAST(AVG(s.done_at - s.started_at) AS DOUBLE PRECISION) AS mean_ms \
         FROM step_records s JOIN tickets t ON t.id = s.ticket_id WHERE 1 = 1",
    );
    if let Some(agency) = scope.agency_id {
        qb.push(" AND t.agency_id = ").push_bind(agency);
    }
    if scope.told_only {
        qb.push(" AND t.state IN ").push(told_states_sql());
    }
    qb.push(" GROUP BY s.action ORDER BY s.action");
    Ok(qb.build_query_as::<StepStatsRow>().fetch_all(&mut *c).await?)
}
