//! Service endpoints: health, statistics, `security.txt`, the CSIRT's OpenPGP key and the
//! fallback for unknown paths.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::SecondsFormat;
use sigap_app::views::Stats;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Staff;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(stats))
        .routes(routes!(security_txt))
        .routes(routes!(pgp_key))
}

/// `200` when the server and its database answer.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "ok"), (status = 503, body = Problem)))]
async fn healthz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.app.ping().await.map(|()| "ok").map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )
    })
}

/// What `/readyz` answers: the checks, and whether the server is stopping.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct ReadyAnswer {
    /// `true` when the instance takes requests.
    ready: bool,
    /// The server has been told to stop and finishes the requests under way.
    stopping: bool,
    #[serde(flatten)]
    checks: sigap_app::Readiness,
}

/// `/readyz`'s 503: a problem document that also names the checks.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct NotReady {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(flatten)]
    answer: ReadyAnswer,
}

/// `200` when this instance can take requests (for a load balancer): the database answers
/// with every migration of this version applied and the blob store answers; `503` (a
/// problem document naming the checks) when one does not, or while the server is stopping.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, body = ReadyAnswer),
        (status = 503, description = "not ready, or stopping (or, as every route, the connection cap)",
            content((NotReady = "application/problem+json")))))]
async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    let stopping = *state.web.stopping.borrow();
    let checks = state.app.readiness().await;
    let ready = !stopping && checks.ready();
    let answer = ReadyAnswer {
        ready,
        stopping,
        checks,
    };
    if ready {
        return Json(answer).into_response();
    }
    let failed: Vec<&str> = [
        ("database", answer.checks.database),
        ("migrations", answer.checks.migrations),
        ("blobs", answer.checks.blobs),
    ]
    .into_iter()
    .filter(|(_, c)| *c != sigap_app::Check::Ok)
    .map(|(name, _)| name)
    .collect();
    let detail = if stopping {
        "the server is stopping".to_owned()
    } else {
        format!("failed: {}", failed.join(", "))
    };
    let body = NotReady {
        kind: "about:blank",
        title: "Not ready",
        status: 503,
        detail,
        answer,
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(body),
    )
        .into_response()
}

/// Counts by state, criticality, agency and vulnerability type, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/stats", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Stats), (status = 401, body = Problem)))]
async fn stats(State(state): State<AppState>, Staff(caller): Staff) -> ApiResult<Json<Stats>> {
    Ok(Json(
        sigap_app::workflow::stats::stats(&state.app, &caller).await?,
    ))
}

/// RFC 9116: where and how to report a vulnerability. `Expires` falls a year after the last
/// review of the CSIRT's profile (`/admin/settings`); the admins are mailed a month before.
#[utoipa::path(get, path = "/.well-known/security.txt", tag = "service",
    responses((status = 200, content_type = "text/plain", body = String),
        (status = 503, body = Problem)))]
async fn security_txt(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let base = state.app.rules.public_url.trim_end_matches('/').to_owned();
    let expires = sigap_app::admin::rules::security_txt_expires(&state.app)
        .await?
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut body = format!(
        "Contact: {}\nContact: {base}/report\nExpires: {expires}\n",
        state.web.security_contact
    );
    if state.app.rules.mail_in.pgp.is_some() {
        body.push_str(&format!("Encryption: {base}/pgp-key.txt\n"));
    }
    body.push_str(&format!(
        "Policy: {base}/#kebijakan\nPreferred-Languages: id, en\n\
         Canonical: {base}/.well-known/security.txt\n"
    ));
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body))
}

/// The CSIRT's OpenPGP public key (armored), to encrypt reports to; 404 when the CSIRT has
/// none (`SIGAP_PGP_KEY_FILE`).
#[utoipa::path(get, path = "/pgp-key.txt", tag = "service",
    responses((status = 200, content_type = "application/pgp-keys", body = String),
        (status = 404, body = Problem)))]
async fn pgp_key(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let keys = state
        .app
        .rules
        .mail_in
        .pgp
        .as_ref()
        .ok_or_else(ApiError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pgp-keys".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"csirt-{}.asc\"",
                    &keys.fingerprint()[..16]
                ),
            ),
        ],
        keys.public_armored().to_owned(),
    ))
}

/// Unknown paths answer a problem document.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
