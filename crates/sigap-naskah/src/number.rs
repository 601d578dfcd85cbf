//! Document numbers (*nomor naskah dinas*) from configurable patterns. A pattern such as
//! `000.6/{n}/BA/Diskominfo/{year}` becomes `000.6/12/BA/Diskominfo/2026`: the classification
//! code of the archive (*kode klasifikasi arsip*), the running number in its agenda, the
//! issuing unit and the year, as the *Tata Naskah Dinas* of a Pemerintah Daerah writes them.
//! The month and year are those of the issue date in WIB, so a document issued at 01:00 WIB
//! on 1 January belongs to the new year even though it is still 31 December in UTC.
//!
//! The running number is allocated by the store, gapless per *series* per year. A series is
//! one pattern: kinds whose patterns are the same share one agenda, as a Dinas numbers its
//! letters from one outgoing-mail book whatever their kind, and their numbers can never
//! collide. The default patterns and where their classification code comes from are in
//! `docs/numbering.md`.

use chrono::{DateTime, Datelike, Utc};
use sigap_core::{DocumentKind, wib};

use crate::DocError;

const ROMAN_MONTHS: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// One piece of a parsed pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    /// `{seq}`: the running number, at least five digits.
    Seq,
    /// `{n}`: the running number as written in an agenda, without leading zeros.
    Number,
    RomanMonth,
    Month,
    Year,
}

/// Splits a pattern into literals and known placeholders, refusing unknown or unclosed ones
/// and patterns without a running number (`{n}` or `{seq}`).
fn parse(pattern: &str) -> Result<Vec<Piece<'_>>, DocError> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let (literal, tail) = rest.split_at(open);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        let close = tail
            .find('}')
            .ok_or_else(|| DocError::UnclosedPlaceholder(pattern.to_owned()))?;
        let name = tail.get(1..close).unwrap_or_default();
        pieces.push(match name {
            "seq" => Piece::Seq,
            "n" => Piece::Number,
            "roman_month" => Piece::RomanMonth,
            "month" => Piece::Month,
            "year" => Piece::Year,
            _ => {
                return Err(DocError::UnknownPlaceholder {
                    pattern: pattern.to_owned(),
                    name: name.to_owned(),
                });
            }
        });
        rest = tail.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    if !pieces
        .iter()
        .any(|piece| matches!(piece, Piece::Seq | Piece::Number))
    {
        return Err(DocError::PatternWithoutSeq(pattern.to_owned()));
    }
    Ok(pieces)
}

/// Fills `pattern` in: `{n}` as the plain number (`12`), `{seq}` as at least five digits
/// (`00012`), `{roman_month}` as `I` … `XII`, `{month}` as two digits and `{year}` as four,
/// month and year in WIB. A pattern without `{n}` or `{seq}`, or with an unknown
/// placeholder, is refused.
pub fn number(pattern: &str, seq: u64, issued_at: DateTime<Utc>) -> Result<String, DocError> {
    let local = issued_at.with_timezone(&wib());
    let mut out = String::with_capacity(pattern.len() + 8);
    for piece in parse(pattern)? {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Seq => out.push_str(&format!("{seq:05}")),
            Piece::Number => out.push_str(&seq.to_string()),
            Piece::RomanMonth => out.push_str(roman_month(local.month())),
            Piece::Month => out.push_str(&format!("{:02}", local.month())),
            Piece::Year => out.push_str(&local.year().to_string()),
        }
    }
    Ok(out)
}

/// Checks a pattern that a settings file or form gives, without numbering anything: it must
/// parse, and it must hold `{year}`, since each series restarts at 1 every year and a
/// number without its year would come back the next January.
pub fn check_pattern(pattern: &str) -> Result<(), DocError> {
    let pieces = parse(pattern)?;
    if !pieces.contains(&Piece::Year) {
        return Err(DocError::PatternWithoutYear(pattern.to_owned()));
    }
    Ok(())
}

/// The store's counter of the series that `pattern` numbers: one per distinct pattern, so
/// that kinds with the same pattern share their running numbers.
pub fn series_scope(pattern: &str) -> String {
    format!("doc-series:{}", pattern.trim())
}

