//! The queue's downloads (`/tickets/export/{format}`, and `/tickets.csv`): the tickets the
//! queue's filters select, every page of them, as `GET /api/v1/exports/{format}` answers
//! them (the same code: a CSV streamed with its headings in the page's language, an XLSX
//! workbook, a STIX 2.1 bundle or MISP events for partners), in the caller's scope and
//! audited. The page's order does not apply: a table lists the newest first.

use axum::extract::{Path, Query, State};
use sigap_app::exports::Format;

use crate::AppState;
use crate::extract::Source;
use crate::pages::queue::QueueQuery;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult};

/// `GET /tickets/export/{format}`: what the queue shows with the same query, every page.
pub async fn export(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(format): Path<String>,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let title = lang.t("queue.title").into_owned();
    let layout = Layout::staff(lang, "/tickets", title, &session);
    let format = Format::named(&format).or_page(&layout)?;
    let caller = &session.caller;
    let list = query.for_role(caller.role).to_list_query();
    crate::api::exports::set_download(&state, caller, &list, format, lang, None, source.0)
        .await
        .or_page(&layout)
}

/// `GET /tickets.csv`: the CSV of [`export`], at the address it had first.
pub async fn csv(
    state: State<AppState>,
    lang: PageLang,
    source: Source,
    session: StaffSession,
    query: Query<QueueQuery>,
) -> PageResult {
    export(state, lang, source, session, Path("csv".to_owned()), query).await
}
