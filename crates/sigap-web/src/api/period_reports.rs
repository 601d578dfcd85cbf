//! The periodic reports (*Laporan Bulanan/Triwulanan/Tahunan Penanganan Insiden Siber*):
//! a draft per period, its narrative, its PDF (a preview while a draft), and its issue.
//! The CSIRT and admins write; every staff role but system owners reads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sigap_app::stats::report::{self, NarrativeRequest, NewPeriodReportRequest, PeriodReportView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one))
        .routes(routes!(narrative))
        .routes(routes!(issue))
        .routes(routes!(pdf))
}

/// The periodic reports, newest period first.
#[utoipa::path(get, path = "/api/v1/period-reports", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<PeriodReportView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<Vec<PeriodReportView>>> {
    Ok(Json(report::list(&s.app, &caller).await?))
}

/// The draft of a period (`period` `2026-11`, `2026-Q4`, `2026`, or `from`/`to`); the
/// period's report as it stands when it has one.
#[utoipa::path(post, path = "/api/v1/period-reports", tag = "service", security(("bearer" = [])),
    request_body = NewPeriodReportRequest,
    responses((status = 201, body = PeriodReportView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<PeriodReportView>)> {
    let request: NewPeriodReportRequest = body.request()?;
    let view = report::create(&s.app, &caller, &request, source.0).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One periodic report.
#[utoipa::path(get, path = "/api/v1/period-reports/{id}", tag = "service",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PeriodReportView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn one(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PeriodReportView>> {
    Ok(Json(report::get(&s.app, &caller, id).await?))
}

/// Changes a draft's narrative (an issued report's is fixed: 409).
#[utoipa::path(put, path = "/api/v1/period-reports/{id}/narrative", tag = "service",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = NarrativeRequest,
    responses((status = 200, body = PeriodReportView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn narrative(
    State(s): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<i64>,
    body: FormBody,
) -> ApiResult<Json<PeriodReportView>> {
    let request: NarrativeRequest = body.request()?;
    Ok(Json(
        report::edit(&s.app, &caller, id, &request, source.0).await?,
    ))
}

/// Issues a draft: numbered, signed as configured, its figures fixed as printed, mailed to
/// `SIGAP_REPORT_RECIPIENTS` with the PDF (once: 409 after).
#[utoipa::path(post, path = "/api/v1/period-reports/{id}/issue", tag = "service",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PeriodReportView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn issue(
    State(s): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PeriodReportView>> {
    Ok(Json(report::issue(&s.app, &caller, id, source.0).await?))
}

/// The report as PDF: as issued, or a draft's preview marked "PRATINJAU".
#[utoipa::path(get, path = "/api/v1/period-reports/{id}/pdf", tag = "service",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn pdf(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let pdf = report::pdf(&s.app, &caller, id).await?;
    Ok(crate::download::attachment(
        &pdf.name,
        "application/pdf",
        &pdf.sha256,
        pdf.bytes,
    ))
}
