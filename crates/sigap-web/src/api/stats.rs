//! The figures leadership reads (`GET /api/v1/stats/*`), the same as `/dashboard` shows
//! and the monthly report prints: every section at once, or one. Not for system owners,
//! whose agency's scorecard is theirs; a refusal is audited.

use axum::Json;
use axum::extract::{Path, State};
use sigap_app::stats::scorecard::Scorecard;
use sigap_app::stats::view::Dashboard;
use sigap_app::stats::{self, Section, StatsQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all))
        .routes(routes!(intake))
        .routes(routes!(clock))
        .routes(routes!(blocking))
        .routes(routes!(remediation))
        .routes(routes!(approvals))
        .routes(routes!(scorecard))
}

async fn answer(
    state: &AppState,
    caller: &sigap_app::auth::Caller,
    query: &StatsQuery,
    sections: &[Section],
    source: Source,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(
        stats::dashboard(&state.app, caller, query, sections, source.0).await?,
    ))
}

/// Every section of the figures of a period: intake, the SOP's clock, blocking,
/// remediation and the "> 3 reports" rule.
#[utoipa::path(get, path = "/api/v1/stats/dashboard", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn all(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, Section::ALL, source).await
}

/// Reports received in the period: valid, rejected, duplicates, by channel, by OWASP Top 10
/// class, by agency, per week, and class against agency.
#[utoipa::path(get, path = "/api/v1/stats/intake", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn intake(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, &[Section::Intake], source).await
}

/// The SOP's clock: per step done in the period, the share within its deadline and the
/// median and 90th percentile time; the open tickets over their deadline now.
#[utoipa::path(get, path = "/api/v1/stats/clock", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn clock(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, &[Section::Clock], source).await
}

/// Blocks: the systems blocked now, blocks and unblocks in the period, the time from the
/// high finding to the block and from "Sudah" to the unblock.
#[utoipa::path(get, path = "/api/v1/stats/blocking", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn blocking(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, &[Section::Blocking], source).await
}

/// Remediation: reviews that found the finding fixed or not ("Belum" rounds), the round of
/// each fix, and the time from the agency's notice to the fix, per agency.
#[utoipa::path(get, path = "/api/v1/stats/remediation", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn remediation(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, &[Section::Remediation], source).await
}

/// The "> 3 reports" rule: agencies at or over the threshold now, approvals pending, and
/// the Regional Secretary's decisions in the period.
#[utoipa::path(get, path = "/api/v1/stats/approvals", tag = "service", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn approvals(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Dashboard>> {
    answer(&state, &caller, &query, &[Section::Approvals], source).await
}

/// An agency's scorecard for a period (the current year unless chosen): its findings and
/// their criticality, repeat findings (the same system and weakness), remediation against
/// the 7-day deadline, the letters and recommendations it received, its blocked systems
/// and its count towards the "> 3 reports" rule. The agency's own system owners may read
/// theirs (counted from the tickets their agency has been told of); another agency's is
/// 404 to them.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/scorecard", tag = "service",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code"), StatsQuery),
    responses((status = 200, body = Scorecard), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn scorecard(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Scorecard>> {
    Ok(Json(
        stats::scorecard::scorecard(&state.app, &caller, &code, &query, source.0).await?,
    ))
}
