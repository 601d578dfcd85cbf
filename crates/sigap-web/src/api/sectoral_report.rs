//! The report of a high-risk incident to the sectoral CSIRT (Peraturan BSSN 1/2024): the
//! CSIRT prepares it (a document and its STIX 2.1 bundle) and records its sending.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigap_app::law::sectoral_document;
use sigap_app::views::{DocumentView, SectoralReportView};
use sigap_app::workflow::sectoral_report;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_sent))
        .routes(routes!(issue_report))
        .routes(routes!(bundle))
}

/// The body of `POST /api/v1/tickets/{ticket_number}/sectoral-report/document`: what the
/// CSIRT adds to the report sigap prepares, each optional.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct ReportBody {
    /// To whom (at most 300 characters); default `Ketua CSIRT Sektor Pemerintah Daerah`.
    addressee: Option<String>,
    /// The CSIRT's words on the impact, paragraphs separated by a blank line (at most
    /// 4,000 characters), after what sigap states from the ticket.
    impact: Option<String>,
    /// The CSIRT's words on the handling so far, as `impact`, after the SOP's steps taken.
    handling: Option<String>,
}

/// Prepare the ticket's report to the sectoral CSIRT (csirt, admin) as a document
/// (`sectoral_report`: the reporter's contact or "Anonim", the description, the chronology,
/// the impact, the handling so far) with its STIX 2.1 bundle, named in it by its SHA-256.
/// Prepared again before the sending is recorded, it replaces the one before; after, `409`.
/// The document names the reporter: the agency's system owners never read it.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/sectoral-report/document",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = ReportBody, content_type = "application/json"),
    responses((status = 201, body = DocumentView), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such ticket, or it is not of high risk"),
        (status = 409, body = Problem, description = "the report is recorded as sent"),
        (status = 422, body = Problem)))]
async fn issue_report(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let doc = sectoral_document::issue_report(&state.app, &caller, &number, &body.fields).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// The STIX 2.1 bundle issued with the ticket's latest report to the sectoral CSIRT, as it
/// was issued (its SHA-256 is printed in the report); nothing of the reporter. Audited.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/sectoral-report/bundle",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/stix+json;version=2.1", body = Object,
            description = "the bundle, as a download"),
        (status = 401, body = Problem),
        (status = 404, body = Problem, description = "no such ticket, or no report prepared")))]
async fn bundle(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let export = sectoral_document::bundle(&state.app, &caller, &number, source.0).await?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
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
