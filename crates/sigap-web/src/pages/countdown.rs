//! Deadlines as people read them: how much time is left ("Sisa 3 hari 4 jam") or how late
//! the step is ("Terlambat 2 jam"), with the deadline written out in WIB ("Senin,
//! 17 Agustus 2026 pukul 09.00 WIB"). Less than a minute reads as such, never "0 menit". Computed on the server from the app's clock, so that a page
//! needs no script and tests can move the clock.

use chrono::{DateTime, Utc};

use crate::pages::PageLang;

/// A deadline counted down from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countdown {
    /// "Sisa 3 hari 4 jam (batas: …)" or "Terlambat 2 jam (batas: …)".
    pub text: String,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// Within the hour either side of the deadline (the five-minute unblock), the words a
    /// script counts down each second with; the server's text stands without it.
    pub live: Option<Live>,
}

/// What `assets/countdown.js` needs: the deadline and the server's now (RFC 3339, so a
/// wrong clock in the browser does not matter), the sentences with `{span}` for the time,
/// and the units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub due: String,
    pub now: String,
    pub left: String,
    pub over: String,
    pub minute: String,
    pub second: String,
}

/// The time either side of a deadline in which it is counted down each second.
const LIVE_WITHIN_MINUTES: i64 = 60;

/// The countdown to `due` at `now`.
pub fn countdown(lang: PageLang, now: DateTime<Utc>, due: DateTime<Utc>) -> Countdown {
    let overdue = now > due;
    let minutes = (due - now).num_minutes().abs();
    let key = if overdue {
        "countdown.overdue"
    } else {
        "countdown.left"
    };
    let live = (minutes < LIVE_WITHIN_MINUTES).then(|| {
        let due_words = ("due", lang.wib(&due));
        let sentence =
            |key: &str| lang.tf(key, &[("span", "{span}".to_owned()), due_words.clone()]);
        Live {
            due: due.to_rfc3339(),
            now: now.to_rfc3339(),
            left: sentence("countdown.left"),
            over: sentence("countdown.overdue"),
            minute: lang.t("countdown.live.minute").into_owned(),
            second: lang.t("countdown.live.second").into_owned(),
        }
    });
    Countdown {
        text: lang.tf(
            key,
            &[("span", span(lang, minutes)), ("due", lang.wib(&due))],
        ),
        overdue,
        live,
    }
}

/// A span of minutes in its two largest units: "3 hari 4 jam", "2 jam 5 menit", "7 menit".
pub(crate) fn span(lang: PageLang, minutes: i64) -> String {
    if minutes == 0 {
        return lang.t("countdown.under_a_minute").into_owned();
    }
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
            "Sisa 3 hari 4 jam (batas: Senin, 17 Agustus 2026 pukul 09.00 WIB)"
        );
        assert!(!c.overdue);
        let c = countdown(PageLang::En, due() - TimeDelta::minutes(61), due());
        assert_eq!(
            c.text,
            "1 hour 1 minute left (due: Monday, 17 August 2026, 09:00 WIB)"
        );
        let c = countdown(PageLang::Id, due() - TimeDelta::days(7), due());
        assert!(c.text.starts_with("Sisa 7 hari ("), "{}", c.text);
    }

    #[test]
    fn the_last_hour_is_counted_live() {
        let c = countdown(PageLang::Id, due() - TimeDelta::minutes(5), due());
        let live = c.live.expect("live within the hour");
        assert_eq!(live.due, "2026-08-17T02:00:00+00:00");
        assert!(
            live.left.starts_with("Sisa {span} (batas: Senin"),
            "{}",
            live.left
        );
        assert!(live.over.starts_with("Terlambat {span}"), "{}", live.over);
        assert_eq!(
            (live.minute.as_str(), live.second.as_str()),
            ("menit", "detik")
        );
        assert!(
            countdown(PageLang::Id, due() - TimeDelta::hours(2), due())
                .live
                .is_none()
        );
        assert!(
            countdown(PageLang::Id, due() + TimeDelta::hours(2), due())
                .live
                .is_none()
        );
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
        assert!(c.text.starts_with("Sisa kurang dari 1 menit"), "{}", c.text);
        let c = countdown(PageLang::Id, due() + TimeDelta::seconds(30), due());
        assert!(c.overdue);
        assert!(
            c.text.starts_with("Terlambat kurang dari 1 menit"),
            "{}",
            c.text
        );
        assert!(!c.text.contains(" 0 menit"), "{}", c.text);
    }
}
