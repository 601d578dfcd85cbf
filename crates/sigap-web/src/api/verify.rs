//! The public verification link of a document's QR code: `/verify/{code}` confirms the
//! kind, number, date of issue and SHA-256 of the document carrying that code, as JSON
//! when asked for (`Accept: application/json`) and otherwise as a minimal page in
//! Indonesian. It reveals nothing else; an unknown code is not found.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use sigap_app::documents::{self, VerifiedDocument};
use sigap_core::wib;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiPath;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify_document))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn page(doc: &VerifiedDocument) -> String {
    let issued = doc
        .issued_at
        .with_timezone(&wib())
        .format("%d-%m-%Y %H:%M WIB")
        .to_string();
    format!(
        "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\
         <title>Verifikasi Dokumen</title></head><body>\
         <h1>Dokumen terverifikasi</h1>\
         <p>Dokumen dengan kode ini diterbitkan oleh BATAM-CSIRT.</p><dl>\
         <dt>Jenis</dt><dd>{}</dd><dt>Nomor</dt><dd>{}</dd>\
         <dt>Tanggal terbit</dt><dd>{}</dd><dt>SHA-256</dt><dd><code>{}</code></dd>\
         </dl></body></html>\n",
        escape(&doc.kind),
        escape(&doc.number),
        escape(&issued),
        escape(&doc.sha256),
    )
}

/// Public verification of a document's QR code: kind, number, date of issue and SHA-256.
#[utoipa::path(get, path = "/verify/{code}", tag = "service",
    params(("code" = String, Path)),
    responses((status = 200, body = VerifiedDocument), (status = 404, body = Problem)))]
async fn verify_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let doc = documents::verify(&state.app, &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        Ok(axum::Json(doc).into_response())
    } else {
        Ok(Html(page(&doc)).into_response())
    }
}
