//! Meeting messages: the invitation, update and cancellation of a meeting of the SOP
//! (validation in a meeting, criticality assessment, the step-9 internal review). The body
//! says when and where in WIB; the same event travels as a `text/calendar` part built by
//! [`crate::ics`] so that calendar clients add, move or remove it.

pub use sigap_core::MeetingPurpose;

use crate::ics::{CalendarMethod, MeetingEvent};
use crate::messages::draft::{Context, Draft};
use crate::when::format_wib_long;

/// What happened to the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingChange {
    /// A new meeting.
    Invitation,
    /// The time, place or attendees changed (send with a higher `sequence`).
    Update,
    /// The meeting is called off (send with a higher `sequence`).
    Cancellation,
}

impl MeetingChange {
    /// The iCalendar method this change is sent with.
    pub fn method(self) -> CalendarMethod {
        match self {
            Self::Invitation | Self::Update => CalendarMethod::Request,
            Self::Cancellation => CalendarMethod::Cancel,
        }
    }
}

/// The title of a meeting of `purpose` in the mail's language.
fn title(c: &Context<'_>, purpose: MeetingPurpose) -> &'static str {
    c.t(purpose.label_id(), purpose.label_en())
}

/// Writes the invitation, update or cancellation.
pub(crate) fn draft(
    c: &Context<'_>,
    change: MeetingChange,
    purpose: MeetingPurpose,
    event: &MeetingEvent,
    ticket_link: bool,
) -> Draft {
    let (subject, opening) = wording(c, change);
    let subject = format!("{subject}: {}", title(c, purpose));
    let mut facts = facts(c, purpose, event);
    if change == MeetingChange::Cancellation
        && let Some(reason) = event.comment.as_deref().filter(|r| !r.trim().is_empty())
    {
        facts.push((c.t("Alasan pembatalan", "Reason"), reason.to_owned()));
    }
    let draft = Draft::new(&subject, c.t("Yth. Bapak/Ibu,", "Dear colleague,"))
        .para(opening)
        .facts(facts);
    if ticket_link {
        draft.block(c.ticket_link())
    } else {
        draft
    }
}

fn wording(c: &Context<'_>, change: MeetingChange) -> (&'static str, &'static str) {
    match change {
        MeetingChange::Invitation => (
            c.t("Undangan rapat", "Meeting invitation"),
            c.t(
                "Dengan hormat, kami mengundang Bapak/Ibu untuk menghadiri rapat berikut. \
                 Undangan kalender terlampir.",
                "You are invited to the following meeting. A calendar invitation is \
                 attached.",
            ),
        ),
        MeetingChange::Update => (
            c.t("Perubahan jadwal rapat", "Meeting updated"),
            c.t(
                "Dengan hormat, kami sampaikan perubahan atas rapat berikut. Mohon \
                 perhatikan waktu dan tempat yang baru.",
                "The following meeting has changed. Please note the new time and place.",
            ),
        ),
        MeetingChange::Cancellation => (
            c.t("Pembatalan rapat", "Meeting cancelled"),
            c.t(
                "Dengan hormat, kami sampaikan bahwa rapat berikut dibatalkan.",
                "The following meeting has been cancelled.",
            ),
        ),
    }
}

fn facts(
    c: &Context<'_>,
    purpose: MeetingPurpose,
    event: &MeetingEvent,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        (c.t("Acara", "Agenda"), title(c, purpose).to_owned()),
        (c.t("Judul", "Title"), event.summary.clone()),
        (c.t("Mulai", "Starts"), format_wib_long(event.start, c.lang)),
        (c.t("Selesai", "Ends"), format_wib_long(event.end, c.lang)),
    ];
    if let Some(location) = &event.location {
        facts.push((c.t("Tempat", "Place"), location.clone()));
    }
    if let Some(url) = &event.video_url {
        facts.push((c.t("Tautan rapat daring", "Video call"), url.to_string()));
    }
    let organizer = event
        .organizer
        .name
        .clone()
        .unwrap_or_else(|| event.organizer.email.to_string());
    facts.push((c.t("Penyelenggara", "Organiser"), organizer));
    facts
}
