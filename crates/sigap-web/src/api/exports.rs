//! Tickets exported: for partners, one ticket or the set the queue's filters select as a
//! STIX 2.1 bundle or MISP events; for people, the set as a table, CSV (streamed) or XLSX.
//! Always in the caller's scope (another agency's ticket is a 404), without the reporter;
//! audited.

use axum::extract::State;
use axum::response::Response;
use sigap_app::exports::rows::{COLUMNS, Wording};
use sigap_app::exports::tabular::{self, CsvExport};
use sigap_app::exports::{self, Format};
use sigap_app::workflow::queue::ListQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, Source, Staff};
use crate::pages::PageLang;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_stix))
        .routes(routes!(export_misp))
        .routes(routes!(export_set))
}

/// Which tickets a set export holds: the queue's filters, and a TLP ceiling.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SetQuery {
    /// Only tickets in this state.
    state: Option<String>,
    /// Only tickets of this agency (its code).
    agency: Option<String>,
    /// `high` or `low`.
    criticality: Option<String>,
    /// `true`: leave out the tickets that have ended.
    open: Option<bool>,
    /// Search, as in the queue.
    q: Option<String>,
    /// Only tickets created on or after this day (`2026-12-01`, in WIB).
    from: Option<String>,
    /// Only tickets created on or before this day (`2026-12-31`, in WIB: the whole day).
    to: Option<String>,
    /// Only tickets that arrived through this channel: `web`, `api`, `phone`, `email`,
    /// `walk_in` or `letter`.
    channel: Option<String>,
    /// Only tickets of this vulnerability class (an OWASP Top 10 2021 category's key,
    /// `a03_injection`).
    class: Option<String>,
    /// STIX and MISP: the most restrictive label the recipient may receive (`TLP:GREEN`,
    /// `GREEN`): tickets labelled more restrictively are left out. Default: none left out.
    tlp: Option<String>,
    /// CSV and XLSX: the language of the header row and of the values, `id` (the default)
    /// or `en`.
    lang: Option<String>,
}

impl SetQuery {
    fn list(&self) -> ListQuery {
        ListQuery {
            state: self.state.clone(),
            agency: self.agency.clone(),
            criticality: self.criticality.clone(),
            open: self.open,
            q: self.q.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            channel: self.channel.clone(),
            class: self.class.clone(),
            ..Default::default()
        }
    }

    fn lang(&self) -> Result<PageLang, sigap_app::AppError> {
        match self.lang.as_deref().map(str::trim) {
            None | Some("") => Ok(PageLang::Id),
            Some(text) => PageLang::parse(text)
                .ok_or_else(|| sigap_app::AppError::invalid("lang", "`lang` is `id` or `en`")),
        }
    }

    fn ceiling(&self) -> Result<Option<sigap_core::Tlp>, sigap_app::AppError> {
        match self.tlp.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(text) => text
                .parse::<sigap_core::Tlp>()
                .map(Some)
                .map_err(|e| sigap_app::AppError::invalid("tlp", e.to_string())),
        }
    }
}

/// The words of a table in `lang`: the headings of the queue's page where it has them.
pub(crate) fn wording(lang: PageLang) -> Wording {
    let heading = |column: &str| {
        let key = match column {
            "number" => "queue.col.number",
            "state" => "queue.col.step",
            "channel" => "ticket.channel",
            "agency" => "queue.col.agency",
            "system" => "ticket.system",
            "criticality" => "queue.col.criticality",
            "severity" => "ticket.severity",
            "vulnerability_type" => "ticket.vulnerability_type",
            "blocked" => "common.blocked",
            "round" => "ticket.round",
            "overdue" => "common.overdue",
            other => return lang.t(&format!("export.col.{other}")).into_owned(),
        };
        lang.t(key).into_owned()
    };
    Wording {
        headings: COLUMNS.iter().map(|c| heading(c)).collect(),
        yes: lang.t("common.yes").into_owned(),
        no: lang.t("common.no").into_owned(),
        english: lang == PageLang::En,
    }
}

/// The tickets `list` selects for `caller` in `format`, answered as a download: CSV
/// streamed, the others whole.
pub(crate) async fn set_download(
    state: &AppState,
    caller: &sigap_app::auth::Caller,
    list: &ListQuery,
    format: Format,
    lang: PageLang,
    ceiling: Option<sigap_core::Tlp>,
    source: Option<String>,
) -> Result<Response, sigap_app::AppError> {
    let app = &state.app;
    let export = match format {
        Format::Csv => {
            let csv = CsvExport::start(app, caller, list, wording(lang), source).await?;
            let name = csv.name().to_owned();
            return Ok(crate::download::streamed(
                app.clone(),
                csv,
                &name,
                format.media_type(),
            ));
        }
        Format::Xlsx => tabular::xlsx(app, caller, list, wording(lang), source).await?,
        Format::Stix | Format::Misp => {
            exports::set(app, caller, list, ceiling, format, source).await?
        }
    };
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}

async fn export(
    state: &AppState,
    caller: &sigap_app::auth::Caller,
    number: &str,
    format: Format,
    source: Option<String>,
) -> ApiResult<Response> {
    let export = exports::ticket(&state.app, caller, number, format, source).await?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}

/// The ticket as a STIX 2.1 bundle: the CSIRT's identity, the ticket's TLP 2.0 marking,
/// the finding as a `vulnerability` (CWE reference, CVSS in `x_cvss`), the affected system
/// as an `infrastructure` that `has` it, and a `report`; never the reporter.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/export/stix", tag = "tickets",
    security(("bearer" = [])), params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/stix+json;version=2.1", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_stix(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    export(&state, &caller, &number, Format::Stix, source.0).await
}

/// The ticket as a MISP event (to import into MISP): tagged with its TLP, a `weakness`
/// attribute for the CWE and a `vulnerability` object; never the reporter.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_number}/export/misp", tag = "tickets",
    security(("bearer" = [])), params(("ticket_number" = String, Path)),
    responses((status = 200, content_type = "application/json", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_misp(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    export(&state, &caller, &number, Format::Misp, source.0).await
}

/// The tickets the queue's filters select, in the caller's scope: for partners as one
/// STIX 2.1 bundle (`stix`) or MISP events in a `response` list (`misp`), at most 1,000,
/// those labelled more restrictively than `tlp` left out; for people as a table, one row
/// per ticket, newest first (number, created, state, channel, agency, system, criticality,
/// claimed severity, vulnerability type, TLP label, blocked, round, deadline, overdue,
/// closed; times in WIB; never the reporter): `csv` (RFC 4180, UTF-8, a header row in
/// `lang`, streamed, every ticket selected) or `xlsx` (at most 100,000 tickets).
#[utoipa::path(get, path = "/api/v1/exports/{format}", tag = "tickets",
    security(("bearer" = [])),
    params(("format" = String, Path, description = "`stix`, `misp`, `csv` or `xlsx`"), SetQuery),
    responses((status = 200, description = "the export, as a download",
            content((Object = "application/stix+json;version=2.1"), (Object = "application/json"),
                (String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn export_set(
    State(state): State<AppState>,
    Staff(caller): Staff,
    source: Source,
    ApiPath(format): ApiPath<String>,
    ApiQuery(query): ApiQuery<SetQuery>,
) -> ApiResult<Response> {
    let format = Format::named(&format)?;
    let lang = query.lang()?;
    let ceiling = query.ceiling()?;
    let list = query.list();
    Ok(set_download(&state, &caller, &list, format, lang, ceiling, source.0).await?)
}
