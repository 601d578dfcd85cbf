//! The registries: agencies, electronic systems (with domains) and staff users. Admins
//! write; staff read; a system owner reads only their own agency and its systems.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sigap_app::admin::registry::{
    self, AgencyEdit, AgencyRequest, BlockingRequest, SystemEdit, SystemRequest, UserEdit,
    UserRequest,
};
use sigap_app::identity::two_factor::{self, UserRef};
use sigap_app::views::{AgencyView, CreatedUser, SystemView, UserView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, FormBody, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agencies, add_agency))
        .routes(routes!(edit_agency))
        .routes(routes!(list_systems, add_system))
        .routes(routes!(edit_system))
        .routes(routes!(edit_user))
        .routes(routes!(set_blocking))
        .routes(routes!(list_users, add_user))
        .routes(routes!(reset_user_totp))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "registries", security(("bearer" = [])),
    responses((status = 200, body = Vec<AgencyView>), (status = 401, body = Problem)))]
async fn list_agencies(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<Vec<AgencyView>>> {
    Ok(Json(registry::list_agencies(&s.app, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/agencies", tag = "registries", security(("bearer" = [])),
    request_body = AgencyRequest,
    responses((status = 201, body = AgencyView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_agency(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<AgencyView>)> {
    Ok((
        StatusCode::CREATED,
        Json(registry::add_agency(&s.app, &caller, &body.request()?).await?),
    ))
}

/// Changes an agency (admin): its name, addresses and whether it is out of service. Every
/// field is set as sent (an address left out is cleared; `disabled` left out is `false`);
/// the code stays. A disabled agency keeps its tickets, but no new report, system or
/// system-owner account is given to it. Audited with what it was and what it became.
#[utoipa::path(put, path = "/api/v1/agencies/{code}", tag = "registries", security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code, e.g. `DISDIK`")),
    request_body = AgencyEdit,
    responses((status = 200, body = AgencyView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn edit_agency(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(code): ApiPath<String>,
    body: FormBody,
) -> ApiResult<Json<AgencyView>> {
    Ok(Json(
        registry::edit_agency(&s.app, &caller, &code, &body.request()?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/systems", tag = "registries", security(("bearer" = [])),
    responses((status = 200, body = Vec<SystemView>), (status = 401, body = Problem)))]
async fn list_systems(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<Vec<SystemView>>> {
    Ok(Json(registry::list_systems(&s.app, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/systems", tag = "registries", security(("bearer" = [])),
    request_body = SystemRequest,
    responses((status = 201, body = SystemView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_system(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<SystemView>)> {
    Ok((
        StatusCode::CREATED,
        Json(registry::add_system(&s.app, &caller, &body.request()?).await?),
    ))
}

/// Changes an electronic system (admin): its name, its whole list of domains and whether it
/// is out of service; its agency stays. A disabled system keeps its tickets, but no new
/// report is matched to it and no validation may name it. A domain another system has
/// answers 422. Audited with what it was and what it became.
#[utoipa::path(put, path = "/api/v1/systems/{id}", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The system's id")),
    request_body = SystemEdit,
    responses((status = 200, body = SystemView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn edit_system(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
    body: FormBody,
) -> ApiResult<Json<SystemView>> {
    Ok(Json(
        registry::edit_system(&s.app, &caller, id, &body.request()?).await?,
    ))
}

/// Sets how a system is blocked (admin): a profile and its harmless values, or `manual`.
/// Any other parameter answers 422 naming it (`params.test_command`) and is audited.
#[utoipa::path(post, path = "/api/v1/systems/blocking", tag = "registries", security(("bearer" = [])),
    request_body = BlockingRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_blocking(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<StatusCode> {
    registry::choose_blocking(&s.app, &caller, &body.request()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "registries", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_users(
    State(s): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(registry::list_users(&s.app, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "registries", security(("bearer" = [])),
    request_body = UserRequest,
    responses((status = 201, body = CreatedUser), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_user(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    Ok((
        StatusCode::CREATED,
        Json(registry::add_user(&s.app, &caller, &body.request()?).await?),
    ))
}

/// Changes a user's name, role and agency (admin). A change of role or agency ends the
/// user's sessions and revokes their API tokens; an admin may not change their own role
/// (422 on `role`). Audited with what it was and what it became.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = UserEdit,
    responses((status = 200, body = UserView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn edit_user(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
    body: FormBody,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        registry::edit_user(&s.app, &caller, id, &body.request()?).await?,
    ))
}

/// Disables a user (admin): they can no longer sign in, their API tokens stop working and
/// their sessions end. An admin cannot disable their own account (409). Audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn disable_user(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::set_user_disabled(&s.app, &caller, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled user again (admin). Audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn enable_user(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::set_user_disabled(&s.app, &caller, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets a user's second factor (admin): their authenticator and recovery codes are
/// removed and their sessions ended; at the next sign-in they enrol again when their role
/// must have one. Audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/totp/reset", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reset_user_totp(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    two_factor::reset(&s.app, &caller, &UserRef::Id(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
