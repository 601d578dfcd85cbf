//! The public verification link of a document's QR code: `/verify/{code}` confirms what
//! [`VerifiedDocument`] holds of the document carrying that code, as JSON when asked for
//! (`Accept: application/json`) and otherwise as a page (`crate::pages::verify`). It
//! reveals nothing else; an unknown code is not found.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sigap_app::documents::{self, VerifiedDocument};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiPath;
use crate::pages::PageLang;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify_document))
}

/// Public verification of a document's QR code: kind, number, date of issue, signers,
/// whether it was a draft or replaced, and the SHA-256 of the issued PDF and of its signed
/// copies; the ticket's number only for signed-in staff who may see the ticket. JSON when
/// asked for (`Accept: application/json`), else a page in the chosen language.
#[utoipa::path(get, path = "/verify/{code}", tag = "service",
    params(("code" = String, Path)),
    responses(
        (status = 200, description = "The document: JSON when asked for, else a page",
            content((VerifiedDocument = "application/json"), (String = "text/html"))),
        (status = 404, description = "No document carries this code: a problem when JSON \
            is asked for, else a page",
            content((Problem = "application/json"), (String = "text/html")))))]
async fn verify_document(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let session = crate::pages::verify::viewer(&state, &headers).await;
    let doc = documents::verify(&state.app, &code, session.as_ref().map(|s| &s.caller)).await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        let doc = doc.ok_or_else(ApiError::not_found)?;
        Ok(axum::Json(doc).into_response())
    } else {
        Ok(crate::pages::verify::page(&state, lang, session.as_ref(), &code, doc).await)
    }
}
