//! The dashboard's figures as tables and charts in the reader's language: each table the
//! numbers of the chart above it, each count a link to the queue with the same filter, and
//! each table also a CSV (`/dashboard/{table}.csv`).

use sigap_app::AppError;
use sigap_app::stats::charts::{self, Chart};
use sigap_app::stats::view::{BlockedSystem, Dashboard, Durations, Tally};
use sigap_core::{Action, State, WeaknessClass};

use crate::pages::PageLang;

/// One cell: its text, and the queue (or ticket) it opens.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub numeric: bool,
}

/// A table of figures with its caption and name (`clock`, `by_agency`, …).
#[derive(Debug, Clone)]
pub struct Table {
    pub id: &'static str,
    pub caption: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The chart of its numbers, drawn above it.
    pub chart: Option<Chart>,
}

/// A headline figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

/// A part of the page: its headline figures, charts and tables.
#[derive(Debug, Clone)]
pub struct Part {
    pub id: &'static str,
    pub heading: String,
    pub figures: Vec<Figure>,
    pub tables: Vec<Table>,
}

/// What the links carry: the queue's filters of the period and the dashboard's filters.
pub struct Links {
    /// `from=…&to=…&agency=…` (the queue reads days, not `period`).
    pub queue: String,
    /// `&agency=…&criticality=…&channel=…`: the filters without the days.
    filters: String,
    /// The period's own query (`period=2026-11`, or `from=…&to=…`), for the scorecards.
    period: String,
}

impl Links {
    pub fn new(d: &Dashboard) -> Links {
        let mut filters = String::new();
        for (name, value) in [
            ("agency", &d.filters.agency),
            ("criticality", &d.filters.criticality),
            ("channel", &d.filters.channel),
        ] {
            if let Some(v) = value {
                filters.push_str(&format!("&{name}={}", encode(v)));
            }
        }
        Links {
            queue: format!(
                "{EVERY_TICKET}&from={}&to={}{filters}",
                d.period.from, d.period.to
            ),
            filters,
            period: d.period.query.clone(),
        }
    }

    /// The queue of the period for `agency` (none for tickets routed to no agency).
    pub(crate) fn agency(&self, agency: &str) -> Option<String> {
        if agency == sigap_app::stats::figures::NO_AGENCY {
            return None;
        }
        self.queue(&format!("agency={}", encode(agency)))
    }

    /// The queue of the days `from` to `to` with the dashboard's filters.
    pub(crate) fn days(&self, from: &str, to: &str) -> String {
        format!(
            "/tickets?{EVERY_TICKET}&from={from}&to={to}{}",
            self.filters
        )
    }

    /// The queue of the period with `extra` (`state=rejected`).
    pub(crate) fn queue(&self, extra: &str) -> Option<String> {
        Some(if extra.is_empty() {
            format!("/tickets?{}", self.queue)
        } else {
            format!("/tickets?{}&{extra}", self.queue)
        })
    }
}

/// The queue's view of every ticket, ended ones included: what a figure counts (the
/// queue's own default is the caller's turn, open tickets only).
pub(crate) const EVERY_TICKET: &str = "view=all&closed=true";

pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub(crate) fn text(t: impl Into<String>) -> Cell {
    Cell {
        text: t.into(),
        href: None,
        numeric: false,
    }
}

/// An agency's code as a link to its scorecard for the dashboard's period.
pub(crate) fn scorecard_cell(agency: &str, links: &Links) -> Cell {
    Cell {
        text: agency.to_owned(),
        href: (agency != sigap_app::stats::figures::NO_AGENCY)
            .then(|| format!("/agencies/{}/scorecard?{}", encode(agency), links.period)),
        numeric: false,
    }
}

pub(crate) fn number(lang: PageLang, n: i64, href: Option<String>) -> Cell {
    Cell {
        text: lang.whole(usize::try_from(n).unwrap_or(0)),
        href,
        numeric: true,
    }
}

