//! The ticket number (*nomor tiket / nomor antrian*) that a reporter quotes:
//! `{PREFIX}-{YEAR}-{SEQ}`, e.g. `BCSIRT-2026-00001`, gapless per year.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::string_newtype;

const FIELD: &str = "ticket_number";
const SHAPE: &str = "a ticket number looks like BCSIRT-2026-00001";

/// A ticket number: a prefix of 1 to 16 capital letters or digits, a four-digit year and a
/// sequence number of at least five digits, zero-padded (more digits once past 99999).
/// Ordered by prefix, year, then sequence number (so `…-99999` comes before `…-100000`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNumber {
    text: String,
    prefix: String,
    year: i32,
    seq: u64,
}

string_newtype!(TicketNumber);

impl TicketNumber {
    /// Builds the number for `seq` in `year` with `prefix` (uppercased). The prefix comes
    /// from settings, which check it with [`TicketNumber::check_prefix`] at start.
    pub fn new(prefix: &str, year: i32, seq: u64) -> Self {
        let prefix = prefix.trim().to_ascii_uppercase();
        let text = format!("{prefix}-{year:04}-{seq:05}");
        Self {
            text,
            prefix,
            year,
            seq,
        }
    }

    /// Reads a ticket number; letter case and surrounding spaces are ignored.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let upper = s.trim().to_ascii_uppercase();
        let parts: Vec<&str> = upper.split('-').collect();
        let [prefix, year, seq] = parts[..] else {
            return Err(shape_error(&format!(
                "`{}` does not have three parts",
                s.trim()
            )));
        };
        Self::check_prefix(prefix)?;
        let year = parse_year(year)?;
        let seq = parse_seq(seq)?;
        Ok(Self::new(prefix, year, seq))
    }

    /// Checks a configured prefix: 1 to 16 of `A-Z` and `0-9`.
    pub fn check_prefix(prefix: &str) -> Result<(), FieldError> {
        let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
        if (1..=16).contains(&prefix.len()) && prefix.chars().all(allowed) {
            Ok(())
        } else {
            Err(shape_error(
                "the prefix must be 1 to 16 capital letters or digits",
            ))
        }
    }

    /// The prefix, e.g. `BCSIRT`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The year the ticket was opened in.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The sequence number within the year, from 1.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

fn shape_error(detail: &str) -> FieldError {
    FieldError::new(FIELD, format!("{SHAPE}: {detail}"))
        .of_kind(crate::error::Problem::NotATicketNumber)
}

fn parse_year(year: &str) -> Result<i32, FieldError> {
    match year.parse::<i32>() {
        Ok(value) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => Ok(value),
        _ => Err(shape_error("the year must be four digits")),
    }
}

fn parse_seq(seq: &str) -> Result<u64, FieldError> {
    let value = match seq.parse::<u64>() {
        Ok(value) if seq.bytes().all(|b| b.is_ascii_digit()) => value,
        _ => return Err(shape_error("the sequence number must be digits")),
    };
    // The canonical spelling is the only one accepted, so that one ticket has one number.
    if value == 0 || format!("{value:05}") != seq {
        return Err(shape_error(
            "the sequence number starts at 00001 and is zero-padded to five digits",
        ));
    }
    Ok(value)
}

impl PartialEq for TicketNumber {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for TicketNumber {}

impl Hash for TicketNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for TicketNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TicketNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.prefix, self.year, self.seq).cmp(&(&other.prefix, other.year, other.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_pads_the_sequence_to_five_digits() {
        let number = TicketNumber::new("bcsirt", 2026, 1);
        assert_eq!(number.as_str(), "BCSIRT-2026-00001");
        assert_eq!(
            TicketNumber::new("BCSIRT", 2026, 123_456).as_str(),
            "BCSIRT-2026-123456"
        );
    }

    #[test]
    fn parse_reads_parts_and_ignores_case() {
        let number = TicketNumber::parse(" bcsirt-2026-00042 ").unwrap();
        assert_eq!(number.as_str(), "BCSIRT-2026-00042");
        assert_eq!(number.prefix(), "BCSIRT");
        assert_eq!(number.year(), 2026);
        assert_eq!(number.seq(), 42);
        assert_eq!(
            TicketNumber::parse("X1-2025-100000").unwrap().seq(),
            100_000
        );
    }

    #[test]
    fn parse_refuses_malformed_numbers() {
        for bad in [
            "",
            "BCSIRT-2026",
            "BCSIRT-2026-0001",
            "BCSIRT-2026-000001",
            "BCSIRT-2026-00000",
            "BCSIRT-26-00001",
            "BCSIRT-20260-00001",
            "B_CSIRT-2026-00001",
            "ABCDEFGHIJKLMNOPQ-2026-00001",
            "BCSIRT-2026-0000a",
            "BCSIRT-2026-+0001",
            "BCSIRT--2026-00001",
            "BCSIRT-2026-00001-1",
        ] {
            let error = TicketNumber::parse(bad).unwrap_err();
            assert_eq!(error.field, "ticket_number", "{bad}");
            assert!(
                error.message.contains("BCSIRT-2026-00001"),
                "{bad}: {}",
                error.message
            );
        }
        assert!(TicketNumber::parse("ABCDEFGHIJKLMNOP-2026-00001").is_ok());
    }

    #[test]
    fn order_is_numeric_within_a_year() {
        let small = TicketNumber::parse("BCSIRT-2026-99999").unwrap();
        let large = TicketNumber::parse("BCSIRT-2026-100000").unwrap();
        let next_year = TicketNumber::parse("BCSIRT-2027-00001").unwrap();
        assert!(small < large);
        assert!(large < next_year);
    }

    #[test]
    fn serde_uses_the_text_and_validates() {
        let number = TicketNumber::new("BCSIRT", 2026, 7);
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, "\"BCSIRT-2026-00007\"");
        assert_eq!(serde_json::from_str::<TicketNumber>(&json).unwrap(), number);
        assert!(serde_json::from_str::<TicketNumber>("\"nope\"").is_err());
    }
}
