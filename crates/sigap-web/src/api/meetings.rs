//! Staff endpoints on the meetings of a ticket's steps: schedule one (the invitation goes
//! out as an iCalendar mail), list them, change one (an update to those still invited, a
//! cancellation to those removed) and cancel one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sigap_app::meetings::{self, Attendee, MeetingView, Purpose};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, schedule_meeting))
        .routes(routes!(update_meeting))
        .routes(routes!(cancel_meeting))
}

/// A meeting to schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ScheduleMeetingRequest {
    /// `validation` (ticket `queued`), `assessment` (`assessing`) or `review` (`reviewing`).
    pub purpose: Purpose,
    /// RFC 3339, in the future.
    pub starts_at: String,
    /// 15 to 480; 60 when neither this nor `ends_at` is given.
    pub duration_minutes: Option<i64>,
    /// RFC 3339, instead of `duration_minutes`.
    pub ends_at: Option<String>,
    /// Where it is held; this, `video_url` or both.
    pub place: Option<String>,
    /// An `http` or `https` video-call link.
    pub video_url: Option<String>,
    /// 1 to 50 people; each gets the invitation.
    pub attendees: Vec<Attendee>,
    /// Invite the agency too (its official address and its system owners).
    pub agency_invited: Option<bool>,
}

/// A change to a scheduled meeting: only the fields given change (`place` or `video_url`
/// may be cleared with `null`, as long as one remains).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct UpdateMeetingRequest {
    pub starts_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub ends_at: Option<String>,
    pub place: Option<String>,
    pub video_url: Option<String>,
    /// The whole new list; those left out get a cancellation.
    pub attendees: Option<Vec<Attendee>>,
    pub agency_invited: Option<bool>,
}

/// Why a meeting is called off.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CancelMeetingRequest {
    pub reason: String,
}

fn meeting_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>().map_err(|_| ApiError::not_found())
}

/// The meetings of a ticket, by start time.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/meetings", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    responses((status = 200, body = Vec<MeetingView>), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
async fn list_meetings(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<Vec<MeetingView>>> {
    Ok(Json(meetings::list(&state.app, &caller, &number).await?))
}

/// Schedule a meeting for the ticket's current step (csirt, admin; helpdesk for
/// validation meetings) and send the invitation (iCalendar `METHOD:REQUEST`).
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/meetings", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = ScheduleMeetingRequest, content_type = "application/json"),
    responses((status = 201, body = MeetingView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the purpose does not fit the ticket's state"),
        (status = 422, body = Problem)))]
async fn schedule_meeting(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    source: Source,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    let meeting = meetings::schedule(&state.app, &caller, &number, &body.fields, source.0).await?;
    Ok((StatusCode::CREATED, Json(meeting)))
}

/// Change a scheduled meeting's time, place, link or attendees; the update goes out with
/// the same UID and the next SEQUENCE, a cancellation to anyone removed.
#[utoipa::path(patch, path = "/api/v1/meetings/{id}", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = UpdateMeetingRequest, content_type = "application/json"),
    responses((status = 200, body = MeetingView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the meeting is no longer scheduled, or the ticket moved on"),
        (status = 422, body = Problem)))]
async fn update_meeting(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
    source: Source,
    body: FormBody,
) -> ApiResult<Json<MeetingView>> {
    let id = meeting_id(&id)?;
    Ok(Json(
        meetings::update(&state.app, &caller, id, &body.fields, source.0).await?,
    ))
}

/// Cancel a scheduled meeting; everyone invited gets `METHOD:CANCEL`.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = CancelMeetingRequest, content_type = "application/json"),
    responses((status = 200, body = MeetingView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the meeting is no longer scheduled"),
        (status = 422, body = Problem)))]
async fn cancel_meeting(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
    source: Source,
    body: FormBody,
) -> ApiResult<Json<MeetingView>> {
    let id = meeting_id(&id)?;
    Ok(Json(
        meetings::cancel(&state.app, &caller, id, &body.fields, source.0).await?,
    ))
}
