// The tickets, their step records, comments and evidence: query text shared by both
// backends, compiled into each by `include!` after `common.rs` (whose imports it uses).

// ---- tickets --------------------------------------------------------------------------

/// Binds a new ticket's columns (`$1`..`$12` of [`insert_ticket`]'s statements).
macro_rules! bind_ticket {
    ($q:expr, $t:expr, $r:expr) => {
        $q.bind($t.number)
            .bind($t.year)
            .bind($t.seq)
            .bind($t.state)
            .bind($t.channel)
            .bind($t.agency_id)
            .bind($t.system_id)
            .bind($t.created_by)
            .bind($t.tracking_token_hash)
            .bind($t.now)
            .bind($t.due_at)
            .bind(sigap_core::WeaknessClass::of_type($r.vulnerability_type).as_str())
    };
}

/// Binds a new report's columns, in the order of `report_columns!`; `$index` is the
/// reporter's blind index (`contact.rs`).
macro_rules! bind_report {
    ($q:expr, $r:expr, $index:expr) => {
        $q.bind($r.reporter_name)
            .bind($r.reporter_email)
            .bind($r.reporter_phone)
            .bind($r.severity)
            .bind($r.vulnerability_type)
            .bind($r.target_url)
            .bind($r.target_host)
            .bind($r.title)
            .bind($r.description)
            .bind($r.proof_of_concept)
            .bind($r.evidence_text)
            .bind($r.cvss_vector)
            .bind($r.cvss_score)
            .bind($r.language)
            .bind($r.credit)
            .bind($r.credit_alias)
            .bind($index)
    };
}

macro_rules! insert_ticket_sql {
    () => {
        "INSERT INTO tickets (number, year, seq, state, channel, agency_id, system_id, \
         created_by, tracking_token_hash, state_entered_at, due_at, created_at, updated_at, \
         weakness_class) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10, $12) RETURNING id"
    };
}

macro_rules! report_columns {
    () => {
        "reporter_name, reporter_email, reporter_phone, severity, vulnerability_type, \
         target_url, target_host, title, description, proof_of_concept, evidence_text, \
         cvss_vector, cvss_score, language, credit, credit_alias, reporter_index"
    };
}

/// Inserts a ticket and its report (its contact data sealed, with their blind `index`): one
/// statement where the database writes through a `WITH` (PostgreSQL: one round trip less in
/// the intake's serial write), two otherwise.
pub async fn insert_ticket(
    c: &mut Conn,
    t: &NewTicket<'_>,
    r: &NewReport<'_>,
    index: &str,
) -> Result<i64> {
    if WRITES_IN_WITH {
        let q = sqlx::query_scalar::<Db, i64>(concat!(
            "WITH t AS (",
            insert_ticket_sql!(),
            ") INSERT INTO reports (ticket_id, ",
            report_columns!(),
            ") SELECT id, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
             $26, $27, $28, $29 FROM t RETURNING ticket_id"
        ));
        return bind_report!(bind_ticket!(q, t, r), r, index)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| map_unique(e, "ticket_number", t.number));
    }
    let id = bind_ticket!(sqlx::query_scalar::<Db, i64>(insert_ticket_sql!()), t, r)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| map_unique(e, "ticket_number", t.number))?;
    let q = sqlx::query::<Db>(concat!(
        "INSERT INTO reports (ticket_id, ",
        report_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18)"
    ));
    bind_report!(q.bind(id), r, index).execute(&mut *c).await?;
    Ok(id)
}

pub async fn get_ticket(c: &mut Conn, number: &str) -> Result<Option<TicketRow>> {
    Ok(sqlx::query_as::<Db, TicketRow>(concat!(ticket_select!(), "WHERE t.number = $1"))
        .bind(number)
        .fetch_optional(&mut *c)
        .await?)
}