pub(crate) fn figure(label: String, value: String, href: Option<String>) -> Figure {
    Figure { label, value, href }
}

/// A duration in its two largest units; "—" when nothing was measured.
pub fn span(lang: PageLang, seconds: Option<i64>) -> String {
    match seconds {
        Some(s) => crate::pages::countdown::span(lang, s.max(0) / 60),
        None => "—".to_owned(),
    }
}

pub(crate) fn percent(lang: PageLang, share: f64) -> String {
    format!("{}%", lang.decimal(share * 100.0))
}

pub(crate) fn heads(lang: PageLang, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| lang.t(&format!("dashboard.col.{k}")).into_owned())
        .collect()
}

pub(crate) fn class_label(lang: PageLang, key: &str) -> String {
    key.parse::<WeaknessClass>()
        .map(|c| lang.label(c).to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// The table a CSV's file name (`clock.csv`) names.
pub(crate) fn table_named<'a>(parts: &'a [Part], file: &str) -> Result<&'a Table, AppError> {
    let name = file.strip_suffix(".csv");
    parts
        .iter()
        .flat_map(|p| p.tables.iter())
        .find(|t| Some(t.id) == name)
        .ok_or_else(|| AppError::NotFound("table".into()))
}

/// Every part of the page from the figures.
pub fn parts(lang: PageLang, d: &Dashboard) -> Vec<Part> {
    let links = Links::new(d);
    let mut parts = Vec::new();
    if d.intake.is_some() {
        parts.push(crate::pages::dashboard_intake::intake(lang, d, &links));
    }
    if d.clock.is_some() {
        parts.push(clock(lang, d, &links));
    }
    if d.blocking.is_some() {
        parts.push(blocking(lang, d));
    }
    if d.remediation.is_some() {
        parts.push(remediation(lang, d, &links));
    }
    if d.approvals.is_some() {
        parts.push(approvals(lang, d, &links));
    }
    parts
}

/// The queue of the open tickets over their deadline now (in `state`), with the filters.
fn overdue_href(links: &Links, state: Option<&str>) -> String {
    let mut href = format!("/tickets?view=all&overdue=true{}", links.filters);
    if let Some(state) = state {
        href.push_str(&format!("&state={}", encode(state)));
    }
    href
}

fn step_name(lang: PageLang, action: &str) -> String {
    action
        .parse::<Action>()
        .map(|a| lang.label(a).to_owned())
        .unwrap_or_else(|_| action.to_owned())
}

fn clock(lang: PageLang, d: &Dashboard, links: &Links) -> Part {
    let c = d.clock.clone().unwrap_or_default();
    let t = |k: &str| lang.t(&format!("dashboard.clock.{k}")).into_owned();
    let step_name = |action: &str| step_name(lang, action);
    let steps = Table {
        id: "clock",
        caption: t("steps"),
        headings: heads(lang, &["step", "done", "within", "share", "median", "p90"]),
        rows: c
            .steps
            .iter()
            .map(|s| {
                vec![
                    text(match s.sop_step {
                        Some(n) => format!("{n}. {}", step_name(&s.action)),
                        None => step_name(&s.action),
                    }),
                    number(lang, s.done, None),
                    number(lang, s.within, None),
                    text(percent(lang, s.within_share)),
                    text(span(lang, s.median_seconds)),
                    text(span(lang, s.p90_seconds)),
                ]
            })
            .collect(),
        chart: None,
    };
    let overdue = Table {
        id: "overdue",
        caption: t("overdue"),
        headings: heads(lang, &["state", "tickets"]),
        rows: c
            .overdue_now
            .iter()
            .map(|o| {
                vec![
                    text(
                        o.key
                            .parse::<State>()
                            .map(|s| lang.label(s).to_owned())
                            .unwrap_or_else(|_| o.key.clone()),
                    ),
                    number(lang, o.count, Some(overdue_href(links, Some(&o.key)))),
                ]
            })
            .collect(),
        chart: None,
    };
    let bars: Vec<(String, f64)> = c
        .steps
        .iter()
        .map(|s| (step_name(&s.action), s.within_share))
        .collect();
    Part {
        id: "clock",
        heading: t("heading"),
        figures: vec![
            figure(
                t("overdue_total"),
                lang.whole(usize::try_from(c.overdue_total).unwrap_or(0)),
                Some(overdue_href(links, None)),
            ),
            personal_data_figure(lang, &c.personal_data),
        ],
        tables: vec![
            Table {
                chart: Some(charts::bars(&t("steps"), &bars, true)),
                ..steps
            },
            overdue,
        ],
    }
}

