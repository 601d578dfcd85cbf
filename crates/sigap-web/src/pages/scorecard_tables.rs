//! An agency's scorecard as tables in the reader's language, in the dashboard's parts:
//! findings, repeat findings, remediation, letters, blocks and the "> 3 reports" rule.
//! Counts link to the queue of the agency and the period.

use sigap_app::stats::charts;
use sigap_app::stats::scorecard::{Scorecard, UNASSESSED};
use sigap_core::Criticality;

use crate::pages::PageLang;
use crate::pages::dashboard_tables::{
    EVERY_TICKET, Part, Table, blocked_table, class_label, durations_figure, encode, figure, heads,
    number, percent, rounds_table, text,
};

/// The queue of the agency in the scorecard's period, with `extra` filters.
fn queue(c: &Scorecard, extra: &str) -> Option<String> {
    Some(format!(
        "/tickets?{EVERY_TICKET}&from={}&to={}&agency={}{extra}",
        c.period.from,
        c.period.to,
        encode(&c.agency.code)
    ))
}

fn t(lang: PageLang, key: &str) -> String {
    lang.t(&format!("scorecard.{key}")).into_owned()
}

fn whole(lang: PageLang, n: i64) -> String {
    lang.whole(usize::try_from(n).unwrap_or(0))
}

/// Every part of the scorecard.
pub fn parts(lang: PageLang, c: &Scorecard) -> Vec<Part> {
    vec![
        findings(lang, c),
        repeats(lang, c),
        remediation(lang, c),
        letters(lang, c),
        blocks(lang, c),
        rule(lang, c),
    ]
}

