//! Meetings of the SOP's steps: the validation held as a meeting (step 3), the criticality
//! assessment (step 4) and the internal review of the follow-up (step 9). A meeting is
//! scheduled with its time, place or video link and the people invited (the agency's
//! addresses too when it is invited); each change is one transaction that writes the
//! meeting, its audit entry and its mail job: an iCalendar invitation (`REQUEST`), an
//! update with a higher `SEQUENCE` to those still invited and a cancellation to those
//! removed, or a cancellation (`CANCEL`) to all. The step that the meeting was for may
//! then name it (`meeting_id`): its records take the meeting's time, place and attendees,
//! and the meeting is `held`.

mod input;
pub(crate) mod mail;
pub(crate) mod step;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_core::{Role, TicketFacts, can_see};
use sigap_store::{MeetingRow, MeetingUpdate, NewAuditEntry, NewMeeting, TicketRow, Tx};
use utoipa::ToSchema;

use crate::access::{facts_of, parse_number};
use crate::auth::Caller;
pub use crate::outbox::invitation::{Change, MeetingMail};
pub use crate::workflow::meetings::input::{DEFAULT_MINUTES, MAX_ATTENDEES, parse_instant};
use crate::workflow::meetings::input::{Draft, read_draft, read_reason};
pub use sigap_core::{MeetingPurpose, MeetingStatus};

pub use crate::workflow::meetings::input::{
    CancelMeetingRequest, ScheduleMeetingRequest, UpdateMeetingRequest,
};
use crate::workflow::meetings::mail::{Mailing, invitees};
use crate::{App, AppError, AppResult, from_millis, millis};

/// A person invited to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attendee {
    /// The name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
}

impl Attendee {
    /// How minutes name the person: the name, else the address.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.email.clone())
    }
}

/// A meeting as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub ticket_number: String,
    /// `validation`, `assessment` or `review`.
    #[schema(value_type = String)]
    pub purpose: MeetingPurpose,
    pub round: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub video_url: Option<String>,
    pub attendees: Vec<Attendee>,
    /// Whether the agency's official address and system owners are invited too.
    pub agency_invited: bool,
    /// The iCalendar SEQUENCE of the latest mail: 0, one more for each change.
    pub sequence: i64,
    /// `scheduled`, `cancelled` or `held`.
    #[schema(value_type = String)]
    pub status: MeetingStatus,
    /// The iCalendar UID, the same for the life of the meeting.
    pub uid: String,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(row: MeetingRow) -> AppResult<MeetingView> {
    Ok(MeetingView {
        attendees: attendees_of(&row)?,
        id: row.id,
        ticket_number: row.ticket_number,
        purpose: row.purpose,
        round: row.round,
        starts_at: from_millis(row.starts_at),
        ends_at: from_millis(row.ends_at),
        place: row.place,
        video_url: row.video_url,
        agency_invited: row.agency_invited,
        sequence: row.sequence,
        status: row.status,
        uid: row.uid,
        cancel_reason: row.cancel_reason,
        created_at: from_millis(row.created_at),
        updated_at: from_millis(row.updated_at),
    })
}

pub(crate) fn attendees_of(row: &MeetingRow) -> AppResult<Vec<Attendee>> {
    serde_json::from_str(&row.attendees)
        .map_err(|e| AppError::Internal(format!("meeting {} attendees: {e}", row.id)))
}

fn draft_of(row: &MeetingRow) -> AppResult<Draft> {
    Ok(Draft {
        starts_at: from_millis(row.starts_at),
        ends_at: from_millis(row.ends_at),
        place: row.place.clone(),
        video_url: row.video_url.clone(),
        attendees: attendees_of(row)?,
        agency_invited: row.agency_invited,
    })
}

