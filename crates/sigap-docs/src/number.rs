//! Document numbers (*nomor naskah dinas*) from configurable patterns. A pattern such as
//! `BA-VAL/{seq}/BCSIRT/{roman_month}/{year}` becomes `BA-VAL/00012/BCSIRT/VIII/2026`; the
//! month and year are those of the issue date in WIB, so a document issued at 01:00 WIB on
//! 1 January belongs to the new year even though it is still 31 December in UTC. The
//! sequence itself is allocated by the store, gapless per kind per year.

use chrono::{DateTime, Datelike, Utc};
use sigap_core::{DocumentKind, wib};

use crate::DocError;

const ROMAN_MONTHS: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// One piece of a parsed pattern.
enum Piece<'a> {
    Literal(&'a str),
    Seq,
    RomanMonth,
    Month,
    Year,
}

/// Splits a pattern into literals and known placeholders, refusing unknown or unclosed ones
/// and patterns without `{seq}`.
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
    if !pieces.iter().any(|piece| matches!(piece, Piece::Seq)) {
        return Err(DocError::PatternWithoutSeq(pattern.to_owned()));
    }
    Ok(pieces)
}

/// Fills `pattern` in: `{seq}` as at least five digits (`00012`), `{roman_month}` as `I` …
/// `XII`, `{month}` as two digits and `{year}` as four, month and year in WIB. A pattern
/// without `{seq}`, or with an unknown placeholder, is refused.
pub fn number(pattern: &str, seq: u64, issued_at: DateTime<Utc>) -> Result<String, DocError> {
    let local = issued_at.with_timezone(&wib());
    let mut out = String::with_capacity(pattern.len() + 8);
    for piece in parse(pattern)? {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Seq => out.push_str(&format!("{seq:05}")),
            Piece::RomanMonth => out.push_str(roman_month(local.month())),
            Piece::Month => out.push_str(&format!("{:02}", local.month())),
            Piece::Year => out.push_str(&local.year().to_string()),
        }
    }
    Ok(out)
}

/// Checks a pattern without numbering anything: what a settings form calls on save.
pub fn check_pattern(pattern: &str) -> Result<(), DocError> {
    parse(pattern).map(|_| ())
}

/// Refuses a set of patterns in which two kinds share a pattern, since their gapless
/// sequences would then hand out the same numbers. (Patterns that differ only in text are
/// distinct: each default carries its own code.)
pub fn check_distinct_patterns(patterns: &[(DocumentKind, &str)]) -> Result<(), DocError> {
    for (index, (kind, pattern)) in patterns.iter().enumerate() {
        check_pattern(pattern)?;
        let later = patterns.get(index + 1..).unwrap_or_default();
        if let Some((other, _)) = later.iter().find(|(_, p)| p.trim() == pattern.trim()) {
            return Err(DocError::CollidingPatterns {
                first: kind.as_str().to_owned(),
                second: other.as_str().to_owned(),
            });
        }
    }
    Ok(())
}

/// The month in Roman numerals, as Indonesian letter numbers write it (`VIII`).
fn roman_month(month: u32) -> &'static str {
    let index = month.checked_sub(1).and_then(|i| usize::try_from(i).ok());
    index
        .and_then(|i| ROMAN_MONTHS.get(i))
        .copied()
        .unwrap_or("")
}

/// The default number pattern of each kind. Every kind has its own code, so that no two
/// documents share a number even though each kind's sequence restarts at 1 every year.
pub fn default_pattern(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Acknowledgement => "TT/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::BaValidation => "BA-VAL/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::BaCriticality => "BA-KRIT/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::BlockRecord => "BLOKIR/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::AgencyReport => "LAP-VAL/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::LetterNotice => "800/{seq}/KOMINFO/{roman_month}/{year}",
        DocumentKind::RemediationReport => "LAP-PNK/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::LetterFollowUp => "800/{seq}/KOMINFO-TL/{roman_month}/{year}",
        DocumentKind::BaReviewMeeting => "BA-RAPAT/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::ApprovalReactivation => "PSD-AKTIF/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::UnblockRecord => "BUKA-BLOKIR/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::Dossier => "BERKAS/{seq}/BCSIRT/{roman_month}/{year}",
        DocumentKind::Certificate => "SERT/{seq}/BCSIRT/{roman_month}/{year}",
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
    fn fills_seq_roman_month_and_year() {
        let pattern = default_pattern(DocumentKind::BaValidation);
        let n = number(pattern, 12, at(2026, 8, 12, 3)).unwrap();
        assert_eq!(n, "BA-VAL/00012/BCSIRT/VIII/2026");
        let letter = number(
            "800/{seq}/KOMINFO/{roman_month}/{year}",
            7,
            at(2026, 1, 5, 3),
        );
        assert_eq!(letter.unwrap(), "800/00007/KOMINFO/I/2026");
        let month = number("{year}-{month}-{seq}", 123_456, at(2026, 4, 9, 3)).unwrap();
        assert_eq!(month, "2026-04-123456");
    }

    #[test]
    fn every_month_has_its_roman_numeral() {
        let months: Vec<String> = (1..=12)
            .map(|m| number("{roman_month}{seq}", 1, at(2026, m, 15, 3)).unwrap())
            .map(|n| n.trim_end_matches("00001").to_owned())
            .collect();
        let expected = [
            "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
        ];
        assert_eq!(months, expected);
    }

    #[test]
    fn month_and_year_are_those_of_wib() {
        // 18:00 UTC on New Year's Eve is 01:00 WIB on 1 January.
        let n = number("{seq}/{roman_month}/{year}", 1, at(2026, 12, 31, 18)).unwrap();
        assert_eq!(n, "00001/I/2027");
        // 16:59 UTC is still 23:59 WIB on 31 December.
        let still = Utc.with_ymd_and_hms(2026, 12, 31, 16, 59, 0).unwrap();
        assert_eq!(
            number("{seq}/{roman_month}/{year}", 1, still).unwrap(),
            "00001/XII/2026"
        );
    }

    #[test]
    fn refuses_patterns_without_seq_or_with_unknown_placeholders() {
        let now = at(2026, 8, 12, 3);
        assert!(matches!(
            number("800/KOMINFO/{roman_month}/{year}", 1, now),
            Err(DocError::PatternWithoutSeq(_))
        ));
        assert!(matches!(
            number("800/{seq}/{bulan}", 1, now),
            Err(DocError::UnknownPlaceholder { name, .. }) if name == "bulan"
        ));
        assert!(matches!(
            number("800/{seq", 1, now),
            Err(DocError::UnclosedPlaceholder(_))
        ));
        assert!(matches!(
            number("", 1, now),
            Err(DocError::PatternWithoutSeq(_))
        ));
    }

    #[test]
    fn default_patterns_are_valid_and_never_collide() {
        let patterns: Vec<(DocumentKind, &str)> = DocumentKind::ALL
            .iter()
            .map(|&kind| (kind, default_pattern(kind)))
            .collect();
        check_distinct_patterns(&patterns).unwrap();
        let now = at(2026, 8, 12, 3);
        let mut numbers: Vec<String> = patterns
            .iter()
            .map(|(_, p)| number(p, 1, now).unwrap())
            .collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), DocumentKind::ALL.len());
    }

    #[test]
    fn two_kinds_with_one_pattern_are_refused() {
        let shared = "800/{seq}/KOMINFO/{roman_month}/{year}";
        let result = check_distinct_patterns(&[
            (DocumentKind::LetterNotice, shared),
            (DocumentKind::LetterFollowUp, shared),
        ]);
        assert!(matches!(result, Err(DocError::CollidingPatterns { .. })));
    }
}
