//! The sections of the dashboard from the store's rows: sums, shares and percentiles.
//! Pure: the same rows give the same figures on the page, in the API and in the report.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use sigap_core::{Channel, Period, WeaknessClass};
use sigap_store::{DayCountRow, IntakeRow, IntervalRow, StepTimeRow};

use super::view::{AgencyFix, AgencyIntake, Durations, HeatCell, Intake, StepClock, Tally, Week};

/// The agency column of a ticket routed to none.
pub const NO_AGENCY: &str = "-";

/// The SOP's steps in order: the action, its step number and the state it is done in.
pub const STEPS: &[(&str, Option<u8>, &str)] = &[
    ("validate", Some(3), "queued"),
    ("assess", Some(4), "assessing"),
    ("block", Some(5), "awaiting_block"),
    ("notify_agency", Some(6), "notifying"),
    ("submit_remediation", Some(7), "remediating"),
    ("send_follow_up", Some(8), "follow_up"),
    ("review", Some(9), "reviewing"),
    ("approve_reactivation", None, "awaiting_approval"),
    ("unblock", Some(10), "closing"),
    ("close", Some(10), "closing"),
];

/// The intake section from the grouped rows of the period and its counts per day.
pub fn intake(rows: &[IntakeRow], per_day: &[DayCountRow], period: &Period) -> Intake {
    let mut out = Intake::default();
    let mut channels: BTreeMap<&str, i64> = BTreeMap::new();
    let mut classes: BTreeMap<&str, i64> = BTreeMap::new();
    let mut agencies: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let days: BTreeMap<i64, i64> = per_day.iter().map(|r| (r.day, r.count)).collect();
    let mut heat: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for r in rows {
        out.received += r.count;
        match r.outcome.as_str() {
            "valid" => out.valid += r.count,
            "rejected" => out.rejected += r.count,
            "duplicate" => out.duplicates += r.count,
            _ => out.pending += r.count,
        }
        let agency = r.agency.as_deref().unwrap_or(NO_AGENCY);
        let class = r
            .weakness_class
            .as_deref()
            .and_then(|k| k.parse::<WeaknessClass>().ok())
            .unwrap_or(WeaknessClass::Other)
            .as_str();
        *channels.entry(r.channel.as_str()).or_default() += r.count;
        *classes.entry(class).or_default() += r.count;
        let a = agencies.entry(agency).or_default();
        a.0 += r.count;
        if r.outcome == "valid" {
            a.1 += r.count;
        }
        *heat.entry((class, agency)).or_default() += r.count;
    }
    out.by_channel = Channel::ALL
        .iter()
        .map(|c| tally(c.as_str(), channels.get(c.as_str()).copied().unwrap_or(0)))
        .collect();
    out.by_class = most_first(classes.into_iter().map(|(k, n)| tally(k, n)).collect());
    let mut by_agency: Vec<AgencyIntake> = agencies
        .into_iter()
        .map(|(agency, (received, valid))| AgencyIntake {
            agency: agency.to_owned(),
            received,
            valid,
        })
        .collect();
    by_agency.sort_by(|a, b| {
        b.received
            .cmp(&a.received)
            .then_with(|| a.agency.cmp(&b.agency))
    });
    out.by_agency = by_agency;
    let mut weeks: BTreeMap<i64, i64> = BTreeMap::new();
    for (day, count) in &days {
        *weeks.entry(day.div_euclid(7)).or_default() += count;
    }
    out.weekly = week_list(period, &weeks);
    out.monthly = month_list(period, &days);
    out.heat = heat
        .into_iter()
        .map(|((class, agency), count)| HeatCell {
            class: class.to_owned(),
            agency: agency.to_owned(),
            count,
        })
        .collect();
    out
}

fn tally(key: &str, count: i64) -> Tally {
    Tally {
        key: key.to_owned(),
        count,
    }
}

/// Sorted by count, most first, then by key.
pub fn most_first(mut tallies: Vec<Tally>) -> Vec<Tally> {
    tallies.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    tallies
}

/// Every week of the period (zeros included), the last one cut at the period's end.
fn week_list(period: &Period, counts: &BTreeMap<i64, i64>) -> Vec<Week> {
    let mut weeks = Vec::new();
    let mut start: NaiveDate = period.from;
    let mut index = 0;
    while start <= period.to {
        let end = start
            .checked_add_days(Days::new(6))
            .unwrap_or(start)
            .min(period.to);
        weeks.push(Week {
            from: start.to_string(),
            to: end.to_string(),
            count: counts.get(&index).copied().unwrap_or(0),
        });
        index += 1;
        match end.checked_add_days(Days::new(1)) {
            Some(next) => start = next,
            None => break,
        }
    }
    weeks
}

/// Every month of the period (zeros included), the first and last cut at its ends; the
/// counts by day from the period's first day.
fn month_list(period: &Period, days: &BTreeMap<i64, i64>) -> Vec<Week> {
    let mut months: Vec<Week> = Vec::new();
    let mut start: NaiveDate = period.from;
    while start <= period.to {
        let next = start
            .with_day(1)
            .and_then(|first| first.checked_add_months(Months::new(1)))
            .unwrap_or(period.to.succ_opt().unwrap_or(period.to));
        let end = next.pred_opt().unwrap_or(next).min(period.to);
        let first = (start - period.from).num_days();
        let last = (end - period.from).num_days();
        months.push(Week {
            from: start.to_string(),
            to: end.to_string(),
            count: days.range(first..=last).map(|(_, n)| n).sum(),
        });
        if next <= start {
            break;
        }
        start = next;
    }
    months
}

