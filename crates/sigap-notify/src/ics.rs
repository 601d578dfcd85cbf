//! iCalendar (RFC 5545) for meeting invitations: one VEVENT in a VCALENDAR with
//! `METHOD:REQUEST` (invitation or update) or `METHOD:CANCEL`. Written by hand because the
//! subset is small and every byte matters to calendar clients: text values are escaped,
//! lines are folded at 75 octets without splitting a UTF-8 character, and every line ends
//! with CRLF. The UID stays the same for the life of a meeting and SEQUENCE grows with each
//! change, so that clients update the event instead of adding a new one.

use chrono::{DateTime, Utc};
use sigap_core::Email;
use url::Url;

/// The product identifier written in `PRODID`.
pub const PRODID: &str = "-//BATAM-CSIRT//sigap//ID";

/// Octets allowed on one line, CRLF excluded (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// What the calendar asks of its recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarMethod {
    /// A new meeting or a change to it.
    Request,
    /// The meeting is cancelled.
    Cancel,
}

impl CalendarMethod {
    /// The `METHOD` value, also used as the `method=` parameter of the MIME type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// The role of an attendee (`ROLE` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendeeRole {
    /// Must attend (`REQ-PARTICIPANT`).
    Required,
    /// May attend (`OPT-PARTICIPANT`).
    Optional,
}

impl AttendeeRole {
    fn as_str(self) -> &'static str {
        match self {
            Self::Required => "REQ-PARTICIPANT",
            Self::Optional => "OPT-PARTICIPANT",
        }
    }
}

/// A person in the meeting: the organiser or an attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// The display name (`CN`), if known.
    pub name: Option<String>,
    /// The mailbox.
    pub email: Email,
    /// The role, for attendees.
    pub role: AttendeeRole,
}

impl Participant {
    /// A required participant.
    pub fn required(name: Option<&str>, email: Email) -> Self {
        Self {
            name: name.map(str::to_owned),
            email,
            role: AttendeeRole::Required,
        }
    }
}

/// A meeting of the SOP (validation, assessment or the step-9 review) as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingEvent {
    /// Stable identifier for the life of the meeting; see [`MeetingEvent::uid_for`].
    pub uid: String,
    /// 0 for the invitation, one more for each update or the cancellation.
    pub sequence: u32,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// The title (`SUMMARY`).
    pub summary: String,
    /// A longer text (`DESCRIPTION`), optional.
    pub description: Option<String>,
    /// Where it is held (`LOCATION`), optional.
    pub location: Option<String>,
    /// The video-call link (`URL`), optional.
    pub video_url: Option<Url>,
    /// Who organises it.
    pub organizer: Participant,
    /// Who is invited.
    pub attendees: Vec<Participant>,
    /// A note for this message only (`COMMENT`): the reason of a cancellation.
    pub comment: Option<String>,
}

impl MeetingEvent {
    /// A UID that names the meeting: `{ticket}-{kind}-{n}@{host}`, e.g.
    /// `BCSIRT-2026-00001-review-1@sigap.batam.go.id`.
    pub fn uid_for(ticket: &sigap_core::TicketNumber, kind: &str, n: u32, host: &str) -> String {
        format!("{ticket}-{kind}-{n}@{host}")
    }

    /// The whole calendar object for `method`, stamped at `now`, with CRLF line endings.
    pub fn to_ics(&self, method: CalendarMethod, now: DateTime<Utc>) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            format!("PRODID:{PRODID}"),
            "VERSION:2.0".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", method.as_str()),
            "BEGIN:VEVENT".to_owned(),
        ];
        lines.extend(self.event_lines(method, now));
        lines.push("END:VEVENT".to_owned());
        lines.push("END:VCALENDAR".to_owned());
        lines.iter().map(|line| fold(line)).collect()
    }

    fn event_lines(&self, method: CalendarMethod, now: DateTime<Utc>) -> Vec<String> {
        let mut lines = vec![
            format!("UID:{}", escape_text(&self.uid)),
            format!("DTSTAMP:{}", utc_stamp(now)),
            format!("DTSTART:{}", utc_stamp(self.start)),
            format!("DTEND:{}", utc_stamp(self.end)),
            format!("SEQUENCE:{}", self.sequence),
            format!("SUMMARY:{}", escape_text(&self.summary)),
        ];
        let optional = [
            ("DESCRIPTION", self.description.as_deref()),
            ("LOCATION", self.location.as_deref()),
            ("COMMENT", self.comment.as_deref()),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                lines.push(format!("{name}:{}", escape_text(value)));
            }
        }
        if let Some(url) = &self.video_url {
            lines.push(format!("URL:{url}"));
        }
        lines.push(format!("ORGANIZER{}", person(&self.organizer, None)));
        for attendee in &self.attendees {
            lines.push(format!("ATTENDEE{}", person(attendee, Some(method))));
        }
        lines.push(format!("STATUS:{}", status(method)));
        lines
    }
}

fn status(method: CalendarMethod) -> &'static str {
    match method {
        CalendarMethod::Request => "CONFIRMED",
        CalendarMethod::Cancel => "CANCELLED",
    }
}

/// `;CN="Name";ROLE=...;RSVP=TRUE:mailto:addr` for an attendee, the first and last parts
/// only for the organiser.
fn person(who: &Participant, attendee_for: Option<CalendarMethod>) -> String {
    let mut out = String::new();
    if let Some(name) = who
        .name
        .as_deref()
        .map(param_value)
        .filter(|n| !n.is_empty())
    {
        out.push_str(&format!(";CN=\"{name}\""));
    }
    if let Some(method) = attendee_for {
        let rsvp = if method == CalendarMethod::Request {
            "TRUE"
        } else {
            "FALSE"
        };
        out.push_str(&format!(
            ";ROLE={};PARTSTAT=NEEDS-ACTION;RSVP={rsvp}",
            who.role.as_str()
        ));
    }
    out.push_str(&format!(":mailto:{}", who.email));
    out
}

/// A parameter value goes between double quotes, which it may not itself contain
/// (RFC 5545 §3.2); control characters are dropped too.
fn param_value(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A UTC date-time in the basic form `20260817T020000Z`.
pub fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline; a
/// carriage return or other control character is dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line folded at 75 octets (continuations start with a space, which counts),
/// never inside a UTF-8 character, each physical line ending with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_covers_the_four_specials() {
        assert_eq!(escape_text("a\\b;c,d\ne\r"), "a\\\\b\\;c\\,d\\ne");
    }

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&line);
        for physical in folded.split_terminator("\r\n") {
            assert!(physical.len() <= LINE_OCTETS, "{}", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn short_lines_are_untouched() {
        assert_eq!(fold("VERSION:2.0"), "VERSION:2.0\r\n");
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
    }
}
