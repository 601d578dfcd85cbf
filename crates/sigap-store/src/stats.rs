// The figures of the dashboard and the monthly report: query text shared by both backends,
// compiled into each by `include!`. Every query groups in the database and returns a few
// rows per group, never a row per ticket, except where a list is the figure (the systems
// blocked now, the durations of a period's blocks and fixes) and the times of the SOP's
// steps, which are ranked in `stats_api::step_time_rows`.

use crate::stats_api::{
    AgencyCountRow, BlockedRow, DayCountRow, FindingRow, IntakeRow, IntervalQuery, IntervalRow,
    ListedTicketRow, NoticeStepRow, PdpCountRow, StateCountRow, StatsScope, StepTimeRow,
    step_time_rows,
};

/// Tickets created in the period, counted by channel, agency, vulnerability class and
/// outcome (`valid`, `rejected`, `duplicate`, `pending`); joined to the agency's code after
/// grouping, and on SQLite a long period read in the order of the groups (`intake_from`),
/// so that a year of tickets costs one pass over an index, no sort and no lookups.
pub async fn stats_intake(c: &mut Conn, s: &StatsScope) -> Result<Vec<IntakeRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT g.channel, a.code AS agency, g.weakness_class, \
         CASE WHEN g.state = 'rejected' THEN 'rejected' WHEN g.state = 'duplicate' \
         THEN 'duplicate' WHEN g.valid THEN 'valid' ELSE 'pending' END AS outcome, \
         g.count FROM (SELECT t.channel, t.agency_id, t.weakness_class, t.state, t.valid, \
         COUNT(*) AS count FROM ",
    );
    qb.push(intake_from(s)).push(" WHERE t.created_at >= ");
    qb.push_bind(s.from).push(" AND t.created_at < ").push_bind(s.until);
    push_stats_filters(&mut qb, s);
    qb.push(
        " GROUP BY t.channel, t.agency_id, t.weakness_class, t.state, t.valid) g \
         LEFT JOIN agencies a ON a.id = g.agency_id",
    );
    Ok(qb.build_query_as::<IntakeRow>().fetch_all(&mut *c).await?)
}

/// Tickets created on each day of the period (whole days from its start, every day): a
/// count per day along `tickets_intake`, cheaper than sorting the period's tickets by day.
pub async fn stats_intake_days(c: &mut Conn, s: &StatsScope) -> Result<Vec<DayCountRow>> {
    let days = (s.until - s.from + 86_399_999).div_euclid(86_400_000).max(0);
    let mut qb = QueryBuilder::<Db>::new(
        "WITH RECURSIVE d(n) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT n + 1 FROM d \
         WHERE n + 1 < ",
    );
    qb.push_bind(days)
        .push(") SELECT n AS day, (SELECT COUNT(*) FROM tickets t WHERE t.created_at >= ")
        .push_bind(s.from)
        .push(" + n * 86400000 AND t.created_at < ")
        .push_bind(s.from)
        .push(" + (n + 1) * 86400000 AND t.created_at < ")
        .push_bind(s.until);
    push_stats_filters(&mut qb, s);
    qb.push(") AS count FROM d ORDER BY n");
    Ok(qb.build_query_as::<DayCountRow>().fetch_all(&mut *c).await?)
}

/// The SOP steps done in the period, per action: how many, how many within their deadline,
/// and the median and 90th percentile of the time each took (nearest rank). The times are
/// read from `step_records_clock` and ranked here: SQLite's window functions took three
/// times as long as the read.
pub async fn stats_step_times(c: &mut Conn, s: &StatsScope) -> Result<Vec<StepTimeRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT sr.action, sr.done_at - sr.started_at AS took, \
         CAST(CASE WHEN sr.due_at IS NULL OR sr.done_at <= sr.due_at THEN 1 ELSE 0 END \
         AS BIGINT) AS kept FROM step_records sr ",
    );
    push_tickets_join(&mut qb, s);
    qb.push(
        "WHERE sr.action IN ('validate', 'assess', 'block', 'notify_agency', \
         'submit_remediation', 'send_follow_up', 'review', 'approve_reactivation', 'unblock', \
         'close') AND sr.done_at >= ",
    );
    qb.push_bind(s.from).push(" AND sr.done_at < ").push_bind(s.until);
    push_stats_filters(&mut qb, s);
    let spans: Vec<(String, i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    Ok(step_time_rows(spans))
}

/// Open tickets past their step's deadline at `now`, per state (the period does not apply:
/// it is the picture now).
pub async fn stats_overdue(c: &mut Conn, s: &StatsScope, now: i64) -> Result<Vec<StateCountRow>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT t.state, COUNT(*) AS count FROM tickets t WHERE t.state IN ");
    qb.push(open_states_sql()).push(" AND t.due_at < ").push_bind(now);
    push_stats_filters(&mut qb, s);
    qb.push(" GROUP BY t.state ORDER BY t.state");
    Ok(qb.build_query_as::<StateCountRow>().fetch_all(&mut *c).await?)
}