/// The meetings of a ticket, for anyone who may see the ticket.
pub async fn list(app: &App, caller: &Caller, number: &str) -> AppResult<Vec<MeetingView>> {
    let (row, _) = crate::access::visible_ticket(app, caller, number).await?;
    app.store
        .list_meetings(row.id)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

/// Schedules a meeting on ticket `number` and enqueues the invitation.
pub async fn schedule(
    app: &App,
    caller: &Caller,
    number: &str,
    request: &ScheduleMeetingRequest,
    source: Option<String>,
) -> AppResult<MeetingView> {
    let result = try_schedule(app, caller, number, request, source.clone()).await;
    audited(app, caller, "schedule_meeting", number, result, source).await
}

/// Changes a scheduled meeting and mails the update (and a cancellation to anyone removed).
pub async fn update(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &UpdateMeetingRequest,
    source: Option<String>,
) -> AppResult<MeetingView> {
    let result = try_change(app, caller, id, Some(request), None, source.clone()).await;
    let subject = meeting_subject(app, id, &result).await;
    audited(app, caller, "update_meeting", &subject, result, source).await
}

/// Calls off a scheduled meeting and mails the cancellation to everyone invited.
pub async fn cancel(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &CancelMeetingRequest,
    source: Option<String>,
) -> AppResult<MeetingView> {
    let reason = read_reason(request).map_err(AppError::Invalid);
    let result = match reason {
        Ok(reason) => try_change(app, caller, id, None, Some(reason), source.clone()).await,
        Err(e) => Err(e),
    };
    let subject = meeting_subject(app, id, &result).await;
    audited(app, caller, "cancel_meeting", &subject, result, source).await
}

/// The ticket a refusal about meeting `id` is audited under (the id when there is none).
async fn meeting_subject(app: &App, id: i64, result: &AppResult<MeetingView>) -> String {
    if result.is_ok() {
        return String::new();
    }
    match app.store.get_meeting(id).await {
        Ok(Some(meeting)) => meeting.ticket_number,
        _ => format!("meeting {id}"),
    }
}

/// Writes a refusal to the audit log, as refused actions are.
async fn audited(
    app: &App,
    caller: &Caller,
    what: &str,
    subject: &str,
    result: AppResult<MeetingView>,
    source: Option<String>,
) -> AppResult<MeetingView> {
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, subject, what, e, source).await;
    }
    result
}

/// The ticket locked for the change, when the caller may see it.
async fn locked_ticket(
    tx: &mut Tx,
    caller: &Caller,
    number: &str,
) -> AppResult<(TicketRow, TicketFacts)> {
    let number = parse_number(number)?;
    let row = tx
        .lock_ticket(number.as_str())
        .await?
        .ok_or(AppError::NotFound("ticket".into()))?;
    let facts = facts_of(&row)?;
    if !can_see(&caller.actor(), &facts) {
        return Err(AppError::NotFound("ticket".into()));
    }
    Ok((row, facts))
}

/// Refuses unless the ticket is in the state the meeting's step belongs to.
fn require_state(purpose: MeetingPurpose, facts: &TicketFacts) -> AppResult<()> {
    if facts.state == purpose.state() {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "a {} meeting is held while the ticket is `{}`; it is `{}`",
        purpose.as_str(),
        purpose.state().as_str(),
        facts.state.as_str()
    )))
}

fn require_manager(caller: &Caller, purpose: MeetingPurpose) -> AppResult<()> {
    caller.require(
        purpose.managers(),
        &format!("schedule, change or cancel {} meetings", purpose.as_str()),
    )
}

async fn try_schedule(
    app: &App,
    caller: &Caller,
    number: &str,
    request: &ScheduleMeetingRequest,
    source: Option<String>,
) -> AppResult<MeetingView> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let (row, facts) = locked_ticket(&mut tx, caller, number).await?;
    let (purpose, draft) = read_schedule(caller, request, &facts, now)?;
    require_agency(&row, &draft)?;
    let n = tx.count_meetings(row.id, purpose).await? + 1;
    let uid = mail::uid(app, &row.number, purpose, n);
    let attendees = json_of(&draft.attendees)?;
    let now_ms = millis(now);
    let id = tx
        .insert_meeting(&NewMeeting {
            ticket_id: row.id,
            purpose,
            round: row.round,
            starts_at: millis(draft.starts_at),
            ends_at: millis(draft.ends_at),
            place: draft.place.as_deref(),
            video_url: draft.video_url.as_deref(),
            attendees: &attendees,
            agency_invited: draft.agency_invited,
            uid: &uid,
            created_by: Some(caller.user_id),
            now: now_ms,
        })
        .await?;
    let to = invitees(app, &row, &draft).await?;
    let mailing = Mailing {
        row: &row,
        purpose,
        uid: &uid,
        sequence: 0,
        draft: &draft,
        change: Change::Invitation,
        to: &to,
        listed: &to,
        reason: None,
    };
    mail::enqueue(app, &mut tx, mailing, now_ms).await?;
    let meeting = tx
        .get_meeting(id)
        .await?
        .ok_or(AppError::NotFound("meeting".into()))?;
    audit(
        &mut tx,
        caller,
        "schedule_meeting",
        &meeting,
        &to,
        source,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    view(meeting)
}

