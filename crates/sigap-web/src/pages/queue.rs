//! The staff queue (`/tickets`): the tickets of the caller's role and scope through
//! `queue::list_tickets` (a system owner sees only their agency's), with filters, a
//! full-text search box, each ticket's SOP step, its deadline in WIB with an overdue mark
//! (for a system owner, the remediation deadline counted down from the app's clock), and a
//! keyset "next page" link. A system owner sees their agency's tickets from the SOP's
//! step 6 on, and above them a short notice of each block of their systems before that.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sigap_app::views::{AgencyView, TicketSummary};
use sigap_app::workflow::queue::{self, ListQuery};
use sigap_core::{Channel, Criticality, Role, State as TicketState};

use crate::AppState;
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::forms::Choice;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets", get(list_tickets))
        .route("/tickets.csv", get(crate::pages::queue_export::csv))
        .route(
            "/tickets/export/{format}",
            get(crate::pages::queue_export::export),
        )
}

/// The queue's query string; empty fields mean "any".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueQuery {
    /// `mine` ("Giliran saya") or `all`; empty: the caller's default.
    #[serde(default)]
    view: String,
    #[serde(default)]
    state: String,
    /// `true`: also the tickets that have ended (in "Semua tiket").
    #[serde(default)]
    closed: String,
    /// `me` or `none`.
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    overdue: String,
    /// Created on or after this day (`2026-12-01`, WIB).
    #[serde(default)]
    from: String,
    /// Created on or before this day.
    #[serde(default)]
    to: String,
    #[serde(default)]
    channel: String,
    /// The vulnerability class's key (`a03_injection`).
    #[serde(default)]
    class: String,
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

    fn with_closed(&self) -> bool {
        sigap_core::parse_bool(&self.closed).unwrap_or(false)
    }

    /// Whether the page shows "Giliran saya".
    fn mine(&self) -> bool {
        self.view == "mine"
    }

    /// Fills in the caller's default view: "Giliran saya" for the roles that have turns.
    pub(crate) fn for_role(mut self, role: Role) -> QueueQuery {
        if self.view.trim().is_empty() {
            let mine = queue::has_turns(role);
            self.view = if mine { "mine" } else { "all" }.to_owned();
        }
        if self.mine() && self.sort.trim().is_empty() {
            self.sort = "deadline".to_owned();
        }
        self
    }

    pub(crate) fn to_list_query(&self) -> ListQuery {
        ListQuery {
            view: some(&self.view),
            state: some(&self.state),
            agency: some(&self.agency),
            criticality: some(&self.criticality),
            from: some(&self.from),
            to: some(&self.to),
            channel: some(&self.channel),
            class: some(&self.class),
            overdue: self.overdue_only().then_some(true),
            open: (!self.with_closed()).then_some(true),
            assignee: some(&self.assignee),
            sort: some(&self.sort),
            q: some(&self.q),
            cursor: some(&self.cursor),
            limit: Some(25),
        }
    }

    /// The query string of what this page selects (every filter, no page cursor).
    fn current(&self) -> String {
        let next = self.next_link("");
        next.trim_start_matches("/tickets?")
            .trim_end_matches("cursor=")
            .trim_end_matches('&')
            .to_owned()
    }

    /// The download of what this query selects (every page) in `format` (`csv`, `xlsx`,
    /// `stix`, `misp`).
    fn export_link(&self, format: &str) -> String {
        format!("/tickets/export/{format}?{}", self.current())
    }

    /// The link to the page after `cursor`, with the same filters.
    fn next_link(&self, cursor: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("view", &self.view),
            ("state", &self.state),
            ("agency", &self.agency),
            ("criticality", &self.criticality),
            ("channel", &self.channel),
            ("class", &self.class),
            ("from", &self.from),
            ("to", &self.to),
            ("assignee", &self.assignee),
            ("sort", &self.sort),
            ("q", &self.q),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value.trim());
            }
        }
        if self.overdue_only() {
            query.append_pair("overdue", "true");
        }
        if self.with_closed() {
            query.append_pair("closed", "true");
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
    channels: Vec<Choice>,
    classes: Vec<Choice>,
    assignees: Vec<Choice>,
    sorts: Vec<Choice>,
    /// "Giliran saya" for the roles that have turns, with its count.
    turns: bool,
    /// The tab's label, with how many of the caller's turn have something new.
    mine_label: String,
    /// The table's caption: its order.
    caption: String,
    /// The caller's saved filters.
    saved: Vec<sigap_app::workflow::saved_filters::SavedFilter>,
    /// How many tickets the filters select ("N tiket"), or how many a search shows.
    count: String,
    /// Whether the caller may take a ticket ("Ambil"), and their address for the form.
    may_take: bool,
    email: String,
    csrf_token: String,
    /// Whether the caller is a system owner, who sees the remediation deadline counted down.
    owner: bool,
    items: Vec<QueueRow>,
    next: Option<String>,
    /// For a system owner: their systems blocked before the agency is told of the report.
    notices: Vec<String>,
    /// For those who may assign: the staff to assign the chosen tickets to, by name
    /// ("Tindakan untuk tiket terpilih", `queue_bulk`).
    bulk_staff: Vec<(String, String)>,
}

/// A ticket of the queue with its deadline as the caller needs it.
struct QueueRow {
    ticket: TicketSummary,
    /// The remediation deadline counted down, for a system owner while it is theirs.
    countdown: Option<Countdown>,
    overdue: bool,
    /// Before the assessment: the severity the reporter claimed, said as their claim.
    claimed: String,
    /// Whether the caller may take it: open and not already theirs.
    takeable: bool,
}

