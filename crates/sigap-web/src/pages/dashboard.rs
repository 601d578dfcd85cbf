//! The leadership dashboard (`/dashboard`): the figures of a period (this month unless
//! chosen) for every staff role but system owners, filtered by agency, criticality and
//! channel: charts drawn on the server as SVG (no script), each with its numbers in a table
//! below it and that table as CSV (`/dashboard/{table}.csv`), every count a link to the
//! queue with the same filter. The figures are `sigap_app::stats`', the same as
//! `GET /api/v1/stats/*` and the monthly report.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use sigap_app::AppError;
use sigap_app::stats::{self, Section, StatsQuery};
use sigap_core::{Channel, Criticality};

use crate::AppState;
use crate::extract::Source;
use crate::pages::dashboard_tables::{self, Part, Table};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/dashboard/{table}", get(table_csv))
}

/// A choice of a filter's select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    lang: PageLang,
    query: StatsQuery,
    /// The period in words, and when the figures were counted.
    period_label: String,
    counted_at: String,
    agencies: Vec<Choice>,
    criticalities: Vec<Choice>,
    channels: Vec<Choice>,
    errors: Vec<String>,
    parts: Vec<Part>,
    /// The query string of the figures (for the CSV links), and where the CSVs are.
    csv_query: String,
    csv_base: &'static str,
    /// The catalogue key of the period field's hint.
    period_hint: &'static str,
    /// The queue of the period with its filters, and its CSV.
    queue: String,
}

fn choices(values: &[(String, String)], selected: Option<&str>) -> Vec<Choice> {
    values
        .iter()
        .map(|(value, label)| Choice {
            selected: selected.map(str::trim) == Some(value.as_str()),
            value: value.clone(),
            label: label.clone(),
        })
        .collect()
}

async fn dashboard(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Query(query): Query<StatsQuery>,
) -> PageResult {
    let title = lang.t("dashboard.title").into_owned();
    let layout = Layout::staff(lang, "/dashboard", title, &session);
    let result =
        stats::dashboard(&state.app, &session.caller, &query, Section::ALL, source.0).await;
    let (figures, errors) = match result {
        Ok(figures) => (Some(figures), Vec::new()),
        Err(AppError::Invalid(fields)) => (None, fields.into_iter().map(|f| f.message).collect()),
        Err(e) => return Err(e).or_page(&layout),
    };
    let agencies = state
        .app
        .store
        .list_agencies(None)
        .await
        .map_err(AppError::from)
        .or_page(&layout)?;
    let agency_values: Vec<(String, String)> = agencies
        .iter()
        .map(|a| (a.code.clone(), format!("{} — {}", a.code, a.name)))
        .collect();
    let labelled = |names: &[&str], label: &dyn Fn(&str) -> String| -> Vec<(String, String)> {
        names.iter().map(|n| ((*n).to_owned(), label(n))).collect()
    };
    let criticality_values = labelled(Criticality::NAMES, &|n| {
        n.parse::<Criticality>()
            .map(|c| lang.label(c).to_owned())
            .unwrap_or_default()
    });
    let channel_values = labelled(Channel::NAMES, &|n| {
        n.parse::<Channel>()
            .map(|c| lang.label(c).to_owned())
            .unwrap_or_default()
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DashboardPage {
        period_label: figures
            .as_ref()
            .map(|f| period_label(lang, &f.period))
            .unwrap_or_default(),
        counted_at: figures
            .as_ref()
            .map(|f| counted_at(lang, &f.counted_at))
            .unwrap_or_default(),
        agencies: choices(&agency_values, query.agency.as_deref()),
        criticalities: choices(&criticality_values, query.criticality.as_deref()),
        channels: choices(&channel_values, query.channel.as_deref()),
        csv_query: figures.as_ref().map(csv_query).unwrap_or_default(),
        csv_base: "/dashboard",
        period_hint: "dashboard.period_hint",
        queue: figures
            .as_ref()
            .map(|f| dashboard_tables::Links::new(f).queue)
            .unwrap_or_default(),
        parts: figures
            .as_ref()
            .map(|f| dashboard_tables::parts(lang, f))
            .unwrap_or_default(),
        errors,
        query,
        layout,
        lang,
    };
    Ok(render(status, &page))
}

/// The period in the reader's language.
pub(crate) fn period_label(lang: PageLang, period: &sigap_app::stats::view::PeriodView) -> String {
    match lang {
        PageLang::En => period.label_en.clone(),
        PageLang::Id => period.label.clone(),
    }
}

/// When figures were counted (RFC 3339), in WIB as the reader writes it.
pub(crate) fn counted_at(lang: PageLang, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| lang.wib(&t.to_utc()))
        .unwrap_or_default()
}

/// The figures' own query string: the period and the filters.
fn csv_query(f: &sigap_app::stats::view::Dashboard) -> String {
    let mut q = f.period.query.clone();
    for (name, value) in [
        ("agency", &f.filters.agency),
        ("criticality", &f.filters.criticality),
        ("channel", &f.filters.channel),
    ] {
        if let Some(v) = value {
            let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
            q.push_str(&format!("&{name}={v}"));
        }
    }
    q
}

/// `GET /dashboard/{table}.csv`: one table of the dashboard, as the page shows it.
async fn table_csv(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    source: Source,
    Path(file): Path<String>,
    Query(query): Query<StatsQuery>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/dashboard",
        lang.t("dashboard.title").into_owned(),
        &session,
    );
    let figures = stats::dashboard(&state.app, &session.caller, &query, Section::ALL, source.0)
        .await
        .or_page(&layout)?;
    let parts = dashboard_tables::parts(lang, &figures);
    let table = dashboard_tables::table_named(&parts, &file).or_page(&layout)?;
    let filename = format!("dasbor-{}-{}.csv", table.id, figures.period.from);
    csv_response(table, &filename).or_page(&layout)
}

/// `table` as a CSV download named `filename`.
pub(crate) fn csv_response(
    table: &Table,
    filename: &str,
) -> Result<axum::response::Response, AppError> {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, csv(table)?).into_response())
}

/// The table as CSV (RFC 4180, as every export writes it), its headings first; formulas
/// written as text.
fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut out = sigap_app::spreadsheet::CsvBatch::new();
    out.row(&table.headings)?;
    for row in &table.rows {
        out.row(row.iter().map(|c| c.text.as_str()))?;
    }
    out.take()
}
