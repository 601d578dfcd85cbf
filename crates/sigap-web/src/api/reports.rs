//! Public intake (`POST /api/v1/reports`, with its anti-spam challenge and the CVSS scorer
//! the report form uses) and the reporter's own view and messages, opened with the tracking
//! token in `X-Tracking-Token`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use sigap_app::intake::{self, Intake, ReportRequest, ReporterMessageRequest};
use sigap_app::views::{ReporterView, SubmittedReport};
use sigap_core::Channel;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, PublicFormBody, Source};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_report))
        .routes(routes!(challenge))
        .routes(routes!(score_cvss))
        .routes(routes!(reporter_view))
        .routes(routes!(reporter_message))
}

/// A proof-of-work challenge for a report: send it back as `proof_challenge` with the nonce
/// found as `proof_nonce`. Each challenge is good for one report, for two hours.
#[utoipa::path(get, path = "/api/v1/reports/challenge", tag = "reports",
    responses((status = 200, body = sigap_app::intake::antispam::Challenge)))]
async fn challenge(State(state): State<AppState>) -> Json<sigap_app::intake::antispam::Challenge> {
    Json(sigap_app::intake::antispam::issue(&state.app))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CvssQuery {
    /// A `CVSS:3.1/…` (3.0 is read as 3.1) or `CVSS:4.0/…` vector.
    pub vector: String,
}

/// A scored CVSS vector.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CvssScoreView {
    /// `3.1` or `4.0`.
    pub version: String,
    /// The vector, metrics in the standard order.
    pub vector: String,
    /// The base score (v3.1) or the score of the metrics given (v4.0), one decimal.
    pub score: f64,
    /// `none`, `low`, `medium`, `high` or `critical`.
    pub band: String,
}

/// Scores a CVSS vector, as the report form shows it while the reporter types.
#[utoipa::path(get, path = "/api/v1/cvss", tag = "reports", params(CvssQuery),
    responses((status = 200, body = CvssScoreView),
        (status = 422, body = Problem, description = "not a complete CVSS 3.1 or 4.0 vector")))]
async fn score_cvss(ApiQuery(query): ApiQuery<CvssQuery>) -> ApiResult<Json<CvssScoreView>> {
    let scored = sigap_core::cvss::score_vector(&query.vector)
        .map_err(|e| ApiError::from(sigap_app::AppError::Invalid(vec![e])))?;
    Ok(Json(CvssScoreView {
        version: scored.version.as_str().to_owned(),
        vector: scored.vector,
        score: scored.score,
        band: scored.band.as_str().to_owned(),
    }))
}

/// Submit a report (SOP steps 1-2): answers the ticket number and the tracking token.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports",
    request_body(content = ReportRequest, content_type = "application/json"),
    responses(
        (status = 201, body = SubmittedReport),
        (status = 400, body = Problem, description = "malformed body"),
        (status = 408, body = Problem, description = "the body did not arrive in time"),
        (status = 413, body = Problem, description = "a file or the request is too large (25 MiB by default; a `Content-Length` over it is refused before reading)"),
        (status = 422, body = Problem, description = "missing or invalid fields; nothing stored"),
        (status = 429, body = Problem, description = "too many reports from this address this hour; nothing stored"),
        (status = 503, body = Problem, description = "too many uploads at once; try again after `Retry-After`"),
    ))]
async fn submit_report(
    State(state): State<AppState>,
    source: Source,
    PublicFormBody(body): PublicFormBody,
) -> ApiResult<(StatusCode, Json<SubmittedReport>)> {
    let intake = Intake {
        staff: None,
        channel: Channel::Web,
        source: source.0,
    };
    let request: ReportRequest = body.request()?;
    let submitted = intake::submit_report(&state.app, &request, &body.files, intake).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

pub(crate) fn tracking_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get("x-tracking-token")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::not_found)
}

/// The reporter's view of their ticket. A wrong token answers 404.
#[utoipa::path(get, path = "/api/v1/reports/{ticket_number}", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, body = ReporterView), (status = 404, body = Problem)))]
async fn reporter_view(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Json<ReporterView>> {
    let token = tracking_token(&headers)?;
    Ok(Json(
        intake::reporter_view(&state.app, &number, token).await?,
    ))
}

/// The reporter adds a message and/or evidence to an open ticket.
#[utoipa::path(post, path = "/api/v1/reports/{ticket_number}/messages", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    request_body(content = ReporterMessageRequest, content_type = "application/json"),
    responses((status = 201, body = ReporterView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the ticket is closed"), (status = 422, body = Problem),
        (status = 413, body = Problem, description = "a file or the request is too large"),
        (status = 429, body = Problem, description = "too many messages on this ticket from this address this hour")))]
async fn reporter_message(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
    source: Source,
    PublicFormBody(body): PublicFormBody,
) -> ApiResult<(StatusCode, Json<ReporterView>)> {
    let token = tracking_token(&headers)?;
    let view = intake::reporter_message(
        &state.app,
        &number,
        token,
        &body.request::<ReporterMessageRequest>()?,
        &body.files,
        source.0,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}
