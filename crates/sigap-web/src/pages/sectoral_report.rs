//! The ticket page's section on Peraturan BSSN 1/2024 (`#csirt-sektoral`): why the ticket
//! is reported to the sectoral CSIRT, its deadline counted down, the sending as recorded,
//! and the CSIRT's form that records it. A refusal is the error page with the problem.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use chrono::{DateTime, Utc};
use sigap_app::identity::login::Session;
use sigap_app::views::{SectoralReportView, TicketView};
use sigap_app::workflow::sectoral_report;
use sigap_core::Role;
use sigap_core::bssn::ReportChannel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::csrf::staff_token_ok;
use crate::pages::session::StaffSession;
use crate::pages::ticket::ticket_layout;
use crate::pages::{OrPage, PageLang, PageResult, csrf_refused};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/tickets/{ticket_number}/sectoral-report",
        post(record_sent),
    )
}

/// What the section shows and offers.
pub(crate) struct SectoralSection {
    pub(crate) report: Option<SectoralReportView>,
    /// The deadline counted down while the report is unsent.
    pub(crate) countdown: Option<Countdown>,
    /// The reader may record the sending.
    pub(crate) may_record: bool,
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
    SectoralSection {
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
    let mut body = body.or_page(&layout)?;
    if !staff_token_ok(&session.csrf_token, &mut body.fields) {
        return Err(csrf_refused(layout).into());
    }
    sectoral_report::record_sent(&state.app, &session.caller, &number, &body.fields)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#csirt-sektoral")).into_response())
}
