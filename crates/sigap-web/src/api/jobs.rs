//! The background jobs for admins and auditors: the queue with each job's state, attempts
//! and last error, a summary by state (and whether mail goes out), and putting a failed job
//! back in the queue (admins).

use axum::Json;
use axum::extract::State;
use sigap_app::outbox::jobs::{JobSummary, JobView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, Staff};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(job_summary))
        .routes(routes!(retry_job))
}

/// Which jobs to list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct JobQuery {
    /// `pending`, `running`, `done` or `failed`.
    state: Option<String>,
}

/// The background jobs (mail, webhooks), newest first, with the error of the failed ones:
/// admins and auditors.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "service", security(("bearer" = [])),
    params(JobQuery),
    responses((status = 200, body = Vec<JobView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_jobs(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> ApiResult<Json<Vec<JobView>>> {
    Ok(Json(
        sigap_app::outbox::jobs::list_jobs(&state.app, &caller, query.state.as_deref()).await?,
    ))
}

/// How many jobs are pending, running, done and failed, and whether mail is sent at all
/// (`mail_enabled` is `false` when no SMTP server is set): admins and auditors.
#[utoipa::path(get, path = "/api/v1/jobs/summary", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = JobSummary), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn job_summary(
    State(state): State<AppState>,
    Staff(caller): Staff,
) -> ApiResult<Json<JobSummary>> {
    Ok(Json(
        sigap_app::outbox::jobs::summary(&state.app, &caller).await?,
    ))
}

/// Puts a failed job back in the queue, due now, with a fresh count of attempts (admins).
/// A job that has not failed answers 409.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "service",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = JobView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the job has not failed")))]
async fn retry_job(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<JobView>> {
    let id = id.parse::<i64>().map_err(|_| ApiError::not_found())?;
    Ok(Json(
        sigap_app::outbox::jobs::retry(&state.app, &caller, id).await?,
    ))
}