/// The rows of the queue. A system owner acts only in remediation, so only that step's
/// deadline is theirs to count down; staff see every step's deadline as it is.
fn queue_rows(
    items: Vec<TicketSummary>,
    owner: bool,
    lang: PageLang,
    now: DateTime<Utc>,
    me: Option<&str>,
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
            let takeable =
                me.is_some() && !ticket.state.is_terminal() && ticket.assignee.as_deref() != me;
            QueueRow {
                ticket,
                countdown,
                overdue,
                claimed,
                takeable,
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
    let query = query.for_role(caller.role);
    let owner = caller.role == Role::SystemOwner;
    let page = queue::list_tickets(&state.app, caller, &query.to_list_query())
        .await
        .or_page(&layout)?;
    let notices = queue::block_notices(&state.app, caller)
        .await
        .or_page(&layout)?
        .into_iter()
        .map(|n| {
            let at = ("at", lang.wib(&n.blocked_at));
            lang.tf("queue.block_notice", &[("system", n.system), at])
        })
        .collect();
    let agencies = sigap_app::admin::registry::list_agencies(&state.app, caller)
        .await
        .or_page(&layout)?;
    let may_take = sigap_core::roles_for(sigap_core::Action::Assign).contains(&caller.role);
    // Counted for the header already (`session::StaffSession`).
    let unread = session.desk.unread;
    let saved = sigap_app::workflow::saved_filters::list(&state.app, caller)
        .await
        .or_page(&layout)?;
    let mine_label = match unread {
        0 => lang.t("queue.view.mine").into_owned(),
        n => lang.tf("queue.view.mine_new", &[("n", n.to_string())]),
    };
    let count = match page.total {
        Some(total) if total >= sigap_app::QUEUE_COUNT_CAP => {
            let many = usize::try_from(total).unwrap_or(usize::MAX);
            lang.tf("queue.count_many", &[("n", lang.whole(many))])
        }
        Some(total) => lang.tf(
            "queue.count",
            &[("n", lang.whole(usize::try_from(total).unwrap_or(0)))],
        ),
        None => lang.tf("queue.count_found", &[("n", page.items.len().to_string())]),
    };
    let me = may_take.then_some(caller.name.as_str());
    let bulk_staff = if may_take {
        crate::pages::queue_bulk::staff_choices(&state, lang, &session)
            .await
            .or_page(&layout)?
    } else {
        Vec::new()
    };
    let page = QueuePage {
        next: page.next_cursor.as_deref().map(|c| query.next_link(c)),
        items: queue_rows(page.items, owner, lang, state.app.now(), me),
        agencies: choices(agency_choices(agencies), &query.agency),
        turns: queue::has_turns(caller.role),
        mine_label,
        saved,
        caption: lang.tf("queue.caption", &[("sort", sort_label(lang, &query))]),
        count,
        may_take,
        email: caller.email.clone(),
        csrf_token: session.csrf_token.clone(),
        owner,
        notices,
        bulk_staff,
        ..QueuePage::filters(lang, query, layout)
    };
    Ok(render(StatusCode::OK, &page))
}

impl QueuePage {
    /// The page's filter choices for `query`, with no rows yet.
    fn filters(lang: PageLang, query: QueueQuery, layout: Layout) -> QueuePage {
        let labelled = |all: Vec<(&str, String)>| {
            all.into_iter()
                .map(|(v, l)| (v.to_owned(), l))
                .collect::<Vec<_>>()
        };
        QueuePage {
            states: choices(
                labelled(
                    TicketState::ALL
                        .iter()
                        .map(|s| (s.as_str(), lang.label(s).to_owned()))
                        .collect(),
                ),
                &query.state,
            ),
            criticalities: choices(
                labelled(
                    Criticality::ALL
                        .iter()
                        .map(|c| (c.as_str(), lang.label(c).to_owned()))
                        .collect(),
                ),
                &query.criticality,
            ),
            channels: choices(
                labelled(
                    Channel::ALL
                        .iter()
                        .map(|c| (c.as_str(), lang.label(c).to_owned()))
                        .collect(),
                ),
                &query.channel,
            ),
            classes: choices(
                labelled(
                    sigap_core::WeaknessClass::ALL
                        .iter()
                        .map(|c| (c.as_str(), lang.label(c).to_owned()))
                        .collect(),
                ),
                &query.class,
            ),
            assignees: choices(
                labelled(vec![
                    ("me", lang.t("queue.assignee.me").into_owned()),
                    ("none", lang.t("queue.assignee.none").into_owned()),
                ]),
                &query.assignee,
            ),
            sorts: choices(
                labelled(
                    ["newest", "deadline", "updated", "criticality"]
                        .into_iter()
                        .map(|s| (s, lang.t(&format!("queue.sort.{s}")).into_owned()))
                        .collect(),
                ),
                &query.sort,
            ),
            agencies: Vec::new(),
            turns: false,
            mine_label: String::new(),
            saved: Vec::new(),
            caption: String::new(),
            count: String::new(),
            may_take: false,
            email: String::new(),
            csrf_token: String::new(),
            owner: false,
            items: Vec::new(),
            next: None,
            notices: Vec::new(),
            bulk_staff: Vec::new(),
            query,
            layout,
            lang,
        }
    }
}

/// The order a query asks for, in words; a search is always newest first.
fn sort_label(lang: PageLang, query: &QueueQuery) -> String {
    let sort = match query.sort.trim() {
        _ if !query.q.trim().is_empty() => "newest",
        sort @ ("deadline" | "updated" | "criticality") => sort,
        _ => "newest",
    };
    lang.t(&format!("queue.sort.{sort}")).to_lowercase()
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
