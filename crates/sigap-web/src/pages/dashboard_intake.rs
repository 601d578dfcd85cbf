//! The dashboard's intake part: the reports of the period as figures, five tables and
//! their charts (per week, by channel, by class, by agency, class against agency).

use sigap_app::stats::charts::{self, Chart};
use sigap_app::stats::view::{Dashboard, HeatCell, Intake};
use sigap_core::Channel;

use crate::pages::PageLang;
use crate::pages::dashboard_tables::{
    Links, Part, Table, class_label, encode, figure, heads, number, text,
};

/// The intake part of the page.
pub fn intake(lang: PageLang, d: &Dashboard, links: &Links) -> Part {
    let i = d.intake.clone().unwrap_or_default();
    let t = |k: &str| lang.t(&format!("dashboard.intake.{k}")).into_owned();
    let whole = |n: i64| lang.whole(usize::try_from(n).unwrap_or(0));
    let figures = vec![
        figure(t("received"), whole(i.received), links.queue("")),
        figure(t("valid"), whole(i.valid), None),
        figure(
            t("rejected"),
            whole(i.rejected),
            links.queue("state=rejected"),
        ),
        figure(
            t("duplicates"),
            whole(i.duplicates),
            links.queue("state=duplicate"),
        ),
        figure(t("pending"), whole(i.pending), links.queue("state=queued")),
    ];
    let mut tables: Vec<Table> = tables_of(lang, &i, links)
        .into_iter()
        .zip(charts_of(lang, &i))
        .map(|(table, chart)| Table {
            chart: Some(chart),
            ..table
        })
        .collect();
    tables.push(heat_table(lang, &i.heat, links));
    Part {
        id: "intake",
        heading: t("heading"),
        figures,
        tables,
    }
}

fn label_of_channel(lang: PageLang, key: &str) -> String {
    key.parse::<Channel>()
        .map(|c| lang.label(c).to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// Reports per week, by channel, by class and by agency.
fn tables_of(lang: PageLang, i: &Intake, links: &Links) -> Vec<Table> {
    let t = |k: &str| lang.t(&format!("dashboard.intake.{k}")).into_owned();
    let (trend, by_month) = i.trend();
    let weekly = trend.iter().map(|w| {
        vec![
            text(format!("{} – {}", w.from, w.to)),
            number(lang, w.count, Some(links.days(&w.from, &w.to))),
        ]
    });
    let channels = i.by_channel.iter().map(|c| {
        let href = links.queue(&format!("channel={}", encode(&c.key)));
        vec![
            text(label_of_channel(lang, &c.key)),
            number(lang, c.count, href),
        ]
    });
    let classes = i.by_class.iter().map(|c| {
        let href = links.queue(&format!("class={}", encode(&c.key)));
        vec![text(class_label(lang, &c.key)), number(lang, c.count, href)]
    });
    let agencies = i.by_agency.iter().map(|a| {
        vec![
            crate::pages::dashboard_tables::scorecard_cell(&a.agency, links),
            number(lang, a.received, links.agency(&a.agency)),
            number(lang, a.valid, None),
        ]
    });
    vec![
        Table {
            id: "weekly",
            caption: t(if by_month { "monthly" } else { "weekly" }),
            headings: heads(lang, &[if by_month { "month" } else { "week" }, "reports"]),
            rows: weekly.collect(),
            chart: None,
        },
        Table {
            id: "by_channel",
            caption: t("by_channel"),
            headings: heads(lang, &["channel", "reports"]),
            rows: channels.collect(),
            chart: None,
        },
        Table {
            id: "by_class",
            caption: t("by_class"),
            headings: heads(lang, &["class", "reports"]),
            rows: classes.collect(),
            chart: None,
        },
        Table {
            id: "by_agency",
            caption: t("by_agency"),
            headings: heads(lang, &["agency", "reports", "valid"]),
            rows: agencies.collect(),
            chart: None,
        },
    ]
}

/// The trend per week and the bars by channel, class and agency.
fn charts_of(lang: PageLang, i: &Intake) -> Vec<Chart> {
    let t = |k: &str| lang.t(&format!("dashboard.intake.{k}")).into_owned();
    let (trend, by_month) = i.trend();
    let weeks: Vec<(String, i64)> = trend
        .iter()
        .map(|w| {
            let label = if by_month { &w.from[..7] } else { &w.from[5..] };
            (label.to_owned(), w.count)
        })
        .collect();
    let channels: Vec<(String, f64)> = i
        .by_channel
        .iter()
        .map(|c| (label_of_channel(lang, &c.key), c.count as f64))
        .collect();
    let classes: Vec<(String, f64)> = i
        .by_class
        .iter()
        .map(|c| (class_label(lang, &c.key), c.count as f64))
        .collect();
    let agencies: Vec<(String, f64)> = i
        .by_agency
        .iter()
        .map(|a| (a.agency.clone(), a.received as f64))
        .collect();
    vec![
        charts::trend(&t(if by_month { "monthly" } else { "weekly" }), &weeks),
        charts::bars(&t("by_channel"), &channels, false),
        charts::bars(&t("by_class"), &classes, false),
        charts::bars(&t("by_agency"), &agencies, false),
    ]
}

/// The heat map of classes against agencies: a table with a row per class and a column per
/// agency, and its chart.
fn heat_table(lang: PageLang, cells: &[HeatCell], links: &Links) -> Table {
    let mut classes: Vec<&str> = cells.iter().map(|c| c.class.as_str()).collect();
    classes.sort_unstable();
    classes.dedup();
    let mut agencies: Vec<&str> = cells.iter().map(|c| c.agency.as_str()).collect();
    agencies.sort_unstable();
    agencies.dedup();
    let count = |class: &str, agency: &str| {
        cells
            .iter()
            .find(|c| c.class == class && c.agency == agency)
            .map_or(0, |c| c.count)
    };
    let mut headings = heads(lang, &["class"]);
    headings.extend(agencies.iter().map(|a| (*a).to_owned()));
    let rows = classes
        .iter()
        .map(|class| {
            let mut row = vec![text(class_label(lang, class))];
            row.extend(
                agencies
                    .iter()
                    .map(|agency| number(lang, count(class, agency), links.agency(agency))),
            );
            row
        })
        .collect();
    let caption = lang.t("dashboard.intake.heat").into_owned();
    let short: Vec<String> = classes
        .iter()
        .map(|c| c.split('_').next().unwrap_or(c).to_uppercase())
        .collect();
    let grid: Vec<(usize, usize, i64)> = agencies
        .iter()
        .enumerate()
        .flat_map(|(y, agency)| {
            classes
                .iter()
                .enumerate()
                .map(move |(x, class)| (x, y, count(class, agency)))
        })
        .collect();
    let names: Vec<String> = agencies.iter().map(|a| (*a).to_owned()).collect();
    let chart = charts::heat(&caption, &short, &names, &grid);
    Table {
        id: "heat",
        caption,
        headings,
        rows,
        chart: Some(chart),
    }
}
