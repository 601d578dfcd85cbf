//! The ticket table as an XLSX workbook (`rust_xlsxwriter`), the columns of
//! [`crate::exports::rows`]: a bold header row that stays in view, columns wide enough
//! for their values, times as real dates (WIB, to the minute) and the round as a number. The
//! sheet is written in `rust_xlsxwriter`'s constant-memory mode: each row goes to a temporary
//! file once the next one starts, so that the rows are not held; the workbook is put
//! together (zipped) once, at the end. A text cell is a string, never a formula, so it is
//! written as it is.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::exports::rows::{COLUMNS, Line, Wording};
use crate::{AppError, AppResult};

/// The media type of an XLSX file.
pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The width of each column, in characters, in the order of [`COLUMNS`].
const WIDTHS: [f64; 15] = [
    20.0, 17.0, 26.0, 16.0, 16.0, 28.0, 12.0, 12.0, 22.0, 20.0, 10.0, 9.0, 17.0, 12.0, 17.0,
];

/// The columns written as times.
const TIME_COLUMNS: [usize; 3] = [1, 12, 14];

/// A workbook being written, one sheet of tickets.
pub struct Book {
    workbook: Workbook,
    sheet: Worksheet,
    date: Format,
    words: Wording,
    /// Rows of tickets written so far.
    pub rows: u32,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

impl Book {
    /// A workbook with its header row written, named `sheet_name`.
    pub fn new(words: Wording, sheet_name: &str) -> AppResult<Book> {
        let mut workbook = Workbook::new();
        let mut sheet = workbook
            .new_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        sheet.set_name(sheet_name).map_err(xlsx_error)?;
        let bold = Format::new().set_bold();
        for (column, heading) in words.headings.iter().enumerate().take(COLUMNS.len()) {
            let column = column_number(column);
            sheet
                .set_column_width(column, WIDTHS[usize::from(column)])
                .map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, column, heading, &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Book {
            workbook,
            sheet,
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            words,
            rows: 0,
        })
    }

    /// Writes one ticket's row below the last.
    pub fn write(&mut self, line: &Line) -> AppResult<()> {
        let row = self.rows + 1;
        let cells = line.cells(&self.words);
        let times = [Some(line.created), line.deadline, line.closed];
        for (column, text) in cells.iter().enumerate() {
            let at = column_number(column);
            if let Some(slot) = TIME_COLUMNS.iter().position(|c| *c == column) {
                if let Some(time) = times.get(slot).copied().flatten() {
                    let when = excel_time(time)?;
                    self.sheet
                        .write_datetime_with_format(row, at, when, &self.date)
                        .map_err(xlsx_error)?;
                }
            } else if COLUMNS[column] == "round" {
                self.sheet
                    .write_number(row, at, line.round as f64)
                    .map_err(xlsx_error)?;
            } else if !text.is_empty() {
                // A string cell is never run as a formula: the text stays as it was.
                self.sheet.write_string(row, at, text).map_err(xlsx_error)?;
            }
        }
        self.rows = row;
        Ok(())
    }

    /// The finished file. Zipping is work for a blocking thread.
    pub fn finish(mut self) -> AppResult<Vec<u8>> {
        if self.rows > 0 {
            let last = column_number(COLUMNS.len() - 1);
            self.sheet
                .autofilter(0, 0, self.rows, last)
                .map_err(xlsx_error)?;
        }
        self.workbook.push_worksheet(self.sheet);
        self.workbook.save_to_buffer().map_err(xlsx_error)
    }
}

fn column_number(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// `at` as the date and time a clock in WIB shows (spreadsheets have no time zones).
fn excel_time(at: chrono::DateTime<chrono::Utc>) -> AppResult<ExcelDateTime> {
    let wib = at.with_timezone(&sigap_core::wib()).naive_local();
    ExcelDateTime::from_timestamp(wib.and_utc().timestamp()).map_err(xlsx_error)
}
