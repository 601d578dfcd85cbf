//! The ticket page's section on retention (`#retensi`): when the reporter's contact data
//! were anonymised, the legal hold with its reason, and the admin's form that sets or lifts
//! it. A refusal is the error page with the problem.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use sigap_app::identity::login::Session;
use sigap_app::views::TicketView;
use sigap_app::workflow::legal_hold;
use sigap_core::Role;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::csrf::staff_form;
use crate::pages::session::StaffSession;
use crate::pages::ticket::ticket_layout;
use crate::pages::{OrPage, PageLang, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/{ticket_number}/legal-hold", post(set_hold))
        .route("/tickets/{ticket_number}/legal-hold/lift", post(lift_hold))
}

/// What the section offers.
pub(crate) struct RetentionSection {
    /// The reader may set or lift the hold.
    pub(crate) may_hold: bool,
    /// The section is shown: something to say, or a form to offer.
    pub(crate) shown: bool,
}

/// The section for `session`'s reader of `ticket`.
pub(crate) fn section(session: &Session, ticket: &TicketView) -> RetentionSection {
    let may_hold = session.caller.role == Role::Admin;
    let r = &ticket.retention;
    RetentionSection {
        may_hold,
        shown: may_hold || r.legal_hold.is_some() || r.contact_removed_at.is_some(),
    }
}

async fn set_hold(
    state: State<AppState>,
    lang: PageLang,
    session: StaffSession,
    number: Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    change(state, lang, session, number, body, true).await
}

async fn lift_hold(
    state: State<AppState>,
    lang: PageLang,
    session: StaffSession,
    number: Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    change(state, lang, session, number, body, false).await
}

async fn change(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    body: Result<FormBody, ApiError>,
    hold: bool,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let (app, caller) = (&state.app, &session.caller);
    if hold {
        legal_hold::set(app, caller, &number, &body.fields).await
    } else {
        legal_hold::lift(app, caller, &number, &body.fields).await
    }
    .or_page(&layout)?;
    Ok(Redirect::to(&format!("/tickets/{number}#retensi")).into_response())
}
