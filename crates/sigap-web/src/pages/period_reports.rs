//! The periodic reports on the staff side (`/dashboard/reports`): the list, with a form
//! that drafts a period's report (CSIRT and admins), and one report
//! (`/dashboard/reports/{id}`): its narrative to edit while a draft, its PDF (a preview
//! until issued) and the issue. Plain forms with the anti-CSRF token; no script.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sigap_app::stats::report::{self, NarrativeRequest, NewPeriodReportRequest, PeriodReportView};
use sigap_core::Role;

use crate::AppState;
use crate::extract::Source;
use crate::pages::csrf::tokens_match;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/reports", get(list).post(create))
        .route("/dashboard/reports/{id}", get(one))
        .route("/dashboard/reports/{id}/narrative", post(narrative))
        .route("/dashboard/reports/{id}/issue", post(issue))
        .route("/dashboard/reports/{id}/pdf", get(pdf))
}

#[derive(Template)]
#[template(path = "period_reports.html")]
struct ListPage {
    layout: Layout,
    lang: PageLang,
    writes: bool,
    csrf_token: String,
    reports: Vec<PeriodReportView>,
}

#[derive(Template)]
#[template(path = "period_report.html")]
struct OnePage {
    layout: Layout,
    lang: PageLang,
    writes: bool,
    csrf_token: String,
    report: PeriodReportView,
    issued_at: String,
    recipients: usize,
}

#[derive(Debug, Deserialize)]
struct CreateForm {
    csrf_token: Option<String>,
    #[serde(default)]
    period: String,
}

#[derive(Debug, Deserialize)]
struct NarrativeForm {
    csrf_token: Option<String>,
    #[serde(default)]
    narrative: String,
}

#[derive(Debug, Deserialize)]
struct IssueForm {
    csrf_token: Option<String>,
}

fn layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/dashboard",
        lang.t("reports.title").into_owned(),
        session,
    )
}

fn writes(role: Role) -> bool {
    matches!(role, Role::Csirt | Role::Admin)
}

async fn list(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
) -> PageResult {
    let layout = layout(lang, &session);
    let reports = report::list(&state.app, &session.caller)
        .await
        .or_page(&layout)?;
    let page = ListPage {
        writes: writes(session.caller.role),
        csrf_token: session.csrf_token.clone(),
        reports,
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn create(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    axum::Form(form): axum::Form<CreateForm>,
) -> PageResult {
    let layout = layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    let request = NewPeriodReportRequest {
        period: Some(form.period),
        ..NewPeriodReportRequest::default()
    };
    let view = report::create(&state.app, &session.caller, &request, source.0)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/dashboard/reports/{}", view.id)).into_response())
}

async fn one(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
) -> PageResult {
    let layout = layout(lang, &session);
    let report = report::get(&state.app, &session.caller, id)
        .await
        .or_page(&layout)?;
    let page = OnePage {
        writes: writes(session.caller.role),
        csrf_token: session.csrf_token.clone(),
        issued_at: report
            .issued_at
            .as_ref()
            .map(|t| lang.wib(t))
            .unwrap_or_default(),
        recipients: state.app.rules.notices.report_recipients.len(),
        report,
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn narrative(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<NarrativeForm>,
) -> PageResult {
    let layout = layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    let request = NarrativeRequest {
        narrative: form.narrative,
    };
    report::edit(&state.app, &session.caller, id, &request, source.0)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/dashboard/reports/{id}")).into_response())
}

async fn issue(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<IssueForm>,
) -> PageResult {
    let layout = layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    report::issue(&state.app, &session.caller, id, source.0)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/dashboard/reports/{id}")).into_response())
}

async fn pdf(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
) -> PageResult {
    let layout = layout(lang, &session);
    let pdf = report::pdf(&state.app, &session.caller, id)
        .await
        .or_page(&layout)?;
    Ok(crate::download::attachment(
        &pdf.name,
        "application/pdf",
        &pdf.sha256,
        pdf.bytes,
    ))
}
