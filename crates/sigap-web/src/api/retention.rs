//! Retention of a closed ticket's data: an admin's legal hold on a ticket (set and lifted,
//! each with a reason), and the records of destruction the retention sweep writes
//! (*Berita Acara Pemusnahan Data*), for admins and auditors.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use sigap_app::views::RetentionView;
use sigap_app::workflow::legal_hold;
use sigap_app::workflow::retention::{self, DestructionView};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_hold))
        .routes(routes!(lift_hold))
        .routes(routes!(records))
        .routes(routes!(record_pdf))
}

/// The body of a legal hold's change.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct HoldBody {
    /// Why (a case, an inspection; at most 1,000 characters).
    reason: String,
}

/// Put ticket under a legal hold (admin): the retention sweep leaves its data as they are
/// until the hold is lifted. `409` when it is held already.
#[utoipa::path(put, path = "/api/v1/tickets/{ticket_number}/legal-hold", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = HoldBody, content_type = "application/json"),
    responses((status = 200, body = RetentionView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "held already"),
        (status = 422, body = Problem)))]
async fn set_hold(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<RetentionView>> {
    Ok(Json(
        legal_hold::set(&state.app, &caller, &number, &body.fields).await?,
    ))
}

/// Lift a ticket's legal hold (admin), with a reason. `409` when it has none.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/legal-hold/lift", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = HoldBody, content_type = "application/json"),
    responses((status = 200, body = RetentionView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "not held"),
        (status = 422, body = Problem)))]
async fn lift_hold(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<RetentionView>> {
    Ok(Json(
        legal_hold::lift(&state.app, &caller, &number, &body.fields).await?,
    ))
}

/// The records of destruction (*Berita Acara Pemusnahan Data*), the newest first (admin,
/// auditor): what each run of the retention sweep anonymised or destroyed.
#[utoipa::path(get, path = "/api/v1/retention/records", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DestructionView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn records(
    State(state): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<Vec<DestructionView>>> {
    Ok(Json(retention::list(&state.app, &caller).await?))
}

/// One record of destruction as its PDF (admin, auditor).
#[utoipa::path(get, path = "/api/v1/retention/records/{id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn record_pdf(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let id = id.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let (record, bytes) = retention::pdf(&state.app, &caller, id).await?;
    Ok(crate::download::attachment(
        &format!("{}.pdf", record.number),
        "application/pdf",
        &record.pdf_sha256,
        bytes,
    ))
}
