//! A scheduled meeting used by its step: `validate` (method `meeting`), `assess` or
//! `review` may name the meeting (`meeting_id`) instead of writing its records again. The
//! body the step's records are read from then carries the meeting's time, place and
//! attendees, exactly as if they had been typed in, so that the records and the minutes
//! stay what they were; once the step is recorded the meeting is `held`.

use serde_json::{Map, Value, json};
use sigap_core::{Action, FieldError, format_wib};
use sigap_store::{MeetingRow, TicketRow, Tx};

use crate::workflow::meetings::{Attendee, MeetingPurpose, MeetingStatus, attendees_of};
use crate::{AppError, AppResult, from_millis, millis};

/// The meeting a step names, and the step's body with its records filled in.
#[derive(Debug)]
pub(crate) struct UsedMeeting {
    pub id: i64,
    pub body: Value,
    /// Added to the step's records: the meeting's id (and, where the records have no place
    /// for them, its time and place).
    pub records: Map<String, Value>,
}

/// Reads `meeting_id` from the body of `action`, when it has one. The meeting must be this
/// ticket's, for this step, scheduled, and begun by `now`.
pub(crate) async fn used_by_step(
    tx: &mut Tx,
    row: &TicketRow,
    action: Action,
    body: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<UsedMeeting>> {
    let Some(purpose) = MeetingPurpose::for_action(action) else {
        return Ok(None);
    };
    let Some(raw) = body.get("meeting_id").filter(|v| given(v)) else {
        return Ok(None);
    };
    let id = match raw {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let meeting = match id {
        Some(id) => tx.get_meeting(id).await?,
        None => None,
    };
    let meeting = meeting
        .filter(|m| m.ticket_id == row.id)
        .ok_or_else(|| invalid("no meeting of this ticket has this id"))?;
    check(&meeting, purpose, millis(now))?;
    let attendees = attendees_of(&meeting)?;
    let mut fields = body.as_object().cloned().unwrap_or_default();
    fields.remove("meeting_id");
    let mut records = Map::new();
    records.insert("meeting_id".into(), json!(meeting.id));
    if action == Action::Validate {
        fill_validation(&mut fields, &meeting, &attendees)?;
    } else {
        fill_attendees(&mut fields, &attendees)?;
        // The meeting's time and place are the step's, unless the step gives its own.
        fields
            .entry("held_at")
            .or_insert_with(|| json!(from_millis(meeting.starts_at)));
        let room = place(&meeting);
        if !room.is_empty() {
            fields.entry("place").or_insert_with(|| json!(room));
        }
        records.insert(
            "meeting".into(),
            json!({
                "held_at": from_millis(meeting.starts_at),
                "place": place(&meeting),
            }),
        );
    }
    Ok(Some(UsedMeeting {
        id: meeting.id,
        body: Value::Object(fields),
        records,
    }))
}

/// Marks the meeting held by the step just recorded.
pub(crate) async fn mark_held(
    tx: &mut Tx,
    used: &UsedMeeting,
    step_id: Option<i64>,
    now: i64,
) -> AppResult<()> {
    if tx.mark_meeting_held(used.id, step_id, now).await? {
        Ok(())
    } else {
        Err(invalid("the meeting is no longer scheduled"))
    }
}

fn given(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
}

fn invalid(message: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new("meeting_id", message)])
}

fn check(meeting: &MeetingRow, purpose: MeetingPurpose, now: i64) -> AppResult<()> {
    if meeting.purpose != purpose {
        return Err(invalid(&format!(
            "meeting {} is a {} meeting, not a {} meeting",
            meeting.id, meeting.purpose, purpose
        )));
    }
    if meeting.status != MeetingStatus::Scheduled {
        return Err(invalid(&format!(
            "meeting {} is {}: only a scheduled meeting can be recorded",
            meeting.id, meeting.status
        )));
    }
    if meeting.starts_at > now {
        return Err(invalid(&format!(
            "meeting {} starts at {}: record the step once it has begun",
            meeting.id,
            format_wib(from_millis(meeting.starts_at))
        )));
    }
    Ok(())
}

/// The place as the minutes name it: the room, the video link, or both.
fn place(meeting: &MeetingRow) -> String {
    match (&meeting.place, &meeting.video_url) {
        (Some(place), Some(url)) => format!("{place}; {url}"),
        (Some(place), None) => place.clone(),
        (None, Some(url)) => url.clone(),
        (None, None) => String::new(),
    }
}

fn fill_validation(
    fields: &mut Map<String, Value>,
    meeting: &MeetingRow,
    attendees: &[Attendee],
) -> AppResult<()> {
    let method = fields.get("method").and_then(Value::as_str).map(str::trim);
    if method.is_some_and(|m| !m.is_empty() && !m.eq_ignore_ascii_case("meeting")) {
        return Err(invalid(
            "`meeting_id` is for a validation held in a meeting (`method` `meeting`)",
        ));
    }
    let typed = fields
        .iter()
        .any(|(k, v)| (k == "meeting" || k.starts_with("meeting.")) && given(v));
    if typed {
        return Err(invalid(
            "give either the scheduled meeting (`meeting_id`) or the `meeting` records",
        ));
    }
    fields.retain(|k, _| !k.starts_with("meeting."));
    fields.insert("method".into(), json!("meeting"));
    fields.insert(
        "meeting".into(),
        json!({
            "held_at": from_millis(meeting.starts_at).to_rfc3339(),
            "place": place(meeting),
            "attendees": attendees.iter().map(Attendee::label).collect::<Vec<_>>(),
            "agency_invited": meeting.agency_invited,
        }),
    );
    Ok(())
}

fn fill_attendees(fields: &mut Map<String, Value>, attendees: &[Attendee]) -> AppResult<()> {
    let typed = match fields.get("attendees") {
        Some(Value::Array(items)) => !items.is_empty(),
        Some(other) => given(other),
        None => false,
    };
    if typed {
        return Err(invalid(
            "give either the scheduled meeting (`meeting_id`) or `attendees`",
        ));
    }
    fields.insert(
        "attendees".into(),
        json!(attendees.iter().map(Attendee::label).collect::<Vec<_>>()),
    );
    Ok(())
}