pub async fn update_ticket(c: &mut Conn, u: &TicketUpdate<'_>) -> Result<()> {
    sqlx::query::<Db>(
        "UPDATE tickets SET state = $1, agency_id = $2, system_id = $3, criticality = $4, \
         valid = $5, blocked = $6, round = $7, duplicate_of = $8, state_entered_at = $9, \
         due_at = $10, updated_at = $11, closed_at = $12 WHERE id = $13",
    )
    .bind(u.state)
    .bind(u.agency_id)
    .bind(u.system_id)
    .bind(u.criticality)
    .bind(u.valid)
    .bind(u.blocked)
    .bind(u.round)
    .bind(u.duplicate_of)
    .bind(u.state_entered_at)
    .bind(u.due_at)
    .bind(u.now)
    .bind(u.closed_at)
    .bind(u.id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn set_assignee(c: &mut Conn, ticket_id: i64, user_id: i64, now: i64) -> Result<()> {
    sqlx::query::<Db>("UPDATE tickets SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(user_id)
        .bind(now)
        .bind(ticket_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Classifies the tickets written before their class was (migration 0028): one update per
/// distinct vulnerability type among them, in one transaction. Nothing to do once done.
pub async fn fill_weakness_classes(c: &mut Conn) -> Result<u64> {
    let types = sqlx::query_scalar::<Db, String>(
        "SELECT DISTINCT r.vulnerability_type FROM tickets t JOIN reports r ON r.ticket_id = t.id \
         WHERE t.weakness_class IS NULL",
    )
    .fetch_all(&mut *c)
    .await?;
    if types.is_empty() {
        return Ok(0);
    }
    let mut tx = sqlx::Connection::begin(&mut *c).await?;
    let mut filled = 0;
    for kind in &types {
        filled += sqlx::query::<Db>(
            "UPDATE tickets SET weakness_class = $1 WHERE weakness_class IS NULL \
             AND id IN (SELECT ticket_id FROM reports WHERE vulnerability_type = $2)",
        )
        .bind(sigap_core::WeaknessClass::of_type(kind).as_str())
        .bind(kind)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(filled)
}

/// Valid reports against any system of the agency created at or after `since`.
pub async fn count_valid_reports(c: &mut Conn, agency_id: i64, since: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT COUNT(*) FROM tickets WHERE agency_id = $1 AND valid = TRUE \
         AND state NOT IN ('duplicate', 'rejected') AND created_at >= $2",
    )
    .bind(agency_id)
    .bind(since)
    .fetch_one(&mut *c)
    .await?)
}

/// Another ticket that holds a block on this system, if any.
pub async fn other_block_holder(c: &mut Conn, system_id: i64, except: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT number FROM tickets WHERE system_id = $1 AND blocked = TRUE AND id <> $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(system_id)
    .bind(except)
    .fetch_optional(&mut *c)
    .await?)
}

/// The columns of a queue's row, before its `FROM`.
const QUEUE_COLUMNS: &str = "SELECT t.id, t.number, t.state, t.channel, a.code AS agency_code, \
    s.name AS system_name, t.criticality, t.blocked, t.round, t.tlp, r.severity, \
    r.vulnerability_type, r.title, r.target_host, t.due_at, t.created_at, t.closed_at, \
    t.state_entered_at, t.updated_at, t.assignee_id, u.name AS assignee_name ";

/// A page of the queue in one query (each backend's `list_tickets` starts here).
async fn list_queue(c: &mut Conn, f: &TicketFilter) -> Result<Vec<TicketListRow>> {
    let searching = !f.words.is_empty();
    // Full-text queries read from the backend's index side first, so that the newest
    // matches come out in order and the scan stops at the page's end.
    let (from, order) = if searching { (text_search_from(f.words_in), TEXT_SEARCH_ORDER) } else { (TICKETS_FROM, "t.id") };
    let mut qb = QueryBuilder::<Db>::new(QUEUE_COLUMNS);
    qb.push(from);
    push_queue_filters(&mut qb, f);
    let keyset = f.sort == QueueSort::Newest || searching;
    if let (Some(before), true) = (f.before_id, keyset) {
        qb.push(" AND ").push(order).push(" < ").push_bind(before);
    }
    if keyset {
        qb.push(" ORDER BY ").push(order).push(" DESC LIMIT ").push_bind(f.limit);
    } else {
        qb.push(" ORDER BY ").push(queue_order(f.sort, f.due_set));
        qb.push(" LIMIT ").push_bind(f.limit).push(" OFFSET ").push_bind(f.offset);
    }
    Ok(qb.build_query_as::<TicketListRow>().fetch_all(&mut *c).await?)
}

/// How many tickets the queue's filters select (all pages; words and number included),
/// counted up to [`crate::QUEUE_COUNT_CAP`]: a count of the whole table on every page would
/// cost more than the page (the cap means "at least that many").
pub async fn count_queue(c: &mut Conn, f: &TicketFilter) -> Result<i64> {
    // The filters read the tickets table alone (the words, their index): no joins to count.
    let from = if f.words.is_empty() { "FROM tickets t WHERE 1 = 1" } else { text_search_from(f.words_in) };
    let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (SELECT 1 ");
    qb.push(from);
    push_queue_filters(&mut qb, f);
    qb.push(" LIMIT ").push_bind(crate::QUEUE_COUNT_CAP).push(") AS capped");
    Ok(qb.build_query_scalar::<i64>().fetch_one(&mut *c).await?)
}

fn queue_order(sort: QueueSort, due_set: Option<bool>) -> &'static str {
    match sort {
        QueueSort::Newest => "t.id DESC",
        QueueSort::Deadline => match due_set {
            Some(true) => "t.due_at, t.id",
            Some(false) => "t.id",
            None => "t.due_at IS NULL, t.due_at, t.id",
        },
        QueueSort::Updated => "t.updated_at DESC, t.id DESC",
        QueueSort::Criticality => "CASE t.criticality WHEN 'high' THEN 0 WHEN 'low' THEN 1 \
            ELSE 2 END, t.due_at IS NULL, t.due_at, t.id",
    }
}

/// The queue's `WHERE` terms after the tables' `WHERE 1 = 1`.
fn push_queue_filters(qb: &mut QueryBuilder<Db>, f: &TicketFilter) {
    if let Some(agency) = f.agency_id {
        qb.push(" AND t.agency_id = ").push_bind(agency);
    }
    if f.told_only {
        qb.push(" AND t.state IN ").push(told_states_sql());
    }
    if f.open_only {
        qb.push(" AND t.state NOT IN ").push(ended_states_sql());
    }
    if let Some(state) = &f.state {
        qb.push(" AND t.state = ").push_bind(state.as_str());
    }
    if let Some(criticality) = &f.criticality {
        qb.push(" AND t.criticality = ").push_bind(criticality.as_str());
    }
    if let Some(channel) = &f.channel {
        qb.push(" AND t.channel = ").push_bind(channel.as_str());
    }
    if let Some(class) = &f.weakness_class {
        qb.push(" AND t.weakness_class = ").push_bind(class.as_str());
    }
    if let Some(from) = f.created_from {
        qb.push(" AND t.created_at >= ").push_bind(from);
    }
    if let Some(before) = f.created_before {
        qb.push(" AND t.created_at < ").push_bind(before);
    }
    if let Some(at) = f.overdue_at {
        qb.push(" AND t.due_at < ").push_bind(at);
    }
    if let Some(turns) = &f.turns {
        push_turns(qb, turns);
    }
    match f.due_set {
        Some(true) => {
            qb.push(" AND t.due_at IS NOT NULL");
        }
        Some(false) => {
            qb.push(" AND t.due_at IS NULL");
        }
        None => {}
    }
    match f.assignee {
        Some(AssigneeFilter::Is(id)) => {
            qb.push(" AND t.assignee_id = ").push_bind(id);
        }
        Some(AssigneeFilter::IsOrNobody(id)) => {
            qb.push(" AND (t.assignee_id IS NULL OR t.assignee_id = ").push_bind(id).push(")");
        }
        Some(AssigneeFilter::Nobody) => {
            qb.push(" AND t.assignee_id IS NULL");
        }
        None => {}
    }
    if !f.words.is_empty() {
        push_text_filter(qb, f.words_in, &f.words);
    }
    match &f.number {
        Some(NumberMatch::Exact(number)) => {
            qb.push(" AND t.number = ").push_bind(number.clone());
        }
        Some(NumberMatch::Sequence(seq)) => {
            qb.push(" AND t.seq = ").push_bind(*seq);
        }
        None => {}
    }
}

/// `AND (state = … [AND blocked] OR …)`; no turn at all selects nothing.
fn push_turns(qb: &mut QueryBuilder<Db>, turns: &[sigap_core::Turn]) {
    if turns.is_empty() {
        qb.push(" AND 1 = 0");
        return;
    }
    qb.push(" AND (");
    for (i, turn) in turns.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(t.state = ").push_bind(turn.state.as_str());
        match turn.blocked {
            Some(true) => qb.push(" AND t.blocked"),
            Some(false) => qb.push(" AND NOT t.blocked"),
            None => qb.push(""),
        };
        qb.push(")");
    }
    qb.push(")");
}

/// The queue's tables, for a query without full text.
const TICKETS_FROM: &str = "FROM tickets t JOIN reports r ON r.ticket_id = t.id \
    LEFT JOIN agencies a ON a.id = t.agency_id \
    LEFT JOIN systems s ON s.id = t.system_id \
    LEFT JOIN users u ON u.id = t.assignee_id WHERE 1 = 1";

/// Ticket counts grouped by one of a fixed set of columns, within an optional agency.
pub async fn count_tickets_by(c: &mut Conn, by: CountBy, scope: TicketScope) -> Result<Vec<CountRow>> {
    let key = by.column();
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(key).push(
        " AS key, COUNT(*) AS count FROM tickets t JOIN reports r ON r.ticket_id = t.id \
         LEFT JOIN agencies a ON a.id = t.agency_id WHERE 1 = 1",
    );
    if let Some(agency) = scope.agency_id {
        qb.push(" AND t.agency_id = ").push_bind(agency);
    }
    if scope.told_only {
        qb.push(" AND t.state IN ").push(told_states_sql());
    }
    qb.push(" GROUP BY ").push(key).push(" ORDER BY 2 DESC");
    Ok(qb.build_query_as::<CountRow>().fetch_all(&mut *c).await?)
}

// ---- step records, comments, evidence -------------------------------------------------

pub async fn insert_step_record(c: &mut Conn, s: &NewStepRecord<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO step_records (ticket_id, action, round, actor_id, actor_role, from_state, \
         to_state, records, started_at, due_at, done_at, overdue) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(s.ticket_id)
    .bind(s.action)
    .bind(s.round)
    .bind(s.actor_id)
    .bind(s.actor_role)
    .bind(s.from_state)
    .bind(s.to_state)
    .bind(s.records)
    .bind(s.started_at)
    .bind(s.due_at)
    .bind(s.done_at)
    .bind(s.overdue)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_step_records(c: &mut Conn, ticket_id: i64) -> Result<Vec<StepRecordRow>> {
    Ok(sqlx::query_as::<Db, StepRecordRow>(
        "SELECT s.id, s.action, s.round, u.name AS actor_name, s.actor_role, s.from_state, \
         s.to_state, s.records, s.started_at, s.due_at, s.done_at, s.overdue \
         FROM step_records s LEFT JOIN users u ON u.id = s.actor_id \
         WHERE s.ticket_id = $1 ORDER BY s.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn insert_comment(c: &mut Conn, n: &NewComment<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO comments (ticket_id, author_id, author_kind, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.ticket_id)
    .bind(n.author_id)
    .bind(n.author_kind.as_str())
    .bind(n.visibility)
    .bind(n.body)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_comments(c: &mut Conn, ticket_id: i64) -> Result<Vec<CommentRow>> {
    Ok(sqlx::query_as::<Db, CommentRow>(
        "SELECT m.id, u.name AS author_name, m.author_kind, m.visibility, m.body, m.created_at \
         FROM comments m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.ticket_id = $1 ORDER BY m.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn insert_evidence(c: &mut Conn, e: &NewEvidence<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "INSERT INTO evidence (ticket_id, step_record_id, comment_id, sha256, original_name, \
         media_type, size, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e.ticket_id)
    .bind(e.step_record_id)
    .bind(e.comment_id)
    .bind(e.sha256)
    .bind(e.original_name)
    .bind(e.media_type)
    .bind(e.size)
    .bind(e.uploaded_by)
    .bind(e.now)
    .fetch_one(&mut *c)
    .await?)
}

pub async fn list_evidence(c: &mut Conn, ticket_id: i64) -> Result<Vec<EvidenceRow>> {
    Ok(sqlx::query_as::<Db, EvidenceRow>(
        "SELECT id, step_record_id, comment_id, sha256, original_name, media_type, size, \
         uploaded_by, created_at, destroyed_at FROM evidence WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Every SHA-256 a row names in the blob store: evidence, documents (and their PDFs),
/// signed copies, received mail and its attachments, notices of personal data breaches,
/// the bundles sent to the sectoral CSIRT, the records of destruction; not the evidence
/// files destroyed at the end of their retention. The blob sweep keeps these.
pub async fn referenced_blobs(c: &mut Conn) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT sha256 FROM evidence WHERE destroyed_at IS NULL UNION SELECT sha256 FROM documents \
         UNION SELECT pdf_sha256 FROM documents UNION SELECT sha256 FROM signed_copies \
         UNION SELECT raw_sha256 FROM inbound_mail \
         UNION SELECT sha256 FROM inbound_files WHERE sha256 IS NOT NULL \
         UNION SELECT sha256 FROM personal_data_notices \
         UNION SELECT bundle_sha256 FROM sectoral_reports WHERE bundle_sha256 IS NOT NULL \
         UNION SELECT pdf_sha256 FROM destruction_records",
    )
    .fetch_all(&mut *c)
    .await?)
}