/// The breaches of personal data recorded in the period (UU PDP Pasal 46): how many, how
/// many had both notices by their deadline, late, and at `now` still open past it or
/// running.
pub async fn stats_personal_data(c: &mut Conn, s: &StatsScope, now: i64) -> Result<PdpCountRow> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT COUNT(*) AS breaches, \
         COALESCE(SUM(CASE WHEN b.stopped_at <= b.due_at THEN 1 ELSE 0 END), 0) AS met, \
         COALESCE(SUM(CASE WHEN b.stopped_at > b.due_at THEN 1 ELSE 0 END), 0) AS late, \
         COALESCE(SUM(CASE WHEN b.stopped_at IS NULL AND b.due_at < ",
    );
    qb.push_bind(now).push(
        " THEN 1 ELSE 0 END), 0) AS overdue, \
         COALESCE(SUM(CASE WHEN b.stopped_at IS NULL AND b.due_at >= ",
    );
    qb.push_bind(now).push(
        " THEN 1 ELSE 0 END), 0) AS running \
         FROM personal_data_breaches b JOIN tickets t ON t.id = b.ticket_id \
         WHERE b.started_at >= ",
    );
    qb.push_bind(s.from).push(" AND b.started_at < ").push_bind(s.until);
    push_stats_filters(&mut qb, s);
    Ok(qb.build_query_as::<PdpCountRow>().fetch_one(&mut *c).await?)
}

/// The systems blocked now: the ticket holding each block and when it was put in place.
pub async fn stats_blocked_now(c: &mut Conn, s: &StatsScope) -> Result<Vec<BlockedRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT t.number, a.code AS agency, s.name AS system, \
         (SELECT MAX(b.done_at) FROM step_records b WHERE b.ticket_id = t.id \
          AND b.action = 'block') AS since \
         FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id \
         LEFT JOIN systems s ON s.id = t.system_id WHERE t.blocked = TRUE",
    );
    push_stats_filters(&mut qb, s);
    qb.push(" ORDER BY since, t.id");
    Ok(qb.build_query_as::<BlockedRow>().fetch_all(&mut *c).await?)
}

/// The steps `action` done in the period, each with the time since the ticket's latest
/// earlier step `after` that went to one of `to_states` (`None` when there was none), its
/// agency and its round. Blocks after the high finding, unblocks after "Sudah", fixes after
/// the agency was told.
pub async fn stats_intervals(
    c: &mut Conn,
    s: &StatsScope,
    q: &IntervalQuery,
) -> Result<Vec<IntervalRow>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT a.code AS agency, sr.round, sr.to_state, sr.done_at - (SELECT ");
    qb.push(if q.first { "MIN" } else { "MAX" })
        .push("(e.done_at) FROM step_records e WHERE e.ticket_id = sr.ticket_id AND e.action = ")
        .push_bind(q.after)
        .push(" AND e.id < sr.id");
    if !q.after_to.is_empty() {
        qb.push(" AND e.to_state IN (");
        let mut states = qb.separated(", ");
        for state in &q.after_to {
            states.push_bind(*state);
        }
        qb.push(")");
    }
    qb.push(
        ") AS took FROM step_records sr JOIN tickets t ON t.id = sr.ticket_id \
         LEFT JOIN agencies a ON a.id = t.agency_id WHERE sr.action = ",
    )
    .push_bind(q.action)
    .push(" AND sr.done_at >= ")
    .push_bind(s.from)
    .push(" AND sr.done_at < ")
    .push_bind(s.until);
    push_stats_filters(&mut qb, s);
    qb.push(" ORDER BY sr.id");
    Ok(qb.build_query_as::<IntervalRow>().fetch_all(&mut *c).await?)
}

/// Valid reports per agency created at or after `since` (the "> 3 reports" rule's count),
/// for the agencies with at least `at_least`.
pub async fn stats_agency_reports(
    c: &mut Conn,
    s: &StatsScope,
    since: i64,
    at_least: i64,
) -> Result<Vec<AgencyCountRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT a.code AS agency, a.name, COUNT(*) AS count FROM tickets t \
         JOIN agencies a ON a.id = t.agency_id WHERE t.valid = TRUE \
         AND t.state NOT IN ('duplicate', 'rejected') AND t.created_at >= ",
    );
    qb.push_bind(since);
    push_stats_filters(&mut qb, s);
    qb.push(" GROUP BY a.code, a.name HAVING COUNT(*) >= ")
        .push_bind(at_least)
        .push(" ORDER BY COUNT(*) DESC, a.code");
    Ok(qb.build_query_as::<AgencyCountRow>().fetch_all(&mut *c).await?)
}

/// Tickets per state now (within the scope's agency, criticality and channel).
pub async fn stats_states_now(c: &mut Conn, s: &StatsScope) -> Result<Vec<StateCountRow>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT t.state, COUNT(*) AS count FROM tickets t WHERE 1 = 1");
    push_stats_filters(&mut qb, s);
    qb.push(" GROUP BY t.state ORDER BY t.state");
    Ok(qb.build_query_as::<StateCountRow>().fetch_all(&mut *c).await?)
}

