//! The mail of a meeting: who receives it, the organiser, the event's UID, and the mail job
//! that carries the event ([`crate::outbox::invitation`]), from which the worker writes the
//! invitation, update or cancellation when it sends.

use sigap_core::{Email, TicketNumber};
use sigap_notify::{MeetingEvent, PublicUrl};
use sigap_store::{TicketRow, Tx};

use crate::outbox::invitation::{Change, MailPerson, MeetingMail};
use crate::outbox::notify::{MailJob, MailKind};
use crate::workflow::meetings::Attendee;
use crate::workflow::meetings::input::Draft;
use crate::{App, AppError, AppResult};
use sigap_core::MeetingPurpose;

/// The organiser when `SIGAP_MAIL_FROM` cannot be read as a mailbox.
const DEFAULT_ORGANIZER: &str = "BATAM-CSIRT <csirt@batam.go.id>";

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
pub(crate) fn uid(app: &App, number: &str, purpose: MeetingPurpose, n: i64) -> String {
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
        for email in crate::outbox::notify::agency_addresses(app, row.agency_id).await? {
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
    pub purpose: MeetingPurpose,
    pub uid: &'a str,
    pub sequence: i64,
    pub draft: &'a Draft,
    pub change: Change,
    /// Who gets it.
    pub to: &'a [Attendee],
    /// Who the calendar names as attendees: everyone invited after the change (the removed
    /// alone in their cancellation).
    pub listed: &'a [Attendee],
    /// Why it was called off, for a cancellation.
    pub reason: Option<&'a str>,
}

/// Enqueues the mail in the transaction of the change (nothing when it has no recipient).
pub(crate) async fn enqueue(app: &App, tx: &mut Tx, m: Mailing<'_>, now: i64) -> AppResult<()> {
    let people = persons(m.to);
    if people.is_empty() {
        return Ok(());
    }
    let meeting = MeetingMail {
        uid: m.uid.to_owned(),
        sequence: u32::try_from(m.sequence).unwrap_or(u32::MAX),
        start: m.draft.starts_at,
        end: m.draft.ends_at,
        summary: format!("{} {}", m.purpose.label_id(), m.row.number),
        location: m.draft.place.clone(),
        video_url: m.draft.video_url.clone(),
        organizer: organizer(app)?,
        attendees: persons(m.listed),
        reason: m.reason.map(str::to_owned),
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
            no_ticket_link: m.draft.agency_invited && !sigap_core::agency_told(m.row.state),
        },
    );
    // Attendees may be outside the CSIRT (the agency): no reporter's words in their mail.
    job.title = None;
    crate::outbox::notify::enqueue(app, tx, m.row.id, &job, now).await
}

/// The people of `list` with a usable address, each mailbox once: `budi@` and `BUDI@` are
/// one person.
fn persons(list: &[Attendee]) -> Vec<MailPerson> {
    let mut people: Vec<MailPerson> = Vec::new();
    for a in list {
        let Ok(email) = Email::parse(&a.email) else {
            continue;
        };
        if !people.iter().any(|p| same_address(&p.email, &email)) {
            people.push(MailPerson {
                name: a.name.clone(),
                email,
            });
        }
    }
    people
}

/// Whether two addresses name one mailbox, whatever their case.
pub(crate) fn same_address(a: &Email, b: &Email) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
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
