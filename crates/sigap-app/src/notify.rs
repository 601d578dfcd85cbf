//! Mail to every party, through the job table (the outbox). The use cases enqueue a mail job
//! in the transaction of the step that causes it ([`enqueue`]): a refused step leaves none,
//! a committed step always has its mail. The worker ([`crate::worker::run_due`]) claims due jobs, builds
//! the message with `sigap-notify` and sends it; a transient failure is retried with
//! backoff, a permanent one (or the last attempt) marks the job `failed` with the error for
//! the admins. Mail never blocks or rolls back an action.
//!
//! A job names its recipients and what to say, not the text: the text is written when it is
//! sent, in the recipient's language. The receipt mail carries the reporter's tracking token
//! (it is shown to them once and stored nowhere else in clear); the payload is emptied of it
//! when the mail has gone.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{Criticality, Email, Recommendation, Role, TicketNumber};
use sigap_notify::{
    Envelope, Escalation, Lang, Mailer, Message, Notification, PublicUrl, Reminder, TicketRef, Tlp,
    TrackingToken,
};
use sigap_store::{JobRow, NewJob, TicketRow, Tx};

use crate::{App, AppError, AppResult, from_millis};

/// The job kind of a mail.
pub const MAIL: &str = "mail";

/// What a mail says, with the facts it needs (taken when the step happened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mail", rename_all = "snake_case")]
pub enum MailKind {
    ReportReceived {
        tracking_token: Option<String>,
    },
    ReportValidated,
    ReportRejected {
        reason: String,
    },
    TicketClosed,
    NewReport {
        channel: sigap_core::Channel,
        severity: sigap_core::Severity,
        vulnerability_type: String,
        due_at: DateTime<Utc>,
    },
    HighFinding {
        system: String,
        due_at: DateTime<Utc>,
    },
    AgencyNotice {
        agency: String,
        system: String,
        criticality: Criticality,
        recommendation: Recommendation,
        due_at: DateTime<Utc>,
    },
    UnblockRequested {
        system: String,
        due_at: DateTime<Utc>,
    },
    ApprovalRequested {
        agency: String,
        system: String,
        valid_reports: u32,
        due_at: DateTime<Utc>,
    },
    VulnerabilityFixed,
    CsirtReply {
        body: String,
    },
    FollowUpLetter {
        agency: String,
        system: String,
    },
    RemediationReminder {
        agency: String,
        system: String,
        /// `3d` or `1d` before the deadline.
        lead: String,
        due_at: DateTime<Utc>,
    },
    RemediationOverdue {
        agency: String,
        system: String,
        due_at: DateTime<Utc>,
    },
    OverdueEscalation {
        /// `csirt_lead` or `agency_head`.
        escalate_to: String,
        state: sigap_core::State,
        due_at: DateTime<Utc>,
    },
    /// An invitation, update or cancellation with its iCalendar event.
    Meeting {
        change: crate::invitation::Change,
        purpose: crate::invitation::Purpose,
        meeting: Box<crate::invitation::MeetingMail>,
    },
}

/// A mail job's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailJob {
    pub to: Vec<String>,
    /// Staff roles whose active members are added to `to` when the mail is sent (so that
    /// the step need not read the staff list in its transaction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_roles: Vec<String>,
    pub lang: String,
    pub ticket: String,
    pub tlp: Tlp,
    /// Only for the reporter and staff; never in mail to agencies.
    pub title: Option<String>,
    /// The latest document of this kind is attached as PDF.
    pub attach: Option<sigap_core::DocumentKind>,
    #[serde(flatten)]
    pub kind: MailKind,
}

impl MailJob {
    /// A mail about `row` to `to` in `lang`.
    pub fn new(row: &TicketRow, to: Vec<String>, lang: &str, kind: MailKind) -> MailJob {
        MailJob {
            to,
            to_roles: Vec::new(),
            lang: lang.to_owned(),
            ticket: row.number.clone(),
            tlp: row.tlp,
            title: Some(row.title.clone()),
            attach: None,
            kind,
        }
    }
}

