//! The ticket page's section on UU PDP Pasal 46 (`#data-pribadi`): the clock of a breach of
//! personal data with its deadline counted down, the notices recorded with their files,
//! the form that records a notice (the agency's system owners, the CSIRT on their behalf)
//! and, while the ticket has no clock, the CSIRT's form that records a breach found after
//! the assessment. A refusal is the error page with the problem, as the meetings' forms.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sigap_app::identity::login::Session;
use sigap_app::views::{PersonalDataView, TicketView};
use sigap_app::workflow::pdp_notices::{self, NoticeDraftView};
use sigap_app::workflow::personal_data;
use sigap_core::Role;
use sigap_core::pdp::NoticeChannel;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::csrf::staff_form;
use crate::pages::session::StaffSession;
use crate::pages::ticket::ticket_layout;
use crate::pages::{OrPage, PageLang, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/tickets/{ticket_number}/personal-data",
            post(record_breach),
        )
        .route(
            "/tickets/{ticket_number}/personal-data/notices",
            post(record_notice),
        )
        .route(
            "/tickets/{ticket_number}/personal-data/notices/{recipient}",
            get(download_notice),
        )
        .route(
            "/tickets/{ticket_number}/personal-data/drafts/{recipient}",
            post(save_draft),
        )
}

/// What the section shows and offers.
pub(crate) struct PdpSection {
    pub(crate) clock: Option<PersonalDataView>,
    /// The deadline counted down while the clock runs.
    pub(crate) countdown: Option<Countdown>,
    /// How the clock started, in words.
    pub(crate) source: String,
    /// The CSIRT may record a breach (the ticket has no clock).
    pub(crate) may_record: bool,
    /// The reader may record a notice (a clock with a notice missing).
    pub(crate) may_notify: bool,
    /// The recipients whose notice is missing: value and label.
    pub(crate) recipients: Vec<(&'static str, &'static str)>,
    /// Every channel: value and label.
    pub(crate) channels: Vec<(&'static str, &'static str)>,
    /// The drafts of both notices, for those who edit them (filled by [`fill_drafts`]).
    pub(crate) drafts: Vec<NoticeDraftView>,
}

impl PdpSection {
    /// Whether the section has anything to show the reader.
    pub(crate) fn shown(&self) -> bool {
        self.clock.is_some() || self.may_record
    }
}

/// The section for `session`'s reader of `ticket` at `now`.
pub(crate) fn section(
    lang: PageLang,
    session: &Session,
    ticket: &TicketView,
    now: DateTime<Utc>,
) -> PdpSection {
    let role = session.caller.role;
    let clock = ticket.personal_data.clone();
    let running = clock.as_ref().filter(|c| c.stopped_at.is_none());
    let recipients = clock
        .as_ref()
        .map(|c| {
            c.missing
                .iter()
                .map(|r| (r.as_str(), lang.label(*r)))
                .collect()
        })
        .unwrap_or_default();
    let source = match clock.as_ref().map(|c| c.source.as_str()) {
        Some(personal_data::FROM_STAFF) => lang.t("pdp.source.staff").into_owned(),
        Some(_) => lang.t("pdp.source.assessment").into_owned(),
        None => String::new(),
    };
    PdpSection {
        countdown: running.map(|c| countdown(lang, now, c.due_at)),
        source,
        may_record: clock.is_none() && matches!(role, Role::Csirt | Role::Admin),
        may_notify: clock.as_ref().is_some_and(|c| !c.missing.is_empty())
            && matches!(role, Role::SystemOwner | Role::Csirt | Role::Admin),
        recipients,
        channels: NoticeChannel::ALL
            .iter()
            .map(|c| (c.as_str(), lang.label(*c)))
            .collect(),
        clock,
        drafts: Vec::new(),
    }
}

/// The section's drafts of the notices, for a reader who may edit them.
pub(crate) async fn fill_drafts(
    state: &AppState,
    session: &Session,
    ticket: &TicketView,
    section: &mut PdpSection,
) -> Result<(), sigap_app::AppError> {
    if section.clock.is_some() {
        section.drafts = pdp_notices::drafts(&state.app, &session.caller, &ticket.number).await?;
    }
    Ok(())
}

async fn record_breach(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    personal_data::record_breach(&state.app, &session.caller, &number, &body.fields)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#data-pribadi")).into_response())
}

async fn record_notice(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let file = crate::api::personal_data::one_file(body.files).or_page(&layout)?;
    personal_data::record_notice(&state.app, &session.caller, &number, &body.fields, file)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#data-pribadi")).into_response())
}

async fn download_notice(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((number, recipient)): Path<(String, String)>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let (notice, read) =
        personal_data::notice_file(&state.app, &session.caller, &number, &recipient)
            .await
            .or_page(&layout)?;
    Ok(crate::download::evidence(
        &notice.file_name,
        &notice.sha256,
        sigap_app::workflow::tickets::EvidenceBody::Stored(read),
    ))
}

/// Saves the text as posted and, when the form's "issue" button sent it, issues the
/// notice from it.
async fn save_draft(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((number, recipient)): Path<(String, String)>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let (app, caller) = (&state.app, &session.caller);
    pdp_notices::save_draft(app, caller, &number, &recipient, &body.fields)
        .await
        .or_page(&layout)?;
    if body.fields.get("issue").and_then(|v| v.as_str()) == Some("true") {
        pdp_notices::issue(app, caller, &number, &recipient)
            .await
            .or_page(&layout)?;
    }
    Ok(Redirect::to(&format!("/tickets/{number}#draft-{recipient}")).into_response())
}
