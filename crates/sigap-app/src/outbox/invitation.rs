//! A meeting as its mail says it, shared by the meetings that schedule it and the mail that
//! sends it: what the meeting is for ([`Purpose`]), what happened to it ([`Change`]), the
//! event as a mail job stores it ([`MeetingMail`]) and the notice `sigap-notify` writes
//! with its iCalendar part ([`message`]). This module names no other use case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{Action, Email, Role, State};
use sigap_notify::{MeetingChange, MeetingEvent, MeetingPurpose, Message, Participant};
use utoipa::ToSchema;

/// What a meeting is for; each belongs to one state of the ticket and one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Step 3, the validation held as a meeting (ticket `queued`).
    Validation,
    /// Step 4, the criticality assessment (ticket `assessing`).
    Assessment,
    /// Step 9, the internal meeting on the follow-up results (ticket `reviewing`).
    Review,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Validation, Purpose::Assessment, Purpose::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Validation => "validation",
            Purpose::Assessment => "assessment",
            Purpose::Review => "review",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }

    /// The state the ticket is in while a meeting of this purpose can be scheduled.
    pub fn state(self) -> State {
        match self {
            Purpose::Validation => State::Queued,
            Purpose::Assessment => State::Assessing,
            Purpose::Review => State::Reviewing,
        }
    }

    /// The purpose that fits a ticket in `state`, if any.
    pub fn for_state(state: State) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.state() == state)
    }

    /// The step that records a meeting of this purpose.
    pub fn action(self) -> Action {
        match self {
            Purpose::Validation => Action::Validate,
            Purpose::Assessment => Action::Assess,
            Purpose::Review => Action::Review,
        }
    }

    /// The roles that may schedule, change and cancel meetings of this purpose.
    pub fn managers(self) -> &'static [Role] {
        match self {
            Purpose::Validation => &[Role::Csirt, Role::Admin, Role::Helpdesk],
            Purpose::Assessment | Purpose::Review => &[Role::Csirt, Role::Admin],
        }
    }

    /// The title of the meeting in Indonesian (the calendar event's summary).
    pub fn label_id(self) -> &'static str {
        match self {
            Purpose::Validation => "Rapat validasi laporan",
            Purpose::Assessment => "Rapat penilaian tingkat kekritisan",
            Purpose::Review => "Rapat internal pembahasan hasil tindak lanjut",
        }
    }
}

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
