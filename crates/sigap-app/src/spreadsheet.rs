//! Tables written for spreadsheets, shared by the exports of the ticket set and of the audit
//! log: CSV as RFC 4180 says it (UTF-8, a header row, every cell quoted, CRLF) written a
//! batch of rows at a time, so that a large table is streamed rather than held, and the
//! rule that keeps a cell from running as a formula when a spreadsheet opens the file.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::{AppError, AppResult};

/// `text` as a cell a spreadsheet reads as text: a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be run as a formula (CSV injection), so it is
/// written after a `'`.
pub fn as_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// An instant in WIB as a spreadsheet reads a date and time: `2026-12-05 14:30`.
pub fn wib_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&sigap_core::wib())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A CSV file written a batch at a time: rows go in, and [`CsvBatch::take`] hands out what
/// was written since the last call, so that only one batch is ever held.
pub struct CsvBatch {
    /// Always `Some` between calls: [`CsvBatch::take`] swaps in a fresh writer.
    writer: Option<csv::Writer<Vec<u8>>>,
}

impl std::fmt::Debug for CsvBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvBatch").finish_non_exhaustive()
    }
}

impl Default for CsvBatch {
    fn default() -> Self {
        CsvBatch::new()
    }
}

impl CsvBatch {
    pub fn new() -> CsvBatch {
        CsvBatch {
            writer: Some(writer()),
        }
    }

    /// Writes one row; every cell is made text first ([`as_text`]).
    pub fn row<I, S>(&mut self, cells: I) -> AppResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut record = csv::StringRecord::new();
        for cell in cells {
            record.push_field(&as_text(cell.as_ref()));
        }
        self.writer
            .get_or_insert_with(writer)
            .write_record(&record)
            .map_err(csv_error)
    }

    /// What was written since the last call (empty when nothing was).
    pub fn take(&mut self) -> AppResult<Vec<u8>> {
        let Some(written) = self.writer.replace(writer()) else {
            return Ok(Vec::new());
        };
        written
            .into_inner()
            .map_err(|e| AppError::Internal(format!("csv: {}", e.error())))
    }
}

/// A CSV writer as RFC 4180 writes it: every cell quoted, CRLF.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn csv_error(e: csv::Error) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row(cells: &[&str]) -> String {
        let mut csv = CsvBatch::new();
        csv.row(cells).unwrap();
        String::from_utf8(csv.take().unwrap()).unwrap()
    }

    #[test]
    fn cells_are_quoted_and_formulas_are_text() {
        assert_eq!(one_row(&["SQLi \"login\""]), "\"SQLi \"\"login\"\"\"\r\n");
        assert_eq!(
            one_row(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(one_row(&["+1", "-2+3"]), "\"'+1\",\"'-2+3\"\r\n");
        assert_eq!(one_row(&["@SUM(A1)"]), "\"'@SUM(A1)\"\r\n");
        assert_eq!(one_row(&["baris\r\nbaru"]), "\"baris\r\nbaru\"\r\n");
        assert_eq!(
            one_row(&["a", "", "Rp 1.000"]),
            "\"a\",\"\",\"Rp 1.000\"\r\n"
        );
    }

    #[test]
    fn each_take_hands_out_only_what_is_new() {
        let mut csv = CsvBatch::new();
        csv.row(["a"]).unwrap();
        assert_eq!(csv.take().unwrap(), b"\"a\"\r\n");
        assert!(csv.take().unwrap().is_empty());
        csv.row(["b"]).unwrap();
        assert_eq!(csv.take().unwrap(), b"\"b\"\r\n");
    }

    #[test]
    fn times_are_written_in_wib() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 17, 30, 0).unwrap();
        assert_eq!(wib_minute(at), "2026-12-06 00:30");
    }
}
