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
use sigap_core::{Criticality, Email, JobKind, Recommendation, Role, TicketNumber};
use sigap_notify::{
    Envelope, MailLang, Mailer, Message, Notification, PublicUrl, Reminder, TicketRef, Tlp,
    TrackingToken,
};
use sigap_store::{JobRow, NewJob, TicketRow, Tx};

use crate::outbox::law_mail;
pub use crate::outbox::law_mail::{EscalateTo, PdpClock, SectoralClock};

use crate::outbox::threads::{self, Audience};

use crate::{App, AppError, AppResult};

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
    Assigned {
        by: String,
        state: sigap_core::State,
    },
    ReporterWrote {
        message: bool,
        files: u32,
    },
    /// A reply by e-mail was added to the ticket (`crate::inbox::thread`).
    MailReply {
        from_agency: bool,
        closed: bool,
    },
    /// A mail about the ticket came back undelivered (`crate::inbox::bounce`).
    MailBounced {
        reporter: bool,
        status: String,
    },
    SystemBlocked {
        agency: String,
        system: String,
        at: DateTime<Utc>,
    },
    CsirtReply {
        body: String,
    },
    FollowUpLetter {
        agency: String,
        system: String,
    },
    RemediationReminder(Reminding),
    RemediationOverdue(Overdue),
    /// The clock of UU PDP Pasal 46 (`crate::workflow::personal_data`).
    PersonalDataClock(PdpClock),
    /// The report to the sectoral CSIRT (`crate::workflow::sectoral_report`).
    SectoralReportClock(SectoralClock),
    OverdueEscalation(Escalating),
    /// An invitation, update or cancellation with its iCalendar event.
    Meeting {
        change: crate::outbox::invitation::Change,
        purpose: sigap_core::MeetingPurpose,
        meeting: Box<crate::outbox::invitation::MeetingMail>,
        /// Set when the mail invites an agency the SOP has not told yet (before step 6):
        /// the ticket's link would answer "not found" to it, so the mail carries none.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        no_ticket_link: bool,
    },
}

/// The agency's reminder of its remediation deadline (the fields sit beside the `mail` tag,
/// as a struct variant's would).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reminding {
    pub agency: String,
    pub system: String,
    pub lead: Lead,
    pub due_at: DateTime<Utc>,
}

/// The agency's notice that its remediation deadline has passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overdue {
    pub agency: String,
    pub system: String,
    pub due_at: DateTime<Utc>,
}

/// An overdue step, escalated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalating {
    pub escalate_to: EscalateTo,
    pub state: sigap_core::State,
    pub due_at: DateTime<Utc>,
}

/// How long before the remediation deadline a reminder is sent, as a mail job stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lead {
    #[serde(rename = "3d")]
    ThreeDays,
    #[serde(rename = "1d")]
    OneDay,
}

impl From<Lead> for Reminder {
    fn from(lead: Lead) -> Reminder {
        match lead {
            Lead::ThreeDays => Reminder::ThreeDays,
            Lead::OneDay => Reminder::OneDay,
        }
    }
}

/// A mail job's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailJob {
    pub to: Vec<String>,
    /// Staff roles whose active members are added to `to` when the mail is sent (so that
    /// the step need not read the staff list in its transaction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_roles: Vec<Role>,
    pub lang: String,
    pub ticket: String,
    pub tlp: Tlp,
    /// Only for the reporter and staff; never in mail to agencies.
    pub title: Option<String>,
    /// The latest document of this kind is attached as PDF.
    pub attach: Option<sigap_core::DocumentKind>,
    /// The Message-ID, chosen and recorded when the job is enqueued (see
    /// [`crate::outbox::threads`]); jobs of older versions have none and get one when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
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
            message_id: None,
            kind,
        }
    }
}

/// Who a mail of `kind` goes to: the party of its thread.
pub fn audience(kind: &MailKind) -> Audience {
    match kind {
        MailKind::ReportReceived { .. }
        | MailKind::ReportValidated
        | MailKind::ReportRejected { .. }
        | MailKind::TicketClosed
        | MailKind::VulnerabilityFixed
        | MailKind::CsirtReply { .. } => Audience::Reporter,
        MailKind::AgencyNotice { .. }
        | MailKind::FollowUpLetter { .. }
        | MailKind::SystemBlocked { .. }
        | MailKind::RemediationReminder(_)
        | MailKind::RemediationOverdue(_) => Audience::Agency,
        MailKind::OverdueEscalation(e) => match e.escalate_to {
            EscalateTo::AgencyHead => Audience::Agency,
            EscalateTo::CsirtLead => Audience::Staff,
        },
        MailKind::SectoralReportClock(_) => Audience::Staff,
        MailKind::PersonalDataClock(p) => match p.escalate_to {
            Some(EscalateTo::CsirtLead) => Audience::Staff,
            Some(EscalateTo::AgencyHead) | None => Audience::Agency,
        },
        MailKind::NewReport { .. }
        | MailKind::HighFinding { .. }
        | MailKind::UnblockRequested { .. }
        | MailKind::ApprovalRequested { .. }
        | MailKind::Assigned { .. }
        | MailKind::ReporterWrote { .. }
        | MailKind::MailReply { .. }
        | MailKind::MailBounced { .. } => Audience::Staff,
        MailKind::Meeting { .. } => Audience::Meeting,
    }
}

