//! The help desk's inbox of received mail: the messages waiting (or all), one message with
//! its attachments, the message as it arrived (downloaded, never rendered), and the three
//! decisions: accept as a ticket, discard with a reason, attach to a ticket.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sigap_app::inbox::InboxItem;
use sigap_app::inbox::attach::{self, AttachRequest};
use sigap_app::inbox::desk::{self, AcceptBody, AcceptRequest, DiscardRequest, Show};
use sigap_app::views::SubmittedReport;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_inbox))
        .routes(routes!(get_inbox_item))
        .routes(routes!(get_inbox_raw))
        .routes(routes!(accept_inbox_item))
        .routes(routes!(discard_inbox_item))
        .routes(routes!(attach_inbox_item))
}

/// Which messages to list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct InboxQuery {
    /// `waiting` (default: those the desk has not decided) or `all`.
    show: Option<String>,
    /// Only messages older than this id (the next page).
    before: Option<i64>,
}

fn id_of(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().map_err(|_| ApiError::not_found())
}

/// The received mail, newest first, 100 at a time, the text cut to a preview (help desk,
/// CSIRT, admins, auditors).
#[utoipa::path(get, path = "/api/v1/inbox", tag = "tickets", security(("bearer" = [])),
    params(InboxQuery),
    responses((status = 200, body = Vec<InboxItem>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_inbox(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    let show = match query.show.as_deref().map(str::trim) {
        None | Some("" | "waiting") => Show::Waiting,
        Some("all") => Show::All,
        Some(_) => {
            return Err(
                sigap_app::AppError::invalid("show", "`show` is `waiting` or `all`").into(),
            );
        }
    };
    Ok(Json(
        desk::list(&state.app, &caller, show, query.before, source.0).await?,
    ))
}

/// One received message with its text, attachments and what the mail server found.
#[utoipa::path(get, path = "/api/v1/inbox/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = InboxItem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_inbox_item(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InboxItem>> {
    let id = id_of(&id)?;
    Ok(Json(desk::show(&state.app, &caller, id, source.0).await?))
}

/// The message as it arrived (`message/rfc822`), as a download.
#[utoipa::path(get, path = "/api/v1/inbox/{id}/raw", tag = "tickets",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "message/rfc822", body = Vec<u8>),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get_inbox_raw(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::response::Response> {
    let id = id_of(&id)?;
    let raw = desk::raw(&state.app, &caller, id, source.0).await?;
    Ok(crate::download::attachment(
        &raw.name,
        "message/rfc822",
        &raw.sha256,
        raw.bytes,
    ))
}

/// Accepts a waiting message as a ticket (help desk, CSIRT): the report's fields as the
/// desk completed them, channel `email`, the accepted attachments as evidence, the sender
/// as the reporter. A message decided already answers 409.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/accept", tag = "tickets",
    security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = AcceptBody, content_type = "application/json"),
    responses((status = 201, body = SubmittedReport), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the message was already decided"),
        (status = 422, body = Problem)))]
async fn accept_inbox_item(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<SubmittedReport>)> {
    let id = id_of(&id)?;
    let request = AcceptRequest::from_fields(&body.fields)?;
    let submitted = desk::accept(&state.app, &caller, id, &request, source.0).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

/// Discards a waiting message (help desk, CSIRT): `spam`, `out_of_scope`, or `duplicate`
/// of a named ticket. A message decided already answers 409.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/discard", tag = "tickets",
    security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = DiscardRequest, content_type = "application/json"),
    responses((status = 200, body = InboxItem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the message was already decided"),
        (status = 422, body = Problem)))]
async fn discard_inbox_item(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<InboxItem>> {
    let id = id_of(&id)?;
    let request: DiscardRequest = body.request()?;
    Ok(Json(
        desk::discard(&state.app, &caller, id, &request, source.0).await?,
    ))
}

/// Attaches a waiting message to a ticket (help desk, CSIRT), after checking who wrote it:
/// `as` a message of the ticket's reporter, a comment of the agency, or an internal note;
/// `ticket` defaults to the ticket the message names. A message decided already answers
/// 409; the sender is told nothing.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/attach", tag = "tickets",
    security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = AttachRequest, content_type = "application/json"),
    responses((status = 200, body = InboxItem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the message was already decided"),
        (status = 422, body = Problem)))]
async fn attach_inbox_item(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<InboxItem>> {
    let id = id_of(&id)?;
    let request: AttachRequest = body.request()?;
    Ok(Json(
        attach::attach(&state.app, &caller, id, &request, source.0).await?,
    ))
}
