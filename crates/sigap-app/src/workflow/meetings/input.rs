//! Reading the fields of a meeting from a request body (JSON, or the text fields of a page
//! form), every problem reported at once. A meeting to schedule needs all of them; a change
//! starts from the stored meeting and replaces only the fields given.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use sigap_core::{Email, FieldError, Given, SHORT_TEXT, parse_bool, wib};
use url::Url;
use utoipa::ToSchema;

use crate::workflow::meetings::{Attendee, MeetingPurpose};

/// A field of a meeting as it came: `None` when left out, and `Some` when given, `null`
/// included: a change keeps what is left out, and clears `place` or `video_url` given as
/// `null`.
type Sent = Option<Value>;

/// Reads a field that is there, `null` included, as given.
fn sent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Sent, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The time, place and people of a meeting as `PATCH /api/v1/meetings/{id}` sends them:
/// only the fields given change (`place` or `video_url` may be cleared with `null`, as long
/// as one remains). Scheduling sends them too ([`ScheduleMeetingRequest`]).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateMeetingRequest {
    /// RFC 3339 (or `YYYY-MM-DDTHH:MM` in WIB), in the future. Required to schedule.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Sent,
    /// 15 to 480; 60 when neither this nor `ends_at` is given.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Sent,
    /// RFC 3339, instead of `duration_minutes`.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Sent,
    /// Where it is held; this, `video_url` or both.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub place: Sent,
    /// An `http` or `https` video-call link.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub video_url: Sent,
    /// 1 to 50 people, each `{name, email}` or an address; each gets the invitation. To
    /// schedule, required; in a change, the whole new list (those left out get a
    /// cancellation).
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<Vec<Attendee>>)]
    pub attendees: Sent,
    /// Invite the agency too (its official address and its system owners).
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<bool>)]
    pub agency_invited: Sent,
}

impl UpdateMeetingRequest {
    /// Whether any field is given.
    fn any_given(&self) -> bool {
        [
            &self.starts_at,
            &self.duration_minutes,
            &self.ends_at,
            &self.place,
            &self.video_url,
            &self.attendees,
            &self.agency_invited,
        ]
        .iter()
        .any(|f| f.is_some())
    }
}

/// A meeting to schedule for the ticket's current step.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScheduleMeetingRequest {
    /// `validation` (ticket `queued`), `assessment` (`assessing`) or `review` (`reviewing`).
    #[schema(value_type = MeetingPurpose)]
    pub purpose: Given,
    #[serde(flatten)]
    pub meeting: UpdateMeetingRequest,
}

/// Why a meeting is called off.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CancelMeetingRequest {
    #[schema(value_type = String)]
    pub reason: Given,
}

/// Most people invited to one meeting.
pub const MAX_ATTENDEES: usize = 50;
/// Shortest and longest meeting, in minutes.
pub const MINUTES: std::ops::RangeInclusive<i64> = 15..=480;
/// Length when none is given, in minutes.
pub const DEFAULT_MINUTES: i64 = 60;
/// Longest video link.
const URL_TEXT: usize = 500;
/// Longest cancellation reason.
pub const REASON_TEXT: usize = 2_000;

/// The time, place and people of a meeting, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub video_url: Option<String>,
    pub attendees: Vec<Attendee>,
    pub agency_invited: bool,
}

/// Reads a meeting. With `base` (a change), a missing field keeps the stored value;
/// without it, `starts_at` and `attendees` are required. `now` is the app's clock.
pub fn read_draft(
    fields: &UpdateMeetingRequest,
    base: Option<&Draft>,
    now: DateTime<Utc>,
) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let draft = read_fields(fields, base, now, &mut errors);
    match draft {
        Some(draft) if errors.is_empty() => Ok(draft),
        _ => Err(errors),
    }
}