/// Enqueues `mail` in the step's transaction (nothing when it has no recipient), with its
/// Message-ID recorded for the ticket's thread with the mail's party.
pub(crate) async fn enqueue(
    app: &App,
    tx: &mut Tx,
    ticket_id: i64,
    mail: &MailJob,
    now: i64,
) -> AppResult<()> {
    if mail.to.is_empty() && mail.to_roles.is_empty() {
        return Ok(());
    }
    let message_id = threads::new_message_id(&threads::message_host(app));
    let mail = MailJob {
        message_id: Some(message_id.clone()),
        ..mail.clone()
    };
    let payload =
        serde_json::to_string(&mail).map_err(|e| AppError::Internal(format!("mail job: {e}")))?;
    tx.enqueue_mail(
        &NewJob {
            kind: JobKind::Mail,
            payload: &payload,
            ticket_id: Some(ticket_id),
            run_at: now,
            now,
        },
        &message_id,
        audience(&mail.kind).as_str(),
    )
    .await?;
    Ok(())
}

/// The addresses of the active staff with one of `roles`.
pub(crate) async fn staff_with(app: &App, roles: &[Role]) -> AppResult<Vec<String>> {
    Ok(crate::outbox::jobs::active_with(
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
pub struct MailSender {
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
        MailKind::Assigned { by, state } => Message::Assigned { by, state },
        MailKind::ReporterWrote { message, files } => Message::ReporterWrote { message, files },
        MailKind::MailReply {
            from_agency,
            closed,
        } => Message::MailReply {
            from_agency,
            closed,
        },
        MailKind::MailBounced { reporter, status } => Message::MailBounced { reporter, status },
        MailKind::SystemBlocked { agency, system, at } => {
            Message::SystemBlocked { agency, system, at }
        }
        MailKind::CsirtReply { body } => Message::CsirtReply { body },
        MailKind::FollowUpLetter { agency, system } => Message::FollowUpLetter { agency, system },
        MailKind::Meeting {
            change,
            purpose,
            meeting,
            no_ticket_link,
        } => crate::outbox::invitation::message(change, purpose, &meeting, !no_ticket_link),
        MailKind::RemediationReminder(r) => reminder(r),
        MailKind::RemediationOverdue(o) => overdue(o),
        MailKind::OverdueEscalation(e) => escalation(e),
        MailKind::PersonalDataClock(p) => law_mail::personal_data_clock(p),
        MailKind::SectoralReportClock(c) => law_mail::sectoral_clock(c),
    }
}

/// The agency's reminder of its remediation deadline.
fn reminder(r: Reminding) -> Message {
    Message::RemediationReminder {
        agency: r.agency,
        system: r.system,
        lead: r.lead.into(),
        due_at: r.due_at,
    }
}

/// The agency's notice that its remediation deadline has passed.
fn overdue(o: Overdue) -> Message {
    Message::RemediationOverdue {
        agency: o.agency,
        system: o.system,
        due_at: o.due_at,
    }
}

/// An overdue step, escalated.
fn escalation(e: Escalating) -> Message {
    Message::OverdueEscalation {
        to: e.escalate_to.into(),
        state: e.state,
        due_at: e.due_at,
    }
}

/// The envelope of a mail job, with its attachment read from the blob store.
async fn envelope(app: &App, public: &PublicUrl, mail: &MailJob) -> Result<Envelope, String> {
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
            MailLang::En
        } else {
            MailLang::Id
        },
        message: message(&mail.kind),
    };
    let message_id = match &mail.message_id {
        Some(id) => id.clone(),
        None => threads::new_message_id(public.host()),
    };
    let earlier = app
        .store
        .earlier_in_thread(&message_id)
        .await
        .map_err(|e| e.to_string())?;
    let mut envelope = Envelope::for_notification(to, &notification, public, app.now())
        .with_message_id(&message_id)
        .in_thread(thread_references(earlier));
    let audience = audience(&mail.kind);
    if let Some(reply_to) = threads::reply_address(app, &notification.ticket.number, audience) {
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

/// The `References` of a mail: the first of its thread and the few before it (a long
/// thread is not repeated in full in every header).
fn thread_references(mut earlier: Vec<String>) -> Vec<String> {
    const KEEP: usize = 5;
    if earlier.len() > KEEP {
        let tail = earlier.split_off(earlier.len() - (KEEP - 1));
        earlier.truncate(1);
        earlier.extend(tail);
    }
    earlier
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
pub(crate) fn without_secrets(kind: JobKind, payload: &str) -> Option<String> {
    if kind != JobKind::Mail {
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
    batch: &crate::outbox::jobs::Batch,
    settings: &MailSender,
    job: &JobRow,
) -> Result<String, (bool, String)> {
    let mut mail: MailJob =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    if !mail.to_roles.is_empty() {
        let staff = batch
            .staff_with(app, &mail.to_roles)
            .await
            .map_err(|e| (true, e.to_string()))?;
        mail.to.extend(staff);
        mail.to.sort_by_key(|a| a.to_ascii_lowercase());
        mail.to.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        mail.to_roles.clear();
    }
    if mail.to.is_empty() {
        // Nobody holds the role any more: nothing to send.
        return Ok(scrubbed(mail));
    }
    let envelope = envelope(app, &settings.public, &mail)
        .await
        .map_err(|e| (true, e))?;
    settings
        .mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(scrubbed(mail))
}
