//! Staff endpoints on tickets: the queue, one ticket, entering a report received by phone,
//! e-mail or in person, and performing a workflow action.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sigap_app::intake::{self, EnterReportRequest, Intake};
use sigap_app::views::{DocumentView, SubmittedReport, TicketPage, TicketView};
use sigap_app::workflow::queue::{self, ListQuery};
use sigap_app::workflow::tickets;
use sigap_core::Channel;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, enter_report))
        .routes(routes!(get_ticket))
        .routes(routes!(list_documents))
        .routes(routes!(perform_action))
        .routes(routes!(download_evidence))
        .routes(routes!(preview_evidence))
        .routes(routes!(download_document))
}

/// An official document as a PDF download, named after its number.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn download_document(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::response::Response> {
    let id = id.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let (meta, bytes) = sigap_app::documents::document_pdf(&state.app, &caller, id).await?;
    let name = format!("{}.pdf", meta.number);
    Ok(crate::download::attachment(
        &name,
        "application/pdf",
        &meta.sha256,
        bytes,
    ))
}

/// An evidence file, always as a download (`Content-Disposition: attachment`, never
/// rendered inline), with its SHA-256 in `Digest`-like header `X-Content-SHA256`.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/evidence/{id}", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem)))]
async fn download_evidence(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, id)): ApiPath<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let id = id.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let (meta, body) = tickets::evidence_file(&state.app, &caller, &number, id).await?;
    let mut response = crate::download::evidence(&meta.name, &meta.sha256, body);
    if let Ok(value) = axum::http::HeaderValue::from_str(&meta.media_type) {
        response
            .headers_mut()
            .insert(axum::http::HeaderName::from_static("x-sniffed-type"), value);
    }
    Ok(response)
}

/// An evidence image re-encoded to be shown: decoded within limits, turned upright,
/// scaled to at most 1024 pixels a side and written anew as PNG without any metadata.
/// Files that are not images, or do not decode, have no preview (404).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/evidence/{id}/preview", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>),
        (status = 404, body = Problem)))]
async fn preview_evidence(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, id)): ApiPath<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let id = id.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let (_, png) = tickets::evidence_preview(&state.app, &caller, &number, id).await?;
    let png = png.ok_or_else(|| sigap_app::AppError::NotFound("preview".to_owned()))?;
    Ok(crate::download::preview(png))
}

/// The queue within the caller's scope, newest first, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = TicketPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_tickets(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<TicketPage>> {
    Ok(Json(
        queue::list_tickets(&state.app, &caller, &query).await?,
    ))
}

/// Enter a report received through another channel (helpdesk, csirt).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    request_body(content = EnterReportRequest, content_type = "application/json"),
    responses((status = 201, body = SubmittedReport), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn enter_report(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<SubmittedReport>)> {
    let intake = Intake {
        staff: Some(&caller),
        channel: Channel::Api,
        source: source.0,
    };
    let request: EnterReportRequest = body.request()?;
    let submitted = intake::enter_report(&state.app, &request, &body.files, intake).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

/// One ticket with its records, deadline and the actions the caller may perform.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}", tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_ticket(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(
        tickets::get_ticket(&state.app, &caller, &number).await?,
    ))
}

/// The official documents issued for a ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/documents", tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    responses((status = 200, body = Vec<DocumentView>), (status = 404, body = Problem)))]
async fn list_documents(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    Ok(Json(
        tickets::get_ticket(&state.app, &caller, &number)
            .await?
            .documents,
    ))
}

/// Perform a workflow action (names as in the workflow: `validate`, `assess`, `block`, ...).
/// JSON, or multipart with files in `evidence`. Nothing changes on any error.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/actions/{action}", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("action" = String, Path)),
    request_body(content = crate::api::action_bodies::ActionBody, content_type = "application/json",
        description = "the records of the step named by `{action}`"),
    responses(
        (status = 200, body = TicketView),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "the caller's role may not perform this action"),
        (status = 404, body = Problem, description = "no such ticket in the caller's scope, or no such action"),
        (status = 409, body = Problem, description = "not allowed in the ticket's state"),
        (status = 413, body = Problem),
        (status = 422, body = Problem, description = "a required record is missing or wrong"),
    ))]
async fn perform_action(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, action)): ApiPath<(String, String)>,
    source: Source,
    body: FormBody,
) -> ApiResult<Json<TicketView>> {
    let view = sigap_app::workflow::actions::perform_action(
        &state.app,
        &caller,
        &number,
        &action,
        &body.fields,
        &body.files,
        source.0,
    )
    .await?;
    Ok(Json(view))
}
