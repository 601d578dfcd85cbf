// The periodic reports (migration `0027_period_reports.sql`): the query text shared by both
// backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs` next to
// `common.rs`, whose `use` lines are already in scope here.

use crate::period_reports_api::{IssuedReport, NewPeriodReport, PeriodReportRow};

/// The columns of a periodic report, as one literal for `concat!`.
macro_rules! period_report_select {
    () => {
        "SELECT id, period, period_from, period_to, status, narrative, tlp, number, pdf_sha256, \
         verify_code, figures, signed_by, draft, created_by, created_at, updated_at, issued_by, \
         issued_at FROM period_reports "
    };
}

/// Stores the draft of a period, unless the period has a report already; answers the
/// period's report either way, and whether it was stored now.
pub async fn insert_period_report(
    c: &mut Conn,
    r: &NewPeriodReport<'_>,
) -> Result<(PeriodReportRow, bool)> {
    let done = sqlx::query::<Db>(
        "INSERT INTO period_reports (period, period_from, period_to, status, narrative, tlp, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, 'draft', '', $4, $5, $6, $6) \
         ON CONFLICT (period) DO NOTHING",
    )
    .bind(r.period)
    .bind(r.from)
    .bind(r.to)
    .bind(r.tlp)
    .bind(r.by)
    .bind(r.now)
    .execute(&mut *c)
    .await?;
    let row = sqlx::query_as::<Db, PeriodReportRow>(concat!(
        period_report_select!(),
        "WHERE period = $1"
    ))
    .bind(r.period)
    .fetch_one(&mut *c)
    .await?;
    Ok((row, done.rows_affected() == 1))
}

pub async fn get_period_report(c: &mut Conn, id: i64) -> Result<Option<PeriodReportRow>> {
    Ok(sqlx::query_as::<Db, PeriodReportRow>(concat!(
        period_report_select!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The issued report whose verification code is `code`.
pub async fn period_report_by_code(c: &mut Conn, code: &str) -> Result<Option<PeriodReportRow>> {
    Ok(sqlx::query_as::<Db, PeriodReportRow>(concat!(
        period_report_select!(),
        "WHERE verify_code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

/// The newest reports first (by period's first day), at most `limit`.
pub async fn list_period_reports(c: &mut Conn, limit: i64) -> Result<Vec<PeriodReportRow>> {
    Ok(sqlx::query_as::<Db, PeriodReportRow>(concat!(
        period_report_select!(),
        "ORDER BY period_from DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// Changes a draft's narrative; `false` when the report is no longer a draft.
pub async fn set_period_narrative(c: &mut Conn, id: i64, text: &str, now: i64) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE period_reports SET narrative = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'draft'",
    )
    .bind(text)
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a draft as issued; `false` when it was issued already.
pub async fn issue_period_report(c: &mut Conn, id: i64, r: &IssuedReport<'_>) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "UPDATE period_reports SET status = 'issued', number = $1, year = $2, seq = $3, \
         pdf_sha256 = $4, verify_code = $5, figures = $6, signed_by = $7, draft = $8, \
         issued_by = $9, issued_at = $10, updated_at = $10 WHERE id = $11 AND status = 'draft'",
    )
    .bind(r.number)
    .bind(r.year)
    .bind(r.seq)
    .bind(r.pdf_sha256)
    .bind(r.verify_code)
    .bind(r.figures)
    .bind(r.signed_by)
    .bind(r.draft)
    .bind(r.by)
    .bind(r.now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}
