//! The Regional Secretary's pending approvals (`/approvals`): every ticket waiting for the
//! approval of reactivation under the "> 3 reports" rule, with the agency, the system, the
//! count of the agency's valid reports the rule used and its threshold, the agency's other
//! tickets, and the Secretary's decision (approve, or refuse with a note) right there, posted
//! to the ticket's `approve_reactivation` action. Read-only for the CSIRT,
//! administrators and auditors; a system owner is answered 404 (`approvals::pending_approvals`
//! decides), so the page gives away nothing about other agencies.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use sigap_app::views::PendingApproval;
use sigap_core::Role;

use crate::AppState;
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/approvals", get(list_approvals))
}

/// One pending approval ready to show.
struct ApprovalView {
    item: PendingApproval,
    count: String,
    history_caption: String,
    countdown: Option<Countdown>,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    layout: Layout,
    lang: PageLang,
    lead: String,
    /// Whether the caller decides (the Regional Secretary) or only reads.
    decides: bool,
    /// The token of the decision forms.
    csrf_token: String,
    items: Vec<ApprovalView>,
}

fn approval_view(
    lang: PageLang,
    item: PendingApproval,
    now: chrono::DateTime<chrono::Utc>,
) -> ApprovalView {
    let count = match item.agency_valid_reports {
        Some(count) => lang.tf(
            "approvals.count_value",
            &[
                ("count", count.to_string()),
                ("threshold", item.threshold.to_string()),
            ],
        ),
        None => lang.t("approvals.count_unknown").into_owned(),
    };
    let agency = item
        .agency
        .as_ref()
        .map(|a| a.code.clone())
        .unwrap_or_default();
    ApprovalView {
        history_caption: lang.tf("approvals.history_caption", &[("agency", agency)]),
        countdown: item
            .deadline
            .as_ref()
            .map(|d| countdown(lang, now, d.due_at)),
        count,
        item,
    }
}

async fn list_approvals(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/approvals",
        lang.t("approvals.title").into_owned(),
        &session,
    );
    let items = sigap_app::workflow::approvals::pending_approvals(&state.app, &session.caller)
        .await
        .or_page(&layout)?;
    let now = state.app.now();
    let effective = state.app.effective().await.or_page(&layout)?;
    let threshold = effective.policy.approval_threshold.to_string();
    let page = ApprovalsPage {
        lead: lang.tf("approvals.lead", &[("threshold", threshold)]),
        decides: session.caller.role == Role::RegionalSecretary,
        csrf_token: session.csrf_token.clone(),
        items: items
            .into_iter()
            .map(|item| approval_view(lang, item, now))
            .collect(),
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &page))
}
