//! `seed --multiply-to N` on PostgreSQL: after the tickets seeded through the use cases, the
//! table is filled to N tickets with copies of them, in SQL, for the read benchmarks at
//! national scale (a million tickets through the use cases would take hours on 2 cores).
//!
//! A copy is a ticket and its report as the original stands (state, agency, system, dates,
//! texts, so the same mix of states and words), under the next number of its year; the
//! ticket counter is moved past them so that intake goes on without a gap. The copies have
//! no audit entries, mail, documents or step records: they are rows to read, not history.

use std::time::Instant;

use anyhow::Context;
use sqlx::{Connection, PgConnection};

/// Tickets copied per statement.
const BATCH: i64 = 50_000;

/// The columns of `table` that a copy takes from its original: not generated, not `skip`.
async fn columns(c: &mut PgConnection, table: &str, skip: &[&str]) -> anyhow::Result<Vec<String>> {
    let all: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 \
         AND is_generated = 'NEVER' AND is_identity = 'NO' ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *c)
    .await?;
    Ok(all
        .into_iter()
        .filter(|c| !skip.contains(&c.as_str()))
        .collect())
}

/// Copies the tickets at or below `originals` (their id) until the table holds `target`.
/// Answers the copies made and the seconds they took.
pub async fn multiply(url: &str, target: u64) -> anyhow::Result<(u64, f64)> {
    anyhow::ensure!(
        url.starts_with("postgres"),
        "--multiply-to copies rows in PostgreSQL; seed SQLite through the use cases"
    );
    let started = Instant::now();
    let mut c = PgConnection::connect(url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    sqlx::query("SET synchronous_commit = off")
        .execute(&mut c)
        .await?;
    let (count, originals): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(id) FROM tickets")
            .fetch_one(&mut c)
            .await?;
    let originals = originals.context("no tickets to copy: seed some first")?;
    let target = i64::try_from(target)?;
    let skip = ["id", "number", "year", "seq", "tracking_token_hash"];
    let ticket_cols = columns(&mut c, "tickets", &skip).await?.join(", ");
    let report_cols = columns(&mut c, "reports", &["ticket_id"]).await?;
    let report_from: Vec<String> = report_cols.iter().map(|c| format!("r.{c}")).collect();
    let (report_cols, report_from) = (report_cols.join(", "), report_from.join(", "));
    let sql = format!(
        "WITH src AS (SELECT t.*, row_number() OVER (ORDER BY t.id) AS k FROM tickets t \
         WHERE t.id <= $1 ORDER BY t.id LIMIT $2), \
         base AS (SELECT year, MAX(seq) AS seq FROM tickets \
         WHERE year = (SELECT MAX(year) FROM tickets) GROUP BY year), \
         ins AS (INSERT INTO tickets (number, year, seq, tracking_token_hash, {ticket_cols}) \
         SELECT regexp_replace(src.number, '-[0-9]+-[0-9]+$', '') || '-' || base.year || '-' || \
         CASE WHEN base.seq + src.k < 100000 THEN lpad((base.seq + src.k)::text, 5, '0') \
         ELSE (base.seq + src.k)::text END, base.year, base.seq + src.k, \
         md5(src.tracking_token_hash || (base.seq + src.k)::text), {ticket_cols} \
         FROM src, base RETURNING id, seq), \
         pairs AS (SELECT ins.id AS new_id, src.id AS old_id FROM ins, base, src \
         WHERE src.k = ins.seq - base.seq) \
         INSERT INTO reports (ticket_id, {report_cols}) SELECT pairs.new_id, {report_from} \
         FROM pairs JOIN reports r ON r.ticket_id = pairs.old_id"
    );
    let mut made = 0_i64;
    let mut have = count;
    let bar = crate::progress::bar(u64::try_from(target)?, "tickets");
    bar.set_position(u64::try_from(have)?);
    while have < target {
        let batch = (target - have).min(BATCH).min(originals);
        let mut tx = c.begin().await?;
        // Every copy in the latest year, after its last number.
        // The text is made of the tables' own column names, read above, and constants.
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(originals)
            .bind(batch)
            .execute(&mut *tx)
            .await
            .context("copying tickets")?;
        sqlx::query(
            "UPDATE counters SET value = m.seq FROM (SELECT year, MAX(seq) AS seq FROM tickets \
             GROUP BY year) m WHERE counters.scope = 'ticket' AND counters.year = m.year",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        made += batch;
        have += batch;
        bar.set_position(u64::try_from(have)?);
    }
    bar.finish();
    sqlx::query("ANALYZE tickets").execute(&mut c).await?;
    sqlx::query("ANALYZE reports").execute(&mut c).await?;
    Ok((u64::try_from(made)?, started.elapsed().as_secs_f64()))
}
