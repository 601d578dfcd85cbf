//! The issued periodic report mailed to its recipients (`SIGAP_REPORT_RECIPIENTS`, e.g. the
//! Kepala Dinas and the Sekretaris Daerah) with the PDF attached, as a `report` job in the
//! transaction that issues it: sent once, retried like every mail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{Email, JobKind};
use sigap_store::{JobRow, NewJob, Tx};

use crate::outbox::notify::MailSender;
use crate::{App, AppError, AppResult, from_millis, millis};

/// The payload of a report job.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReportJob {
    report_id: i64,
    to: Vec<String>,
}

/// Queues the mail of report `id` to the configured recipients (none: nothing is queued).
pub(crate) async fn enqueue(app: &App, tx: &mut Tx, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let to = app.rules.notices.report_recipients.clone();
    if to.is_empty() {
        return Ok(());
    }
    let payload = serde_json::to_string(&ReportJob { report_id: id, to })
        .map_err(|e| AppError::Internal(format!("report job: {e}")))?;
    tx.enqueue_job(&NewJob {
        kind: JobKind::Report,
        payload: &payload,
        ticket_id: None,
        run_at: millis(now),
        now: millis(now),
    })
    .await?;
    Ok(())
}

/// Sends one claimed report job: the report's PDF to its recipients.
pub(crate) async fn send(
    app: &App,
    settings: &MailSender,
    job: &JobRow,
) -> Result<String, (bool, String)> {
    let payload: ReportJob =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    let row = app
        .store
        .get_period_report(payload.report_id)
        .await
        .map_err(|e| (true, e.to_string()))?
        .ok_or_else(|| (false, format!("no periodic report {}", payload.report_id)))?;
    let (Some(number), Some(sha)) = (row.number.clone(), row.pdf_sha256.clone()) else {
        return Err((false, format!("periodic report {} is not issued", row.id)));
    };
    let pdf = app
        .blobs
        .get(&sha)
        .await
        .map_err(|e| (true, e.to_string()))?
        .ok_or_else(|| {
            (
                false,
                format!("the PDF of periodic report {} is missing", row.id),
            )
        })?;
    let to: Vec<Email> = payload
        .to
        .iter()
        .filter_map(|a| Email::parse(a).ok())
        .collect();
    if to.is_empty() {
        return Ok(job.payload.clone());
    }
    let period = super::report_body::period_of(&row).map_err(|e| (false, e))?;
    let rendered = sigap_notify::reports::PeriodReportIssued {
        title: super::report_body::title(period.kind),
        period: period.label_id(),
        number: number.clone(),
        issued_at: row.issued_at.map_or_else(|| app.now(), from_millis),
        tlp: row.tlp,
    }
    .render(&settings.public);
    let mut envelope = sigap_notify::Envelope::new(to, rendered).attach(
        &format!("laporan-{}.pdf", row.period.replace("..", "_")),
        "application/pdf",
        pdf,
    );
    envelope.date = Some(app.now());
    settings
        .mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(job.payload.clone())
}
