// The figures `/metrics` reads at each scrape (see `gauges_api.rs`): query text shared by
// both backends, compiled into each by `include!`. Each query groups in the database and
// answers a row per group.

use crate::gauges_api::{GaugeRow, JobGaugeRow};

/// Open tickets by agency code (`-` for a ticket not routed yet).
pub async fn open_by_agency(c: &mut Conn) -> Result<Vec<GaugeRow>> {
    Ok(sqlx::query_as::<Db, GaugeRow>(
        "SELECT COALESCE(a.code, '-') AS key, COUNT(*) AS count FROM tickets t \
         LEFT JOIN agencies a ON a.id = t.agency_id \
         WHERE t.state NOT IN ('closed', 'rejected', 'duplicate') \
         GROUP BY COALESCE(a.code, '-')",
    )
    .fetch_all(&mut *c)
    .await?)
}

/// Open tickets whose current step is past its deadline at `now`, and the tickets whose
/// system is blocked now.
pub async fn overdue_and_blocked(c: &mut Conn, now: i64) -> Result<(i64, i64)> {
    let row: (i64, i64) = sqlx::query_as::<Db, (i64, i64)>(
        "SELECT \
         (SELECT COUNT(*) FROM tickets WHERE due_at < $1 \
          AND state NOT IN ('closed', 'rejected', 'duplicate')), \
         (SELECT COUNT(*) FROM tickets WHERE blocked = TRUE)",
    )
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok(row)
}

/// The jobs by kind: waiting or running, failed for good, and the run time of the oldest
/// one waiting that is due at `now`.
pub async fn job_gauges(c: &mut Conn, now: i64) -> Result<Vec<JobGaugeRow>> {
    Ok(sqlx::query_as::<Db, JobGaugeRow>(
        "SELECT kind, \
         SUM(CASE WHEN state IN ('pending', 'running') THEN 1 ELSE 0 END) AS queued, \
         SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed, \
         MIN(CASE WHEN state = 'pending' AND run_at <= $1 THEN run_at END) AS oldest_due \
         FROM jobs WHERE state IN ('pending', 'running', 'failed') GROUP BY kind",
    )
    .bind(now)
    .fetch_all(&mut *c)
    .await?)
}
