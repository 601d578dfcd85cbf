//! Instants as people read them in a message: in Western Indonesian Time (WIB, UTC+7, no
//! daylight saving), with the day and month named in the reader's language, e.g.
//! `Senin, 17 Agustus 2026 09.00 WIB` or `Monday, 17 August 2026 09:00 WIB`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use sigap_core::{month_name_en, month_name_id, weekday_name_en, weekday_name_id, wib};

use crate::messages::MailLang;

/// `t` in WIB, to the minute, in `lang`.
pub fn format_wib_long(t: DateTime<Utc>, lang: MailLang) -> String {
    let local = t.with_timezone(&wib());
    let date = local.date_naive();
    let (hour, minute) = (local.hour(), local.minute());
    match lang {
        MailLang::Id => format!(
            "{}, {} {} {} {hour:02}.{minute:02} WIB",
            weekday_name_id(date),
            date.day(),
            month_name_id(date.month()),
            date.year()
        ),
        MailLang::En => format!(
            "{}, {} {} {} {hour:02}:{minute:02} WIB",
            weekday_name_en(date),
            date.day(),
            month_name_en(date.month()),
            date.year()
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn independence_day_morning_in_both_languages() {
        // 02:00 UTC is 09:00 WIB.
        let t = Utc.with_ymd_and_hms(2026, 8, 17, 2, 0, 0).unwrap();
        assert_eq!(
            format_wib_long(t, MailLang::Id),
            "Senin, 17 Agustus 2026 09.00 WIB"
        );
        assert_eq!(
            format_wib_long(t, MailLang::En),
            "Monday, 17 August 2026 09:00 WIB"
        );
    }

    #[test]
    fn late_utc_evening_is_the_next_day_in_batam() {
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
        assert_eq!(
            format_wib_long(t, MailLang::Id),
            "Jumat, 1 Januari 2027 00.30 WIB"
        );
    }
}