/// UU PDP Pasal 46: the period's breaches of personal data and their 3×24 hours.
fn personal_data_figure(lang: PageLang, p: &sigap_app::stats::view::PersonalDataFigures) -> Figure {
    let n = |v: i64| lang.whole(usize::try_from(v).unwrap_or(0));
    let value = lang.tf(
        "dashboard.clock.personal_data.value",
        &[
            ("breaches", n(p.breaches)),
            ("met", n(p.met)),
            ("late", n(p.late)),
            ("overdue", n(p.overdue)),
            ("running", n(p.running)),
        ],
    );
    figure(
        lang.t("dashboard.clock.personal_data").into_owned(),
        value,
        None,
    )
}

pub(crate) fn durations_figure(lang: PageLang, label: String, d: &Durations) -> Figure {
    let value = match d.count {
        0 => "—".to_owned(),
        _ => lang.tf(
            "dashboard.median_p90",
            &[
                ("median", span(lang, d.median_seconds)),
                ("p90", span(lang, d.p90_seconds)),
            ],
        ),
    };
    figure(label, value, None)
}

/// The systems blocked now, each a link to the ticket holding the block.
pub(crate) fn blocked_table(lang: PageLang, blocked: &[BlockedSystem]) -> Table {
    let t = |k: &str| lang.t(&format!("dashboard.blocking.{k}")).into_owned();
    Table {
        id: "blocked_now",
        caption: t("now"),
        headings: heads(lang, &["ticket", "agency", "system", "since", "for"]),
        rows: blocked
            .iter()
            .map(|s| {
                vec![
                    Cell {
                        text: s.ticket.clone(),
                        href: Some(format!("/tickets/{}", s.ticket)),
                        numeric: false,
                    },
                    text(s.agency.clone().unwrap_or_default()),
                    text(s.system.clone().unwrap_or_default()),
                    text(
                        s.since
                            .as_deref()
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| lang.short_wib(&t.to_utc()))
                            .unwrap_or_default(),
                    ),
                    text(span(lang, s.seconds)),
                ]
            })
            .collect(),
        chart: None,
    }
}

fn blocking(lang: PageLang, d: &Dashboard) -> Part {
    let b = d.blocking.clone().unwrap_or_default();
    let t = |k: &str| lang.t(&format!("dashboard.blocking.{k}")).into_owned();
    let whole = |n: i64| lang.whole(usize::try_from(n).unwrap_or(0));
    let now = blocked_table(lang, &b.blocked_now);
    Part {
        id: "blocking",
        heading: t("heading"),
        figures: vec![
            figure(
                t("count_now"),
                whole(i64::try_from(b.blocked_now.len()).unwrap_or(0)),
                None,
            ),
            figure(t("blocks"), whole(b.blocks), None),
            figure(t("unblocks"), whole(b.unblocks), None),
            durations_figure(lang, t("finding_to_block"), &b.finding_to_block),
            durations_figure(lang, t("fixed_to_unblock"), &b.fixed_to_unblock),
        ],
        tables: vec![now],
    }
}

