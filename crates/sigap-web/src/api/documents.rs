//! Documents beyond those a step issues: the receipt of a report (issued on first request,
//! for the reporter with the tracking token or for staff), and the signed copies uploaded
//! back after a certified electronic signature, and the signature made from sigap by the
//! document's configured signer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sigap_app::documents::signed::{self, SignedCopyUpload};
use sigap_app::documents::signing::{self, SignRequest};
use sigap_app::documents::{self, ReissueRequest};
use sigap_app::views::{DocumentView, SignedCopyView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::reports::tracking_token;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reporter_acknowledgement))
        .routes(routes!(staff_acknowledgement))
        .routes(routes!(upload_signed_copy))
        .routes(routes!(download_signed_copy))
        .routes(routes!(sign_document))
        .routes(routes!(reissue_document))
}

/// Issues a corrected version of a document: a new number, the same step's records, the
/// current settings, and a line naming the document it replaces. CSIRT and admins; only the
/// newest version can be corrected.
#[utoipa::path(post, path = "/api/v1/documents/{id}/reissue", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ReissueRequest,
    responses((status = 201, body = DocumentView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "already replaced by a newer version"),
        (status = 422, body = Problem)))]
async fn reissue_document(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let id = id_of(&id)?;
    let doc = documents::reissue(&state.app, &caller, id, &body.request()?).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

fn pdf(name: &str, sha256: &str, bytes: Vec<u8>) -> Response {
    crate::download::attachment(&format!("{name}.pdf"), "application/pdf", sha256, bytes)
}

fn id_of(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().map_err(|_| ApiError::not_found())
}

/// The receipt of a report (*Tanda Terima Laporan*) for its reporter, issued on first
/// request. A wrong token answers 404.
#[utoipa::path(get, path = "/api/v1/reports/{ticket_number}/acknowledgement", tag = "reports",
    params(("ticket_number" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem)))]
async fn reporter_acknowledgement(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let token = tracking_token(&headers)?;
    let (doc, bytes) = documents::acknowledgement_for_reporter(&state.app, &number, token).await?;
    Ok(pdf(&doc.number, &doc.sha256, bytes))
}

/// The receipt of a report, for staff in the ticket's scope, issued on first request. It
/// names the reporter: a system owner or the Regional Secretary is refused.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/acknowledgement", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "the caller may not learn who reported"),
        (status = 404, body = Problem)))]
async fn staff_acknowledgement(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let (doc, bytes) = documents::acknowledgement_for_staff(&state.app, &caller, &number).await?;
    Ok(pdf(&doc.number, &doc.sha256, bytes))
}

/// Keeps the signed copy of a document (after a certified electronic signature applied
/// outside sigap). Help desk, CSIRT and admins; the original stays as issued.
#[utoipa::path(post, path = "/api/v1/documents/{id}/signed", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = SignedCopyUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = SignedCopyView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "this signed copy is already kept"),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload_signed_copy(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
    mut body: FormBody,
) -> ApiResult<(StatusCode, Json<SignedCopyView>)> {
    let id = id_of(&id)?;
    if body.files.len() != 1 {
        return Err(
            sigap_app::AppError::invalid("file", "attach exactly one PDF file in `file`").into(),
        );
    }
    let upload = SignedCopyUpload {
        note: body
            .fields
            .get("note")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        file: body.files.remove(0),
    };
    let copy = signed::upload(&state.app, &caller, id, &upload).await?;
    Ok((StatusCode::CREATED, Json(copy)))
}

/// Signs a document from sigap with a certified electronic signature (PAdES: the local
/// signer of the office's CA, or BSrE). Only the signer configured for the document's
/// kind (their `user`) and named on it, with a fresh authenticator code; BSrE also needs
/// the signer's NIK and passphrase, used for this request only. The signed PDF is kept as
/// a signed copy beside the original; each signer signs a document once.
#[utoipa::path(post, path = "/api/v1/documents/{id}/sign", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = SignRequest,
    responses((status = 201, body = SignedCopyView), (status = 401, body = Problem),
        (status = 403, body = Problem,
            description = "not the document's configured signer, or no authenticator enrolled"),
        (status = 404, body = Problem),
        (status = 409, body = Problem,
            description = "already signed by this signer, a draft, replaced, or signing not set up"),
        (status = 422, body = Problem,
            description = "the authenticator code is wrong, or the BSrE NIK or passphrase"),
        (status = 502, body = Problem, description = "the signing service failed")))]
async fn sign_document(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Source(source): Source,
    ApiPath(id): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<SignedCopyView>)> {
    let id = id_of(&id)?;
    let request: SignRequest = body.request()?;
    let copy = signing::sign(&state.app, &caller, id, &request, source).await?;
    Ok((StatusCode::CREATED, Json(copy)))
}

/// A signed copy as a PDF download.
#[utoipa::path(get, path = "/api/v1/documents/{id}/signed/{copy_id}", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("copy_id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn download_signed_copy(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((id, copy_id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (copy, number, bytes) =
        signed::pdf(&state.app, &caller, id_of(&id)?, id_of(&copy_id)?).await?;
    Ok(pdf(&format!("{number}-ttd"), &copy.sha256, bytes))
}
