//! Every notification of the SOP as a typed value. A [`Notification`] is a [`Message`] about
//! one ticket ([`TicketRef`]) in one language ([`MailLang`]); [`Notification::render`] turns it
//! into a subject, a plain-text body and an HTML body ([`Rendered`]).
//!
//! The rules every message keeps are enforced here, not by each caller: the ticket number is
//! in every subject; a TLP label other than `TLP:CLEAR` opens the subject and the body; the
//! model has no field for a proof of concept or for the reporter's free text (only a title
//! the caller has already sanitised), so neither can leak into mail; links can only point
//! into sigap ([`crate::PublicLink`]); and every value is HTML-escaped in one place
//! ([`render`]).

mod agency;
mod draft;
mod meeting;
mod pdp;
mod render;
mod reporter;
mod staff;

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sigap_core::{Channel, Criticality, Recommendation, Severity, State, TicketNumber};

use crate::ics::MeetingEvent;
use crate::links::PublicUrl;
use crate::messages::draft::Draft;
pub use crate::messages::meeting::{MeetingChange, MeetingPurpose};
pub use crate::messages::pdp::{PdpReader, PdpStage};
pub use crate::messages::reporter::TrackingToken;
use crate::tlp::Tlp;

/// The language of a message: Indonesian by default, English for reporters who chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MailLang {
    /// Bahasa Indonesia, in the formal register of a government office.
    #[default]
    Id,
    /// English.
    En,
}

impl MailLang {
    /// Picks the Indonesian or the English text.
    pub(crate) fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Id => id,
            Self::En => en,
        }
    }
}

impl FromStr for MailLang {
    type Err = sigap_core::UnknownValue;

    /// Reads `id` or `en` (any case, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" => Ok(Self::Id),
            "en" => Ok(Self::En),
            _ => Err(sigap_core::UnknownValue {
                value: s.to_owned(),
                expected: &["id", "en"],
            }),
        }
    }
}

/// The ticket a message is about: what every message shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    /// The ticket number, in every subject.
    pub number: TicketNumber,
    /// The ticket's TLP label.
    pub tlp: Tlp,
    /// A short title, already sanitised by the caller (never the proof of concept or the
    /// reporter's description). It is still escaped like every other value.
    pub title: Option<String>,
}

/// Which of the two lead times before the remediation deadline a reminder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// Three days before the deadline.
    ThreeDays,
    /// One day before the deadline.
    OneDay,
}

/// Who an overdue step is escalated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalation {
    /// The CSIRT lead, for the CSIRT's own steps.
    CsirtLead,
    /// The head of the agency, for the agency's remediation.
    AgencyHead,
}

