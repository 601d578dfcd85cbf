//! The report of a high-risk incident to the sectoral CSIRT (Peraturan BSSN 1/2024): the
//! CSIRT records its sending.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sigap_app::views::SectoralReportView;
use sigap_app::workflow::sectoral_report;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record_sent))
}

/// The body of `POST /api/v1/tickets/{ticket_number}/sectoral-report`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct SentBody {
    /// When it was sent: RFC 3339, or `YYYY-MM-DDTHH:MM` in WIB; not in the future.
    sent_at: String,
    /// `portal`, `email`, `letter`, `phone` or `other`.
    channel: String,
    /// The recipient's reference number (at most 300 characters).
    reference: String,
    /// Who received it: the sectoral CSIRT, with the national CSIRT in copy.
    recipient: String,
}

/// Record that the ticket's report to the sectoral CSIRT was sent (csirt, admin): when, how,
/// to whom and the recipient's reference; it stops the report's clock. Once.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/sectoral-report", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = SentBody, content_type = "application/json"),
    responses((status = 200, body = SectoralReportView), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such ticket, or it is not of high risk"),
        (status = 409, body = Problem, description = "recorded as sent already"),
        (status = 422, body = Problem)))]
async fn record_sent(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<SectoralReportView>> {
    Ok(Json(
        sectoral_report::record_sent(&state.app, &caller, &number, &body.fields).await?,
    ))
}