fn read_fields(
    fields: &UpdateMeetingRequest,
    base: Option<&Draft>,
    now: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Option<Draft> {
    if base.is_some() && !fields.any_given() {
        errors.push(FieldError::new(
            "body",
            format!("give at least one of: {}", CHANGEABLE.join(", ")),
        ));
        return None;
    }
    let starts_at = read_start(fields, base, now, errors);
    let ends_at = starts_at.and_then(|start| read_end(fields, base, start, errors));
    let place = read_or_keep(&fields.place, base.map(|b| &b.place), |v| {
        read_place(v, errors)
    });
    let video_url = read_or_keep(&fields.video_url, base.map(|b| &b.video_url), |v| {
        read_video_url(v, errors)
    });
    if matches!((&place, &video_url), (Some(None), Some(None))) {
        errors.push(FieldError::new(
            "place",
            "give the meeting's `place`, its `video_url`, or both",
        ));
    }
    let attendees = match fields.attendees.as_ref().filter(|v| present(Some(v))) {
        Some(value) => read_attendees(value, errors),
        None => match base {
            Some(b) => Some(b.attendees.clone()),
            None => {
                errors.push(FieldError::new(
                    "attendees",
                    "invite at least one person: `attendees` is a list of e-mail addresses, \
                     optionally with names",
                ));
                None
            }
        },
    };
    let agency_invited = match fields.agency_invited.as_ref().filter(|v| present(Some(v))) {
        Some(value) => read_bool(value, "agency_invited", errors),
        None => Some(base.is_some_and(|b| b.agency_invited)),
    };
    Some(Draft {
        starts_at: starts_at?,
        ends_at: ends_at?,
        place: place?,
        video_url: video_url?,
        attendees: attendees?,
        agency_invited: agency_invited?,
    })
}

/// The fields a change may give.
const CHANGEABLE: &[&str] = &[
    "starts_at",
    "duration_minutes",
    "ends_at",
    "place",
    "video_url",
    "attendees",
    "agency_invited",
];

/// Whether a field was given: missing, `null` and blank text are not.
fn present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

/// A field that may be cleared: given (even as `null` or blank) it is read; missing, the
/// stored value is kept. `None` when it is wrong (the reader recorded why).
fn read_or_keep(
    field: &Sent,
    kept: Option<&Option<String>>,
    read: impl FnOnce(&Value) -> Option<Option<String>>,
) -> Option<Option<String>> {
    match field {
        Some(value) => read(value),
        None => Some(kept.cloned().flatten()),
    }
}

fn read_start(
    fields: &UpdateMeetingRequest,
    base: Option<&Draft>,
    now: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let Some(value) = fields.starts_at.as_ref().filter(|v| present(Some(v))) else {
        if let Some(base) = base {
            return Some(base.starts_at);
        }
        errors.push(FieldError::new(
            "starts_at",
            "give the start, e.g. 2026-08-12T09:00:00+07:00",
        ));
        return None;
    };
    let Some(start) = value.as_str().and_then(parse_instant) else {
        errors.push(FieldError::new(
            "starts_at",
            "`starts_at` must be a date and time such as 2026-08-12T09:00:00+07:00",
        ));
        return None;
    };
    if start <= now {
        errors.push(FieldError::new(
            "starts_at",
            "`starts_at` must be in the future",
        ));
        return None;
    }
    Some(start)
}

fn read_end(
    fields: &UpdateMeetingRequest,
    base: Option<&Draft>,
    start: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let duration = fields
        .duration_minutes
        .as_ref()
        .filter(|v| present(Some(v)));
    let end = fields.ends_at.as_ref().filter(|v| present(Some(v)));
    let minutes = match (duration, end) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                "ends_at",
                "give either `ends_at` or `duration_minutes`, not both",
            ));
            return None;
        }
        (Some(value), None) => read_minutes(value, errors)?,
        (None, Some(value)) => {
            let Some(end) = value.as_str().and_then(parse_instant) else {
                errors.push(FieldError::new(
                    "ends_at",
                    "`ends_at` must be a date and time such as 2026-08-12T10:00:00+07:00",
                ));
                return None;
            };
            (end - start).num_minutes()
        }
        (None, None) => base.map_or(DEFAULT_MINUTES, |b| (b.ends_at - b.starts_at).num_minutes()),
    };
    if !MINUTES.contains(&minutes) {
        let field = if end.is_some() {
            "ends_at"
        } else {
            "duration_minutes"
        };
        errors.push(FieldError::new(
            field,
            format!(
                "a meeting lasts {} to {} minutes",
                MINUTES.start(),
                MINUTES.end()
            ),
        ));
        return None;
    }
    Some(start + Duration::minutes(minutes))
}

