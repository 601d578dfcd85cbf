//! The audit log for admins and auditors (`/admin/audit`): the entries filtered by ticket,
//! actor, action, outcome and time, newest first and a page at a time, the worker's last
//! check of the chain, and the same selection as a JSON-lines or CSV download
//! (`/admin/audit/export`, `?format=csv`). Other roles are answered 403 by the use case, which audits the
//! refusal.

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use sigap_app::admin::audit_export::Export;
use sigap_app::admin::audit_log::{AuditEntryView, AuditQuery, ChainCheck};

use crate::AppState;
use crate::api::audit::FormatQuery;
use crate::extract::Source;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageError, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/export", get(export))
}

/// One entry ready to show.
struct EntryRow {
    entry: AuditEntryView,
    /// The details as indented JSON, when there are any.
    details: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    layout: Layout,
    lang: PageLang,
    query: AuditQuery,
    entries: Vec<EntryRow>,
    chain: Option<ChainCheck>,
    /// The query string of the filters, for the export and the next page.
    filters: String,
    next: Option<String>,
}

/// The filters as a query string (without `before` and `limit`).
fn filters(q: &AuditQuery) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("ticket", &q.ticket),
        ("actor", &q.actor),
        ("action", &q.action),
        ("outcome", &q.outcome),
        ("from", &q.from),
        ("until", &q.until),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.append_pair(name, v);
        }
    }
    out.finish()
}

async fn audit_page(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> PageResult {
    let layout = audit_layout(lang, &session);
    let Query(query) = query.map_err(|e| bad_query(&layout, &e))?;
    let page = sigap_app::admin::audit_log::search(&state.app, &session.caller, &query)
        .await
        .or_page(&layout)?;
    let filters = filters(&query);
    let next = page.next_before.map(|before| {
        if filters.is_empty() {
            format!("before={before}")
        } else {
            format!("{filters}&before={before}")
        }
    });
    let view = AuditPageView {
        entries: page
            .entries
            .into_iter()
            .map(|entry| EntryRow {
                details: (!entry.details.is_null()
                    && entry.details.as_object().is_none_or(|o| !o.is_empty()))
                .then(|| serde_json::to_string_pretty(&entry.details).unwrap_or_default()),
                entry,
            })
            .collect(),
        chain: page.chain,
        filters,
        next,
        query,
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &view))
}

fn audit_layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/admin/audit",
        lang.t("audit.title").into_owned(),
        session,
    )
}

/// The page for filters that could not be read.
fn bad_query(layout: &Layout, e: &QueryRejection) -> PageError {
    PageError::status(layout, StatusCode::BAD_REQUEST, Some(e.body_text()))
}

async fn export(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Source(source): Source,
    query: Result<Query<AuditQuery>, QueryRejection>,
    format: Result<Query<FormatQuery>, QueryRejection>,
) -> PageResult {
    let layout = audit_layout(lang, &session);
    let Query(query) = query.map_err(|e| bad_query(&layout, &e))?;
    let Query(format) = format.map_err(|e| bad_query(&layout, &e))?;
    let format = format.format().or_page(&layout)?;
    let export = Export::start(&state.app, &session.caller, &query, format, source)
        .await
        .or_page(&layout)?;
    Ok(crate::api::audit::export_response(state, export))
}
