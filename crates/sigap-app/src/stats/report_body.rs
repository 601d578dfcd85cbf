//! The periodic report's sections from the figures of its period: the same [`Dashboard`]
//! the page and the API answer, written in Indonesian as the Sekretariat reads it (numbers
//! with `.` for thousands, shares with `,`, spans in days, hours and minutes), with the
//! dashboard's charts.

use sigap_core::{Action, Channel, Labelled, PeriodKind, State, WeaknessClass};
use sigap_naskah::body::{PeriodReport, ReportFigure, ReportTable, TicketList};

use super::charts;
use super::view::{Dashboard, Durations};

/// A whole number as Indonesian writes it: `20.000`.
pub fn whole(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A share as a percentage with one decimal: `75,0%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0).replace('.', ",")
}

/// A span in its two largest units: `2 hari 1 jam`, `3 jam 20 menit`, `45 menit`; `–` when
/// nothing was measured.
pub fn span(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return "–".to_owned();
    };
    let minutes = seconds.max(0) / 60;
    if minutes == 0 {
        return "kurang dari 1 menit".to_owned();
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts = if days > 0 {
        [(days, "hari"), (hours, "jam")]
    } else if hours > 0 {
        [(hours, "jam"), (mins, "menit")]
    } else {
        [(mins, "menit"), (0, "menit")]
    };
    parts
        .iter()
        .enumerate()
        .filter(|(i, (n, _))| *i == 0 || *n > 0)
        .map(|(_, (n, unit))| format!("{n} {unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn durations(d: &Durations) -> String {
    if d.count == 0 {
        return "–".to_owned();
    }
    format!(
        "median {}; P90 {}",
        span(d.median_seconds),
        span(d.p90_seconds)
    )
}

fn label<T: std::str::FromStr + Labelled>(key: &str) -> String {
    key.parse::<T>()
        .map_or_else(|_| key.to_owned(), |v| v.label_id().to_owned())
}

/// The period of a stored report (`2026-11`, `2026-Q4`, `2026`, or days `from..to`).
pub fn period_of(row: &sigap_store::PeriodReportRow) -> Result<sigap_core::Period, String> {
    let parsed = if row.period.contains("..") {
        sigap_core::Period::parse(
            None,
            Some(&row.period_from),
            Some(&row.period_to),
            chrono::NaiveDate::MIN,
        )
    } else {
        sigap_core::Period::parse(Some(&row.period), None, None, chrono::NaiveDate::MIN)
    };
    parsed.map_err(|e| format!("stored period {}: {}", row.period, e.message))
}

/// The report's title for a period of `kind`.
pub fn title(kind: PeriodKind) -> String {
    let which = match kind {
        PeriodKind::Month => "BULANAN ",
        PeriodKind::Quarter => "TRIWULANAN ",
        PeriodKind::Year => "TAHUNAN ",
        PeriodKind::Range => "",
    };
    format!("LAPORAN {which}PENANGANAN INSIDEN SIBER")
}

/// The sections of the report of `d`, its narrative and its ticket lists.
pub fn body(
    d: &Dashboard,
    kind: PeriodKind,
    narrative: &str,
    closed: TicketList,
    open: TicketList,
) -> PeriodReport {
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    intake_tables(d, &mut tables, &mut charts);
    clock_tables(d, &mut tables, &mut charts);
    blocking_tables(d, &mut tables);
    remediation_tables(d, &mut tables, &mut charts);
    approvals_tables(d, &mut tables);
    PeriodReport {
        title: title(kind),
        period: format!("Periode {}", d.period.label),
        narrative: narrative
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect(),
        figures: figures(d),
        tables,
        charts,
        closed,
        open,
    }
}

fn figure(label: &str, value: String) -> ReportFigure {
    ReportFigure {
        label: label.to_owned(),
        value,
    }
}

/// The headline figures of every section.
fn figures(d: &Dashboard) -> Vec<ReportFigure> {
    let mut out = Vec::new();
    if let Some(i) = &d.intake {
        out.push(figure("Laporan diterima", whole(i.received)));
        out.push(figure("Laporan valid", whole(i.valid)));
        out.push(figure("Laporan tidak valid", whole(i.rejected)));
        out.push(figure("Laporan duplikat", whole(i.duplicates)));
        out.push(figure("Belum divalidasi", whole(i.pending)));
    }
    if let Some(c) = &d.clock {
        out.push(figure(
            "Tiket melewati batas waktu saat ini",
            whole(c.overdue_total),
        ));
        let p = &c.personal_data;
        out.push(figure(
            "Data pribadi terdampak (UU PDP Pasal 46)",
            whole(p.breaches),
        ));
        out.push(figure(
            "Pemberitahuan 3 × 24 jam: tepat waktu / terlambat / lewat batas / berjalan",
            format!(
                "{} / {} / {} / {}",
                whole(p.met),
                whole(p.late),
                whole(p.overdue),
                whole(p.running)
            ),
        ));
    }
    if let Some(b) = &d.blocking {
        let now = i64::try_from(b.blocked_now.len()).unwrap_or(i64::MAX);
        out.push(figure("Sistem elektronik diblokir saat ini", whole(now)));
        out.push(figure(
            "Pemblokiran / pembukaan blokir",
            format!("{} / {}", whole(b.blocks), whole(b.unblocks)),
        ));
        out.push(figure(
            "Dari penilaian tinggi sampai pemblokiran",
            durations(&b.finding_to_block),
        ));
        out.push(figure(
            "Dari \"Sudah\" sampai pembukaan blokir",
            durations(&b.fixed_to_unblock),
        ));
    }
    if let Some(r) = &d.remediation {
        out.push(figure(
            "Dinyatakan \"Sudah\" / \"Belum\" diperbaiki",
            format!("{} / {}", whole(r.fixed), whole(r.not_fixed)),
        ));
        out.push(figure(
            "Dari penyampaian laporan sampai \"Sudah\"",
            durations(&r.time_to_fix),
        ));
    }
    if let Some(a) = &d.approvals {
        out.push(figure(
            "Persetujuan Sekretaris Daerah: menunggu / disetujui / ditolak",
            format!(
                "{} / {} / {}",
                whole(a.pending),
                whole(a.approved),
                whole(a.refused)
            ),
        ));
    }
    out
}

fn table(
    part: &str,
    caption: &str,
    headings: &[&str],
    rows: Vec<Vec<String>>,
    chart: Option<usize>,
) -> ReportTable {
    ReportTable {
        part: part.to_owned(),
        caption: caption.to_owned(),
        headings: headings.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        chart,
    }
}

/// Draws `chart` into `charts` and answers its index.
fn drawn(charts: &mut Vec<String>, chart: charts::Chart) -> Option<usize> {
    if chart.svg.is_empty() {
        return None;
    }
    charts.push(chart.svg);
    Some(charts.len() - 1)
}

fn intake_tables(d: &Dashboard, tables: &mut Vec<ReportTable>, charts: &mut Vec<String>) {
    let Some(i) = &d.intake else { return };
    const PART: &str = "Laporan masuk";
    let (trend, by_month) = i.trend();
    let (title, unit) = if by_month {
        ("Laporan per bulan", "Bulan")
    } else {
        ("Laporan per pekan", "Pekan")
    };
    let points: Vec<(String, i64)> = trend
        .iter()
        .map(|w| {
            let label = if by_month { &w.from[..7] } else { &w.from[5..] };
            (label.to_owned(), w.count)
        })
        .collect();
    let chart = drawn(charts, charts::trend(title, &points));
    let rows = trend
        .iter()
        .map(|w| vec![format!("{} – {}", w.from, w.to), whole(w.count)])
        .collect();
    tables.push(table(PART, title, &[unit, "Laporan"], rows, chart));
    let bars: Vec<(String, f64)> = i
        .by_channel
        .iter()
        .map(|c| (label::<Channel>(&c.key), c.count as f64))
        .collect();
    let chart = drawn(charts, charts::bars("Laporan per saluran", &bars, false));
    let rows = bars
        .iter()
        .zip(&i.by_channel)
        .map(|((l, _), c)| vec![l.clone(), whole(c.count)])
        .collect();
    tables.push(table(
        PART,
        "Laporan per saluran",
        &["Saluran", "Laporan"],
        rows,
        chart,
    ));
    let bars: Vec<(String, f64)> = i
        .by_class
        .iter()
        .map(|c| (label::<WeaknessClass>(&c.key), c.count as f64))
        .collect();
    let chart = drawn(
        charts,
        charts::bars("Laporan per kelas kerentanan", &bars, false),
    );
    let rows = bars
        .iter()
        .zip(&i.by_class)
        .map(|((l, _), c)| vec![l.clone(), whole(c.count)])
        .collect();
    tables.push(table(
        PART,
        "Laporan per kelas kerentanan (OWASP Top 10)",
        &["Kelas kerentanan", "Laporan"],
        rows,
        chart,
    ));
    agency_table(i, tables, charts);
}

/// Reports per agency, with its chart.
fn agency_table(i: &super::view::Intake, tables: &mut Vec<ReportTable>, charts: &mut Vec<String>) {
    const PART: &str = "Laporan masuk";
    let bars: Vec<(String, f64)> = i
        .by_agency
        .iter()
        .map(|a| (a.agency.clone(), a.received as f64))
        .collect();
    let chart = drawn(
        charts,
        charts::bars("Laporan per perangkat daerah", &bars, false),
    );
    let rows = i
        .by_agency
        .iter()
        .map(|a| vec![a.agency.clone(), whole(a.received), whole(a.valid)])
        .collect();
    tables.push(table(
        PART,
        "Laporan per perangkat daerah",
        &["Perangkat daerah", "Laporan", "Valid"],
        rows,
        chart,
    ));
}

fn clock_tables(d: &Dashboard, tables: &mut Vec<ReportTable>, charts: &mut Vec<String>) {
    let Some(c) = &d.clock else { return };
    const PART: &str = "Ketepatan waktu langkah SOP";
    let name = |s: &super::view::StepClock| {
        let action = label::<Action>(&s.action);
        match s.sop_step {
            Some(n) => format!("{n}. {action}"),
            None => action,
        }
    };
    let bars: Vec<(String, f64)> = c
        .steps
        .iter()
        .map(|s| (label::<Action>(&s.action), s.within_share))
        .collect();
    let chart = drawn(
        charts,
        charts::bars(
            "Langkah yang diselesaikan dalam batas waktunya",
            &bars,
            true,
        ),
    );
    let rows = c
        .steps
        .iter()
        .map(|s| {
            vec![
                name(s),
                whole(s.done),
                whole(s.within),
                percent(s.within_share),
                span(s.median_seconds),
                span(s.p90_seconds),
            ]
        })
        .collect();
    tables.push(table(
        PART,
        "Langkah yang diselesaikan dalam batas waktunya",
        &[
            "Langkah SOP",
            "Dilaksanakan",
            "Tepat waktu",
            "Persentase",
            "Median",
            "Persentil ke-90",
        ],
        rows,
        chart,
    ));
    let rows = c
        .overdue_now
        .iter()
        .map(|o| vec![label::<State>(&o.key), whole(o.count)])
        .collect();
    tables.push(table(
        PART,
        "Tiket terbuka yang melewati batas waktu saat laporan dibuat",
        &["Tahap", "Tiket"],
        rows,
        None,
    ));
}

fn blocking_tables(d: &Dashboard, tables: &mut Vec<ReportTable>) {
    let Some(b) = &d.blocking else { return };
    let rows = b
        .blocked_now
        .iter()
        .map(|s| {
            vec![
                s.ticket.clone(),
                s.agency.clone().unwrap_or_default(),
                s.system.clone().unwrap_or_default(),
                span(s.seconds),
            ]
        })
        .collect();
    tables.push(table(
        "Pemblokiran sistem elektronik",
        "Sistem yang diblokir saat laporan dibuat",
        &[
            "Tiket",
            "Perangkat daerah",
            "Sistem elektronik",
            "Lama pemblokiran",
        ],
        rows,
        None,
    ));
}

fn remediation_tables(d: &Dashboard, tables: &mut Vec<ReportTable>, charts: &mut Vec<String>) {
    let Some(r) = &d.remediation else { return };
    const PART: &str = "Perbaikan oleh perangkat daerah";
    let rows = r
        .rounds
        .iter()
        .map(|x| vec![x.key.clone(), whole(x.count)])
        .collect();
    tables.push(table(
        PART,
        "Tiket selesai diperbaiki menurut putaran",
        &["Putaran", "Tiket"],
        rows,
        None,
    ));
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
    let chart = drawn(
        charts,
        charts::bars(
            "Median waktu perbaikan per perangkat daerah (hari)",
            &bars,
            false,
        ),
    );
    let rows = r
        .by_agency
        .iter()
        .map(|a| {
            vec![
                a.agency.clone(),
                whole(a.fixed),
                whole(a.first_round),
                span(a.median_seconds),
            ]
        })
        .collect();
    tables.push(table(
        PART,
        "Waktu perbaikan per perangkat daerah",
        &[
            "Perangkat daerah",
            "Selesai diperbaiki",
            "Pada putaran pertama",
            "Median waktu",
        ],
        rows,
        chart,
    ));
}

fn approvals_tables(d: &Dashboard, tables: &mut Vec<ReportTable>) {
    let Some(a) = &d.approvals else { return };
    let rows = a
        .agencies
        .iter()
        .map(|x| {
            vec![
                x.agency.clone(),
                x.name.clone(),
                whole(x.valid_reports),
                if x.over { "Ya" } else { "Tidak" }.to_owned(),
            ]
        })
        .collect();
    let caption = format!(
        "Perangkat daerah pada atau di atas ambang {} laporan valid",
        a.threshold
    );
    tables.push(table(
        "Aturan lebih dari 3 laporan",
        &caption,
        &[
            "Kode",
            "Perangkat daerah",
            "Laporan valid",
            "Melewati ambang",
        ],
        rows,
        None,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_spans_are_written_in_indonesian() {
        assert_eq!(whole(0), "0");
        assert_eq!(whole(100_000), "100.000");
        assert_eq!(whole(1_234_567), "1.234.567");
        assert_eq!(percent(0.75), "75,0%");
        assert_eq!(span(Some(49 * 3600)), "2 hari 1 jam");
        assert_eq!(span(Some(3600)), "1 jam");
        assert_eq!(span(Some(180)), "3 menit");
        assert_eq!(span(Some(30)), "kurang dari 1 menit");
        assert_eq!(span(None), "–");
        assert_eq!(
            title(PeriodKind::Quarter),
            "LAPORAN TRIWULANAN PENANGANAN INSIDEN SIBER"
        );
    }
}
