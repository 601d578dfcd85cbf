//! SOP steps 1 and 2: a report arrives (public form, API, or entered by the help desk for
//! a phone, e-mail or walk-in report), becomes a ticket with a gapless number in state
//! `queued`, is routed to the agency whose system's domain covers the target, and the
//! reporter receives a private tracking token. Also the reporter's own view and messages.

pub mod antispam;
mod from_mail;
mod opening;
pub mod receipt;
pub mod rights;
pub mod rights_pdf;

use serde_json::{Value, json};
use sigap_core::{Check, Criticality, FieldError, Given, Severity, State};
use sigap_store::{NewAuditEntry, NewComment, StepRecordRow, TicketRow};

use crate::access::reporter_ticket;
use crate::evidence::{self, Upload};
pub(crate) use crate::intake::from_mail::{enter_from_mail, enter_mailed_report};
use crate::intake::opening::receive;
pub use crate::intake::opening::{Intake, route};
use crate::intake::receipt::{FormOutcome, Receipt};
use crate::outbox::notify::{MailJob, MailKind};
use crate::views::{PublicTimelineEntry, ReporterView, SubmittedReport};
use crate::views::{comment_view, evidence_view};
use crate::{App, AppError, AppResult, from_millis, millis};

pub use sigap_core::report::{CheckedReport, EnterReportRequest, MAX_POC, ReportRequest};

/// Checks every field of a report body; all errors at once (see
/// [`sigap_core::check_report`]).
pub fn check_report(body: &Value, has_files: bool, staff: bool) -> AppResult<CheckedReport> {
    sigap_core::check_report(body, has_files, staff).map_err(AppError::Invalid)
}

/// A message from the reporter, as `POST /api/v1/reports/{ticket_number}/messages` and the
/// tracking page send it (files come in `evidence` with `multipart/form-data`).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReporterMessageRequest {
    /// Required unless files are attached.
    #[schema(value_type = Option<String>)]
    pub message: Given,
}

/// Receives a report from the public (the form or the API) and opens its ticket (SOP steps
/// 1-2) in one transaction.
pub async fn submit_report(
    app: &App,
    request: &ReportRequest,
    uploads: &[Upload],
    intake: Intake<'_>,
) -> AppResult<SubmittedReport> {
    // A staff member names the channel: see `enter_report`.
    let channel = intake.staff.map(|_| &Given::ABSENT);
    opened(receive(app, request, channel, uploads, intake, None, None).await?)
}

/// Receives a report sent with the public form, as [`submit_report`] does, and keeps its
/// receipt for the confirmation page (see [`receipt`]); the same form sent again opens no
/// second ticket.
pub async fn submit_form_report(
    app: &App,
    request: &ReportRequest,
    uploads: &[Upload],
    intake: Intake<'_>,
    receipt: &Receipt,
) -> AppResult<FormOutcome> {
    receive(app, request, None, uploads, intake, Some(receipt), None).await
}

/// The report opened; a receipt's outcome only comes with a receipt.
fn opened(outcome: FormOutcome) -> AppResult<SubmittedReport> {
    match outcome {
        FormOutcome::Opened(submitted) => Ok(submitted),
        FormOutcome::AlreadySent { ticket_number } => Err(AppError::Internal(format!(
            "a report without a receipt was taken for ticket {ticket_number}"
        ))),
    }
}

/// Receives a report that a staff member enters (`intake.staff`), received through the
/// channel the request names, and opens its ticket.
pub async fn enter_report(
    app: &App,
    request: &EnterReportRequest,
    uploads: &[Upload],
    intake: Intake<'_>,
) -> AppResult<SubmittedReport> {
    opened(
        receive(
            app,
            &request.report,
            Some(&request.channel),
            uploads,
            intake,
            None,
            None,
        )
        .await?,
    )
}

/// What the reporter sees with the tracking token: state, public timeline, messages.
pub async fn reporter_view(app: &App, number: &str, token: &str) -> AppResult<ReporterView> {
    let row = reporter_ticket(app, number, token).await?;
    let state = row.state;
    let steps = app.store.list_step_records(row.id).await?;
    let mut timeline = vec![PublicTimelineEntry {
        at: from_millis(row.created_at),
        event: "received".to_owned(),
        valid: None,
        state: State::Queued,
        state_label: State::Queued.label_id().to_owned(),
    }];
    for step in steps.iter().filter(|s| s.from_state != s.to_state) {
        let to = step.to_state;
        timeline.push(PublicTimelineEntry {
            at: from_millis(step.done_at),
            event: step.action.as_str().to_owned(),
            valid: (step.action == sigap_core::Action::Validate).then_some(to != State::Rejected),
            state: to,
            state_label: to.label_id().to_owned(),
        });
    }
    let comments = app.store.list_comments(row.id).await?;
    let rejection = rejection(&steps);
    let may_contest = rejection.is_some_and(|r| !contested(&comments, r.done_at));
    let rejection_reason = rejection.and_then(reason_for_reporter);
    let messages = comments
        .into_iter()
        .filter(|c| c.visibility == sigap_core::Visibility::Reporter)
        .map(comment_view)
        .collect();
    let evidence = app
        .store
        .list_evidence(row.id)
        .await?
        .into_iter()
        .filter(|e| e.uploaded_by.is_none())
        .map(evidence_view)
        .collect();
    Ok(ReporterView {
        ticket_number: row.number,
        state,
        state_label: state.label_id().to_owned(),
        open: !state.is_terminal(),
        title: row.title,
        submitted_at: from_millis(row.created_at),
        timeline,
        messages,
        evidence,
        rejection_reason,
        may_contest,
    })
}