/// The tickets fixed per round (`1`, `2`, `3+`).
pub(crate) fn rounds_table(lang: PageLang, rounds: &[Tally]) -> Table {
    let t = |k: &str| lang.t(&format!("dashboard.remediation.{k}")).into_owned();
    Table {
        id: "rounds",
        caption: t("rounds"),
        headings: heads(lang, &["round", "tickets"]),
        rows: rounds
            .iter()
            .map(|x| vec![text(x.key.clone()), number(lang, x.count, None)])
            .collect(),
        chart: None,
    }
}

fn remediation(lang: PageLang, d: &Dashboard, links: &Links) -> Part {
    let r = d.remediation.clone().unwrap_or_default();
    let t = |k: &str| lang.t(&format!("dashboard.remediation.{k}")).into_owned();
    let whole = |n: i64| lang.whole(usize::try_from(n).unwrap_or(0));
    let rounds = rounds_table(lang, &r.rounds);
    let agencies = Table {
        id: "fix_by_agency",
        caption: t("by_agency"),
        headings: heads(lang, &["agency", "fixed", "first_round", "median"]),
        rows: r
            .by_agency
            .iter()
            .map(|a| {
                let href = (a.agency != "-")
                    .then(|| links.queue(&format!("agency={}", encode(&a.agency))))
                    .flatten();
                vec![
                    scorecard_cell(&a.agency, links),
                    number(lang, a.fixed, href),
                    number(lang, a.first_round, None),
                    text(span(lang, a.median_seconds)),
                ]
            })
            .collect(),
        chart: None,
    };
    let bars: Vec<(String, f64)> = r
        .by_agency
        .iter()
        .map(|a| {
            (
                a.agency.clone(),
                a.median_seconds.unwrap_or(0) as f64 / 86_400.0,
            )
        })
        .collect();
    Part {
        id: "remediation",
        heading: t("heading"),
        figures: vec![
            figure(t("fixed"), whole(r.fixed), None),
            figure(t("not_fixed"), whole(r.not_fixed), None),
            durations_figure(lang, t("time_to_fix"), &r.time_to_fix),
        ],
        tables: vec![
            rounds,
            Table {
                chart: Some(charts::bars(&t("chart_days"), &bars, false)),
                ..agencies
            },
        ],
    }
}

fn approvals(lang: PageLang, d: &Dashboard, links: &Links) -> Part {
    let a = d.approvals.clone().unwrap_or_default();
    let t = |k: &str| lang.t(&format!("dashboard.approvals.{k}")).into_owned();
    let whole = |n: i64| lang.whole(usize::try_from(n).unwrap_or(0));
    let yes_no = |b: bool| {
        lang.t(if b { "common.yes" } else { "common.no" })
            .into_owned()
    };
    let agencies = Table {
        id: "approval_agencies",
        caption: t("agencies"),
        headings: heads(lang, &["agency", "name", "valid", "over"]),
        rows: a
            .agencies
            .iter()
            .map(|x| {
                vec![
                    scorecard_cell(&x.agency, links),
                    text(x.name.clone()),
                    number(
                        lang,
                        x.valid_reports,
                        links.queue(&format!("agency={}", encode(&x.agency))),
                    ),
                    text(yes_no(x.over)),
                ]
            })
            .collect(),
        chart: None,
    };
    let window = match a.window_days {
        Some(days) => lang.tf(
            "dashboard.approvals.window_days",
            &[("days", days.to_string())],
        ),
        None => t("window_all"),
    };
    Part {
        id: "approvals",
        heading: t("heading"),
        figures: vec![
            figure(
                t("threshold"),
                format!("> {} ({window})", a.threshold),
                None,
            ),
            figure(
                t("pending"),
                whole(a.pending),
                Some("/approvals".to_owned()),
            ),
            figure(t("approved"), whole(a.approved), None),
            figure(t("refused"), whole(a.refused), None),
            durations_figure(lang, t("decision_time"), &a.decision_time),
        ],
        tables: vec![agencies],
    }
}
