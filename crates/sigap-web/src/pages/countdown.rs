//! Deadlines as people read them: how much time is left ("Sisa 3 hari 4 jam") or how late
//! the step is ("Terlambat 2 jam"), with the deadline written out in WIB ("Senin,
//! 17 Agustus 2026 09.00 WIB"). Computed on the server from the app's clock, so that a page
//! needs no script and tests can move the clock.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use crate::pages::PageLang;

/// A deadline counted down from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countdown {
    /// "Sisa 3 hari 4 jam (batas: …)" or "Terlambat 2 jam (batas: …)".
    pub text: String,
    /// Whether the deadline has passed.
    pub overdue: bool,
}

/// The countdown to `due` at `now`.
pub fn countdown(lang: PageLang, now: DateTime<Utc>, due: DateTime<Utc>) -> Countdown {
    let overdue = now > due;
    let minutes = (due - now).num_minutes().abs();
    let key = if overdue {
        "countdown.overdue"
    } else {
        "countdown.left"
    };
    Countdown {
        text: lang.tf(
            key,
            &[("span", span(lang, minutes)), ("due", long_wib(lang, due))],
        ),
        overdue,
    }
}

/// A span of minutes in its two largest units: "3 hari 4 jam", "2 jam 5 menit", "7 menit".
fn span(lang: PageLang, minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts = if days > 0 {
        [(days, "day"), (hours, "hour")]
    } else if hours > 0 {
        [(hours, "hour"), (mins, "minute")]
    } else {
        [(mins, "minute"), (0, "minute")]
    };
    let words: Vec<String> = parts
        .iter()
        .enumerate()
        .filter(|(i, (n, _))| *i == 0 || *n > 0)
        .map(|(_, (n, unit))| unit_text(lang, *n, unit))
        .collect();
    words.join(" ")
}

fn unit_text(lang: PageLang, n: i64, unit: &str) -> String {
    let number = if n == 1 { "one" } else { "other" };
    lang.tf(
        &format!("countdown.{unit}.{number}"),
        &[("n", n.to_string())],
    )
}

const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A time in WIB with the weekday and the month in words: "Senin, 17 Agustus 2026 09.00 WIB"
/// (English: "Monday, 17 August 2026 09:00 WIB").
pub fn long_wib(lang: PageLang, at: DateTime<Utc>) -> String {
    let wib = FixedOffset::east_opt(7 * 3600).map(|zone| at.with_timezone(&zone));
    let Some(wib) = wib else {
        return lang.wib(&at);
    };
    let date = wib.date_naive();
    match lang {
        PageLang::Id => format!(
            "{}, {} {:02}.{:02} WIB",
            sigap_core::calendar::weekday_name_id(date),
            sigap_core::calendar::format_date_id(date),
            wib.hour(),
            wib.minute()
        ),
        PageLang::En => format!(
            "{}, {} {:02}:{:02} WIB",
            WEEKDAYS_EN[date.weekday().num_days_from_monday() as usize],
            wib.format("%-d %B %Y"),
            wib.hour(),
            wib.minute()
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    fn due() -> DateTime<Utc> {
        // Monday 17 August 2026, 09:00 WIB.
        Utc.with_ymd_and_hms(2026, 8, 17, 2, 0, 0).unwrap()
    }

    #[test]
    fn time_left_is_written_in_its_two_largest_units() {
        let now = due() - TimeDelta::hours(76);
        let c = countdown(PageLang::Id, now, due());
        assert_eq!(
            c.text,
            "Sisa 3 hari 4 jam (batas: Senin, 17 Agustus 2026 09.00 WIB)"
        );
        assert!(!c.overdue);
        let c = countdown(PageLang::En, due() - TimeDelta::minutes(61), due());
        assert_eq!(
            c.text,
            "1 hour 1 minute left (due: Monday, 17 August 2026 09:00 WIB)"
        );
        let c = countdown(PageLang::Id, due() - TimeDelta::days(7), due());
        assert!(c.text.starts_with("Sisa 7 hari ("), "{}", c.text);
    }

    #[test]
    fn a_passed_deadline_counts_how_late() {
        let c = countdown(PageLang::Id, due() + TimeDelta::minutes(125), due());
        assert!(c.overdue);
        assert!(c.text.starts_with("Terlambat 2 jam 5 menit"), "{}", c.text);
        let c = countdown(PageLang::En, due() + TimeDelta::days(1), due());
        assert!(c.text.starts_with("Overdue by 1 day ("), "{}", c.text);
        let c = countdown(PageLang::Id, due(), due());
        assert!(!c.overdue);
        assert!(c.text.starts_with("Sisa 0 menit"), "{}", c.text);
    }
}
