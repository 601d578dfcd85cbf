//! Tickets exported for partners: one ticket, or the set the queue's filters select, as a
//! STIX 2.1 bundle or MISP events, in the caller's scope (another agency's ticket is a
//! 404), without the reporter; audited.

use axum::extract::State;
use axum::response::Response;
use sigap_app::exports::{self, Format};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_stix))
        .routes(routes!(export_misp))
        .routes(routes!(export_set))
}

/// Which tickets a set export holds: the queue's filters, and a TLP ceiling.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SetQuery {
    /// Only tickets in this state.
    state: Option<String>,
    /// Only tickets of this agency (its code).
    agency: Option<String>,
    /// `high` or `low`.
    criticality: Option<String>,
    /// `true`: leave out the tickets that have ended.
    open: Option<bool>,
    /// Search, as in the queue.
    q: Option<String>,
    /// Only tickets created on or after this day (`2026-12-01`, in WIB).
    from: Option<String>,
    /// Only tickets created on or before this day (`2026-12-31`, in WIB: the whole day).
    to: Option<String>,
    /// Only tickets that arrived through this channel: `web`, `api`, `phone`, `email`,
    /// `walk_in` or `letter`.
    channel: Option<String>,
    /// The most restrictive label the recipient may receive (`TLP:GREEN`, `GREEN`):
    /// tickets labelled more restrictively are left out. Default: none left out.
    tlp: Option<String>,
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

/// The tickets the queue's filters select (at most 1,000, in the caller's scope), as one
/// STIX 2.1 bundle (`stix`) or MISP events in a `response` list (`misp`); those labelled
/// more restrictively than `tlp` are left out.
#[utoipa::path(get, path = "/api/v1/exports/{format}", tag = "tickets",
    security(("bearer" = [])), params(("format" = String, Path, description = "`stix` or `misp`"), SetQuery),
    responses((status = 200, content_type = "application/json", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn export_set(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(format): ApiPath<String>,
    ApiQuery(query): ApiQuery<SetQuery>,
) -> ApiResult<Response> {
    let format = Format::named(&format)?;
    let ceiling = match query
        .tlp
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => Some(
            text.parse::<sigap_core::Tlp>()
                .map_err(|e| sigap_app::AppError::invalid("tlp", e.to_string()))?,
        ),
    };
    let list = sigap_app::workflow::queue::ListQuery {
        state: query.state,
        agency: query.agency,
        criticality: query.criticality,
        open: query.open,
        q: query.q,
        from: query.from,
        to: query.to,
        channel: query.channel,
        ..Default::default()
    };
    let export = exports::set(&state.app, &caller, &list, ceiling, format, source.0).await?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}
