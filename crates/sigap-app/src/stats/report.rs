//! The periodic report (*Laporan Bulanan/Triwulanan/Tahunan Penanganan Insiden Siber*) as a
//! document of its own: a draft per period (asked for by the CSIRT or an admin, or made by
//! the worker on the first working day of a month for the month before), whose narrative
//! the CSIRT lead edits and previews, then issued once: numbered and signed like every
//! document, TLP:AMBER, its figures from [`super::dashboard`]'s query (so the PDF and the
//! page agree to the unit) and kept as printed, and mailed with the PDF to the configured
//! recipients. Every staff role but system owners reads the reports.

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_core::{Period, PeriodKind, Role, Tlp};
use sigap_naskah::Body;
use sigap_naskah::body::{TicketLine, TicketList};
use sigap_store::{IssuedReport, NewPeriodReport, PeriodReportRow, StatsScope};
use utoipa::ToSchema;

use super::view::Dashboard;
use super::{Question, Section, figures_of, may_read, report_body};
use crate::auth::Caller;
use crate::documents::standalone::{self, Standalone};
use crate::{App, AppError, AppResult, audit, from_millis, millis};

/// The longest narrative, in characters.
pub const MAX_NARRATIVE: usize = 8000;
/// The most tickets each list of the report shows.
pub const MAX_LISTED: i64 = 200;

/// A periodic report as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodReportView {
    pub id: i64,
    /// `2026-11`, `2026-Q4`, `2026` or `2026-11-01..2026-11-15`.
    pub period: String,
    pub from: String,
    pub to: String,
    /// In Indonesian: `November 2026`.
    pub label: String,
    /// `LAPORAN BULANAN PENANGANAN INSIDEN SIBER`.
    pub title: String,
    /// `draft` or `issued`.
    pub status: String,
    pub narrative: String,
    pub tlp: String,
    pub number: Option<String>,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    pub issued_by: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
    /// The code of the public verification link, once issued.
    pub verify_code: Option<String>,
}

/// The period a report is asked for.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewPeriodReportRequest {
    /// `2026-11`, `2026-Q4`, `2026`; or `from` and `to`.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A draft's narrative.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NarrativeRequest {
    /// The CSIRT lead's words (paragraphs separated by an empty line), at most 8,000
    /// characters.
    pub narrative: String,
}

fn may_write(role: Role) -> bool {
    matches!(role, Role::Csirt | Role::Admin)
}

/// The key a period is stored under.
fn key_of(period: &Period) -> String {
    period
        .key()
        .unwrap_or_else(|| format!("{}..{}", period.from, period.to))
}

/// The period of a stored report.
fn period_of(row: &PeriodReportRow) -> AppResult<Period> {
    report_body::period_of(row).map_err(AppError::Internal)
}

fn view(row: PeriodReportRow) -> AppResult<PeriodReportView> {
    let period = period_of(&row)?;
    Ok(PeriodReportView {
        id: row.id,
        label: period.label_id(),
        title: report_body::title(period.kind),
        period: row.period,
        from: row.period_from,
        to: row.period_to,
        status: row.status,
        narrative: row.narrative,
        tlp: row.tlp.as_str().to_owned(),
        number: row.number,
        issued_at: row.issued_at.map(from_millis),
        issued_by: row.issued_by,
        created_at: from_millis(row.created_at),
        created_by: row.created_by,
        verify_code: row.verify_code,
    })
}

/// Runs `work`, auditing a refusal as `action` (on no ticket).
async fn audited<T>(
    app: &App,
    caller: &Caller,
    action: &str,
    source: Option<String>,
    work: impl Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let result = work.await;
    if let Err(e) = &result {
        audit::refused(app, caller, action, None, e, source).await;
    }
    result
}

/// The draft of the period `request` names (the one already there, draft or issued, when
/// the period has one).
pub async fn create(
    app: &App,
    caller: &Caller,
    request: &NewPeriodReportRequest,
    source: Option<String>,
) -> AppResult<PeriodReportView> {
    audited(app, caller, "create_period_report", source.clone(), async {
        if !may_write(caller.role) {
            return Err(AppError::Forbidden(
                "only the CSIRT and admins draft the periodic report".into(),
            ));
        }
        let today = app
            .now()
            .with_timezone(&sigap_core::calendar::WIB)
            .date_naive();
        let period = Period::parse(
            request.period.as_deref(),
            request.from.as_deref(),
            request.to.as_deref(),
            today,
        )
        .map_err(|e| AppError::Invalid(vec![e]))?;
        let row = draft(app, &period, (&caller.email, caller.role.as_str()), source).await?;
        view(row)
    })
    .await
}

