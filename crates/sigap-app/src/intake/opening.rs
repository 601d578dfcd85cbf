//! Opening a ticket for a report that arrives (SOP steps 1-2): the checks, then one write
//! that takes the next number, routes, records the files, audits and enqueues the mail. The
//! writes of reports arriving together share one transaction ([`crate::group`]).

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};
use sigap_core::{Channel, Given, Role, State, wib};
use sigap_store::{NewAuditEntry, NewReport, NewTicket, SystemRow, Tx};

use super::antispam;
use super::receipt::{self, FormOutcome, Receipt};
use crate::auth::{Caller, new_secret, token_hash};
use crate::evidence::{self, Upload};
use crate::group::Keep;
use crate::outbox::notify::{MailJob, MailKind};
use crate::{App, AppError, AppResult, millis};

use sigap_core::report::{CheckedReport, ReportRequest};

/// The registered system whose domain covers `host` (the longest match), if any. Read
/// before the report's write, outside the serial part of the intake: a system registered
/// or disabled in the same instant may or may not be seen, as it would a moment earlier.
pub async fn route(app: &App, host: &str) -> AppResult<Option<SystemRow>> {
    let labels: Vec<&str> = host.split('.').collect();
    let candidates: Vec<String> = (0..labels.len().saturating_sub(1))
        .map(|start| labels[start..].join("."))
        .collect();
    Ok(app.store.find_system_covering(&candidates).await?)
}

/// Who submitted: the public (form or API) or a staff member entering a report.
#[derive(Debug, Clone)]
pub struct Intake<'a> {
    pub staff: Option<&'a Caller>,
    pub channel: Channel,
    pub source: Option<String>,
}

/// What one report's write did.
enum Written {
    Opened(sigap_core::TicketNumber),
    /// The same form had opened its ticket already: nothing was kept.
    AlreadySent(String),
}

/// A report, checked, on its way to its write.
struct Incoming<'a> {
    app: &'a App,
    request: &'a ReportRequest,
    report: &'a CheckedReport,
    checked: &'a [evidence::CheckedUpload<'a>],
    intake: &'a Intake<'a>,
    receipt: Option<&'a Receipt>,
    from_mail: Option<i64>,
    system: Option<SystemRow>,
    calendar: &'a sigap_core::WorkingCalendar,
    now: DateTime<Utc>,
    token: &'a str,
    channel: Channel,
    form_key: Option<String>,
}

pub(super) async fn receive(
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
    let token = new_secret("trk_");
    let system = route(app, &report.target.host).await?;
    let incoming = Incoming {
        app,
        request,
        report: &report,
        checked: &checked,
        intake: &intake,
        receipt,
        from_mail,
        system,
        calendar: &policy.calendar,
        now: app.now(),
        token: &token,
        channel: report.channel.unwrap_or(intake.channel),
        form_key: receipt.and_then(|_| antispam::form_key(app, request)),
    };
    let written = app
        .reports
        .write(&app.store, async |tx: &mut Tx| {
            open_ticket(tx, &incoming).await
        })
        .await?;
    Ok(match written {
        Written::AlreadySent(ticket_number) => FormOutcome::AlreadySent { ticket_number },
        Written::Opened(number) => {
            FormOutcome::Opened(receipt::submitted(app, number.as_str(), token))
        }
    })
}

/// The writes of one report, in the group's transaction.
async fn open_ticket(tx: &mut Tx, r: &Incoming<'_>) -> AppResult<(Written, Keep)> {
    let (app, now) = (r.app, r.now);
    if let Some(number) = admit(tx, app, r.intake, r.request, r.form_key.as_deref()).await? {
        return Ok((Written::AlreadySent(number), Keep::Discard));
    }
    // The files are written only once the report is admitted: a report refused by the
    // checks above leaves nothing in the blob store.
    let files = evidence::store(app, r.checked).await?;
    let system = r.system.as_ref();
    let (number, year, seq) = next_number(app, tx, now).await?;
    let due_at = app.rules.deadlines.due_at(r.calendar, State::Queued, now);
    let due_at = due_at.map(millis);
    let ticket_id = tx
        .insert_ticket(
            &NewTicket {
                number: number.as_str(),
                year,
                seq,
                state: State::Queued.as_str(),
                channel: r.channel.as_str(),
                agency_id: system.as_ref().map(|s| s.agency_id),
                system_id: system.as_ref().map(|s| s.id),
                created_by: r.intake.staff.map(|s| s.user_id),
                tracking_token_hash: &token_hash(r.token),
                due_at,
                now: millis(now),
            },
            &new_report(r.report),
        )
        .await?;
    keep_files(tx, r.intake, &files, ticket_id, r.from_mail, millis(now)).await?;
    let details = intake_details(r.channel, r.report, system, &files, r.from_mail);
    audit_receipt(tx, r.intake, number.as_str(), details, now).await?;
    if let Some(receipt) = r.receipt {
        let key = r.form_key.as_deref();
        if let Some(taken) = receipt::record(tx, app, receipt, key, ticket_id, r.token).await? {
            // Another request with the same form took the key first: this one keeps nothing.
            return Ok((Written::AlreadySent(taken), Keep::Discard));
        }
    }
    let mails = intake_mails(r.report, number.as_str(), r.token, r.channel, due_at, now);
    announce(app, tx, ticket_id, number.as_str(), &mails, now).await?;
    Ok((Written::Opened(number), Keep::Commit))
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
        accept(tx, intake, inbound_id, ticket_id, now).await?;
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

/// Marks received mail message `inbound_id` accepted as ticket `ticket_id`; refused when it
/// was decided meanwhile (the transaction then writes nothing).
async fn accept(
    tx: &mut Tx,
    intake: &Intake<'_>,
    inbound_id: i64,
    ticket_id: i64,
    now: i64,
) -> AppResult<()> {
    let decided = tx
        .decide_inbound(&sigap_store::InboundDecision {
            id: inbound_id,
            status: "accepted",
            ticket_id: Some(ticket_id),
            decided_by: intake.staff.map(|s| s.user_id),
            discard_reason: None,
            now,
        })
        .await?;
    if decided {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "the message was decided meanwhile".to_owned(),
        ))
    }
}