/// What a caller asks to schedule: a meeting of a purpose they manage, in a state that
/// has it, and its time, place and people; every bad field is reported at once.
fn read_schedule(
    caller: &Caller,
    request: &ScheduleMeetingRequest,
    facts: &TicketFacts,
    now: DateTime<Utc>,
) -> AppResult<(MeetingPurpose, Draft)> {
    caller.require(
        &[Role::Csirt, Role::Admin, Role::Helpdesk],
        "schedule meetings",
    )?;
    let purpose = request
        .purpose
        .as_str()
        .and_then(|p| p.parse::<MeetingPurpose>().ok());
    if let Some(purpose) = purpose {
        require_manager(caller, purpose)?;
        require_state(purpose, facts)?;
    }
    match (purpose, read_draft(&request.meeting, None, now)) {
        (Some(purpose), Ok(draft)) => Ok((purpose, draft)),
        (purpose, draft) => {
            let mut errors = draft.err().unwrap_or_default();
            if purpose.is_none() {
                errors.insert(
                    0,
                    sigap_core::FieldError::new(
                        "purpose",
                        format!(
                            "`purpose` must be one of: {}",
                            MeetingPurpose::NAMES.join(", ")
                        ),
                    ),
                );
            }
            Err(AppError::Invalid(errors))
        }
    }
}

/// A scheduled meeting being changed: its ticket, what it was and who it invited, and the
/// sequence number its change takes.
struct Changing<'a> {
    row: &'a TicketRow,
    facts: &'a TicketFacts,
    purpose: MeetingPurpose,
    meeting: &'a MeetingRow,
    old: &'a Draft,
    old_to: &'a [Attendee],
    sequence: i64,
    now: DateTime<Utc>,
}

/// Moves the meeting to what `body` says: an update to who is still invited, a
/// cancellation to who no longer is. Answers who is invited now.
async fn apply_update(
    app: &App,
    tx: &mut Tx,
    c: &Changing<'_>,
    body: &UpdateMeetingRequest,
) -> AppResult<Vec<Attendee>> {
    require_state(c.purpose, c.facts)?;
    let new = read_draft(body, Some(c.old), c.now).map_err(AppError::Invalid)?;
    require_agency(c.row, &new)?;
    let now_ms = millis(c.now);
    let changed = tx
        .update_meeting(&MeetingUpdate {
            id: c.meeting.id,
            starts_at: millis(new.starts_at),
            ends_at: millis(new.ends_at),
            place: new.place.as_deref(),
            video_url: new.video_url.as_deref(),
            attendees: &json_of(&new.attendees)?,
            agency_invited: new.agency_invited,
            sequence: c.sequence,
            now: now_ms,
        })
        .await?;
    still_scheduled(changed)?;
    let new_to = invitees(app, c.row, &new).await?;
    let among = |list: &[Attendee], a: &Attendee| {
        list.iter().any(|b| b.email.eq_ignore_ascii_case(&a.email))
    };
    let (kept, added): (Vec<Attendee>, Vec<Attendee>) =
        new_to.iter().cloned().partition(|a| among(c.old_to, a));
    let removed: Vec<Attendee> = c
        .old_to
        .iter()
        .filter(|a| !among(&new_to, a))
        .cloned()
        .collect();
    // Who was invited hears of the change; who is new gets an invitation, not a "change";
    // who is no longer invited, a cancellation.
    let mails = [
        (Change::Update, &kept, &new_to),
        (Change::Invitation, &added, &new_to),
        (Change::Cancellation, &removed, &removed),
    ];
    for (change, to, listed) in mails {
        let mailing = Mailing {
            row: c.row,
            purpose: c.purpose,
            uid: &c.meeting.uid,
            sequence: c.sequence,
            draft: &new,
            change,
            to,
            listed,
            reason: None,
        };
        mail::enqueue(app, tx, mailing, now_ms).await?;
    }
    Ok(new_to)
}

