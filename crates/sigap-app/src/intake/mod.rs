//! SOP steps 1 and 2: a report arrives (public form, API, or entered by the help desk for
//! a phone, e-mail or walk-in report), becomes a ticket with a gapless number in state
//! `queued`, is routed to the agency whose system's domain covers the target, and the
//! reporter receives a private tracking token. Also the reporter's own view and messages.

pub mod antispam;
mod from_mail;
pub mod receipt;

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};
use sigap_core::{Channel, Check, Criticality, FieldError, Given, Role, Severity, State, wib};
use sigap_store::{
    NewAuditEntry, NewComment, NewReport, NewTicket, StepRecordRow, SystemRow, TicketRow, Tx,
};

use crate::access::reporter_ticket;
use crate::auth::{Caller, new_secret, token_hash};
use crate::evidence::{self, Upload};
pub(crate) use crate::intake::from_mail::{enter_from_mail, enter_mailed_report};
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

/// The registered system whose domain covers `host` (the longest match), if any.
pub async fn route(tx: &mut Tx, host: &str) -> AppResult<Option<SystemRow>> {
    let labels: Vec<&str> = host.split('.').collect();
    let candidates: Vec<String> = (0..labels.len().saturating_sub(1))
        .map(|start| labels[start..].join("."))
        .collect();
    Ok(tx.find_system_covering(&candidates).await?)
}

/// Who submitted: the public (form or API) or a staff member entering a report.
#[derive(Debug, Clone)]
pub struct Intake<'a> {
    pub staff: Option<&'a Caller>,
    pub channel: Channel,
    pub source: Option<String>,
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

async fn receive(
    app: &App,
    request: &ReportRequest,
    entered_channel: Option<&Given>,
    uploads: &[Upload],
    intake: Intake<'_>,
    receipt: Option<&Receipt>,
    from_mail: Option<i64>,
) -> AppResult<FormOutcome> {
    may_enter(&intake, entered_channel)?;
    let report = sigap_core::report::check(request, entered_channel, !uploads.is_empty())
        .map_err(AppError::Invalid)?;
    let checked = evidence::check(app, uploads)?;
    // The first deadline counts working days on the holidays in force.
    let policy = app.policy().await?;
    let now = app.now();
    let token = new_secret("trk_");
    let channel = report.channel.unwrap_or(intake.channel);
    let form_key = receipt.and_then(|_| antispam::form_key(app, request));
    let mut tx = app.store.begin().await?;
    if let Some(ticket_number) = admit(&mut tx, app, &intake, request, form_key.as_deref()).await? {
        return Ok(FormOutcome::AlreadySent { ticket_number });
    }
    // The files are written only once the report is admitted: a report refused by the
    // checks above leaves nothing in the blob store.
    let files = evidence::store(app, &checked).await?;
    let system = route(&mut tx, &report.target.host).await?;
    let (number, year, seq) = next_number(app, &mut tx, now).await?;
    let due_at = app
        .rules
        .deadlines
        .due_at(&policy.calendar, State::Queued, now);
    let due_at = due_at.map(millis);
    let ticket_id = tx
        .insert_ticket(
            &NewTicket {
                number: number.as_str(),
                year,
                seq,
                state: State::Queued.as_str(),
                channel: channel.as_str(),
                agency_id: system.as_ref().map(|s| s.agency_id),
                system_id: system.as_ref().map(|s| s.id),
                created_by: intake.staff.map(|s| s.user_id),
                tracking_token_hash: &token_hash(&token),
                due_at,
                now: millis(now),
            },
            &new_report(&report),
        )
        .await?;
    keep_files(&mut tx, &intake, &files, ticket_id, from_mail, millis(now)).await?;
    let details = intake_details(channel, &report, system.as_ref(), &files, from_mail);
    audit_receipt(&mut tx, &intake, number.as_str(), details, now).await?;
    if let Some(receipt) = receipt {
        let key = form_key.as_deref();
        if let Some(ticket_number) =
            receipt::record(&mut tx, app, receipt, key, ticket_id, &token).await?
        {
            // Another request with the same form took the key first: this one stores nothing.
            return Ok(FormOutcome::AlreadySent { ticket_number });
        }
    }
    let mails = intake_mails(&report, number.as_str(), &token, channel, due_at, now);
    announce(app, &mut tx, ticket_id, number.as_str(), &mails, now).await?;
    tx.commit().await?;
    Ok(FormOutcome::Opened(receipt::submitted(
        app,
        number.as_str(),
        token,
    )))
}

/// Records a new ticket's evidence and, for a report accepted from received mail, marks
/// the message accepted.
async fn keep_files(
    tx: &mut Tx,
    intake: &Intake<'_>,
    files: &[evidence::StoredFile],
    ticket_id: i64,
    from_mail: Option<i64>,
    now: i64,
) -> AppResult<()> {
    let by = intake.staff.map(|s| s.user_id);
    evidence::record(tx, files, ticket_id, None, None, by, now).await?;
    if let Some(inbound_id) = from_mail {
        from_mail::accept(tx, intake, inbound_id, ticket_id, now).await?;
    }
    Ok(())
}

/// What the audit log says of a report received.
fn intake_details(
    channel: Channel,
    report: &CheckedReport,
    system: Option<&SystemRow>,
    files: &[evidence::StoredFile],
    from_mail: Option<i64>,
) -> Value {
    let mut details = json!({
        "channel": channel.as_str(),
        "severity": report.severity.as_str(),
        "system_id": system.map(|s| s.id),
        "evidence": evidence::audit_list(files),
    });
    if let Some(id) = from_mail {
        details["inbound_id"] = json!(id);
    }
    details
}