/// Tickets in `state` now (within the scope's agency, criticality and channel).
pub async fn stats_state_count(c: &mut Conn, s: &StatsScope, state: &str) -> Result<i64> {
    let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tickets t WHERE t.state = ");
    qb.push_bind(state.to_owned());
    push_stats_filters(&mut qb, s);
    Ok(qb.build_query_scalar::<i64>().fetch_one(&mut *c).await?)
}

/// The tickets closed in the period (`closed`, by closing time), or open now and created
/// before the period's end (by creation), at most `limit` of them, with how many there are.
pub async fn stats_ticket_list(
    c: &mut Conn,
    s: &StatsScope,
    closed: bool,
    limit: i64,
) -> Result<(Vec<ListedTicketRow>, i64)> {
    let mut rows = QueryBuilder::<Db>::new(if closed {
        "SELECT t.number, a.code AS agency, t.state, t.criticality, t.closed_at AS at "
    } else {
        "SELECT t.number, a.code AS agency, t.state, t.criticality, t.created_at AS at "
    });
    rows.push("FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id WHERE ");
    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tickets t WHERE ");
    for qb in [&mut rows, &mut count] {
        if closed {
            qb.push("t.state = 'closed' AND t.closed_at >= ")
                .push_bind(s.from)
                .push(" AND t.closed_at < ")
                .push_bind(s.until);
        } else {
            qb.push("t.state NOT IN ")
                .push(ended_states_sql())
                .push(" AND t.created_at < ")
                .push_bind(s.until);
        }
        push_stats_filters(qb, s);
    }
    rows.push(if closed { " ORDER BY t.closed_at, t.id" } else { " ORDER BY t.created_at, t.id" });
    rows.push(" LIMIT ").push_bind(limit);
    let listed = rows.build_query_as::<ListedTicketRow>().fetch_all(&mut *c).await?;
    let total = count.build_query_scalar::<i64>().fetch_one(&mut *c).await?;
    Ok((listed, total))
}

/// Valid findings created before the period's end, grouped by system, vulnerability type
/// and criticality: how many in all and in the period, the first and the latest (the
/// scorecard's criticality mix and repeat findings).
pub async fn stats_findings(c: &mut Conn, s: &StatsScope) -> Result<Vec<FindingRow>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT t.system_id, sy.name AS system, r.vulnerability_type, t.criticality, COUNT(*) AS total, SUM(CASE WHEN t.created_at >= ");
    qb.push_bind(s.from).push(
        " THEN 1 ELSE 0 END) AS in_period, MIN(t.created_at) AS first_at, \
         MAX(t.created_at) AS last_at FROM tickets t JOIN reports r ON r.ticket_id = t.id \
         LEFT JOIN systems sy ON sy.id = t.system_id WHERE t.valid = TRUE \
         AND t.state NOT IN ('duplicate', 'rejected') AND t.created_at < ",
    );
    qb.push_bind(s.until);
    push_stats_filters(&mut qb, s);
    qb.push(" GROUP BY t.system_id, sy.name, r.vulnerability_type, t.criticality ORDER BY t.system_id, r.vulnerability_type, t.criticality");
    Ok(qb.build_query_as::<FindingRow>().fetch_all(&mut *c).await?)
}

/// The reports to the agency (step 6, with their recommendation in `records`) and the
/// follow-up letters (step 8) done in the period.
pub async fn stats_notice_steps(c: &mut Conn, s: &StatsScope) -> Result<Vec<NoticeStepRow>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT sr.action, sr.records FROM step_records sr JOIN tickets t ON t.id = sr.ticket_id \
         WHERE sr.action IN ('notify_agency', 'send_follow_up') AND sr.done_at >= ",
    );
    qb.push_bind(s.from).push(" AND sr.done_at < ").push_bind(s.until);
    push_stats_filters(&mut qb, s);
    qb.push(" ORDER BY sr.id");
    Ok(qb.build_query_as::<NoticeStepRow>().fetch_all(&mut *c).await?)
}

/// `JOIN tickets t` on the step records `sr`, when the scope filters the tickets (the steps
/// of every ticket need no look at the tickets).
fn push_tickets_join(qb: &mut QueryBuilder<Db>, s: &StatsScope) {
    if s.agency_id.is_some() || s.criticality.is_some() || s.channel.is_some() || s.told_only {
        qb.push("JOIN tickets t ON t.id = sr.ticket_id ");
    }
}

/// The scope's `AND` terms on the tickets table `t`.
fn push_stats_filters(qb: &mut QueryBuilder<Db>, s: &StatsScope) {
    if let Some(agency) = s.agency_id {
        qb.push(" AND t.agency_id = ").push_bind(agency);
    }
    if let Some(criticality) = s.criticality {
        qb.push(" AND t.criticality = ").push_bind(criticality.as_str());
    }
    if let Some(channel) = s.channel {
        qb.push(" AND t.channel = ").push_bind(channel.as_str());
    }
    if s.told_only {
        qb.push(" AND t.state IN ").push(told_states_sql());
    }
}