/// The steps done in the period, in the SOP's order.
pub fn steps(rows: &[StepTimeRow]) -> Vec<StepClock> {
    STEPS
        .iter()
        .filter_map(|(action, sop_step, state)| {
            let r = rows.iter().find(|r| r.action == *action)?;
            Some(StepClock {
                action: (*action).to_owned(),
                sop_step: *sop_step,
                state: (*state).to_owned(),
                done: r.done,
                within: r.kept,
                within_share: share(r.kept, r.done),
                median_seconds: r.median_ms.map(seconds),
                p90_seconds: r.p90_ms.map(seconds),
            })
        })
        .collect()
}

/// `part / whole`, 1 when there is nothing to count.
pub fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        1.0
    }
}

fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// Count, median and 90th percentile (nearest rank, as the database computes the steps')
/// of spans in milliseconds.
pub fn durations(spans: impl IntoIterator<Item = i64>) -> Durations {
    let mut spans: Vec<i64> = spans.into_iter().collect();
    spans.sort_unstable();
    let n = spans.len();
    let rank = |num: usize, den: usize| spans.get((num * n).div_ceil(den).max(1) - 1).copied();
    Durations {
        count: i64::try_from(n).unwrap_or(i64::MAX),
        median_seconds: (n > 0).then(|| rank(1, 2)).flatten().map(seconds),
        p90_seconds: (n > 0).then(|| rank(9, 10)).flatten().map(seconds),
    }
}

/// The spans of `rows` that have one.
pub fn spans<'a>(rows: impl IntoIterator<Item = &'a IntervalRow>) -> Vec<i64> {
    rows.into_iter().filter_map(|r| r.took).collect()
}

/// Fixes per agency from the reviews that found the finding fixed.
pub fn fixes_by_agency(fixed: &[&IntervalRow]) -> Vec<AgencyFix> {
    let mut by: BTreeMap<&str, Vec<&IntervalRow>> = BTreeMap::new();
    for r in fixed {
        by.entry(r.agency.as_deref().unwrap_or(NO_AGENCY))
            .or_default()
            .push(r);
    }
    let mut out: Vec<AgencyFix> = by
        .into_iter()
        .map(|(agency, rows)| AgencyFix {
            agency: agency.to_owned(),
            fixed: i64::try_from(rows.len()).unwrap_or(i64::MAX),
            median_seconds: durations(spans(rows.iter().copied())).median_seconds,
            first_round: i64::try_from(rows.iter().filter(|r| r.round <= 1).count()).unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| b.fixed.cmp(&a.fixed).then_with(|| a.agency.cmp(&b.agency)));
    out
}

/// The fixed tickets by round: `1`, `2`, `3+`.
pub fn rounds(fixed: &[&IntervalRow]) -> Vec<Tally> {
    let count = |f: &dyn Fn(i64) -> bool| {
        i64::try_from(fixed.iter().filter(|r| f(r.round)).count()).unwrap_or(0)
    };
    vec![
        tally("1", count(&|r| r <= 1)),
        tally("2", count(&|r| r == 2)),
        tally("3+", count(&|r| r >= 3)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let d = durations([5_000, 1_000, 3_000, 2_000, 4_000]);
        assert_eq!(
            (d.count, d.median_seconds, d.p90_seconds),
            (5, Some(3), Some(5))
        );
        let d = durations([1_000, 2_000]);
        assert_eq!((d.median_seconds, d.p90_seconds), (Some(1), Some(2)));
        let ten: Vec<i64> = (1..=10).map(|s| s * 1000).collect();
        let d = durations(ten);
        assert_eq!((d.median_seconds, d.p90_seconds), (Some(5), Some(9)));
        assert_eq!(durations([]), Durations::default());
    }

    #[test]
    fn weeks_cover_the_period_and_the_last_is_cut() {
        let nov = Period::month(2026, 11).unwrap();
        let weeks = week_list(&nov, &BTreeMap::from([(0, 2), (4, 1)]));
        assert_eq!(weeks.len(), 5);
        assert_eq!(
            (weeks[0].from.as_str(), weeks[0].to.as_str(), weeks[0].count),
            ("2026-11-01", "2026-11-07", 2)
        );
        assert_eq!(
            (weeks[4].from.as_str(), weeks[4].to.as_str(), weeks[4].count),
            ("2026-11-29", "2026-11-30", 1)
        );
    }

    #[test]
    fn months_cover_the_period_and_are_cut_at_its_ends() {
        let year = Period::containing(
            sigap_core::PeriodKind::Year,
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        );
        // 1 January, 31 January, 1 February, 31 December.
        let days = BTreeMap::from([(0, 1), (30, 2), (31, 4), (364, 8)]);
        let months = month_list(&year, &days);
        assert_eq!(months.len(), 12);
        let first: Vec<(&str, &str, i64)> = months
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str(), m.count))
            .collect();
        assert_eq!(first[0], ("2026-01-01", "2026-01-31", 3));
        assert_eq!(first[1], ("2026-02-01", "2026-02-28", 4));
        assert_eq!(first[11], ("2026-12-01", "2026-12-31", 8));
        let days_range =
            Period::parse(None, Some("2026-01-15"), Some("2026-03-10"), year.to).unwrap();
        let cut = month_list(&days_range, &BTreeMap::from([(0, 1), (54, 2)]));
        let spans: Vec<(&str, &str, i64)> = cut
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str(), m.count))
            .collect();
        assert_eq!(
            spans,
            vec![
                ("2026-01-15", "2026-01-31", 1),
                ("2026-02-01", "2026-02-28", 0),
                ("2026-03-01", "2026-03-10", 2)
            ]
        );
    }
}
