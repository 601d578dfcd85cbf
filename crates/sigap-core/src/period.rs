//! The period a figure covers: a calendar month, quarter or year, or days from–to, in WIB.
//! Read from a query (`period=2026-11`, `2026-Q4`, `2026`, `month`, `quarter`, `year`, or
//! `from`/`to` dates); today's date is given, never read.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::calendar::{WIB, month_name_en, month_name_id};
use crate::error::FieldError;

/// The longest period from–to: five years.
pub const MAX_DAYS: i64 = 5 * 366;

/// How a period was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    /// From one date to another, both included.
    Range,
}

/// Days from `from` to `to`, both included, in WIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The month, quarter or year that holds `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let (year, month) = (date.year(), date.month());
        let (first, months) = match kind {
            PeriodKind::Month => (month, 1),
            PeriodKind::Quarter => ((month - 1) / 3 * 3 + 1, 3),
            PeriodKind::Year => (1, 12),
            PeriodKind::Range => {
                return Period {
                    kind,
                    from: date,
                    to: date,
                };
            }
        };
        let from = NaiveDate::from_ymd_opt(year, first, 1).unwrap_or(date);
        let to = from
            .checked_add_months(chrono::Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(date);
        Period { kind, from, to }
    }

    /// The calendar month `month` of `year`.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|d| Period::containing(PeriodKind::Month, d))
    }

    /// Reads a period: `period` (`2026-11`, `2026-Q4`, `2026`, or `month`, `quarter`, `year`
    /// for the one holding `today`) or `from` and `to` (`YYYY-MM-DD`; `to` defaults to today);
    /// nothing at all is this month.
    pub fn parse(
        period: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, FieldError> {
        let (period, from, to) = (given(period), given(from), given(to));
        if period.is_some() && (from.is_some() || to.is_some()) {
            return Err(FieldError::new(
                "period",
                "give either `period` or `from` and `to`, not both",
            ));
        }
        match (period, from, to) {
            (Some(text), _, _) => named(text, today),
            (None, None, None) => Ok(Period::containing(PeriodKind::Month, today)),
            (None, None, Some(_)) => Err(FieldError::new(
                "from",
                "`from` is required with `to`: the first day, as YYYY-MM-DD",
            )),
            (None, Some(from), to) => {
                let from = date("from", from)?;
                let to = match to {
                    Some(to) => date("to", to)?,
                    None => today,
                };
                range(from, to)
            }
        }
    }

    /// The first instant of the period (00:00 WIB of `from`).
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.from)
    }

    /// The first instant after the period (00:00 WIB of the day after `to`).
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.to.checked_add_days(Days::new(1)).unwrap_or(self.to))
    }

    /// How the period is written in a query (`2026-11`, `2026-Q4`, `2026`): what `parse`
    /// reads back; for days from–to, `None` (they go as `from` and `to`).
    pub fn key(&self) -> Option<String> {
        let year = self.from.year();
        match self.kind {
            PeriodKind::Month => Some(format!("{year}-{:02}", self.from.month())),
            PeriodKind::Quarter => Some(format!("{year}-Q{}", (self.from.month() - 1) / 3 + 1)),
            PeriodKind::Year => Some(year.to_string()),
            PeriodKind::Range => None,
        }
    }

    /// The period as a query string's parameters (`period=2026-11`, or `from=…&to=…`).
    pub fn query(&self) -> String {
        match self.key() {
            Some(key) => format!("period={key}"),
            None => format!("from={}&to={}", self.from, self.to),
        }
    }

    /// The period before this one, of the same kind and length.
    pub fn previous(&self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let days = (self.to - self.from).num_days();
                let to = self.from.pred_opt().unwrap_or(self.from);
                let from = to - chrono::Duration::days(days);
                Period {
                    kind: self.kind,
                    from,
                    to,
                }
            }
            kind => Period::containing(kind, self.from.pred_opt().unwrap_or(self.from)),
        }
    }

    /// The period in Indonesian: `November 2026`, `Triwulan IV 2026`, `Tahun 2026`,
    /// `1 November 2026 s.d. 15 November 2026`.
    pub fn label_id(&self) -> String {
        let year = self.from.year();
        match self.kind {
            PeriodKind::Month => format!("{} {year}", month_name_id(self.from.month())),
            PeriodKind::Quarter => format!("Triwulan {} {year}", roman(self.from.month())),
            PeriodKind::Year => format!("Tahun {year}"),
            PeriodKind::Range => format!(
                "{} s.d. {}",
                crate::calendar::format_date_id(self.from),
                crate::calendar::format_date_id(self.to)
            ),
        }
    }

    /// The period in English: `November 2026`, `Q4 2026`, `2026`, `1 November 2026 to …`.
    pub fn label_en(&self) -> String {
        let year = self.from.year();
        let day = |d: NaiveDate| format!("{} {} {}", d.day(), month_name_en(d.month()), d.year());
        match self.kind {
            PeriodKind::Month => format!("{} {year}", month_name_en(self.from.month())),
            PeriodKind::Quarter => format!("Q{} {year}", (self.from.month() - 1) / 3 + 1),
            PeriodKind::Year => year.to_string(),
            PeriodKind::Range => format!("{} to {}", day(self.from), day(self.to)),
        }
    }
}

