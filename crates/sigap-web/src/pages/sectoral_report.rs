//! The ticket page's section on Peraturan BSSN 1/2024 (`#csirt-sektoral`): why the ticket
//! is reported to the sectoral CSIRT, its deadline counted down, the report prepared (the
//! document, for those who may read it, and its STIX 2.1 bundle), the sending as recorded,
//! and the CSIRT's forms that prepare the report and record its sending. A refusal is the
//! error page with the problem.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sigap_app::identity::login::Session;
use sigap_app::law::sectoral_document;
use sigap_app::views::{DocumentView, SectoralReportView, TicketView};
use sigap_app::workflow::sectoral_report;
use sigap_core::DocumentKind;
use sigap_core::Role;
use sigap_core::bssn::ReportChannel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, Source};
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::csrf::staff_form;
use crate::pages::session::StaffSession;
use crate::pages::ticket::ticket_layout;
use crate::pages::{OrPage, PageLang, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/tickets/{ticket_number}/sectoral-report",
            post(record_sent),
        )
        .route(
            "/tickets/{ticket_number}/sectoral-report/document",
            post(issue_report),
        )
        .route(
            "/tickets/{ticket_number}/sectoral-report/bundle",
            get(download_bundle),
        )
}

/// What the section shows and offers.
pub(crate) struct SectoralSection {
    pub(crate) report: Option<SectoralReportView>,
    /// The deadline counted down while the report is unsent.
    pub(crate) countdown: Option<Countdown>,
    /// The reader may record the sending, and prepare the report.
    pub(crate) may_record: bool,
    /// The latest report prepared, when the reader may read it (it names the reporter).
    pub(crate) document: Option<DocumentView>,
    /// Every channel: value and label.
    pub(crate) channels: Vec<(&'static str, &'static str)>,
}

/// The section for `session`'s reader of `ticket` at `now`.
pub(crate) fn section(
    lang: PageLang,
    session: &Session,
    ticket: &TicketView,
    now: DateTime<Utc>,
) -> SectoralSection {
    let report = ticket.sectoral_report.clone();
    let unsent = report.as_ref().filter(|r| r.sent_at.is_none());
    let document = ticket
        .documents
        .iter()
        .rev()
        .find(|d| d.kind == DocumentKind::SectoralReport)
        .cloned();
    SectoralSection {
        document,
        countdown: unsent.map(|r| countdown(lang, now, r.due_at)),
        may_record: unsent.is_some() && matches!(session.caller.role, Role::Csirt | Role::Admin),
        channels: ReportChannel::ALL
            .iter()
            .map(|c| (c.as_str(), lang.label(*c)))
            .collect(),
        report,
    }
}

async fn record_sent(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    sectoral_report::record_sent(&state.app, &session.caller, &number, &body.fields)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#csirt-sektoral")).into_response())
}

async fn issue_report(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    sectoral_document::issue_report(&state.app, &session.caller, &number, &body.fields)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#csirt-sektoral")).into_response())
}

/// The bundle issued with the report, as `GET /api/v1/tickets/{n}/sectoral-report/bundle`.
async fn download_bundle(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let export = sectoral_document::bundle(&state.app, &session.caller, &number, source.0)
        .await
        .or_page(&layout)?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}
