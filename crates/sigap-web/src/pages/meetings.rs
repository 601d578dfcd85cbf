//! The "Rapat" section of a ticket's page: its meetings (purpose, time in WIB, place or
//! link, attendees, status), a form to schedule the meeting of the current step and a
//! cancel button for those who may, posting to `sigap_app::workflow::meetings`. Both forms carry the
//! session's anti-CSRF token; a refusal shows the error page with what was wrong.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use sigap_app::Caller;
use sigap_app::views::TicketView;
use sigap_app::workflow::meetings::{
    self, CancelMeetingRequest, MeetingPurpose, MeetingStatus, MeetingView, ScheduleMeetingRequest,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, Source};
use crate::pages::csrf::staff_form;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageError, PageLang, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/{ticket_number}/meetings", post(schedule_meeting))
        .route("/meetings/{id}/cancel", post(cancel_meeting))
}

/// One meeting, ready to show.
pub struct MeetingLine {
    pub id: i64,
    pub purpose: &'static str,
    pub starts: String,
    pub ends: String,
    /// `starts` and `ends` for machines (the `datetime` of their `<time>`).
    pub starts_iso: String,
    pub ends_iso: String,
    pub place: Option<String>,
    pub video_url: Option<String>,
    pub attendees: String,
    pub status: MeetingStatus,
    pub status_label: &'static str,
    pub cancel_reason: Option<String>,
    /// Whether the caller may cancel it (it is scheduled and theirs to manage).
    pub cancellable: bool,
}

/// The meeting the schedule form creates: the purpose of the ticket's current step.
pub struct ScheduleChoice {
    pub purpose: MeetingPurpose,
    pub label: &'static str,
}

/// The section: the meetings, and the purpose the caller may schedule now, if any.
pub struct MeetingsSection {
    pub lines: Vec<MeetingLine>,
    pub schedule: Option<ScheduleChoice>,
}

fn line(lang: PageLang, caller: &Caller, m: MeetingView) -> MeetingLine {
    let manager = m.purpose.managers().contains(&caller.role);
    MeetingLine {
        id: m.id,
        purpose: lang.label(m.purpose),
        starts: lang.wib(&m.starts_at),
        ends: lang.wib(&m.ends_at),
        starts_iso: m.starts_at.to_rfc3339(),
        ends_iso: m.ends_at.to_rfc3339(),
        place: m.place,
        video_url: m.video_url,
        attendees: m
            .attendees
            .iter()
            .map(|a| match &a.name {
                Some(name) => format!("{name} <{}>", a.email),
                None => a.email.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        status_label: lang.label(m.status),
        cancellable: manager && m.status == MeetingStatus::Scheduled,
        status: m.status,
        cancel_reason: m.cancel_reason,
    }
}

/// The section for `ticket` as `caller` sees it; a failure to list is logged and shows
/// an empty list.
pub async fn section(
    state: &AppState,
    lang: PageLang,
    caller: &Caller,
    ticket: &TicketView,
) -> MeetingsSection {
    let meetings = meetings::list(&state.app, caller, &ticket.number)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "meetings of the ticket not listed");
            Vec::new()
        });
    let schedule = MeetingPurpose::for_state(ticket.state)
        .filter(|p| p.managers().contains(&caller.role))
        .map(|p| ScheduleChoice {
            purpose: p,
            label: lang.label(p),
        });
    MeetingsSection {
        lines: meetings
            .into_iter()
            .map(|m| line(lang, caller, m))
            .collect(),
        schedule,
    }
}

/// The form's fields without the anti-CSRF token as the request `T`, or the response that
/// refuses it.
fn checked_fields<T: serde::de::DeserializeOwned>(
    layout: &Layout,
    session: &sigap_app::identity::login::Session,
    body: Result<FormBody, ApiError>,
) -> Result<T, PageError> {
    let body = staff_form(session, layout, body)?;
    body.request().or_page(layout)
}

fn layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/tickets",
        lang.t("ticket.title").into_owned(),
        session,
    )
}

async fn schedule_meeting(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = layout(lang, &session);
    let request: ScheduleMeetingRequest = checked_fields(&layout, &session, body)?;
    let m = meetings::schedule(&state.app, &session.caller, &number, &request, source.0)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{}#meetings", m.ticket_number)).into_response())
}

async fn cancel_meeting(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = layout(lang, &session);
    let request: CancelMeetingRequest = checked_fields(&layout, &session, body)?;
    let id = id
        .parse::<i64>()
        .map_err(|_| sigap_app::AppError::NotFound("meeting".into()))
        .or_page(&layout)?;
    let m = meetings::cancel(&state.app, &session.caller, id, &request, source.0)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{}#meetings", m.ticket_number)).into_response())
}