/// A parameter with something in it, trimmed.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn roman(month: u32) -> &'static str {
    ["I", "II", "III", "IV"][((month - 1) / 3).min(3) as usize]
}

/// The first instant of `date` in WIB (00:00 WIB), in UTC.
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    WIB.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

fn named(text: &str, today: NaiveDate) -> Result<Period, FieldError> {
    let bad = || {
        FieldError::new(
            "period",
            "`period` is a month (2026-11), a quarter (2026-Q4), a year (2026), or `month`, \
             `quarter` or `year` for the current one",
        )
    };
    let lower = text.to_ascii_lowercase();
    let period = match lower.as_str() {
        "month" => Period::containing(PeriodKind::Month, today),
        "quarter" => Period::containing(PeriodKind::Quarter, today),
        "year" => Period::containing(PeriodKind::Year, today),
        _ => {
            let (year, rest) = lower
                .split_once('-')
                .map_or((lower.as_str(), None), |(y, r)| (y, Some(r)));
            let year: i32 = year.parse().map_err(|_| bad())?;
            if !(2000..=2100).contains(&year) || lower.len() > 7 {
                return Err(bad());
            }
            match rest {
                None => Period::containing(PeriodKind::Year, first_of(year, 1).ok_or_else(bad)?),
                Some(q) if q.starts_with('q') => {
                    let quarter: u32 = q[1..].parse().map_err(|_| bad())?;
                    if !(1..=4).contains(&quarter) {
                        return Err(bad());
                    }
                    let first = first_of(year, (quarter - 1) * 3 + 1).ok_or_else(bad)?;
                    Period::containing(PeriodKind::Quarter, first)
                }
                Some(m) => {
                    let month: u32 = m.parse().map_err(|_| bad())?;
                    Period::month(year, month).ok_or_else(bad)?
                }
            }
        }
    };
    Ok(period)
}

fn first_of(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| FieldError::new(field, format!("`{field}` is a date as YYYY-MM-DD")))
}

fn range(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
    if to < from {
        return Err(FieldError::new("to", "`to` is before `from`"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(FieldError::new("to", "a period is at most five years"));
    }
    Ok(Period {
        kind: PeriodKind::Range,
        from,
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_read_and_written_back() {
        let today = d(2026, 12, 6);
        let this_month = Period::parse(None, None, None, today).unwrap();
        assert_eq!(
            (this_month.from, this_month.to),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(this_month.key().as_deref(), Some("2026-12"));
        let q = Period::parse(Some("2026-q2"), None, None, today).unwrap();
        assert_eq!((q.from, q.to), (d(2026, 4, 1), d(2026, 6, 30)));
        assert_eq!(q.label_id(), "Triwulan II 2026");
        assert_eq!(
            Period::parse(q.key().as_deref(), None, None, today).unwrap(),
            q
        );
        let feb = Period::parse(Some("2028-02"), None, None, today).unwrap();
        assert_eq!(feb.to, d(2028, 2, 29));
        assert_eq!(feb.label_id(), "Februari 2028");
        let year = Period::parse(Some("year"), None, None, today).unwrap();
        assert_eq!((year.from, year.to), (d(2026, 1, 1), d(2026, 12, 31)));
        let range = Period::parse(None, Some("2026-11-03"), Some("2026-11-05"), today).unwrap();
        assert_eq!(range.kind, PeriodKind::Range);
        assert_eq!(range.query(), "from=2026-11-03&to=2026-11-05");
        assert_eq!(range.previous().to, d(2026, 11, 2));
        assert_eq!(range.previous().from, d(2026, 10, 31));
        assert_eq!(feb.previous().key().as_deref(), Some("2028-01"));
    }

    #[test]
    fn a_period_starts_and_ends_at_midnight_wib() {
        let nov = Period::month(2026, 11).unwrap();
        assert_eq!(nov.start().to_rfc3339(), "2026-10-31T17:00:00+00:00");
        assert_eq!(nov.end().to_rfc3339(), "2026-11-30T17:00:00+00:00");
    }

    #[test]
    fn bad_periods_are_refused_with_their_field() {
        let today = d(2026, 12, 6);
        for (period, from, to, field) in [
            (Some("2026-13"), None, None, "period"),
            (Some("2026-Q5"), None, None, "period"),
            (Some("november"), None, None, "period"),
            (Some("1999"), None, None, "period"),
            (Some("2026-11"), Some("2026-11-01"), None, "period"),
            (None, None, Some("2026-11-01"), "from"),
            (None, Some("2026-11-31"), None, "from"),
            (None, Some("2026-11-05"), Some("2026-11-01"), "to"),
            (None, Some("2000-01-01"), Some("2026-11-01"), "to"),
        ] {
            let err = Period::parse(period, from, to, today).unwrap_err();
            assert_eq!(err.field, field, "{period:?} {from:?} {to:?}");
        }
    }
}