/// Enqueues `mail` in the step's transaction (nothing when it has no recipient).
pub(crate) async fn enqueue(
    tx: &mut Tx,
    ticket_id: i64,
    mail: &MailJob,
    now: i64,
) -> AppResult<()> {
    if mail.to.is_empty() && mail.to_roles.is_empty() {
        return Ok(());
    }
    let payload =
        serde_json::to_string(mail).map_err(|e| AppError::Internal(format!("mail job: {e}")))?;
    tx.enqueue_job(&NewJob {
        kind: MAIL,
        payload: &payload,
        ticket_id: Some(ticket_id),
        run_at: now,
        now,
    })
    .await?;
    Ok(())
}

/// The addresses of the active staff with one of `roles`.
pub(crate) async fn staff_with(app: &App, roles: &[Role]) -> AppResult<Vec<String>> {
    Ok(crate::jobs::active_with(
        &app.store.list_users().await?,
        roles,
    ))
}

/// The agency's official address and its system owners' addresses.
pub(crate) async fn agency_addresses(app: &App, agency_id: Option<i64>) -> AppResult<Vec<String>> {
    let Some(id) = agency_id else {
        return Ok(Vec::new());
    };
    let mut to: Vec<String> = app
        .store
        .list_agencies(Some(id))
        .await?
        .into_iter()
        .filter_map(|a| a.email)
        .collect();
    to.extend(
        app.store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && u.role == Role::SystemOwner && u.agency_id == Some(id))
            .map(|u| u.email),
    );
    Ok(to)
}

/// Where outgoing mail goes, with the public address of links.
#[derive(Clone)]
pub struct MailSettings {
    pub mailer: Arc<dyn Mailer>,
    pub public: PublicUrl,
}

fn message(kind: &MailKind) -> Message {
    match kind.clone() {
        MailKind::ReportReceived { tracking_token } => Message::ReportReceived {
            tracking_token: tracking_token.as_deref().and_then(TrackingToken::parse),
        },
        MailKind::ReportValidated => Message::ReportValidated,
        MailKind::ReportRejected { reason } => Message::ReportRejected { reason },
        MailKind::TicketClosed => Message::TicketClosed,
        MailKind::NewReport {
            channel,
            severity,
            vulnerability_type,
            due_at,
        } => Message::NewReport {
            channel,
            severity,
            vulnerability_type,
            due_at,
        },
        MailKind::HighFinding { system, due_at } => Message::HighFindingActive { system, due_at },
        MailKind::AgencyNotice {
            agency,
            system,
            criticality: c,
            recommendation: r,
            due_at,
        } => Message::AgencyNotice {
            agency,
            system,
            criticality: c,
            recommendation: r,
            due_at,
        },
        MailKind::UnblockRequested { system, due_at } => {
            Message::UnblockRequested { system, due_at }
        }
        MailKind::ApprovalRequested {
            agency,
            system,
            valid_reports,
            due_at,
        } => Message::ApprovalRequested {
            agency,
            system,
            valid_reports,
            due_at,
        },
        MailKind::VulnerabilityFixed => Message::VulnerabilityFixed,
        MailKind::CsirtReply { body } => Message::CsirtReply { body },
        MailKind::FollowUpLetter { agency, system } => Message::FollowUpLetter { agency, system },
        MailKind::RemediationReminder {
            agency,
            system,
            lead,
            due_at,
        } => Message::RemediationReminder {
            agency,
            system,
            lead: if lead == "1d" {
                Reminder::OneDay
            } else {
                Reminder::ThreeDays
            },
            due_at,
        },
        MailKind::RemediationOverdue {
            agency,
            system,
            due_at,
        } => Message::RemediationOverdue {
            agency,
            system,
            due_at,
        },
        MailKind::OverdueEscalation {
            escalate_to,
            state,
            due_at,
        } => Message::OverdueEscalation {
            to: if escalate_to == "agency_head" {
                Escalation::AgencyHead
            } else {
                Escalation::CsirtLead
            },
            state,
            due_at,
        },
        MailKind::Meeting {
            change,
            purpose,
            meeting,
        } => crate::invitation::message(change, purpose, &meeting),
    }
}

