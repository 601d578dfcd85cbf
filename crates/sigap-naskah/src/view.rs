//! How values appear in a document: dates in WIB with Indonesian month and day names, the
//! day and year spelt out in words for the opening of minutes (*"Pada hari ini Rabu
//! tanggal dua belas bulan Agustus tahun dua ribu dua puluh enam"*), CVSS scores with a
//! decimal comma. The model keeps typed values; these serialisers turn them into the text
//! the templates print, so that templates never format anything themselves.

use chrono::{DateTime, Datelike, Utc};
use serde::{Serialize, Serializer};
use sigap_core::{CvssBand, CvssScore, format_date_id, month_name_id, weekday_name_id, wib};

/// A moment as the templates receive it.
#[derive(Debug, Serialize)]
pub(crate) struct Moment {
    /// `12 Agustus 2026`
    date: String,
    /// `14.05 WIB`
    time: String,
    /// `12 Agustus 2026 pukul 14.05 WIB`
    full: String,
    /// `Rabu`
    weekday: &'static str,
    /// `dua belas bulan Agustus tahun dua ribu dua puluh enam`
    words: String,
    /// `12-08-2026`
    numeric: String,
}

impl Moment {
    /// The moment `t` in WIB.
    pub(crate) fn new(t: DateTime<Utc>) -> Self {
        let local = t.with_timezone(&wib());
        let date = local.date_naive();
        let time = format!("{} WIB", local.format("%H.%M"));
        let day_words = spell(date.day());
        let year_words = u32::try_from(date.year()).map(spell).unwrap_or_default();
        Self {
            date: format_date_id(date),
            full: format!("{} pukul {time}", format_date_id(date)),
            time,
            weekday: weekday_name_id(date),
            words: format!(
                "{day_words} bulan {} tahun {year_words}",
                month_name_id(date.month())
            ),
            numeric: date.format("%d-%m-%Y").to_string(),
        }
    }
}

/// Serialises a UTC instant as a [`Moment`] in WIB.
pub(crate) fn moment<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    Moment::new(*t).serialize(serializer)
}

/// Serialises an optional UTC instant as a [`Moment`] in WIB, or `null`.
pub(crate) fn optional_moment<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    t.map(Moment::new).serialize(serializer)
}

/// A CVSS score as the templates receive it.
#[derive(Debug, Serialize)]
struct CvssView<'a> {
    version: &'static str,
    vector: &'a str,
    /// With a decimal comma: `9,8`.
    score: String,
    /// In Indonesian: `Kritis`.
    band: &'static str,
    /// The SOP level the score maps to (`high` from 7.0): what the minutes compare the
    /// team's decision with.
    criticality: &'static str,
}

/// Serialises an optional CVSS score for printing, or `null`.
pub(crate) fn optional_cvss<S: Serializer>(
    score: &Option<CvssScore>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    score
        .as_ref()
        .map(|score| CvssView {
            version: score.version.as_str(),
            vector: &score.vector,
            score: format!("{:.1}", score.score).replace('.', ","),
            band: band_id(score.band),
            criticality: match score.criticality() {
                sigap_core::Criticality::High => "high",
                sigap_core::Criticality::Low => "low",
            },
        })
        .serialize(serializer)
}

/// The Indonesian name of a CVSS band.
fn band_id(band: CvssBand) -> &'static str {
    match band {
        CvssBand::None => "Tidak ada",
        CvssBand::Low => "Rendah",
        CvssBand::Medium => "Sedang",
        CvssBand::High => "Tinggi",
        CvssBand::Critical => "Kritis",
    }
}

/// Serialises one of `sigap-core`'s vocabularies as its Indonesian label.
macro_rules! label_serializer {
    ($name:ident, $ty:ty) => {
        pub(crate) fn $name<S: Serializer>(value: &$ty, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(value.label_id())
        }
    };
}

label_serializer!(severity_label, sigap_core::Severity);
label_serializer!(channel_label, sigap_core::Channel);

/// Serialises a document kind as its title in capitals (`BERITA ACARA …`).
pub(crate) fn kind_title<S: Serializer>(
    kind: &sigap_core::DocumentKind,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.label_id())
}

/// Serialises a count as Indonesian documents write it: `7 (tujuh)`.
pub(crate) fn counted<S: Serializer>(n: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{n} ({})", spell(*n)))
}

const ONES: [&str; 12] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
];

/// A number spelt out in Indonesian (*terbilang*): `2026` → `dua ribu dua puluh enam`.
pub fn spell(n: u32) -> String {
    match n {
        0..=11 => ONES
            .get(usize::try_from(n).unwrap_or_default())
            .copied()
            .unwrap_or_default()
            .to_owned(),
        12..=19 => format!("{} belas", spell(n - 10)),
        20..=99 => joined(format!("{} puluh", spell(n / 10)), n % 10),
        100..=199 => joined("seratus".to_owned(), n - 100),
        200..=999 => joined(format!("{} ratus", spell(n / 100)), n % 100),
        1000..=1999 => joined("seribu".to_owned(), n - 1000),
        2000..=999_999 => joined(format!("{} ribu", spell(n / 1000)), n % 1000),
        _ => joined(format!("{} juta", spell(n / 1_000_000)), n % 1_000_000),
    }
}

/// `head` followed by the spelt-out `rest`, unless `rest` is zero.
fn joined(head: String, rest: u32) -> String {
    if rest == 0 {
        head
    } else {
        format!("{head} {}", spell(rest))
    }
}

/// A file size for people, with a decimal comma: `1,2 MB`.
pub(crate) fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision loss above 2^52 bytes does not matter for one decimal.
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let unit = UNITS.get(unit).copied().unwrap_or("TB");
    format!("{value:.1} {unit}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn spells_days_and_years_in_indonesian() {
        assert_eq!(spell(1), "satu");
        assert_eq!(spell(11), "sebelas");
        assert_eq!(spell(12), "dua belas");
        assert_eq!(spell(20), "dua puluh");
        assert_eq!(spell(31), "tiga puluh satu");
        assert_eq!(spell(100), "seratus");
        assert_eq!(spell(1000), "seribu");
        assert_eq!(spell(2026), "dua ribu dua puluh enam");
        assert_eq!(spell(2100), "dua ribu seratus");
        assert_eq!(spell(3_000_000), "tiga juta");
    }

    #[test]
    fn a_moment_is_shown_in_wib() {
        // 17:30 UTC on 11 August is 00:30 WIB on Wednesday 12 August.
        let m = Moment::new(Utc.with_ymd_and_hms(2026, 8, 11, 17, 30, 0).unwrap());
        assert_eq!(m.date, "12 Agustus 2026");
        assert_eq!(m.time, "00.30 WIB");
        assert_eq!(m.full, "12 Agustus 2026 pukul 00.30 WIB");
        assert_eq!(m.weekday, "Rabu");
        assert_eq!(
            m.words,
            "dua belas bulan Agustus tahun dua ribu dua puluh enam"
        );
        assert_eq!(m.numeric, "12-08-2026");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(file_size(512), "512 B");
        assert_eq!(file_size(1536), "1,5 KB");
        assert_eq!(file_size(1_258_291), "1,2 MB");
    }
}
