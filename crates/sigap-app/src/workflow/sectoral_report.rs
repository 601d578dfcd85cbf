//! Peraturan BSSN 1/2024 on a ticket of high risk ([`sigap_core::bssn`]): the report to the
//! sectoral CSIRT, with the national CSIRT in copy.
//!
//! - The assessment flags it "lapor ke CSIRT sektoral" in its own transaction when it is
//!   high, or records personal data affected, or the system is flagged IIV
//!   ([`open_on_assessment`]); the clock is the `law` section's hours at that moment
//!   (1×24 for an IIV system).
//! - The CSIRT records when and how it sent the report, to whom, and the recipient's
//!   reference ([`record_sent`]); that stops the clock.
//! - [`sweep`], among the worker's minute chores, reminds the CSIRT lead at half the period
//!   and escalates to the lead once it has passed, each once (`deadline_notices`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::bssn::{self, Reason, ReportNotice};
use sigap_core::{Criticality, Role};
use sigap_store::{SectoralReportRow, SectoralSent, TicketRow, Tx};

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::outbox::notify::{MailJob, MailKind, SectoralClock};
use crate::views::SectoralReportView;
use crate::workflow::deadlines::{send_notice, sweep_with};
use crate::workflow::personal_data::entry;
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

/// Who records the sending: the CSIRT, which reports upward.
const RECORD: &[Role] = &[Role::Csirt, Role::Admin];
/// Reports looked at in one sweep.
const BATCH: i64 = 200;

/// Flags `row` in the assessment's transaction when its finding is of high risk.
pub(crate) async fn open_on_assessment(
    tx: &mut Tx,
    policy: &Policy,
    row: &TicketRow,
    criticality: Criticality,
    personal_data: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let reasons = bssn::reasons(
        criticality == Criticality::High,
        personal_data,
        row.system_iiv,
    );
    if reasons.is_empty() {
        return Ok(());
    }
    let law = &policy.law;
    let iiv = reasons.contains(&Reason::Iiv);
    let due = bssn::due_at(now, iiv, law.bssn_report_hours_iiv, law.bssn_report_hours);
    let names: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
    tx.open_sectoral_report(row.id, millis(now), millis(due), &names.join(","))
        .await?;
    Ok(())
}

/// Records that the report of ticket `number` was sent (`sent_at`, `channel`, `reference`,
/// `recipient`); once.
pub async fn record_sent(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<SectoralReportView> {
    let result = try_record_sent(app, caller, number, body).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "sectoral_report_sent", e, None).await;
    }
    result
}

async fn try_record_sent(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<SectoralReportView> {
    caller.require(RECORD, "record the report to the sectoral CSIRT")?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let report = app
        .store
        .get_sectoral_report(row.id)
        .await?
        .ok_or_else(|| AppError::NotFound("report to the sectoral CSIRT".to_owned()))?;
    let now = app.now();
    let sent =
        bssn::read_sent(body, from_millis(report.started_at), now).map_err(AppError::Invalid)?;
    let mut tx = app.store.begin().await?;
    let recorded = tx
        .record_sectoral_sent(&SectoralSent {
            ticket_id: row.id,
            sent_at: millis(sent.sent_at),
            channel: sent.channel.as_str(),
            reference: &sent.reference,
            recipient: &sent.recipient,
            recorded_by: &caller.name,
            recorded_at: millis(now),
        })
        .await?;
    if !recorded {
        return Err(AppError::Conflict(
            "the report to the sectoral CSIRT is recorded as sent already".to_owned(),
        ));
    }
    let details = json!({
        "sent_at": sent.sent_at, "channel": sent.channel, "reference": sent.reference,
        "recipient": sent.recipient,
    });
    tx.append_audit(&entry(caller, &row, "sectoral_report_sent", now, details))
        .await?;
    tx.commit().await?;
    view_of(app, row.id)
        .await?
        .ok_or_else(|| AppError::Internal("the report is gone".to_owned()))
}

/// A ticket's report as its readers see it.
pub(crate) async fn view_of(app: &App, ticket_id: i64) -> AppResult<Option<SectoralReportView>> {
    Ok(app
        .store
        .get_sectoral_report(ticket_id)
        .await?
        .map(|r| view(&r, app.now())))
}

fn view(r: &SectoralReportRow, now: DateTime<Utc>) -> SectoralReportView {
    let due = from_millis(r.due_at);
    let status = sigap_core::pdp::status(due, r.sent_at.map(from_millis), now);
    SectoralReportView {
        reasons: reasons_of(r),
        started_at: from_millis(r.started_at),
        due_at: due,
        status,
        status_label: status.label_id().to_owned(),
        sent_at: r.sent_at.map(from_millis),
        channel: r.channel.as_deref().and_then(|c| c.parse().ok()),
        reference: r.reference.clone(),
        recipient: r.recipient.clone(),
        recorded_by: r.recorded_by.clone(),
        bundle_sha256: r.bundle_sha256.clone(),
    }
}

fn reasons_of(r: &SectoralReportRow) -> Vec<Reason> {
    r.reasons
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Sends what the unsent reports call for at the app's clock; answers how many notices
/// were sent.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.now();
    sweep_with(
        app,
        async |tx: &mut Tx| tx.sectoral_candidates(millis(now), BATCH).await,
        async |number: &str, lead: &[String]| remind(app, number, now, lead).await,
    )
    .await
}

/// One report's notice, in one transaction: recorded, its mail enqueued, audited.
async fn remind(app: &App, number: &str, now: DateTime<Utc>, lead: &[String]) -> AppResult<bool> {
    let mut tx = app.store.begin().await?;
    let Some(row) = tx.get_ticket(number).await? else {
        return Ok(false);
    };
    let Some(report) = tx.get_sectoral_report(row.id).await? else {
        return Ok(false);
    };
    let (started, due) = (from_millis(report.started_at), from_millis(report.due_at));
    let Some(notice) = ReportNotice::due(started, due, now).filter(|_| report.sent_at.is_none())
    else {
        return Ok(false);
    };
    if !tx
        .record_notice(row.id, notice.as_str(), report.due_at, millis(now))
        .await?
    {
        return Ok(false);
    }
    let kind = MailKind::SectoralReportClock(SectoralClock {
        overdue: notice == ReportNotice::Overdue,
        due_at: due,
        reasons: reasons_of(&report),
    });
    let mails = [MailJob::new(&row, lead.to_vec(), "id", kind)];
    let details = json!({"notice": notice.as_str(), "due_at": due});
    send_notice(app, tx, &row, &mails, details, now).await
}