fn read_minutes(value: &Value, errors: &mut Vec<FieldError>) -> Option<i64> {
    let minutes = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if minutes.is_none() {
        errors.push(FieldError::new(
            "duration_minutes",
            "`duration_minutes` must be a whole number of minutes",
        ));
    }
    minutes
}

/// RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` (what an HTML `datetime-local` input sends) as a
/// time in WIB.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|local| wib().from_local_datetime(&local).single())
        .map(|instant| instant.with_timezone(&Utc))
}

/// A short text without control characters; blank is `Some(None)`.
fn read_place(value: &Value, errors: &mut Vec<FieldError>) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) => match short_text(s) {
            Ok(text) => Some(text),
            Err(message) => {
                errors.push(FieldError::new("place", message));
                None
            }
        },
        _ => {
            errors.push(FieldError::new("place", "`place` must be text"));
            None
        }
    }
}

fn short_text(s: &str) -> Result<Option<String>, String> {
    let text = s.trim();
    if text.chars().any(char::is_control) {
        return Err("must be one line of text".to_owned());
    }
    if text.chars().count() > SHORT_TEXT {
        return Err(format!("has at most {SHORT_TEXT} characters"));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// An `http` or `https` link with a host; blank is `Some(None)`.
fn read_video_url(value: &Value, errors: &mut Vec<FieldError>) -> Option<Option<String>> {
    let text = match value {
        Value::Null => return Some(None),
        Value::String(s) if s.trim().is_empty() => return Some(None),
        Value::String(s) => s.trim(),
        _ => "",
    };
    let url = Url::parse(text).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    match url {
        Some(url) if text.len() <= URL_TEXT => Some(Some(url.to_string())),
        _ => {
            errors.push(FieldError::new(
                "video_url",
                format!(
                    "`video_url` must be an http or https link of at most {URL_TEXT} characters"
                ),
            ));
            None
        }
    }
}

fn read_bool(value: &Value, field: &str, errors: &mut Vec<FieldError>) -> Option<bool> {
    let read = match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_bool(s),
        _ => None,
    };
    if read.is_none() {
        errors.push(FieldError::new(
            field,
            format!("`{field}` must be `true` or `false`"),
        ));
    }
    read
}

/// Attendees as a JSON list (of `{name, email}` objects or of texts), or as text with one
/// person per line (`Name <address>` or just the address).
fn read_attendees(value: &Value, errors: &mut Vec<FieldError>) -> Option<Vec<Attendee>> {
    let entries: Vec<(String, Result<Attendee, String>)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("attendees[{i}]"), attendee_of(item)))
            .collect(),
        Value::String(text) => split_people(text)
            .into_iter()
            .enumerate()
            .map(|(i, line)| (format!("attendees[{i}]"), person(&line)))
            .collect(),
        _ => {
            errors.push(FieldError::new(
                "attendees",
                "`attendees` must be a list of e-mail addresses, optionally with names",
            ));
            return None;
        }
    };
    let before = errors.len();
    let mut attendees: Vec<Attendee> = Vec::new();
    for (field, entry) in entries {
        match entry {
            Ok(a)
                if attendees
                    .iter()
                    .any(|b| b.email.eq_ignore_ascii_case(&a.email)) => {}
            Ok(a) => attendees.push(a),
            Err(message) => errors.push(FieldError::new(&field, message)),
        }
    }
    if errors.len() > before {
        return None;
    }
    if attendees.is_empty() || attendees.len() > MAX_ATTENDEES {
        errors.push(FieldError::new(
            "attendees",
            format!("invite 1 to {MAX_ATTENDEES} people"),
        ));
        return None;
    }
    Some(attendees)
}

