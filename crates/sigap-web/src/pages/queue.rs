//! The staff queue (`/tickets`): the tickets of the caller's role and scope through
//! `tickets::list_tickets` (a system owner sees only their agency's), with filters, a
//! full-text search box, each ticket's SOP step, its deadline in WIB with an overdue mark
//! (for a system owner, the remediation deadline counted down from the app's clock), and a
//! keyset "next page" link.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sigap_app::views::{AgencyView, TicketSummary};
use sigap_app::workflow::tickets::{self, ListQuery};
use sigap_core::{Criticality, Role, State as TicketState};

use crate::AppState;
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::forms::Choice;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/tickets", get(list_tickets))
}

/// The queue's query string; empty fields mean "any".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl QueueQuery {
    fn overdue_only(&self) -> bool {
        sigap_core::parse_bool(&self.overdue).unwrap_or(false)
    }

    fn to_list_query(&self) -> ListQuery {
        ListQuery {
            state: some(&self.state),
            agency: some(&self.agency),
            criticality: some(&self.criticality),
            overdue: self.overdue_only().then_some(true),
            q: some(&self.q),
            cursor: some(&self.cursor),
            limit: Some(25),
        }
    }

    /// The link to the page after `cursor`, with the same filters.
    fn next_link(&self, cursor: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("state", &self.state),
            ("agency", &self.agency),
            ("criticality", &self.criticality),
            ("q", &self.q),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value.trim());
            }
        }
        if self.overdue_only() {
            query.append_pair("overdue", "true");
        }
        query.append_pair("cursor", cursor);
        format!("/tickets?{}", query.finish())
    }
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    lang: PageLang,
    query: QueueQuery,
    states: Vec<Choice>,
    agencies: Vec<Choice>,
    criticalities: Vec<Choice>,
    /// Whether the caller is a system owner, who sees the remediation deadline counted down.
    owner: bool,
    items: Vec<QueueRow>,
    next: Option<String>,
}

/// A ticket of the queue with its deadline as the caller needs it.
struct QueueRow {
    ticket: TicketSummary,
    /// The remediation deadline counted down, for a system owner while it is theirs.
    countdown: Option<Countdown>,
    overdue: bool,
    /// Before the assessment: the severity the reporter claimed, said as their claim.
    claimed: String,
}

/// The rows of the queue. A system owner acts only in remediation, so only that step's
/// deadline is theirs to count down; staff see every step's deadline as it is.
fn queue_rows(
    items: Vec<TicketSummary>,
    owner: bool,
    lang: PageLang,
    now: DateTime<Utc>,
) -> Vec<QueueRow> {
    items
        .into_iter()
        .map(|ticket| {
            let remediating = ticket.state == TicketState::Remediating;
            let countdown = ticket
                .deadline
                .as_ref()
                .filter(|_| owner && remediating)
                .map(|d| countdown(lang, now, d.due_at));
            let overdue = match (&countdown, owner) {
                (Some(c), _) => c.overdue,
                (None, true) => false,
                (None, false) => ticket.deadline.as_ref().is_some_and(|d| d.overdue),
            };
            let claimed = lang.tf(
                "queue.claimed",
                &[("severity", lang.label(ticket.severity).to_owned())],
            );
            QueueRow {
                ticket,
                countdown,
                overdue,
                claimed,
            }
        })
        .collect()
}

fn choices(all: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    all.into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
            hint: None,
        })
        .collect()
}

async fn list_tickets(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/tickets",
        lang.t("queue.title").into_owned(),
        &session,
    );
    let caller = &session.caller;
    let owner = caller.role == Role::SystemOwner;
    let page = tickets::list_tickets(&state.app, caller, &query.to_list_query())
        .await
        .or_page(&layout)?;
    let agencies = sigap_app::admin::registry::list_agencies(&state.app, caller)
        .await
        .or_page(&layout)?;
    let page = QueuePage {
        states: choices(
            TicketState::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), lang.label(s).to_owned()))
                .collect(),
            &query.state,
        ),
        agencies: choices(agency_choices(agencies), &query.agency),
        criticalities: choices(
            Criticality::ALL
                .iter()
                .map(|c| (c.as_str().to_owned(), lang.label(c).to_owned()))
                .collect(),
            &query.criticality,
        ),
        next: page.next_cursor.as_deref().map(|c| query.next_link(c)),
        items: queue_rows(page.items, owner, lang, state.app.now()),
        owner,
        query,
        layout,
        lang,
    };
    Ok(render(StatusCode::OK, &page))
}

fn agency_choices(agencies: Vec<AgencyView>) -> Vec<(String, String)> {
    agencies
        .into_iter()
        .map(|a| (a.code.clone(), format!("{} — {}", a.code, a.name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_keeps_the_filters() {
        let query = QueueQuery {
            state: "queued".into(),
            q: "sql injeksi".into(),
            overdue: "true".into(),
            ..QueueQuery::default()
        };
        assert_eq!(
            query.next_link("42"),
            "/tickets?state=queued&q=sql+injeksi&overdue=true&cursor=42"
        );
        assert_eq!(query.to_list_query().overdue, Some(true));
        assert_eq!(query.to_list_query().agency, None);
    }
}
