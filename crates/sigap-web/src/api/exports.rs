//! One ticket exported for partners: a STIX 2.1 bundle or a MISP event, as the caller may
//! read the ticket (another agency's ticket is a 404), without the reporter; audited.

use axum::extract::State;
use axum::response::Response;
use sigap_app::exports::{self, Format};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_stix))
        .routes(routes!(export_misp))
}

async fn export(
    state: &AppState,
    caller: &sigap_app::auth::Caller,
    number: &str,
    format: Format,
    source: Option<String>,
) -> ApiResult<Response> {
    let export = exports::ticket(&state.app, caller, number, format, source).await?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}

/// The ticket as a STIX 2.1 bundle: the CSIRT's identity, the ticket's TLP 2.0 marking,
/// the finding as a `vulnerability` (CWE reference, CVSS in `x_cvss`), the affected system
/// as an `infrastructure` that `has` it, and a `report`; never the reporter.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/export/stix", tag = "tickets",
    security(("bearer" = [])), params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/stix+json;version=2.1", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_stix(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    export(&state, &caller, &number, Format::Stix, source.0).await
}

/// The ticket as a MISP event (to import into MISP): tagged with its TLP, a `weakness`
/// attribute for the CWE and a `vulnerability` object; never the reporter.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/export/misp", tag = "tickets",
    security(("bearer" = [])), params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/json", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_misp(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    export(&state, &caller, &number, Format::Misp, source.0).await
}