/// Admits a report from the public (its anti-spam checks; staff are not checked). Answers
/// the ticket that the same form already opened, if it did: then nothing is to be stored.
async fn admit(
    tx: &mut Tx,
    app: &App,
    intake: &Intake<'_>,
    request: &ReportRequest,
    form_key: Option<&str>,
) -> AppResult<Option<String>> {
    if intake.staff.is_some() {
        return Ok(None);
    }
    if let Some(ticket_number) = receipt::already_sent(tx, form_key).await? {
        return Ok(Some(ticket_number));
    }
    match antispam::admit(tx, app, intake.source.as_deref(), request).await {
        Ok(()) => Ok(None),
        // The same form sent twice at once: the first may have opened its ticket while
        // this one waited for the challenge.
        Err(e) => match receipt::already_sent(tx, form_key).await? {
            Some(ticket_number) => Ok(Some(ticket_number)),
            None => Err(e),
        },
    }
}

/// The next ticket number of the year (in WIB), gapless: the number, its year and its
/// sequence in the year.
async fn next_number(
    app: &App,
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> AppResult<(sigap_core::TicketNumber, i64, i64)> {
    let year = i64::from(now.with_timezone(&wib()).year());
    let seq = tx.next_counter("ticket", year).await?;
    let number = sigap_core::TicketNumber::new(&app.rules.ticket_prefix, year as i32, seq as u64);
    Ok((number, year, seq))
}

/// Refuses a report entered by someone who may not: staff enter reports as the help desk
/// or the CSIRT, and only staff name the channel.
fn may_enter(intake: &Intake<'_>, entered_channel: Option<&Given>) -> AppResult<()> {
    match intake.staff {
        Some(staff) => staff.require(&[Role::Helpdesk, Role::Csirt], "enter reports"),
        None if entered_channel.is_some() => {
            Err(AppError::Forbidden("only staff enter reports".into()))
        }
        None => Ok(()),
    }
}

/// The audit entry of a received report: by the staff member who entered it, or by the
/// reporter.
async fn audit_receipt(
    tx: &mut Tx,
    intake: &Intake<'_>,
    number: &str,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (actor, role) = match intake.staff {
        Some(s) => (s.email.clone(), s.role.as_str().to_owned()),
        None => ("reporter".to_owned(), "reporter".to_owned()),
    };
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor,
        role,
        action: "submit_report".to_owned(),
        ticket_number: Some(number.to_owned()),
        source: intake.source.clone(),
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    Ok(())
}

/// Enqueues a new ticket's mail and, where webhooks are set, its first state change.
async fn announce(
    app: &App,
    tx: &mut Tx,
    ticket_id: i64,
    number: &str,
    mails: &[MailJob],
    now: DateTime<Utc>,
) -> AppResult<()> {
    for mail in mails {
        crate::outbox::notify::enqueue(app, tx, ticket_id, mail, millis(now)).await?;
    }
    if !app.rules.notices.webhooks.is_empty()
        && let Some(row) = tx.get_ticket(number).await?
    {
        let change = crate::outbox::webhooks::StateChange {
            action: "submit_report",
            from: None,
            row: &row,
            at: now,
        };
        crate::outbox::webhooks::enqueue(app, tx, &change, millis(now)).await?;
    }
    Ok(())
}

/// The mail of a new report: the receipt with the tracking link to the reporter, and the
/// notice to the help desk and the CSIRT.
fn intake_mails(
    report: &CheckedReport,
    number: &str,
    token: &str,
    channel: Channel,
    due_at: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> [MailJob; 2] {
    let mail = |to, lang: &str, kind| MailJob {
        to,
        to_roles: Vec::new(),
        lang: lang.to_owned(),
        ticket: number.to_owned(),
        tlp: sigap_core::Tlp::AmberStrict,
        title: Some(report.title.clone()),
        attach: None,
        message_id: None,
        kind,
    };
    [
        mail(
            vec![report.reporter_email.clone()],
            &report.language,
            MailKind::ReportReceived {
                tracking_token: Some(token.to_owned()),
            },
        ),
        MailJob {
            // The help desk and the CSIRT as they are when the mail goes.
            to_roles: vec![Role::Helpdesk, Role::Csirt],
            ..mail(
                Vec::new(),
                "id",
                MailKind::NewReport {
                    channel,
                    severity: report.severity,
                    vulnerability_type: report.vulnerability_type.as_str().to_owned(),
                    due_at: due_at.map_or(now, crate::from_millis),
                },
            )
        },
    ]
}

fn new_report(r: &CheckedReport) -> NewReport<'_> {
    NewReport {
        reporter_name: &r.reporter_name,
        reporter_email: &r.reporter_email,
        reporter_phone: r.reporter_phone.as_deref(),
        severity: r.severity.as_str(),
        vulnerability_type: r.vulnerability_type.as_str(),
        target_url: &r.target.url,
        target_host: &r.target.host,
        title: &r.title,
        description: &r.description,
        proof_of_concept: &r.proof_of_concept,
        evidence_text: r.evidence_text.as_deref(),
        cvss_vector: r.cvss_vector.as_deref(),
        cvss_score: r.cvss_score,
        language: &r.language,
        credit: &r.credit,
        credit_alias: r.credit_alias.as_deref(),
    }
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