/// The envelope of a mail job, with its attachment read from the blob store.
async fn envelope(
    app: &App,
    public: &PublicUrl,
    mail: &MailJob,
    job_id: i64,
) -> Result<Envelope, String> {
    let to: Vec<Email> = mail
        .to
        .iter()
        .filter_map(|a| Email::parse(a).ok())
        .collect();
    let notification = Notification {
        ticket: TicketRef {
            number: TicketNumber::parse(&mail.ticket).map_err(|e| e.message.clone())?,
            tlp: mail.tlp,
            title: mail.title.clone(),
        },
        lang: if mail.lang == "en" {
            Lang::En
        } else {
            Lang::Id
        },
        message: message(&mail.kind),
    };
    let host = public.host();
    let mut envelope = Envelope::for_notification(to, &notification, public, app.now())
        .with_message_id(&format!("job-{job_id}@{host}"));
    if let Some(reply_to) = app
        .rules
        .notices
        .reply_to
        .as_deref()
        .and_then(|r| Email::parse(r).ok())
    {
        envelope = envelope.with_reply_to(reply_to);
    }
    if let Some(kind) = &mail.attach {
        let ticket = app
            .store
            .get_ticket(&mail.ticket)
            .await
            .map_err(|e| e.to_string())?;
        let docs = match ticket {
            Some(t) => app
                .store
                .list_documents(t.id)
                .await
                .map_err(|e| e.to_string())?,
            None => Vec::new(),
        };
        if let Some(doc) = docs.iter().rev().find(|d| d.kind == *kind) {
            let pdf = app
                .blobs
                .get(&doc.sha256)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(pdf) = pdf {
                let name = format!("{}.pdf", doc.number.replace('/', "-"));
                envelope = envelope.attach(&name, "application/pdf", pdf);
            }
        }
    }
    Ok(envelope)
}

/// The payload kept once the mail has gone: without the tracking token.
fn scrubbed(mut mail: MailJob) -> String {
    if let MailKind::ReportReceived { tracking_token } = &mut mail.kind {
        *tracking_token = None;
    }
    serde_json::to_string(&mail).unwrap_or_default()
}

/// The payload of a mail job without the reporter's tracking token, when it carries one;
/// for a job that ends without being sent.
pub(crate) fn without_secrets(kind: &str, payload: &str) -> Option<String> {
    if kind != MAIL {
        return None;
    }
    let mail: MailJob = serde_json::from_str(payload).ok()?;
    matches!(
        mail.kind,
        MailKind::ReportReceived {
            tracking_token: Some(_)
        }
    )
    .then(|| scrubbed(mail))
}

/// Sends one claimed mail job; answers the payload to keep, or `Err((transient, error))`
/// when it did not go.
pub(crate) async fn send(
    app: &App,
    batch: &crate::jobs::Batch,
    settings: &MailSettings,
    job: &JobRow,
) -> Result<String, (bool, String)> {
    let mut mail: MailJob =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    if !mail.to_roles.is_empty() {
        let roles: Vec<Role> = mail
            .to_roles
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect();
        let staff = batch
            .staff_with(app, &roles)
            .await
            .map_err(|e| (true, e.to_string()))?;
        mail.to.extend(staff);
        mail.to.sort();
        mail.to.dedup();
        mail.to_roles.clear();
    }
    if mail.to.is_empty() {
        // Nobody holds the role any more: nothing to send.
        return Ok(scrubbed(mail));
    }
    let envelope = envelope(app, &settings.public, &mail, job.id)
        .await
        .map_err(|e| (true, e))?;
    settings
        .mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(scrubbed(mail))
}

