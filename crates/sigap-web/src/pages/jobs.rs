//! The job queue for admins and auditors (`/admin/jobs`): how many jobs are pending, running,
//! done and failed, whether mail goes out at all, and the newest jobs with their attempts and
//! last error; an admin puts a failed job back in the queue with one button. Other roles are
//! answered 403 by the use case.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sigap_app::outbox::jobs::{JobSummary, JobView};
use sigap_core::{JobKind, Role};

use crate::AppState;
use crate::pages::csrf::tokens_match;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(list_jobs))
        .route("/admin/jobs/{id}/retry", post(retry_job))
}

#[derive(Debug, serde::Deserialize)]
struct JobFilter {
    state: Option<String>,
}

/// One job row ready to show.
struct JobRowView {
    job: JobView,
    what: String,
    state_label: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    layout: Layout,
    lang: PageLang,
    summary: JobSummary,
    filter: String,
    jobs: Vec<JobRowView>,
    /// Whether the caller may retry (admins).
    retries: bool,
    csrf_token: String,
}

fn what(lang: PageLang, job: &JobView) -> String {
    let key = match job.kind {
        JobKind::Mail => format!("jobs.mail.{}", job.mail.as_deref().unwrap_or("other")),
        JobKind::Webhook => "jobs.kind.webhook".to_owned(),
        JobKind::Alert => "jobs.kind.other".to_owned(),
        JobKind::Account => "jobs.kind.account".to_owned(),
        JobKind::Inbox => "jobs.kind.inbox".to_owned(),
        JobKind::Report => "jobs.kind.report".to_owned(),
    };
    let text = lang.t(&key);
    if text == key {
        // A mail kind without its own label shows its name.
        job.mail
            .clone()
            .unwrap_or_else(|| job.kind.as_str().to_owned())
    } else {
        text.into_owned()
    }
}

async fn list_jobs(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(filter): Query<JobFilter>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/admin/jobs",
        lang.t("jobs.title").into_owned(),
        &session,
    );
    let wanted = filter.state.filter(|s| !s.is_empty());
    let (summary, jobs) = tokio::try_join!(
        sigap_app::outbox::jobs::summary(&state.app, &session.caller),
        sigap_app::outbox::jobs::list_jobs(&state.app, &session.caller, wanted.as_deref()),
    )
    .or_page(&layout)?;
    let page = JobsPage {
        summary,
        filter: wanted.unwrap_or_default(),
        jobs: jobs
            .into_iter()
            .map(|job| JobRowView {
                what: what(lang, &job),
                state_label: lang.t(&format!("jobs.state.{}", job.state)).into_owned(),
                job,
            })
            .collect(),
        retries: session.caller.role == Role::Admin,
        csrf_token: session.csrf_token.clone(),
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, serde::Deserialize)]
struct RetryForm {
    csrf_token: Option<String>,
}

async fn retry_job(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RetryForm>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/admin/jobs",
        lang.t("jobs.title").into_owned(),
        &session,
    );
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    let id = id
        .parse::<i64>()
        .map_err(|_| sigap_app::AppError::NotFound(format!("job {id}")))
        .or_page(&layout)?;
    sigap_app::outbox::jobs::retry(&state.app, &session.caller, id)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to("/admin/jobs?state=pending").into_response())
}
