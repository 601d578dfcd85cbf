//! Staff endpoints on the meetings of a ticket's steps: schedule one (the invitation goes
//! out as an iCalendar mail), list them, change one (an update to those still invited, a
//! cancellation to those removed) and cancel one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sigap_app::workflow::meetings::{
    self, CancelMeetingRequest, MeetingView, ScheduleMeetingRequest, UpdateMeetingRequest,
};
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
    let meeting =
        meetings::schedule(&state.app, &caller, &number, &body.request()?, source.0).await?;
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
        meetings::update(&state.app, &caller, id, &body.request()?, source.0).await?,
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
        meetings::cancel(&state.app, &caller, id, &body.request()?, source.0).await?,
    ))
}