/// One notification of the procedure, without its ticket and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Reporter, step 1: the report was received as a ticket.
    ReportReceived {
        /// The reporter's tracking token, when the reporter has not seen it yet (reports
        /// entered by the help desk); `None` to send the link alone.
        tracking_token: Option<TrackingToken>,
    },
    /// Reporter, after step 3: the report is valid and is being handled.
    ReportValidated,
    /// Reporter, after step 3: the report is not valid.
    ReportRejected {
        /// The CSIRT's reason.
        reason: String,
    },
    /// Reporter, after step 9: the agency fixed the vulnerability.
    VulnerabilityFixed,
    /// Reporter, after step 10: the ticket is closed.
    TicketClosed,
    /// Reporter: a comment the CSIRT addressed to the reporter.
    CsirtReply {
        /// The CSIRT's text.
        body: String,
    },
    /// Agency, step 6: the report on validation and criticality (the letter is attached).
    AgencyNotice {
        /// The agency's name.
        agency: String,
        /// The electronic system concerned.
        system: String,
        /// The criticality decided at step 4.
        criticality: Criticality,
        /// The recommendation about the ASN or unit concerned.
        recommendation: Recommendation,
        /// The end of the 7-day remediation period.
        due_at: DateTime<Utc>,
    },
    /// Agency, step 7: the remediation deadline is near.
    RemediationReminder {
        /// The agency's name.
        agency: String,
        /// The electronic system concerned.
        system: String,
        /// Which reminder this is.
        lead: Reminder,
        /// The end of the remediation period.
        due_at: DateTime<Utc>,
    },
    /// Agency, step 7: the remediation deadline has passed.
    RemediationOverdue {
        /// The agency's name.
        agency: String,
        /// The electronic system concerned.
        system: String,
        /// The deadline that passed.
        due_at: DateTime<Utc>,
    },
    /// The clock of UU PDP Pasal 46: a reminder or the escalation (see `pdp`).
    PersonalDataClock {
        /// Who reads it.
        reader: PdpReader,
        /// Where the clock is.
        stage: PdpStage,
        /// The electronic system concerned.
        system: String,
        /// When the notices are due.
        due_at: DateTime<Utc>,
        /// The notices not yet recorded.
        missing: Vec<sigap_core::pdp::NoticeRecipient>,
        /// Whether the agency has been told of the finding (SOP step 6).
        agency_told: bool,
    },
    /// Staff (the CSIRT lead): the report of a high-risk incident to the sectoral CSIRT
    /// (Peraturan BSSN 1/2024) is due soon, or overdue.
    SectoralReportClock {
        /// Whether its deadline has passed (an escalation).
        overdue: bool,
        /// When the report is due.
        due_at: DateTime<Utc>,
        /// Why the ticket goes upward.
        reasons: Vec<sigap_core::bssn::Reason>,
    },
    /// Agency, step 5 before step 6: a short notice that its system is blocked.
    SystemBlocked {
        /// The agency's name.
        agency: String,
        /// The electronic system blocked.
        system: String,
        /// When it was blocked.
        at: DateTime<Utc>,
    },
    /// Agency, step 8: the follow-up letter (attached).
    FollowUpLetter {
        /// The agency's name.
        agency: String,
        /// The electronic system concerned.
        system: String,
    },
    /// Staff (help desk and CSIRT): a new report is waiting for validation.
    NewReport {
        /// How it came in.
        channel: Channel,
        /// The severity the reporter claims.
        severity: Severity,
        /// The vulnerability type (CWE id or name).
        vulnerability_type: String,
        /// When validation is due.
        due_at: DateTime<Utc>,
    },
    /// Domain officers, step 5: a high finding is live and the system must be blocked.
    HighFindingActive {
        /// The electronic system to block.
        system: String,
        /// When the block is due.
        due_at: DateTime<Utc>,
    },
    /// Domain officer, step 10: lift the block (five minutes).
    UnblockRequested {
        /// The electronic system to unblock.
        system: String,
        /// When the unblock is due.
        due_at: DateTime<Utc>,
    },
    /// A staff member: a ticket has been assigned to them.
    Assigned {
        /// Who assigned it (their name).
        by: String,
        /// The ticket's state at the time.
        state: State,
    },
    /// A ticket's assignee: the reporter has added a message or files.
    ReporterWrote {
        /// Whether there is a message.
        message: bool,
        /// How many files came.
        files: u32,
    },
    /// A ticket's assignee (or the CSIRT): a reply by e-mail was added to the ticket.
    MailReply {
        /// From the agency (its address or a system owner), not the reporter.
        from_agency: bool,
        /// The ticket is closed: the reply is recorded and the ticket stays closed.
        closed: bool,
    },
    /// The help desk: a mail about the ticket came back undelivered.
    MailBounced {
        /// To the reporter (whose address then needs another way), not the agency.
        reporter: bool,
        /// The remote server's status, e.g. `5.1.1`.
        status: String,
    },
    /// Regional Secretary: approve the reactivation (the "> 3 reports" rule).
    ApprovalRequested {
        /// The agency's name.
        agency: String,
        /// The electronic system to reactivate.
        system: String,
        /// The agency's count of valid reports.
        valid_reports: u32,
        /// When the decision is due.
        due_at: DateTime<Utc>,
    },
    /// CSIRT lead or agency head: a step is overdue.
    OverdueEscalation {
        /// Who is told.
        to: Escalation,
        /// The state whose step is overdue.
        state: State,
        /// The deadline that passed.
        due_at: DateTime<Utc>,
    },
    /// Anyone invited: a meeting invitation, update or cancellation (with iCalendar).
    Meeting {
        /// New, changed or cancelled.
        change: MeetingChange,
        /// What the meeting is for.
        purpose: MeetingPurpose,
        /// The event itself, also sent as `text/calendar` (boxed: it is the largest message).
        event: Box<MeetingEvent>,
        /// Whether the mail links to the ticket: not when it invites an agency the SOP has
        /// not told yet (step 6), whose link would answer "not found".
        ticket_link: bool,
    },
}