/// The counter that numbered `kind` before series were shared (one per kind): a series met
/// for the first time in a year continues from the highest of its kinds' old counters, so
/// that no number issued before an upgrade is handed out again.
pub fn kind_scope(kind: DocumentKind) -> String {
    format!("doc:{}", kind.as_str())
}

/// The month in Roman numerals, as Indonesian letter numbers write it (`VIII`).
fn roman_month(month: u32) -> &'static str {
    let index = month.checked_sub(1).and_then(|i| usize::try_from(i).ok());
    index
        .and_then(|i| ROMAN_MONTHS.get(i))
        .copied()
        .unwrap_or("")
}

/// The classification code of correspondence on information security in the archive
/// classification of the Ministry of Home Affairs and the regional governments
/// (Lampiran Permendagri Nomor 83 Tahun 2022 tentang Kode Klasifikasi Arsip di Lingkungan
/// Kementerian Dalam Negeri dan Pemerintah Daerah): `000` Umum, `000.6` Persandian. A city
/// whose own Peraturan Wali Kota refines it to a third or fourth level sets its patterns.
pub const SECURITY_CLASSIFICATION: &str = "000.6";

/// The default number pattern of each kind, by the agenda that numbers it: the Dinas's
/// letters, its minutes (*berita acara*), its receipts (*tanda terima*), its reports, the
/// reporters' certificates (*piagam*), and the Sekretariat Daerah's own numbers for the
/// Regional Secretary's approval. Kinds in one agenda share their running numbers.
pub fn default_pattern(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::LetterNotice | DocumentKind::LetterFollowUp => "000.6/{n}/Diskominfo/{year}",
        DocumentKind::BaValidation
        | DocumentKind::BaCriticality
        | DocumentKind::BlockRecord
        | DocumentKind::BaReviewMeeting
        | DocumentKind::UnblockRecord
        | DocumentKind::DestructionRecord => "000.6/{n}/BA/Diskominfo/{year}",
        DocumentKind::Acknowledgement | DocumentKind::RemediationReport => {
            "000.6/{n}/TT/Diskominfo/{year}"
        }
        DocumentKind::AgencyReport | DocumentKind::Dossier => "000.6/{n}/LAP/Diskominfo/{year}",
        DocumentKind::Certificate => "000.6/{n}/PIAGAM/Diskominfo/{year}",
        DocumentKind::ApprovalReactivation => "000.6/{n}/Setda/{year}",
        DocumentKind::PeriodReport => "000.6/{n}/LAP-CSIRT/Diskominfo/{year}",
        DocumentKind::PdpNoticeSubjects | DocumentKind::PdpNoticeAuthority => {
            "000.6/{n}/PDP/Diskominfo/{year}"
        }
        DocumentKind::SectoralReport => "000.6/{n}/LAP/Diskominfo/{year}",
    }
}

/// What one part of a pattern (between slashes) stands for, for the settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPart {
    /// An archive classification code, with the nearest code the program can name
    /// (itself, or the level above a city's own refinement) and that name.
    Classification {
        code: String,
        known: Option<(&'static str, &'static str)>,
    },
    /// The running number (`{n}` or `{seq}`).
    Number { padded: bool },
    /// The month (`{month}` or `{roman_month}`).
    Month { roman: bool },
    /// The year.
    Year,
    /// Fixed text: the issuing unit's code (`Diskominfo`), the last such part.
    Unit(String),
    /// Fixed text before the unit's code: the mark of one of its agendas (`BA`).
    Mark(String),
    /// A part that mixes placeholders and text (`TT-{year}`), shown as written.
    Mixed(String),
}

