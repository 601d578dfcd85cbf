//! Time standards of the SOP: working days in Western Indonesian Time (WIB, UTC+7, no
//! daylight saving) with a configurable list of holidays, the deadline of each step, and the
//! Indonesian date formats used in documents. Time is always a parameter here: nothing reads
//! the clock.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::model::State;

/// WIB is a fixed offset; a bad constant would fail to compile, not panic at run time.
pub const WIB: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// Western Indonesian Time, UTC+7 (Batam's time zone; Indonesia has no daylight saving).
pub fn wib() -> FixedOffset {
    WIB
}

/// Which days are working days: Monday to Friday, minus the configured holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar with these public holidays (dates in WIB).
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The configured holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether `date` is a working day: Monday to Friday and not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        date.iter_days()
            .skip(1)
            .find(|day| self.is_working_day(*day))
            .unwrap_or(NaiveDate::MAX)
    }

    /// `n` working days after `start`, keeping the WIB time of day. A start outside working
    /// days counts from 00:00 WIB of the next working day, so Saturday 10:00 + 1 is Tuesday
    /// 00:00 (the end of Monday), and Friday 15:00 + 1 is Monday 15:00.
    pub fn add_working_days(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let local = start.with_timezone(&WIB).naive_local();
        let (mut date, time) = if self.is_working_day(local.date()) {
            (local.date(), local.time())
        } else {
            (self.next_working_day(local.date()), NaiveTime::MIN)
        };
        for _ in 0..n {
            date = self.next_working_day(date);
        }
        from_wib(date, time)
    }
}

/// The UTC instant of a WIB date and time.
fn from_wib(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let utc = date.and_time(time) - TimeDelta::seconds(i64::from(WIB.local_minus_utc()));
    DateTime::from_naive_utc_and_offset(utc, Utc)
}

/// A length of time for a step: wall-clock minutes, hours or days, or working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Span {
    /// Wall-clock minutes.
    Minutes(u32),
    /// Wall-clock hours.
    Hours(u32),
    /// Calendar days of 24 hours (WIB has no daylight saving).
    CalendarDays(u32),
    /// Working days (see [`WorkingCalendar::add_working_days`]).
    WorkingDays(u32),
}

impl Span {
    /// The end of a span that starts at `start`.
    pub fn end(self, calendar: &WorkingCalendar, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::Minutes(minutes) => start + TimeDelta::minutes(i64::from(minutes)),
            Self::Hours(hours) => start + TimeDelta::hours(i64::from(hours)),
            Self::CalendarDays(days) => start + TimeDelta::days(i64::from(days)),
            Self::WorkingDays(days) => calendar.add_working_days(start, days),
        }
    }
}

/// How long each non-terminal state may last before its step is overdue. The timer of a
/// state starts when the ticket enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Step 3, validation.
    pub queued: Span,
    /// Step 4, criticality assessment.
    pub assessing: Span,
    /// Step 5, the block of a high finding.
    pub awaiting_block: Span,
    /// Step 6, the report and letter to the agency.
    pub notifying: Span,
    /// Step 7, remediation: one week in the SOP.
    pub remediating: Span,
    /// Step 8, the follow-up letter: one day in the SOP.
    pub follow_up: Span,
    /// Step 9, the internal meeting: one day in the SOP.
    pub reviewing: Span,
    /// The Regional Secretary's approval.
    pub awaiting_approval: Span,
    /// Step 10, unblock and close: five minutes in the SOP.
    pub closing: Span,
}

impl Default for DeadlinePolicy {
    /// The SOP's time standards and the product's defaults where the SOP gives none.
    fn default() -> Self {
        Self {
            queued: Span::WorkingDays(1),
            assessing: Span::WorkingDays(1),
            awaiting_block: Span::Hours(1),
            notifying: Span::WorkingDays(1),
            remediating: Span::CalendarDays(7),
            follow_up: Span::WorkingDays(1),
            reviewing: Span::WorkingDays(1),
            awaiting_approval: Span::WorkingDays(3),
            closing: Span::Minutes(5),
        }
    }
}

impl DeadlinePolicy {
    /// The span allowed in `state`; `None` for terminal states, which have no deadline.
    pub fn span(&self, state: State) -> Option<Span> {
        match state {
            State::Queued => Some(self.queued),
            State::Assessing => Some(self.assessing),
            State::AwaitingBlock => Some(self.awaiting_block),
            State::Notifying => Some(self.notifying),
            State::Remediating => Some(self.remediating),
            State::FollowUp => Some(self.follow_up),
            State::Reviewing => Some(self.reviewing),
            State::AwaitingApproval => Some(self.awaiting_approval),
            State::Closing => Some(self.closing),
            State::Closed | State::Rejected | State::Duplicate => None,
        }
    }

    /// When the step of `state`, entered at `started`, is due.
    pub fn due_at(
        &self,
        calendar: &WorkingCalendar,
        state: State,
        started: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.span(state).map(|span| span.end(calendar, started))
    }
}

/// An instant in WIB, to the minute: `2026-08-12 14:05 WIB`.
pub fn format_wib(t: DateTime<Utc>) -> String {
    format!("{} WIB", t.with_timezone(&WIB).format("%Y-%m-%d %H:%M"))
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The Indonesian name of a month, 1 = `Januari`.
pub fn month_name_id(month: u32) -> &'static str {
    let index = month
        .checked_sub(1)
        .and_then(|index| usize::try_from(index).ok());
    index
        .and_then(|index| MONTHS_ID.get(index))
        .copied()
        .unwrap_or("")
}

/// A date as Indonesian documents write it: `12 Agustus 2026`.
pub fn format_date_id(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name_id(d.month()), d.year())
}

/// A moment as Indonesian documents write it, in WIB: `12 Agustus 2026 pukul 14.05 WIB`.
pub fn format_moment_id(t: DateTime<Utc>) -> String {
    let at = t.with_timezone(&wib());
    format!(
        "{} pukul {} WIB",
        format_date_id(at.date_naive()),
        at.format("%H.%M")
    )
}

/// The Indonesian name of a weekday (`Senin` … `Minggu`), for "Pada hari ini …" openings.
pub fn weekday_name_id(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The English name of a month, 1 = `January`.
pub fn month_name_en(month: u32) -> &'static str {
    let index = month
        .checked_sub(1)
        .and_then(|index| usize::try_from(index).ok());
    index
        .and_then(|index| MONTHS_EN.get(index))
        .copied()
        .unwrap_or("")
}

/// The English name of a weekday (`Monday` … `Sunday`).
pub fn weekday_name_en(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests;