/// A message ready to send: subject and the two bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, every value escaped.
    pub html: String,
}

/// A message about a ticket, in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The ticket.
    pub ticket: TicketRef,
    /// The reader's language.
    pub lang: MailLang,
    /// What to say.
    pub message: Message,
}

impl Notification {
    /// Renders subject, text and HTML; links are built on `public`.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        render::render(&self.ticket, self.lang, &self.draft(public))
    }

    /// The meeting event and calendar method, for messages that carry an invitation.
    pub fn calendar(&self) -> Option<(&MeetingEvent, crate::ics::CalendarMethod)> {
        match &self.message {
            Message::Meeting { change, event, .. } => Some((event.as_ref(), change.method())),
            _ => None,
        }
    }

    fn draft(&self, public: &PublicUrl) -> Draft {
        let c = draft::Context {
            ticket: &self.ticket,
            lang: self.lang,
            public,
        };
        match &self.message {
            Message::ReportReceived { tracking_token } => {
                reporter::received(&c, tracking_token.as_ref())
            }
            Message::ReportValidated => reporter::validated(&c),
            Message::ReportRejected { reason } => reporter::rejected(&c, reason),
            Message::VulnerabilityFixed => reporter::fixed(&c),
            Message::TicketClosed => reporter::closed(&c),
            Message::CsirtReply { body } => reporter::reply(&c, body),
            Message::AgencyNotice {
                agency,
                system,
                criticality,
                recommendation,
                due_at,
            } => agency::notice(&c, agency, system, *criticality, *recommendation, *due_at),
            Message::RemediationReminder {
                agency,
                system,
                lead,
                due_at,
            } => agency::reminder(&c, agency, system, *lead, *due_at),
            Message::RemediationOverdue {
                agency,
                system,
                due_at,
            } => agency::overdue(&c, agency, system, *due_at),
            Message::SystemBlocked { agency, system, at } => {
                agency::blocked(&c, agency, system, *at)
            }
            Message::PersonalDataClock { .. } => pdp::draft(&c, &self.message),
            Message::SectoralReportClock { .. } => pdp::sectoral(&c, &self.message),
            Message::FollowUpLetter { agency, system } => agency::follow_up(&c, agency, system),
            Message::NewReport {
                channel,
                severity,
                vulnerability_type,
                due_at,
            } => staff::new_report(&c, *channel, *severity, vulnerability_type, *due_at),
            Message::HighFindingActive { system, due_at } => {
                staff::high_finding(&c, system, *due_at)
            }
            Message::UnblockRequested { system, due_at } => staff::unblock(&c, system, *due_at),
            Message::Assigned { by, state } => staff::assigned(&c, by, *state),
            Message::ReporterWrote { message, files } => {
                staff::reporter_wrote(&c, *message, *files)
            }
            Message::MailReply {
                from_agency,
                closed,
            } => staff::mail_reply(&c, *from_agency, *closed),
            Message::MailBounced { reporter, status } => staff::mail_bounced(&c, *reporter, status),
            Message::ApprovalRequested {
                agency,
                system,
                valid_reports,
                due_at,
            } => staff::approval(&c, agency, system, *valid_reports, *due_at),
            Message::OverdueEscalation { to, state, due_at } => {
                staff::escalation(&c, *to, *state, *due_at)
            }
            Message::Meeting {
                change,
                purpose,
                event,
                ticket_link,
            } => meeting::draft(&c, *change, *purpose, event, *ticket_link),
        }
    }
}

#[cfg(test)]
mod tests;
