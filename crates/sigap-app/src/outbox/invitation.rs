//! A meeting as its mail says it, shared by the meetings that schedule it and the mail that
//! sends it: what happened to it ([`Change`]), the event as a mail job stores it
//! ([`MeetingMail`]) and the notice `sigap-notify` writes with its iCalendar part
//! ([`message`]). What a meeting is for is `sigap_core::MeetingPurpose`. This module names
//! no other use case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{Email, MeetingPurpose};
use sigap_notify::{MeetingChange, MeetingEvent, Message, Participant};

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
    /// Why the meeting was called off, for a cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The notice for a meeting mail job.
pub(crate) fn message(
    change: Change,
    purpose: MeetingPurpose,
    meeting: &MeetingMail,
    ticket_link: bool,
) -> Message {
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
        comment: match change {
            Change::Cancellation => meeting.reason.clone(),
            Change::Invitation | Change::Update => None,
        },
    };
    Message::Meeting {
        change: match change {
            Change::Invitation => MeetingChange::Invitation,
            Change::Update => MeetingChange::Update,
            Change::Cancellation => MeetingChange::Cancellation,
        },
        purpose,
        event: Box::new(event),
        ticket_link,
    }
}