/// The parts of a well-formed pattern, split at its slashes, each with what it stands for.
pub fn pattern_parts(pattern: &str) -> Result<Vec<PatternPart>, DocError> {
    parse(pattern)?;
    let mut parts: Vec<PatternPart> = pattern
        .trim()
        .split('/')
        .filter(|part| !part.is_empty())
        .map(|part| match part {
            "{n}" => PatternPart::Number { padded: false },
            "{seq}" => PatternPart::Number { padded: true },
            "{month}" => PatternPart::Month { roman: false },
            "{roman_month}" => PatternPart::Month { roman: true },
            "{year}" => PatternPart::Year,
            _ if part.contains('{') => PatternPart::Mixed(part.to_owned()),
            _ if is_classification(part) => PatternPart::Classification {
                code: part.to_owned(),
                known: classification_name(part),
            },
            _ => PatternPart::Mark(part.to_owned()),
        })
        .collect();
    // The last fixed text names the unit; any before it mark the unit's agendas.
    if let Some(last) = parts
        .iter_mut()
        .rev()
        .find(|part| matches!(part, PatternPart::Mark(_)))
        && let PatternPart::Mark(text) = last
    {
        *last = PatternPart::Unit(std::mem::take(text));
    }
    Ok(parts)
}

/// Whether `text` has the form of a classification code: three digits, then dotted numbers.
fn is_classification(text: &str) -> bool {
    let mut levels = text.split('.');
    let head_ok = levels
        .next()
        .is_some_and(|head| head.len() == 3 && head.bytes().all(|b| b.is_ascii_digit()));
    head_ok && levels.all(|level| !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit()))
}

/// The names of the classification codes a CSIRT's documents may use, from the first two
/// levels of the Lampiran of Permendagri 83/2022. Other codes are shown without a name.
const CLASSIFICATIONS: [(&str, &str); 18] = [
    ("000", "Umum"),
    ("000.1", "Ketatausahaan dan Kerumahtanggaan"),
    ("000.5", "Kearsipan"),
    ("000.6", "Persandian"),
    ("000.8", "Organisasi dan Tata Laksana"),
    ("100", "Pemerintahan"),
    ("100.3", "Hukum"),
    ("200", "Politik"),
    ("300", "Keamanan dan Ketertiban"),
    ("400", "Kesejahteraan Rakyat"),
    ("400.14", "Hubungan Masyarakat"),
    ("500", "Perekonomian"),
    ("500.12", "Komunikasi dan Informatika"),
    ("500.14", "Statistik"),
    ("600", "Pekerjaan Umum dan Ketenagaan"),
    ("700", "Pengawasan"),
    ("800", "Kepegawaian"),
    ("900", "Keuangan"),
];

