//! Tests of working days, deadlines and date formats. Dates are in August 2026: Wednesday
//! the 12th, Friday the 14th, Monday the 17th (Independence Day, a holiday when configured).

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 8, day).unwrap()
}

/// An instant given as a WIB wall-clock time in August 2026.
fn wib_at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    wib()
        .with_ymd_and_hms(2026, 8, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn weekends_and_holidays_are_not_working_days() {
    let calendar = WorkingCalendar::new([date(17)]);
    assert!(calendar.is_working_day(date(14)));
    assert!(!calendar.is_working_day(date(15)));
    assert!(!calendar.is_working_day(date(16)));
    assert!(!calendar.is_working_day(date(17)));
    assert!(calendar.is_working_day(date(18)));
    assert!(WorkingCalendar::default().is_working_day(date(17)));
}

#[test]
fn friday_afternoon_plus_one_is_monday_afternoon() {
    let calendar = WorkingCalendar::default();
    assert_eq!(
        calendar.add_working_days(wib_at(14, 15, 0), 1),
        wib_at(17, 15, 0)
    );
}

#[test]
fn a_holiday_monday_is_skipped() {
    let calendar = WorkingCalendar::new([date(17)]);
    assert_eq!(
        calendar.add_working_days(wib_at(14, 15, 0), 1),
        wib_at(18, 15, 0)
    );
}

#[test]
fn saturday_start_counts_from_monday_midnight() {
    let calendar = WorkingCalendar::default();
    assert_eq!(
        calendar.add_working_days(wib_at(15, 10, 0), 1),
        wib_at(18, 0, 0)
    );
    assert_eq!(
        calendar.add_working_days(wib_at(16, 23, 59), 0),
        wib_at(17, 0, 0)
    );
}

#[test]
fn a_holiday_friday_is_skipped_and_the_time_of_day_kept() {
    let calendar = WorkingCalendar::new([date(14)]);
    assert_eq!(
        calendar.add_working_days(wib_at(13, 9, 0), 1),
        wib_at(17, 9, 0)
    );
    assert_eq!(
        calendar.add_working_days(wib_at(12, 9, 30), 3),
        wib_at(18, 9, 30)
    );
}

#[test]
fn the_working_day_is_the_wib_date_not_the_utc_date() {
    // Friday 20:00 UTC is already Saturday 03:00 in Batam.
    let start = Utc.with_ymd_and_hms(2026, 8, 14, 20, 0, 0).unwrap();
    let calendar = WorkingCalendar::default();
    assert_eq!(calendar.add_working_days(start, 1), wib_at(18, 0, 0));
    // Thursday 20:00 UTC is Friday 03:00 WIB, a working day.
    let start = Utc.with_ymd_and_hms(2026, 8, 13, 20, 0, 0).unwrap();
    assert_eq!(calendar.add_working_days(start, 1), wib_at(17, 3, 0));
}

#[test]
fn default_deadlines_follow_the_sop() {
    let policy = DeadlinePolicy::default();
    let calendar = WorkingCalendar::new([date(17)]);
    let friday = wib_at(14, 15, 0);
    let due = |state| policy.due_at(&calendar, state, friday);
    assert_eq!(due(State::Queued), Some(wib_at(18, 15, 0)));
    assert_eq!(due(State::AwaitingBlock), Some(wib_at(14, 16, 0)));
    assert_eq!(due(State::Remediating), Some(wib_at(21, 15, 0)));
    assert_eq!(due(State::FollowUp), Some(wib_at(18, 15, 0)));
    assert_eq!(due(State::AwaitingApproval), Some(wib_at(20, 15, 0)));
    assert_eq!(due(State::Closing), Some(wib_at(14, 15, 5)));
    for terminal in [State::Closed, State::Rejected, State::Duplicate] {
        assert_eq!(due(terminal), None);
        assert_eq!(policy.span(terminal), None);
    }
}

#[test]
fn seven_calendar_days_run_through_weekends_and_holidays() {
    let calendar = WorkingCalendar::new([date(17), date(18), date(19)]);
    let start = wib_at(12, 8, 0);
    assert_eq!(
        Span::CalendarDays(7).end(&calendar, start),
        wib_at(19, 8, 0)
    );
}

#[test]
fn five_minutes_are_wall_clock_even_on_a_saturday() {
    let calendar = WorkingCalendar::default();
    assert_eq!(
        Span::Minutes(5).end(&calendar, wib_at(15, 23, 58)),
        wib_at(16, 0, 3)
    );
}

#[test]
fn spans_serialise_with_unit_and_value() {
    let json = serde_json::to_value(Span::WorkingDays(3)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"unit": "working_days", "value": 3})
    );
    let policy: DeadlinePolicy =
        serde_json::from_value(serde_json::to_value(DeadlinePolicy::default()).unwrap()).unwrap();
    assert_eq!(policy.closing, Span::Minutes(5));
    assert_eq!(policy.remediating, Span::CalendarDays(7));
}

#[test]
fn wib_formatting_shifts_seven_hours() {
    let instant = Utc.with_ymd_and_hms(2026, 8, 12, 7, 5, 0).unwrap();
    assert_eq!(format_wib(instant), "2026-08-12 14:05 WIB");
    let late = Utc.with_ymd_and_hms(2026, 8, 11, 20, 0, 0).unwrap();
    assert_eq!(format_wib(late), "2026-08-12 03:00 WIB");
}

#[test]
fn indonesian_dates_use_indonesian_month_names() {
    assert_eq!(format_date_id(date(12)), "12 Agustus 2026");
    assert_eq!(
        format_date_id(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
        "1 Januari 2027"
    );
    assert_eq!(
        format_date_id(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
        "31 Desember 2025"
    );
    assert_eq!(
        format_date_id(NaiveDate::from_ymd_opt(2025, 5, 9).unwrap()),
        "9 Mei 2025"
    );
    assert_eq!(month_name_id(0), "");
    assert_eq!(month_name_id(13), "");
    assert_eq!(weekday_name_id(date(12)), "Rabu");
    assert_eq!(weekday_name_id(date(14)), "Jumat");
}