fn criticality_label(lang: PageLang, key: &str) -> String {
    if key == UNASSESSED {
        return t(lang, "unassessed");
    }
    key.parse::<Criticality>()
        .map(|c| lang.label(c).to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

fn findings(lang: PageLang, c: &Scorecard) -> Part {
    let f = &c.findings;
    let by_system = Table {
        id: "by_system",
        caption: t(lang, "by_system"),
        headings: heads(lang, &["system", "reports", "high"]),
        rows: f
            .by_system
            .iter()
            .map(|s| {
                vec![
                    text(s.system.clone()),
                    number(lang, s.findings, None),
                    number(lang, s.high, None),
                ]
            })
            .collect(),
        chart: None,
    };
    let classes: Vec<(String, f64)> = f
        .by_class
        .iter()
        .map(|x| (class_label(lang, &x.key), x.count as f64))
        .collect();
    let by_class = Table {
        id: "by_class",
        caption: t(lang, "by_class"),
        headings: heads(lang, &["class", "reports"]),
        rows: f
            .by_class
            .iter()
            .map(|x| vec![text(class_label(lang, &x.key)), number(lang, x.count, None)])
            .collect(),
        chart: Some(charts::bars(&t(lang, "by_class"), &classes, false)),
    };
    let mut figures = vec![figure(
        t(lang, "findings"),
        whole(lang, f.total),
        queue(c, ""),
    )];
    for x in &f.by_criticality {
        let href = (x.key != UNASSESSED)
            .then(|| queue(c, &format!("&criticality={}", encode(&x.key))))
            .flatten();
        figures.push(figure(
            criticality_label(lang, &x.key),
            whole(lang, x.count),
            href,
        ));
    }
    Part {
        id: "findings",
        heading: t(lang, "findings_heading"),
        figures,
        tables: vec![by_system, by_class],
    }
}

fn repeats(lang: PageLang, c: &Scorecard) -> Part {
    let table = Table {
        id: "repeats",
        caption: t(lang, "repeats_caption"),
        headings: heads(
            lang,
            &[
                "system",
                "weakness",
                "class",
                "in_period",
                "total",
                "first",
                "latest",
            ],
        ),
        rows: c
            .repeats
            .iter()
            .map(|r| {
                let weakness = if r.weakness.starts_with("CWE-") {
                    r.weakness.clone()
                } else {
                    t(lang, "no_cwe")
                };
                vec![
                    text(r.system.clone()),
                    text(weakness),
                    text(class_label(lang, &r.class)),
                    number(lang, r.in_period, None),
                    number(lang, r.total, None),
                    text(lang.date_text(&r.first)),
                    text(lang.date_text(&r.latest)),
                ]
            })
            .collect(),
        chart: None,
    };
    Part {
        id: "repeats",
        heading: t(lang, "repeats_heading"),
        figures: vec![figure(
            t(lang, "repeats"),
            whole(lang, i64::try_from(c.repeats.len()).unwrap_or(0)),
            None,
        )],
        tables: vec![table],
    }
}

fn remediation(lang: PageLang, c: &Scorecard) -> Part {
    let r = &c.remediation;
    let days = r.deadline_days.to_string();
    Part {
        id: "remediation",
        heading: t(lang, "remediation_heading"),
        figures: vec![
            figure(
                lang.tf("scorecard.submitted", &[("days", days.clone())]),
                whole(lang, r.submitted),
                None,
            ),
            figure(
                lang.tf("scorecard.within", &[("days", days)]),
                format!(
                    "{} ({})",
                    whole(lang, r.within_deadline),
                    percent(lang, r.within_share)
                ),
                None,
            ),
            figure(
                lang.t("dashboard.remediation.fixed").into_owned(),
                whole(lang, r.reviews.fixed),
                None,
            ),
            figure(
                lang.t("dashboard.remediation.not_fixed").into_owned(),
                whole(lang, r.reviews.not_fixed),
                None,
            ),
            durations_figure(
                lang,
                lang.t("dashboard.remediation.time_to_fix").into_owned(),
                &r.reviews.time_to_fix,
            ),
        ],
        tables: vec![rounds_table(lang, &r.reviews.rounds)],
    }
}

fn letters(lang: PageLang, c: &Scorecard) -> Part {
    let l = &c.letters;
    Part {
        id: "letters",
        heading: t(lang, "letters_heading"),
        figures: vec![
            figure(t(lang, "notices"), whole(lang, l.notices), None),
            figure(t(lang, "follow_ups"), whole(lang, l.follow_ups), None),
            figure(t(lang, "warnings"), whole(lang, l.warnings), None),
            figure(t(lang, "sanctions"), whole(lang, l.sanctions), None),
        ],
        tables: Vec::new(),
    }
}

fn blocks(lang: PageLang, c: &Scorecard) -> Part {
    Part {
        id: "blocking",
        heading: lang.t("dashboard.blocking.heading").into_owned(),
        figures: vec![figure(
            lang.t("dashboard.blocking.count_now").into_owned(),
            whole(lang, i64::try_from(c.blocked_now.len()).unwrap_or(0)),
            None,
        )],
        tables: vec![blocked_table(lang, &c.blocked_now)],
    }
}

fn rule(lang: PageLang, c: &Scorecard) -> Part {
    let r = &c.rule;
    let window = match &r.since {
        Some(since) => lang.tf(
            "scorecard.window_since",
            &[
                ("days", r.window_days.unwrap_or(0).to_string()),
                ("since", lang.date_text(since)),
            ],
        ),
        None => t(lang, "window_all"),
    };
    let standing = if r.over {
        t(lang, "over")
    } else {
        lang.tf(
            "scorecard.under",
            &[(
                "left",
                (i64::from(r.threshold) - r.valid_reports + 1).to_string(),
            )],
        )
    };
    Part {
        id: "rule",
        heading: lang.t("dashboard.approvals.heading").into_owned(),
        figures: vec![
            figure(t(lang, "rule_count"), whole(lang, r.valid_reports), None),
            figure(
                lang.t("dashboard.approvals.threshold").into_owned(),
                format!("> {}", r.threshold),
                None,
            ),
            figure(t(lang, "window"), window, None),
            figure(t(lang, "standing"), standing, None),
        ],
        tables: Vec::new(),
    }
}
