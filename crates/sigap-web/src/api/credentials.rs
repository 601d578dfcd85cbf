//! Credentials over the API: API tokens (list, create, revoke) and the admin's forced
//! password reset. A token's secret is answered once, at creation; lists never carry it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sigap_app::identity::passwords;
use sigap_app::identity::tokens::{
    self, CreatedToken, TokenCreateRequest, TokenRequest, TokenView,
};
use sigap_app::identity::two_factor::UserRef;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, FormBody, Source, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(reset_password))
}

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenQuery {
    /// Another user's tokens (admin).
    pub email: Option<String>,
    /// Every user's tokens (admin).
    #[serde(default)]
    pub all: bool,
}

/// The caller's API tokens (newest first), or another user's or everyone's (admin). The
/// secrets are never listed.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "registries", security(("bearer" = [])),
    params(TokenQuery),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_tokens(
    State(s): State<AppState>,
    Staff(caller): Staff,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> ApiResult<Json<Vec<TokenView>>> {
    let email = query.email.as_deref();
    Ok(Json(tokens::list(&s.app, &caller, email, query.all).await?))
}

/// Creates an API token for a user (admin, scope `admin`); its secret is answered once.
/// Audited.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "registries", security(("bearer" = [])),
    request_body = TokenCreateRequest,
    responses((status = 201, body = CreatedToken), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(s): State<AppState>,
    Staff(caller): Staff,
    body: FormBody,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let request = TokenRequest::try_from(&body.request::<TokenCreateRequest>()?)?;
    let created = tokens::create(&s.app, &caller, &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes an API token: the caller's own, or any (admin); it answers 401 from then on.
/// Another user's token answers 404. Audited, refusals included.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Source(source): Source,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&s.app, &caller, id, source).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password an admin reset, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetPasswordView {
    pub email: String,
    pub password: String,
}

/// Forces a new password on a user (admin): a generated one is answered once and every
/// session of the user ends. Audited, refusals included.
#[utoipa::path(post, path = "/api/v1/users/{id}/password/reset", tag = "registries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, body = ResetPasswordView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reset_password(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Source(source): Source,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ResetPasswordView>> {
    let reset = passwords::reset(&s.app, &caller, &UserRef::Id(id), source).await?;
    Ok(Json(ResetPasswordView {
        email: reset.email,
        password: reset.password,
    }))
}