/// The mail a step sends: to the reporter when their report is judged or closed, to the
/// domain officers when a high finding is live or a block must be lifted, to the agency
/// with the notice letter, and to the Regional Secretary when approval is needed.
pub(crate) async fn step_mails(
    app: &App,
    row: &TicketRow,
    input: &sigap_core::ActionInput,
    outcome: &sigap_core::Outcome,
    records: &serde_json::Value,
) -> AppResult<Vec<MailJob>> {
    use sigap_core::{ActionInput as A, State};
    let due_at = row.due_at.map_or_else(|| app.now(), from_millis);
    let system = row
        .system_name
        .clone()
        .unwrap_or_else(|| row.target_host.clone());
    let agency = row.agency_name.clone().unwrap_or_else(|| "-".to_owned());
    let reporter = |kind| MailJob::new(row, vec![row.reporter_email.clone()], &row.language, kind);
    let mut mails = Vec::new();
    match input {
        A::Validate { valid: true, .. } => mails.push(reporter(MailKind::ReportValidated)),
        A::Validate {
            valid: false,
            findings,
            ..
        } => {
            mails.push(reporter(MailKind::ReportRejected {
                reason: findings.clone(),
            }));
        }
        A::Close { .. } => mails.push(reporter(MailKind::TicketClosed)),
        A::Review { fixed: true, .. } => mails.push(reporter(MailKind::VulnerabilityFixed)),
        A::Comment {
            body,
            visibility: sigap_core::Visibility::Reporter,
        } => mails.push(reporter(MailKind::CsirtReply { body: body.clone() })),
        A::SendFollowUp { .. } => {
            let to = agency_addresses(app, row.agency_id).await?;
            let mut mail = MailJob::new(
                row,
                to,
                "id",
                MailKind::FollowUpLetter {
                    agency: agency.clone(),
                    system: system.clone(),
                },
            );
            mail.title = None;
            mail.attach = Some(sigap_core::DocumentKind::LetterFollowUp);
            mails.push(mail);
        }
        A::Assess {
            criticality: Criticality::High,
            ..
        } => {
            let to = staff_with(app, &[Role::DomainOfficer]).await?;
            mails.push(MailJob::new(
                row,
                to,
                "id",
                MailKind::HighFinding {
                    system: system.clone(),
                    due_at,
                },
            ));
        }
        A::NotifyAgency { recommendation, .. } => {
            let to = agency_addresses(app, row.agency_id).await?;
            let mut mail = MailJob::new(
                row,
                to,
                "id",
                MailKind::AgencyNotice {
                    agency: agency.clone(),
                    system: system.clone(),
                    criticality: row.criticality.ok_or_else(|| {
                        AppError::Internal("the agency is told before the assessment".into())
                    })?,
                    recommendation: *recommendation,
                    due_at,
                },
            );
            // Agencies get the CSIRT's letter, never the reporter's words.
            mail.title = None;
            mail.attach = Some(sigap_core::DocumentKind::LetterNotice);
            mails.push(mail);
        }
        _ => {}
    }
    if outcome.needs_approval {
        let to = staff_with(app, &[Role::RegionalSecretary]).await?;
        let valid_reports = records
            .get("agency_valid_reports")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        mails.push(MailJob::new(
            row,
            to,
            "id",
            MailKind::ApprovalRequested {
                agency: agency.clone(),
                system: system.clone(),
                valid_reports,
                due_at,
            },
        ));
    }
    if outcome.to == State::Closing && row.blocked && !matches!(input, A::Unblock { .. }) {
        let to = staff_with(app, &[Role::DomainOfficer]).await?;
        mails.push(MailJob::new(
            row,
            to,
            "id",
            MailKind::UnblockRequested { system, due_at },
        ));
    }
    Ok(mails)
}