/// The step that rejected the report, if it was rejected (a rejection ends the ticket).
fn rejection(steps: &[StepRecordRow]) -> Option<&StepRecordRow> {
    steps.iter().rev().find(|s| s.to_state == State::Rejected)
}

/// The reason the rejecting step gave the reporter (none in a record from before it was
/// kept).
fn reason_for_reporter(step: &StepRecordRow) -> Option<String> {
    let records: Value = serde_json::from_str(&step.records).ok()?;
    records["reason_for_reporter"].as_str().map(str::to_owned)
}

/// Whether the reporter has written since `since` (their one message after a rejection).
fn contested(comments: &[sigap_store::CommentRow], since: i64) -> bool {
    comments
        .iter()
        .any(|c| c.author_kind == sigap_core::Author::Reporter && c.created_at >= since)
}

/// The reporter adds a message and/or evidence to an open ticket, or sends the one message
/// that contests a rejection (then a message is required; files may come with it).
pub async fn reporter_message(
    app: &App,
    number: &str,
    token: &str,
    request: &ReporterMessageRequest,
    uploads: &[Upload],
    source: Option<String>,
) -> AppResult<ReporterView> {
    let row = reporter_ticket(app, number, token).await?;
    let mut f = Check::default();
    let message = f.optional("message", &request.message, MAX_POC);
    if message.is_none() && uploads.is_empty() && f.errors.is_empty() {
        f.errors.push(FieldError::new(
            "message",
            "write a message or attach evidence",
        ));
    }
    if !f.errors.is_empty() {
        return Err(AppError::Invalid(f.errors));
    }
    let checked = evidence::check(app, uploads)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let current = tx
        .lock_ticket(&row.number)
        .await?
        .ok_or(AppError::NotFound("ticket".into()))?;
    if current.state.is_terminal() && !may_contest(app, &current, message.is_some()).await? {
        return Err(AppError::Conflict(
            "the ticket is closed; it takes no more messages".into(),
        ));
    }
    if let Err(e) =
        crate::intake::antispam::admit_message(&mut tx, app, row.id, source.as_deref()).await
    {
        drop(tx);
        audit_reporter_refusal(app, &row.number, source, &e).await;
        return Err(e);
    }
    let files = evidence::store(app, &checked).await?;
    let comment_id = match &message {
        Some(body) => Some(
            tx.insert_comment(&NewComment {
                ticket_id: row.id,
                author_id: None,
                author_kind: sigap_core::Author::Reporter,
                visibility: "reporter",
                body,
                now,
            })
            .await?,
        ),
        None => None,
    };
    evidence::record(&mut tx, &files, row.id, None, comment_id, None, now).await?;
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: "reporter".into(),
        role: "reporter".into(),
        action: "reporter_message".into(),
        ticket_number: Some(row.number.clone()),
        source,
        outcome: "ok".into(),
        details: json!({"message": message.is_some(), "files": files.iter().map(|f| &f.sha256).collect::<Vec<_>>()}),
    })
    .await?;
    // The assignee is told that the reporter wrote (not what: that is read in SIGAP).
    if let Some(assignee) = current.assignee_email.clone() {
        let kind = MailKind::ReporterWrote {
            message: message.is_some(),
            files: u32::try_from(files.len()).unwrap_or(u32::MAX),
        };
        let mail = MailJob::new(&current, vec![assignee], "id", kind);
        crate::outbox::notify::enqueue(app, &mut tx, row.id, &mail, now).await?;
    }
    tx.commit().await?;
    reporter_view(app, number, token).await
}

/// Whether a message to a closed ticket is the reporter's one answer to its rejection: the
/// ticket was rejected, the reporter has not written since, and the message has words.
async fn may_contest(app: &App, ticket: &TicketRow, has_words: bool) -> AppResult<bool> {
    if ticket.state != State::Rejected || !has_words {
        return Ok(false);
    }
    let steps = app.store.list_step_records(ticket.id).await?;
    let Some(rejected) = rejection(&steps) else {
        return Ok(false);
    };
    let comments = app.store.list_comments(ticket.id).await?;
    Ok(!contested(&comments, rejected.done_at))
}

/// Writes a reporter's refused message to the audit log in its own transaction; a failure
/// here is logged and does not hide the refusal.
async fn audit_reporter_refusal(app: &App, number: &str, source: Option<String>, e: &AppError) {
    let entry = NewAuditEntry {
        at: millis(app.now()),
        actor: "reporter".into(),
        role: "reporter".into(),
        action: "reporter_message".into(),
        ticket_number: Some(number.to_owned()),
        source,
        outcome: "refused:429".into(),
        details: json!({ "error": e.to_string() }),
    };
    crate::audit::append_refusal(app, &entry).await;
}

/// The SOP level a reporter's claimed severity suggests (for display; the CSIRT decides).
pub fn suggested_criticality(severity: Severity) -> Criticality {
    match severity {
        Severity::High | Severity::Critical => Criticality::High,
        Severity::Low | Severity::Medium => Criticality::Low,
    }
}
