//! An agency's scorecard (`/agencies/{code}/scorecard`): its figures for a period (the
//! current year unless chosen), for the staff who read the dashboard and for the agency's
//! own system owners (another agency's is "not found" to them). Its tables are CSVs too
//! (`/agencies/{code}/scorecard/{table}.csv`). The figures are
//! `sigap_app::stats::scorecard`'s, the same as `GET /api/v1/agencies/{code}/scorecard`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use sigap_app::AppError;
use sigap_app::stats::StatsQuery;
use sigap_app::stats::scorecard::{self, Scorecard};

use crate::AppState;
use crate::extract::Source;
use crate::pages::dashboard::{counted_at, csv_response, period_label};
use crate::pages::dashboard_tables::{Part, encode, table_named};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render, scorecard_tables};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agencies/{code}/scorecard", get(page))
        .route("/agencies/{code}/scorecard/{table}", get(table_csv))
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    layout: Layout,
    lang: PageLang,
    query: StatsQuery,
    /// The agency's code and name, the period in words.
    agency: String,
    period_label: String,
    counted_at: String,
    told_only: bool,
    errors: Vec<String>,
    parts: Vec<Part>,
    csv_query: String,
    csv_base: String,
    /// The catalogue key of the period field's hint.
    period_hint: &'static str,
    /// The agency's tickets of the period in the queue.
    queue: String,
}

/// The page's path for the navigation (a system owner's own scorecard is in the menu).
fn path_of(code: &str) -> String {
    format!("/agencies/{}/scorecard", encode(code))
}

async fn page(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Path(code): Path<String>,
    Query(query): Query<StatsQuery>,
) -> PageResult {
    let base = path_of(&code);
    let layout = Layout::staff(
        lang,
        &base,
        lang.t("scorecard.title").into_owned(),
        &session,
    );
    let result = scorecard::scorecard(&state.app, &session.caller, &code, &query, source.0).await;
    let (card, errors) = match result {
        Ok(card) => (Some(card), Vec::new()),
        Err(AppError::Invalid(fields)) => (None, fields.into_iter().map(|f| f.message).collect()),
        Err(e) => return Err(e).or_page(&layout),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ScorecardPage {
        agency: card
            .as_ref()
            .map(|c| format!("{} — {}", c.agency.code, c.agency.name))
            .unwrap_or_else(|| code.clone()),
        period_label: card
            .as_ref()
            .map(|c| period_label(lang, &c.period))
            .unwrap_or_default(),
        counted_at: card
            .as_ref()
            .map(|c| counted_at(lang, &c.counted_at))
            .unwrap_or_default(),
        told_only: card.as_ref().is_some_and(|c| c.told_only),
        csv_query: card
            .as_ref()
            .map(|c| c.period.query.clone())
            .unwrap_or_default(),
        queue: card
            .as_ref()
            .map(|c| {
                format!(
                    "{}&from={}&to={}&agency={}",
                    crate::pages::dashboard_tables::EVERY_TICKET,
                    c.period.from,
                    c.period.to,
                    encode(&c.agency.code)
                )
            })
            .unwrap_or_default(),
        parts: card
            .as_ref()
            .map(|c| scorecard_tables::parts(lang, c))
            .unwrap_or_default(),
        csv_base: base,
        period_hint: "scorecard.period_hint",
        errors,
        query,
        layout,
        lang,
    };
    Ok(render(status, &page))
}

/// `GET /agencies/{code}/scorecard/{table}.csv`: one table of the scorecard.
async fn table_csv(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Path((code, file)): Path<(String, String)>,
    Query(query): Query<StatsQuery>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        &path_of(&code),
        lang.t("scorecard.title").into_owned(),
        &session,
    );
    let card: Scorecard =
        scorecard::scorecard(&state.app, &session.caller, &code, &query, source.0)
            .await
            .or_page(&layout)?;
    let parts = scorecard_tables::parts(lang, &card);
    let table = table_named(&parts, &file).or_page(&layout)?;
    let filename = format!(
        "ringkasan-{}-{}-{}.csv",
        card.agency
            .code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_lowercase(),
        table.id,
        card.period.from
    );
    csv_response(table, &filename).or_page(&layout)
}
