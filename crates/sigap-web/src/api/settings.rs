//! The settings an admin may change while the server runs (`sigap_app::admin::overrides`): the
//! approval threshold and its window, the holidays of the working calendar, the letterhead
//! and each document kind's pattern, signers and copies, the canned replies to the reporter,
//! the numbers of the national rules around the SOP (`law`: passwords, ...) and the CSIRT's
//! public profile (`profile`, RFC 2350: `/rfc2350`, whose review renews `security.txt`).
//! Admins and auditors read them; admins change them. A change applies to every instance
//! from its next step on; `DELETE` on `approval`, `holidays`, `documents`, `replies` or `law` puts
//! that section back to the value read at start. The settings page does the same.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use sigap_app::AppError;
use sigap_app::admin::overrides::{
    self, ApprovalRequest, DocumentKindRequest, HolidaysRequest, LetterheadRequest, Section,
    SettingsView,
};
use sigap_core::replies::RepliesRequest;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings))
        .routes(routes!(put_approval, reset_approval))
        .routes(routes!(put_holidays, reset_holidays))
        .routes(routes!(put_letterhead))
        .routes(routes!(put_document_kind))
        .routes(routes!(reset_documents))
        .routes(routes!(put_replies, reset_replies))
        .routes(routes!(put_law, reset_law))
        .routes(routes!(put_profile))
}

/// The settings in force, as admins and auditors read them.
async fn current(s: &AppState, caller: &sigap_app::Caller) -> ApiResult<Json<SettingsView>> {
    Ok(Json(overrides::view(&s.app, caller).await?.to_view()))
}

#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn get_settings(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    current(&s, &caller).await
}

#[utoipa::path(put, path = "/api/v1/settings/approval", tag = "settings",
    security(("bearer" = [])), request_body = ApprovalRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_approval(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    overrides::set_approval(&s.app, &caller, &body.request()?).await?;
    current(&s, &caller).await
}

#[utoipa::path(put, path = "/api/v1/settings/holidays", tag = "settings",
    security(("bearer" = [])), request_body = HolidaysRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_holidays(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    overrides::set_holidays(&s.app, &caller, &body.request()?).await?;
    current(&s, &caller).await
}

#[utoipa::path(put, path = "/api/v1/settings/letterhead", tag = "settings",
    security(("bearer" = [])), request_body = LetterheadRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_letterhead(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    let request: LetterheadRequest = body.request()?;
    let logo = match &request.logo_png.0 {
        Value::Null => None,
        Value::String(text) => Some(BASE64.decode(text.trim()).map_err(|_| {
            AppError::invalid("logo", "`logo_png` must be base64 of a PNG or JPEG image")
        })?),
        _ => {
            return Err(AppError::invalid("logo", "`logo_png` must be base64 text").into());
        }
    };
    let change = overrides::check_letterhead(&request, logo)?;
    overrides::set_letterhead(&s.app, &caller, change).await?;
    current(&s, &caller).await
}

#[utoipa::path(put, path = "/api/v1/settings/documents/{kind}", tag = "settings",
    security(("bearer" = [])), params(("kind" = String, Path, description = "acknowledgement, ba_validation, ...")),
    request_body = DocumentKindRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_document_kind(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(kind): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    overrides::set_document_kind(&s.app, &caller, &kind, &body.request()?).await?;
    current(&s, &caller).await
}

#[utoipa::path(put, path = "/api/v1/settings/replies", tag = "settings",
    security(("bearer" = [])), request_body = RepliesRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_replies(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    sigap_app::admin::replies::set_replies(&s.app, &caller, &body.request()?).await?;
    current(&s, &caller).await
}

/// Puts the canned replies back to the texts sigap starts with.
#[utoipa::path(delete, path = "/api/v1/settings/replies", tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already the start value")))]
async fn reset_replies(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    reset(&s, &caller, Section::Replies).await
}

/// Puts `section` back to the value read at start and answers the settings then in force.
async fn reset(
    s: &AppState,
    caller: &sigap_app::Caller,
    section: Section,
) -> ApiResult<Json<SettingsView>> {
    overrides::reset(&s.app, caller, section.as_str()).await?;
    current(s, caller).await
}

/// Puts the approval threshold and window back to the values read at start.
#[utoipa::path(delete, path = "/api/v1/settings/approval", tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already the start value")))]
async fn reset_approval(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    reset(&s, &caller, Section::Approval).await
}

/// Puts the holidays back to those read at start (`SIGAP_HOLIDAYS`).
#[utoipa::path(delete, path = "/api/v1/settings/holidays", tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already the start value")))]
async fn reset_holidays(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    reset(&s, &caller, Section::Holidays).await
}

/// Puts the letterhead and every kind's settings back to those read at start
/// (`SIGAP_DOCUMENTS_FILE`).
#[utoipa::path(delete, path = "/api/v1/settings/documents", tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already the start value")))]
async fn reset_documents(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    reset(&s, &caller, Section::Documents).await
}

/// Sets the numbers of the national rules around the SOP, the whole section at once; the
/// answer names the rule behind each (`law.bases`).
#[utoipa::path(put, path = "/api/v1/settings/law", tag = "settings",
    security(("bearer" = [])), request_body = sigap_core::law::LawRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_law(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    sigap_app::admin::rules::set_law(&s.app, &caller, &body.request()?).await?;
    current(&s, &caller).await
}

/// Puts the national rules' numbers back to the rules' own defaults.
#[utoipa::path(delete, path = "/api/v1/settings/law", tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already the start value")))]
async fn reset_law(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<SettingsView>> {
    reset(&s, &caller, Section::Law).await
}

/// Sets the CSIRT's public profile (RFC 2350, shown at `/rfc2350`), the whole of it. Saving
/// it, changed or not, is its review: `security.txt` then expires a year later.
#[utoipa::path(put, path = "/api/v1/settings/profile", tag = "settings",
    security(("bearer" = [])), request_body = sigap_core::profile::ProfileRequest,
    responses((status = 200, body = SettingsView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn put_profile(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<Json<SettingsView>> {
    sigap_app::admin::rules::set_profile(&s.app, &caller, &body.request()?).await?;
    current(&s, &caller).await
}