/// The nearest classification code the program knows, with its name: `000.6` gives
/// (`000.6`, `Persandian`), a city's refinement `000.6.2` gives the same level above it.
pub fn classification_name(code: &str) -> Option<(&'static str, &'static str)> {
    let mut prefix = code;
    loop {
        if let Some(&(known, name)) = CLASSIFICATIONS.iter().find(|(c, _)| *c == prefix) {
            return Some((known, name));
        }
        prefix = prefix.rsplit_once('.')?.0;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn fills_number_month_and_year() {
        let pattern = default_pattern(DocumentKind::BaValidation);
        let n = number(pattern, 12, at(2026, 8, 12, 3)).unwrap();
        assert_eq!(n, "000.6/12/BA/Diskominfo/2026");
        let padded = number("BA/{seq}/BCSIRT/{roman_month}/{year}", 7, at(2026, 1, 5, 3));
        assert_eq!(padded.unwrap(), "BA/00007/BCSIRT/I/2026");
        let month = number("{year}-{month}-{seq}", 123_456, at(2026, 4, 9, 3)).unwrap();
        assert_eq!(month, "2026-04-123456");
    }

    #[test]
    fn every_month_has_its_roman_numeral() {
        let months: Vec<String> = (1..=12)
            .map(|m| number("{roman_month}/{n}", 1, at(2026, m, 15, 3)).unwrap())
            .map(|n| n.trim_end_matches("/1").to_owned())
            .collect();
        let expected = [
            "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
        ];
        assert_eq!(months, expected);
    }

    #[test]
    fn month_and_year_are_those_of_wib() {
        // 18:00 UTC on New Year's Eve is 01:00 WIB on 1 January.
        let n = number("{n}/{roman_month}/{year}", 1, at(2026, 12, 31, 18)).unwrap();
        assert_eq!(n, "1/I/2027");
        // 16:59 UTC is still 23:59 WIB on 31 December.
        let still = Utc.with_ymd_and_hms(2026, 12, 31, 16, 59, 0).unwrap();
        assert_eq!(
            number("{n}/{roman_month}/{year}", 1, still).unwrap(),
            "1/XII/2026"
        );
    }

    #[test]
    fn refuses_patterns_without_number_or_year_or_with_unknown_placeholders() {
        let now = at(2026, 8, 12, 3);
        assert!(matches!(
            number("000.6/Diskominfo/{year}", 1, now),
            Err(DocError::PatternWithoutSeq(_))
        ));
        assert!(matches!(
            number("000.6/{n}/{bulan}", 1, now),
            Err(DocError::UnknownPlaceholder { name, .. }) if name == "bulan"
        ));
        assert!(matches!(
            number("000.6/{n", 1, now),
            Err(DocError::UnclosedPlaceholder(_))
        ));
        assert!(matches!(
            number("", 1, now),
            Err(DocError::PatternWithoutSeq(_))
        ));
        assert!(matches!(
            check_pattern("000.6/{n}/Diskominfo"),
            Err(DocError::PatternWithoutYear(_))
        ));
        check_pattern("000.6/{n}/Diskominfo/{year}").unwrap();
    }

    #[test]
    fn default_patterns_are_valid_and_share_an_agenda_per_kind_of_naskah() {
        for &kind in DocumentKind::ALL {
            let pattern = default_pattern(kind);
            check_pattern(pattern).unwrap();
            assert!(pattern.starts_with(SECURITY_CLASSIFICATION), "{pattern}");
        }
        // The Dinas's two letters to an agency come from one agenda; the Sekretariat
        // Daerah's approval from its own.
        assert_eq!(
            series_scope(default_pattern(DocumentKind::LetterNotice)),
            series_scope(default_pattern(DocumentKind::LetterFollowUp))
        );
        assert_ne!(
            series_scope(default_pattern(DocumentKind::LetterNotice)),
            series_scope(default_pattern(DocumentKind::ApprovalReactivation))
        );
        // Different agendas never print the same number for the same running number.
        let now = at(2026, 8, 12, 3);
        let mut numbers: Vec<String> = DocumentKind::ALL
            .iter()
            .map(|&kind| default_pattern(kind))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|p| number(p, 1, now).unwrap())
            .collect();
        let agendas = numbers.len();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), agendas);
        assert_eq!(agendas, 8);
        // The two notices of UU PDP Pasal 46 share an agenda of their own.
        assert_eq!(
            series_scope(default_pattern(DocumentKind::PdpNoticeSubjects)),
            series_scope(default_pattern(DocumentKind::PdpNoticeAuthority))
        );
    }

    #[test]
    fn a_pattern_is_explained_part_by_part() {
        let parts = pattern_parts("000.6/{n}/BA/Diskominfo/{roman_month}/{year}").unwrap();
        assert_eq!(
            parts,
            vec![
                PatternPart::Classification {
                    code: "000.6".to_owned(),
                    known: Some(("000.6", "Persandian")),
                },
                PatternPart::Number { padded: false },
                PatternPart::Mark("BA".to_owned()),
                PatternPart::Unit("Diskominfo".to_owned()),
                PatternPart::Month { roman: true },
                PatternPart::Year,
            ]
        );
        // A city's own refinement is named by the level above it; a code the program does
        // not know stays unnamed; text around a placeholder is shown as written.
        let refined = pattern_parts("000.6.3.2/{seq}/TT-{year}").unwrap();
        assert_eq!(
            refined.first(),
            Some(&PatternPart::Classification {
                code: "000.6.3.2".to_owned(),
                known: Some(("000.6", "Persandian")),
            })
        );
        assert_eq!(
            refined.get(2),
            Some(&PatternPart::Mixed("TT-{year}".to_owned()))
        );
        assert_eq!(classification_name("555"), None);
        assert_eq!(classification_name("800"), Some(("800", "Kepegawaian")));
        assert!(!is_classification("BA"));
        assert!(!is_classification("000."));
        assert!(pattern_parts("{bulan}/{n}").is_err());
    }
}