fn attendee_of(item: &Value) -> Result<Attendee, String> {
    match item {
        Value::String(text) => person(text),
        Value::Object(fields) => {
            let email = fields.get("email").and_then(Value::as_str).unwrap_or("");
            let name = match fields.get("name") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => short_text(s).map_err(|m| format!("name {m}"))?,
                Some(_) => return Err("`name` must be text".to_owned()),
            };
            Ok(Attendee {
                name,
                email: address(email)?,
            })
        }
        _ => Err("each attendee is `{\"name\", \"email\"}` or an e-mail address".to_owned()),
    }
}

/// `Name <address>` or an address alone.
fn person(text: &str) -> Result<Attendee, String> {
    let text = text.trim();
    match text.rsplit_once('<') {
        Some((name, rest)) => {
            let email = rest.strip_suffix('>').ok_or("a `<` without its `>`")?;
            let name =
                short_text(name.trim().trim_matches('"')).map_err(|m| format!("name {m}"))?;
            Ok(Attendee {
                name,
                email: address(email)?,
            })
        }
        None => Ok(Attendee {
            name: None,
            email: address(text)?,
        }),
    }
}

fn address(text: &str) -> Result<String, String> {
    Email::parse(text)
        .map(|e| e.as_str().to_owned())
        .map_err(|e| format!("`{}`: {}", text.trim(), e.message))
}

/// People given as text: one per line; a line may also hold several, separated by `;`,
/// or by `,` after an address (names such as `Budi, S.Kom.` keep their comma).
fn split_people(text: &str) -> Vec<String> {
    let mut people = Vec::new();
    for piece in text.split(['\n', ';']) {
        let mut current = String::new();
        let mut chars = piece.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '>' {
                current.push(c);
                people.push(std::mem::take(&mut current));
                while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
                    chars.next();
                }
            } else if c == ',' && !current.contains('<') && current.contains('@') {
                people.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
        }
        people.push(current);
    }
    people
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The required `reason` of a cancellation.
pub fn read_reason(request: &CancelMeetingRequest) -> Result<String, Vec<FieldError>> {
    let text = request.reason.as_str().map(str::trim);
    match text {
        Some(text) if !text.is_empty() && text.chars().count() <= REASON_TEXT => {
            Ok(text.to_owned())
        }
        Some(text) if !text.is_empty() => Err(vec![FieldError::new(
            "reason",
            format!("`reason` has at most {REASON_TEXT} characters"),
        )]),
        _ => Err(vec![FieldError::new(
            "reason",
            "say why the meeting is cancelled",
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_split_by_line_semicolon_or_after_an_address() {
        assert_eq!(
            split_people("Budi, S.Kom. <budi@x.go.id>, sari@y.go.id\nc@z.id; d@z.id"),
            [
                "Budi, S.Kom. <budi@x.go.id>",
                "sari@y.go.id",
                "c@z.id",
                "d@z.id"
            ]
        );
        assert_eq!(split_people("a@x.id, b@x.id"), ["a@x.id", "b@x.id"]);
    }

    #[test]
    fn a_person_has_an_address_and_maybe_a_name() {
        let p = person("\"Budi\" <Budi@X.go.id>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.name.as_deref(), Some("Budi"));
        assert_eq!(p.email, "Budi@x.go.id");
        assert!(person("Budi <budi>").is_err());
    }
}