/// Stores the draft of `period` unless it has a report, with its audit entry.
async fn draft(
    app: &App,
    period: &Period,
    (by, role): (&str, &str),
    source: Option<String>,
) -> AppResult<PeriodReportRow> {
    let key = key_of(period);
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let (row, stored) = tx
        .insert_period_report(&NewPeriodReport {
            period: &key,
            from: &from,
            to: &to,
            tlp: Tlp::Amber.as_str(),
            by,
            now,
        })
        .await?;
    if stored {
        tx.append_audit(&sigap_store::NewAuditEntry {
            at: now,
            actor: by.to_owned(),
            role: role.to_owned(),
            action: "create_period_report".to_owned(),
            ticket_number: None,
            source,
            outcome: "ok".to_owned(),
            details: json!({"id": row.id, "period": key}),
        })
        .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// The reports, newest period first.
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<PeriodReportView>> {
    if !may_read(caller.role) {
        return Err(AppError::Forbidden(
            "the periodic reports are not open to system owners".into(),
        ));
    }
    app.store
        .list_period_reports(120)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

async fn readable(app: &App, caller: &Caller, id: i64) -> AppResult<PeriodReportRow> {
    if !may_read(caller.role) {
        return Err(AppError::Forbidden(
            "the periodic reports are not open to system owners".into(),
        ));
    }
    app.store
        .get_period_report(id)
        .await?
        .ok_or_else(|| AppError::NotFound("periodic report".into()))
}

/// One report.
pub async fn get(app: &App, caller: &Caller, id: i64) -> AppResult<PeriodReportView> {
    view(readable(app, caller, id).await?)
}

/// Changes a draft's narrative.
pub async fn edit(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &NarrativeRequest,
    source: Option<String>,
) -> AppResult<PeriodReportView> {
    audited(app, caller, "edit_period_report", source, async {
        if !may_write(caller.role) {
            return Err(AppError::Forbidden(
                "only the CSIRT and admins edit the periodic report".into(),
            ));
        }
        let text = request.narrative.replace("\r\n", "\n");
        if text.chars().count() > MAX_NARRATIVE {
            return Err(AppError::Invalid(vec![sigap_core::FieldError::new(
                "narrative",
                format!("the narrative is at most {MAX_NARRATIVE} characters"),
            )]));
        }
        let mut tx = app.store.begin().await?;
        if tx.get_period_report(id).await?.is_none() {
            return Err(AppError::NotFound("periodic report".into()));
        }
        if !tx
            .set_period_narrative(id, text.trim(), millis(app.now()))
            .await?
        {
            return Err(AppError::Conflict(
                "the report has been issued; its narrative is fixed".into(),
            ));
        }
        let row = tx
            .get_period_report(id)
            .await?
            .ok_or_else(|| AppError::NotFound("periodic report".into()))?;
        tx.commit().await?;
        view(row)
    })
    .await
}

/// The figures and sections of `row`'s period as of now.
async fn body_of(app: &App, row: &PeriodReportRow) -> AppResult<(Dashboard, Body)> {
    let period = period_of(row)?;
    let scope = StatsScope {
        from: millis(period.start()),
        until: millis(period.end()),
        ..StatsScope::default()
    };
    let question = Question {
        period,
        scope,
        filters: super::view::FilterView::default(),
    };
    let figures = figures_of(app, &question, Section::ALL).await?;
    let closed = tickets(app, &scope, true).await?;
    let open = tickets(app, &scope, false).await?;
    let body = report_body::body(&figures, period.kind, &row.narrative, closed, open);
    Ok((figures, Body::PeriodReport(body)))
}

/// The tickets closed in the period (`closed`), or open at its end.
async fn tickets(app: &App, scope: &StatsScope, closed: bool) -> AppResult<TicketList> {
    let (rows, total) = app
        .store
        .stats_ticket_list(scope, closed, MAX_LISTED)
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| TicketLine {
            number: r.number,
            agency: r.agency.unwrap_or_else(|| "–".to_owned()),
            state: r.state.label_id().to_owned(),
            criticality: r.criticality.map_or("–", |c| c.label_id()).to_owned(),
            date: sigap_core::calendar::format_date_id(
                from_millis(r.at)
                    .with_timezone(&sigap_core::calendar::WIB)
                    .date_naive(),
            ),
        })
        .collect();
    Ok(TicketList {
        rows,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// A report's PDF to download.
#[derive(Debug, Clone)]
pub struct ReportPdf {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// The report's PDF: an issued one as it was issued; a draft rendered now as a preview
/// (marked "PRATINJAU", no number).
pub async fn pdf(app: &App, caller: &Caller, id: i64) -> AppResult<ReportPdf> {
    let row = readable(app, caller, id).await?;
    let name = format!("laporan-{}.pdf", row.period.replace("..", "_"));
    if let Some(sha) = &row.pdf_sha256 {
        let bytes = app
            .blobs
            .get(sha)
            .await?
            .ok_or_else(|| AppError::Internal("the report's PDF is missing".into()))?;
        return Ok(ReportPdf {
            name,
            bytes,
            sha256: sha.clone(),
        });
    }
    let policy = app.policy().await?;
    let (_, body) = body_of(app, &row).await?;
    let pdf = standalone::preview(
        app,
        Standalone {
            policy: &policy,
            caller,
            reference: &row.period,
            tlp: row.tlp,
            now: app.now(),
            body,
        },
    )
    .await?;
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    Ok(ReportPdf {
        name,
        bytes: pdf,
        sha256,
    })
}

/// Issues a draft: numbers, renders and stores it with the figures it prints, and mails it
/// to the recipients.
pub async fn issue(
    app: &App,
    caller: &Caller,
    id: i64,
    source: Option<String>,
) -> AppResult<PeriodReportView> {
    audited(app, caller, "issue_period_report", source.clone(), async {
        if !may_write(caller.role) {
            return Err(AppError::Forbidden("only the CSIRT and admins issue the periodic report".into()));
        }
        let row = readable(app, caller, id).await?;
        if row.status != "draft" {
            return Err(AppError::Conflict("the report has been issued already".into()));
        }
        let policy = app.policy().await?;
        let (figures, body) = body_of(app, &row).await?;
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let numbered = standalone::issue(app, &mut tx, Standalone { policy: &policy, caller, reference: &row.period, tlp: row.tlp, now, body }).await?;
        let figures = serde_json::to_string(&figures).map_err(|e| AppError::Internal(format!("figures: {e}")))?;
        let issued = tx
            .issue_period_report(id, &IssuedReport {
                number: &numbered.number,
                year: numbered.year,
                seq: numbered.seq,
                pdf_sha256: &numbered.pdf_sha256,
                verify_code: &numbered.verify_code,
                figures: &figures,
                signed_by: &numbered.signed_by,
                draft: numbered.draft,
                by: &caller.email,
                now: millis(now),
            })
            .await?;
        if !issued {
            return Err(AppError::Conflict("the report has been issued already".into()));
        }
        super::report_mail::enqueue(app, &mut tx, id, now).await?;
        tx.append_audit(&sigap_store::NewAuditEntry {
            at: millis(now),
            actor: caller.email.clone(),
            role: caller.role.as_str().to_owned(),
            action: "issue_period_report".to_owned(),
            ticket_number: None,
            source,
            outcome: "ok".to_owned(),
            details: json!({"id": id, "period": row.period, "number": numbered.number, "sha256": numbered.pdf_sha256}),
        })
        .await?;
        let row = tx.get_period_report(id).await?.ok_or_else(|| AppError::NotFound("periodic report".into()))?;
        tx.commit().await?;
        view(row)
    })
    .await
}

/// The worker's chore: on the first working day of a month, from 07:00 WIB, the draft of the
/// month before (once; a report already there is left as it is). Answers the draft's id when
/// one was made or found.
pub async fn monthly_draft(app: &App) -> AppResult<Option<i64>> {
    let now = app.now().with_timezone(&sigap_core::calendar::WIB);
    let policy = app.policy().await?;
    let Some(day1) = now.date_naive().with_day(1) else {
        return Ok(None);
    };
    let first = if policy.calendar.is_working_day(day1) {
        day1
    } else {
        policy.calendar.next_working_day(day1)
    };
    let seven = chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default();
    if now.date_naive() != first || now.time() < seven {
        return Ok(None);
    }
    let last_month = Period::containing(PeriodKind::Month, first).previous();
    let row = draft(app, &last_month, ("sigap", "system"), None).await?;
    Ok(Some(row.id))
}
