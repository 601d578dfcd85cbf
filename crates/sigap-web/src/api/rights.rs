//! A reporter's rights with the tracking token (UU 27/2022): download what sigap holds about
//! them, correct their contact details, ask to be erased. A wrong token answers 404.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use sigap_app::intake::rights::{self, ErasureOutcome, ReporterData};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::reports::tracking_token;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, PublicFormBody, Source};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(export_pdf))
        .routes(routes!(correct))
        .routes(routes!(erase))
}

/// The body of a correction of the reporter's contact details.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct Correction {
    /// At most 200 characters.
    reporter_name: String,
    reporter_email: String,
    /// At most 40 characters; empty removes it.
    reporter_phone: Option<String>,
}

/// Everything sigap holds about the reporter on this ticket: contact details, the report as
/// written, the messages, the files, the requests made; recorded and audited.
#[utoipa::path(get, path = "/api/v1/reports/{ticket_number}/data", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, body = ReporterData), (status = 404, body = Problem)))]
async fn export(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
    source: Source,
) -> ApiResult<Json<ReporterData>> {
    let token = tracking_token(&headers)?;
    Ok(Json(
        rights::export(&state.app, &number, token, source.0).await?,
    ))
}

/// The same as a PDF to keep (`{ticket_number}.data-pribadi.pdf`): not an official
/// document, made anew at each request; recorded and audited as an export.
#[utoipa::path(get, path = "/api/v1/reports/{ticket_number}/data.pdf", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem)))]
async fn export_pdf(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
    source: Source,
) -> ApiResult<axum::response::Response> {
    let token = tracking_token(&headers)?;
    let file =
        sigap_app::intake::rights_pdf::export_pdf(&state.app, &number, token, source.0).await?;
    Ok(crate::download::attachment(
        &file.name,
        "application/pdf",
        &file.sha256,
        file.bytes,
    ))
}

/// Correct the reporter's contact details (as the report form checks them); recorded and
/// audited (the fields changed, never their values).
#[utoipa::path(put, path = "/api/v1/reports/{ticket_number}/contact", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    request_body(content = Correction, content_type = "application/json"),
    responses((status = 200, body = ReporterData), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn correct(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
    source: Source,
    PublicFormBody(body): PublicFormBody,
) -> ApiResult<Json<ReporterData>> {
    let token = tracking_token(&headers)?;
    Ok(Json(
        rights::correct(&state.app, &number, token, &body.fields, source.0).await?,
    ))
}

/// Ask to be erased: on a ticket that has ended, the reporter is anonymised at once (name,
/// e-mail, telephone, the tracking token, their identifiers in the messages; the ticket and
/// its documents stay); on an open one the request is recorded and applied when it ends.
#[utoipa::path(post, path = "/api/v1/reports/{ticket_number}/erasure", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, body = ErasureOutcome), (status = 404, body = Problem)))]
async fn erase(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
    source: Source,
) -> ApiResult<Json<ErasureOutcome>> {
    let token = tracking_token(&headers)?;
    Ok(Json(
        rights::erase(&state.app, &number, token, source.0).await?,
    ))
}