/// Cancels the meeting for `reason` and tells everyone it invited. Answers who it invited.
async fn apply_cancel(
    app: &App,
    tx: &mut Tx,
    c: &Changing<'_>,
    reason: &str,
) -> AppResult<Vec<Attendee>> {
    let now_ms = millis(c.now);
    let changed = tx
        .cancel_meeting(c.meeting.id, c.sequence, reason, now_ms)
        .await?;
    still_scheduled(changed)?;
    let mailing = Mailing {
        row: c.row,
        purpose: c.purpose,
        uid: &c.meeting.uid,
        sequence: c.sequence,
        draft: c.old,
        change: Change::Cancellation,
        to: c.old_to,
        listed: c.old_to,
        reason: Some(reason),
    };
    mail::enqueue(app, tx, mailing, now_ms).await?;
    Ok(c.old_to.to_vec())
}

/// An agency can only be invited when the ticket is routed to one.
fn require_agency(row: &TicketRow, draft: &Draft) -> AppResult<()> {
    if draft.agency_invited && row.agency_id.is_none() {
        return Err(AppError::invalid(
            "agency_invited",
            "the ticket is not routed to an agency yet: there is none to invite",
        ));
    }
    Ok(())
}

fn json_of(attendees: &[Attendee]) -> AppResult<String> {
    serde_json::to_string(attendees).map_err(|e| AppError::Internal(e.to_string()))
}

/// An update (`body`) or a cancellation (`reason`) of meeting `id`.
async fn try_change(
    app: &App,
    caller: &Caller,
    id: i64,
    body: Option<&UpdateMeetingRequest>,
    reason: Option<String>,
    source: Option<String>,
) -> AppResult<MeetingView> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let before = tx
        .get_meeting(id)
        .await?
        .ok_or(AppError::NotFound("meeting".into()))?;
    let (row, facts) = locked_ticket(&mut tx, caller, &before.ticket_number)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("meeting".into()),
            other => other,
        })?;
    let purpose = before.purpose;
    require_manager(caller, purpose)?;
    if before.status != MeetingStatus::Scheduled {
        return Err(AppError::Conflict(format!(
            "the meeting is {}; only a scheduled meeting can change",
            before.status
        )));
    }
    let old = draft_of(&before)?;
    let old_to = invitees(app, &row, &old).await?;
    let changing = Changing {
        row: &row,
        facts: &facts,
        purpose,
        meeting: &before,
        old: &old,
        old_to: &old_to,
        sequence: before.sequence + 1,
        now,
    };
    let now_ms = millis(now);
    let (what, to) = match (body, reason) {
        (Some(body), _) => (
            "update_meeting",
            apply_update(app, &mut tx, &changing, body).await?,
        ),
        (None, reason) => {
            let reason = reason.unwrap_or_default();
            (
                "cancel_meeting",
                apply_cancel(app, &mut tx, &changing, &reason).await?,
            )
        }
    };
    let meeting = tx
        .get_meeting(id)
        .await?
        .ok_or(AppError::NotFound("meeting".into()))?;
    audit(&mut tx, caller, what, &meeting, &to, source, now_ms).await?;
    tx.commit().await?;
    view(meeting)
}

fn still_scheduled(changed: bool) -> AppResult<()> {
    if changed {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "the meeting is no longer scheduled".to_owned(),
        ))
    }
}

async fn audit(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    meeting: &MeetingRow,
    to: &[Attendee],
    source: Option<String>,
    now: i64,
) -> AppResult<()> {
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.to_owned(),
        ticket_number: Some(meeting.ticket_number.clone()),
        source,
        outcome: "ok".to_owned(),
        details: json!({
            "meeting_id": meeting.id,
            "purpose": meeting.purpose,
            "uid": meeting.uid,
            "sequence": meeting.sequence,
            "status": meeting.status,
            "starts_at": from_millis(meeting.starts_at),
            "ends_at": from_millis(meeting.ends_at),
            "place": meeting.place,
            "video_url": meeting.video_url,
            "agency_invited": meeting.agency_invited,
            "cancel_reason": meeting.cancel_reason,
            "mailed_to": to.iter().map(|a| a.email.as_str()).collect::<Vec<_>>(),
        }),
    })
    .await?;
    Ok(())
}
