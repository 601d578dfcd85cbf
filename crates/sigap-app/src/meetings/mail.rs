//! The mail of a meeting: the event as a mail job's payload (serde fields, so that the
//! worker writes the invitation, update or cancellation when it sends), who receives it,
//! and the conversion to `sigap-notify`'s [`MeetingEvent`] with its iCalendar part.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{Email, TicketNumber};
use sigap_notify::{MeetingChange, MeetingEvent, MeetingPurpose, Message, Participant, PublicUrl};
use sigap_store::{TicketRow, Tx};

use crate::meetings::input::Draft;
use crate::meetings::{Attendee, Purpose};
use crate::notify::{MailJob, MailKind};
use crate::{App, AppError, AppResult};

/// The organiser when `SIGAP_MAIL_FROM` cannot be read as a mailbox.
const DEFAULT_ORGANIZER: &str = "BATAM-CSIRT <csirt@batam.go.id>";

/// What happened to the meeting, as a mail job says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Invitation,
    Update,
    Cancellation,
}

/// A person in a meeting mail; the address was checked when the meeting was scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPerson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: Email,
}

/// The calendar event of a meeting mail, as stored in the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingMail {
    pub uid: String,
    pub sequence: u32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub organizer: MailPerson,
    pub attendees: Vec<MailPerson>,
}

/// The notice for a meeting mail job.
pub(crate) fn message(change: Change, purpose: Purpose, meeting: &MeetingMail) -> Message {
    let participant = |p: &MailPerson| Participant::required(p.name.as_deref(), p.email.clone());
    let event = MeetingEvent {
        uid: meeting.uid.clone(),
        sequence: meeting.sequence,
        start: meeting.start,
        end: meeting.end,
        summary: meeting.summary.clone(),
        description: None,
        location: meeting.location.clone(),
        video_url: meeting
            .video_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok()),
        organizer: participant(&meeting.organizer),
        attendees: meeting.attendees.iter().map(participant).collect(),
    };
    Message::Meeting {
        change: match change {
            Change::Invitation => MeetingChange::Invitation,
            Change::Update => MeetingChange::Update,
            Change::Cancellation => MeetingChange::Cancellation,
        },
        purpose: match purpose {
            Purpose::Validation => MeetingPurpose::Validation,
            Purpose::Assessment => MeetingPurpose::Assessment,
            Purpose::Review => MeetingPurpose::Review,
        },
        event: Box::new(event),
    }
}

/// The organiser of every invitation: the sender of sigap's mail (`SIGAP_MAIL_FROM`), or
/// the CSIRT's own address when that cannot be read.
fn organizer(app: &App) -> AppResult<MailPerson> {
    [app.rules.mail_from.as_str(), DEFAULT_ORGANIZER]
        .iter()
        .find_map(|text| mailbox(text))
        .ok_or_else(|| AppError::Internal("no organiser address for invitations".to_owned()))
}

/// `Name <address>` or an address alone, as a person.
fn mailbox(text: &str) -> Option<MailPerson> {
    let (name, address) = match text.rsplit_once('<') {
        Some((name, rest)) => (Some(name.trim().trim_matches('"')), rest.strip_suffix('>')?),
        None => (None, text),
    };
    Some(MailPerson {
        name: name.filter(|n| !n.is_empty()).map(str::to_owned),
        email: Email::parse(address).ok()?,
    })
}

/// The host in calendar UIDs: the public address's.
pub(crate) fn uid_host(app: &App) -> String {
    PublicUrl::parse(&app.rules.public_url)
        .map(|p| p.host().to_owned())
        .unwrap_or_else(|_| "sigap.invalid".to_owned())
}

/// The UID of the `n`-th meeting of `purpose` on a ticket.
pub(crate) fn uid(app: &App, number: &str, purpose: Purpose, n: i64) -> String {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    match TicketNumber::parse(number) {
        Ok(ticket) => MeetingEvent::uid_for(&ticket, purpose.as_str(), n, &uid_host(app)),
        Err(_) => format!("{number}-{}-{n}@{}", purpose.as_str(), uid_host(app)),
    }
}

/// Everyone a meeting invites: its attendees, and the agency's addresses when the agency is
/// invited. Each address once.
pub(crate) async fn invitees(
    app: &App,
    row: &TicketRow,
    draft: &Draft,
) -> AppResult<Vec<Attendee>> {
    let mut people = draft.attendees.clone();
    if draft.agency_invited {
        for email in crate::notify::agency_addresses(app, row.agency_id).await? {
            let Ok(email) = Email::parse(&email) else {
                continue;
            };
            let email = email.as_str().to_owned();
            if !people.iter().any(|p| p.email.eq_ignore_ascii_case(&email)) {
                people.push(Attendee {
                    name: row.agency_name.clone(),
                    email,
                });
            }
        }
    }
    Ok(people)
}

/// The facts of one meeting mail.
pub(crate) struct Mailing<'a> {
    pub row: &'a TicketRow,
    pub purpose: Purpose,
    pub uid: &'a str,
    pub sequence: i64,
    pub draft: &'a Draft,
    pub change: Change,
    /// Who gets it, and who the calendar names as attendees.
    pub to: &'a [Attendee],
}

/// Enqueues the mail in the transaction of the change (nothing when it has no recipient).
pub(crate) async fn enqueue(app: &App, tx: &mut Tx, m: Mailing<'_>, now: i64) -> AppResult<()> {
    let people: Vec<MailPerson> =
        m.to.iter()
            .filter_map(|a| {
                Some(MailPerson {
                    name: a.name.clone(),
                    email: Email::parse(&a.email).ok()?,
                })
            })
            .collect();
    let meeting = MeetingMail {
        uid: m.uid.to_owned(),
        sequence: u32::try_from(m.sequence).unwrap_or(u32::MAX),
        start: m.draft.starts_at,
        end: m.draft.ends_at,
        summary: format!("{} {}", m.purpose.label_id(), m.row.number),
        location: m.draft.place.clone(),
        video_url: m.draft.video_url.clone(),
        organizer: organizer(app)?,
        attendees: people.clone(),
    };
    let to = people.iter().map(|p| p.email.as_str().to_owned()).collect();
    let mut job = MailJob::new(
        m.row,
        to,
        "id",
        MailKind::Meeting {
            change: m.change,
            purpose: m.purpose,
            meeting: Box::new(meeting),
        },
    );
    // Attendees may be outside the CSIRT (the agency): no reporter's words in their mail.
    job.title = None;
    crate::notify::enqueue(tx, m.row.id, &job, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_is_read_as_a_mailbox() {
        let p = mailbox("BATAM-CSIRT <csirt@batam.go.id>").unwrap_or_else(|| panic!("read"));
        assert_eq!(p.name.as_deref(), Some("BATAM-CSIRT"));
        assert_eq!(p.email.as_str(), "csirt@batam.go.id");
        assert!(mailbox("csirt@batam.go.id").is_some_and(|p| p.name.is_none()));
        assert!(mailbox("not an address").is_none());
    }
}
