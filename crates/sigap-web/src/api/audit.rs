//! The audit log for admins and auditors: a page of entries filtered by ticket, actor,
//! action, outcome and time (newest first, with the worker's last check of the chain), and
//! the same selection exported as JSON lines, oldest first, with each entry's hashes.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sigap_app::admin::audit_log::{AuditPage, AuditQuery, Export};
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

/// Every entry the filters select, oldest first, one JSON object a line
/// (`application/x-ndjson`), with `prev_hash` and `hash` (admins and auditors). `before` and
/// `limit` do not apply. The export is itself written to the audit log.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "service", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, content_type = "application/x-ndjson", body = String,
            description = "one audit entry (as in `/api/v1/audit`) a line"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn export_audit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Source(source): Source,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    let export = Export::start(&state.app, &caller, &query, source).await?;
    Ok(jsonl_response(state, export))
}

/// The export as a streamed download named after the day it was taken.
pub(crate) fn jsonl_response(state: AppState, export: Export) -> Response {
    let day = state
        .app
        .now()
        .with_timezone(&sigap_core::wib())
        .format("%Y%m%d");
    let app = state.app.clone();
    let lines = futures::stream::try_unfold((app, export), |(app, mut export)| async move {
        match export.next_lines(&app).await {
            Ok(Some(lines)) => Ok(Some((lines, (app, export)))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "audit export stopped");
                Err(std::io::Error::other(e.to_string()))
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sigap-audit-{day}.jsonl\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(lines),
    )
        .into_response()
}
