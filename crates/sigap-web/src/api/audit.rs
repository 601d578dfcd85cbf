//! The audit log for admins and auditors: a page of entries filtered by ticket, actor,
//! action, outcome and time (newest first, with the worker's last check of the chain), and
//! the same selection exported as JSON lines or CSV, oldest first, with each entry's hashes.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use sigap_app::admin::audit_export::{AuditFormat, Export};
use sigap_app::admin::audit_log::{AuditPage, AuditQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(export_audit))
}

/// A page of the audit log, newest first, with the worker's last check of the chain
/// (admins and auditors). `next_before` asks for the next page.
#[utoipa::path(get, path = "/api/v1/audit", tag = "service", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_audit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    Ok(Json(
        sigap_app::admin::audit_log::search(&state.app, &caller, &query).await?,
    ))
}

/// The format of an export of the audit log.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `jsonl` (the default: one JSON object a line) or `csv` (a header row, one row per
    /// entry, the details as JSON text, the time in WIB).
    format: Option<String>,
}

impl FormatQuery {
    pub(crate) fn format(&self) -> Result<AuditFormat, sigap_app::AppError> {
        AuditFormat::named(self.format.as_deref())
    }
}

/// Every entry the filters select, oldest first, with `prev_hash` and `hash` (admins and
/// auditors): one JSON object a line (`application/x-ndjson`, as in `/api/v1/audit`), or
/// with `format=csv` a CSV file (`text/csv`: `seq, at, actor, role, action,
/// ticket_number, source, outcome, details, prev_hash, hash`). `before` and `limit` do not
/// apply. Streamed; the export is itself written to the audit log.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "service", security(("bearer" = [])),
    params(AuditQuery, FormatQuery),
    responses((status = 200, description = "the entries, oldest first",
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn export_audit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Source(source): Source,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = format.format()?;
    let export = Export::start(&state.app, &caller, &query, format, source).await?;
    Ok(export_response(state, export))
}

/// The export as a streamed download named after the day it was taken.
pub(crate) fn export_response(state: AppState, export: Export) -> Response {
    let day = state
        .app
        .now()
        .with_timezone(&sigap_core::wib())
        .format("%Y%m%d");
    let format = export.format();
    let name = format!("sigap-audit-{day}.{}", format.as_str());
    crate::download::streamed(state.app.clone(), export, &name, format.media_type())
}
