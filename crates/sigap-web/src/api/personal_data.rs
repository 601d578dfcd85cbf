//! The clock of UU PDP Pasal 46 on a ticket whose finding exposed personal data: recorded
//! after the assessment by the CSIRT, the agency's two notices, and their files.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sigap_app::views::{DocumentView, PersonalDataView};
use sigap_app::workflow::pdp_notices::{self, NoticeDraftView};
use sigap_app::workflow::personal_data;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_breach))
        .routes(routes!(record_notice))
        .routes(routes!(download_notice))
        .routes(routes!(get_draft, save_draft))
        .routes(routes!(issue_notice))
}

/// The body of `POST /api/v1/tickets/{ticket_number}/personal-data`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct BreachBody {
    /// Why it is recorded after the assessment (at most 2,000 characters).
    reason: String,
}

/// The multipart body of `POST /api/v1/tickets/{ticket_number}/personal-data/notices`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct NoticeBody {
    /// `subjects` (the data subjects) or `authority` (the data protection authority).
    recipient: String,
    /// When it was given: RFC 3339, or `YYYY-MM-DDTHH:MM` in WIB; not in the future.
    notified_at: String,
    /// `letter`, `email`, `sms`, `website` or `other`.
    channel: String,
    /// The letter's number, the page's address, how many people (at most 1,000 characters).
    note: Option<String>,
    /// The notice as it was sent: a PDF, an image or text, sniffed like evidence.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Record that the ticket's finding exposed personal data, after the assessment (csirt,
/// admin), with a reason: the 3×24-hour clock of UU PDP Pasal 46 starts now. The
/// assessment starts it itself when its minutes say `personal_data_affected`.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/personal-data", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = BreachBody, content_type = "application/json"),
    responses((status = 201, body = PersonalDataView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the clock runs already"),
        (status = 422, body = Problem)))]
async fn record_breach(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<PersonalDataView>)> {
    let view = personal_data::record_breach(&state.app, &caller, &number, &body.fields).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Record a notice the agency gave under UU PDP Pasal 46 (system owners of the ticket's
/// agency, csirt, admin): to whom, when, how, and the notice as sent. Once both are
/// recorded the clock stops. Each recipient's notice is recorded once.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/personal-data/notices", tag = "tickets",
    security(("bearer" = [])),
    params(("ticket_number" = String, Path)),
    request_body(content = NoticeBody, content_type = "multipart/form-data"),
    responses((status = 201, body = PersonalDataView), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such ticket, or it has no clock"),
        (status = 409, body = Problem, description = "that notice is recorded already"),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn record_notice(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(number): ApiPath<String>,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<PersonalDataView>)> {
    let file = one_file(body.files)?;
    let view =
        personal_data::record_notice(&state.app, &caller, &number, &body.fields, file).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The single file of a notice; more than one is refused.
pub(crate) fn one_file(
    files: Vec<sigap_app::evidence::Upload>,
) -> Result<Option<sigap_app::evidence::Upload>, ApiError> {
    if files.len() > 1 {
        return Err(ApiError::from(sigap_app::AppError::invalid(
            "file",
            "one file per notice",
        )));
    }
    Ok(files.into_iter().next())
}

/// The file of a recorded notice (`subjects` or `authority`), as a download; audited.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/personal-data/notices/{recipient}",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("recipient" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn download_notice(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, recipient)): ApiPath<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let (notice, read) =
        personal_data::notice_file(&state.app, &caller, &number, &recipient).await?;
    Ok(crate::download::evidence(
        &notice.file_name,
        &notice.sha256,
        sigap_app::workflow::tickets::EvidenceBody::Stored(read),
    ))
}

/// The draft of a notice (`subjects` or `authority`): the agency's saved text, or sigap's
/// first draft from the ticket, with the document once issued (system owners of the
/// ticket's agency, csirt, admin).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/personal-data/drafts/{recipient}",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("recipient" = String, Path)),
    responses((status = 200, body = NoticeDraftView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_draft(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, recipient)): ApiPath<(String, String)>,
) -> ApiResult<Json<NoticeDraftView>> {
    Ok(Json(
        pdp_notices::draft(&state.app, &caller, &number, &recipient).await?,
    ))
}

/// Save the agency's text of a notice: `data_exposed`, `when_how`, `handling` (the three
/// contents of UU PDP Pasal 46 ayat (2), required) and `contact`. Closed once issued.
#[utoipa::path(put, path = "/api/v1/tickets/{ticket_number}/personal-data/drafts/{recipient}",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("recipient" = String, Path)),
    request_body(content = sigap_core::pdp::NoticeDraft, content_type = "application/json"),
    responses((status = 200, body = NoticeDraftView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the notice is issued already"),
        (status = 422, body = Problem)))]
async fn save_draft(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, recipient)): ApiPath<(String, String)>,
    body: FormBody,
) -> ApiResult<Json<NoticeDraftView>> {
    Ok(Json(
        pdp_notices::save_draft(&state.app, &caller, &number, &recipient, &body.fields).await?,
    ))
}

/// Issue a notice from its saved draft as an official document (`pdp_notice_subjects`,
/// `pdp_notice_authority`): numbered, TLP-labelled (`TLP:CLEAR` for the data subjects),
/// once.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_number}/personal-data/drafts/{recipient}/issue",
    tag = "tickets", security(("bearer" = [])),
    params(("ticket_number" = String, Path), ("recipient" = String, Path)),
    responses((status = 201, body = DocumentView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "issued already, or no saved draft")))]
async fn issue_notice(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((number, recipient)): ApiPath<(String, String)>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let doc = pdp_notices::issue(&state.app, &caller, &number, &recipient).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}
