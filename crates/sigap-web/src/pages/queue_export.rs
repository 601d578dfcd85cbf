//! The queue as a spreadsheet (`/tickets.csv`): the tickets the queue's filters select, in
//! its order, every page of them (at most [`MAX_ROWS`]), in the page's language. Cells are
//! quoted, and a cell that a spreadsheet would read as a formula (a title that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) is written as text.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use sigap_app::views::TicketSummary;
use sigap_app::workflow::queue;

use crate::AppState;
use crate::pages::queue::QueueQuery;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult};

/// The most rows one export holds.
pub const MAX_ROWS: usize = 10_000;

/// `GET /tickets.csv`: what the queue shows with the same query, every page.
pub async fn export(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let title = lang.t("queue.title").into_owned();
    let layout = Layout::staff(lang, "/tickets", title, &session);
    let caller = &session.caller;
    let mut list = query.for_role(caller.role).to_list_query();
    list.limit = Some(100);
    list.cursor = None;
    let mut rows: Vec<TicketSummary> = Vec::new();
    loop {
        let page = queue::list_tickets(&state.app, caller, &list)
            .await
            .or_page(&layout)?;
        rows.extend(page.items);
        match page.next_cursor {
            Some(next) if rows.len() < MAX_ROWS => list.cursor = Some(next),
            _ => break,
        }
    }
    rows.truncate(MAX_ROWS);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"antrean-tiket.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, csv(lang, &rows)).into_response())
}

/// The rows as CSV (RFC 4180, CRLF), with a header row of the page's column names.
fn csv(lang: PageLang, rows: &[TicketSummary]) -> String {
    let heading: Vec<String> = [
        "queue.col.number",
        "queue.col.title",
        "queue.col.step",
        "queue.col.agency",
        "queue.col.criticality",
        "common.blocked",
        "queue.col.deadline",
        "common.overdue",
        "queue.col.assignee",
    ]
    .iter()
    .map(|key| lang.t(key).into_owned())
    .collect();
    let mut out = line(&heading);
    for t in rows {
        let yes_no = |b: bool| {
            lang.t(if b { "common.yes" } else { "common.no" })
                .into_owned()
        };
        let cells = vec![
            t.number.clone(),
            t.title.clone(),
            lang.label(t.state).to_owned(),
            t.agency.clone().unwrap_or_default(),
            t.criticality
                .map(|c| lang.label(c).to_owned())
                .unwrap_or_default(),
            yes_no(t.blocked),
            t.deadline
                .as_ref()
                .map(|d| lang.wib(&d.due_at))
                .unwrap_or_default(),
            yes_no(t.deadline.as_ref().is_some_and(|d| d.overdue)),
            t.assignee.clone().unwrap_or_default(),
        ];
        out.push_str(&line(&cells));
    }
    out
}

pub(crate) fn line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    format!("{}\r\n", quoted.join(","))
}

/// One quoted cell; text a spreadsheet would run as a formula starts with `'`.
fn cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_are_text() {
        assert_eq!(cell("SQLi \"login\""), "\"SQLi \"\"login\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("baris\r\nbaru"), "\"baris\r\nbaru\"");
        assert_eq!(line(&["a".into(), "b".into()]), "\"a\",\"b\"\r\n");
    }
}
