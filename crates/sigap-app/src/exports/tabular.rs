//! The set the queue selects as a table for people (leadership's spreadsheets): CSV or an
//! XLSX workbook, one row per ticket ([`crate::exports::rows`]), in the caller's scope
//! exactly as the queue lists it (`workflow::queue::Selection`), newest first.
//!
//! The CSV is streamed: a header row, then one batch of [`BATCH`] tickets at a time read
//! through the queue's keyset, each batch written and handed out before the next is read,
//! so that memory stays flat whatever the size of the set. It has no cap: the cost grows
//! with the rows alone, and a cap would silently leave tickets out of a file people count
//! from. An XLSX workbook is zipped whole at the end, so it is answered in one piece and
//! holds at most [`MAX_XLSX_ROWS`] tickets; a larger set is refused, naming the CSV.
//!
//! Every export is written to the audit log (format, filters, language) before its first
//! byte leaves, and a refused one too.

use std::future::Future;

use serde_json::json;
use sha2::Digest;
use sigap_store::TicketListRow;

use crate::auth::Caller;
use crate::exports::rows::{Line, Wording};
use crate::exports::xlsx::{Book, MEDIA_TYPE as XLSX_MEDIA_TYPE};
use crate::exports::{Export, Format, audit_ok, filters_json};
use crate::spreadsheet::CsvBatch;
use crate::workflow::queue::{ListQuery, Selection};
use crate::{App, AppError, AppResult, audit, millis};

/// Tickets read from the store at once while exporting.
pub const BATCH: i64 = 500;

/// The most tickets an XLSX export holds (its file is built whole before it is answered).
pub const MAX_XLSX_ROWS: u32 = 100_000;

/// The name of an export's file: `BCSIRT-20261205-1430.csv`.
fn file_name(app: &App, format: Format) -> String {
    let now = app.now().with_timezone(&sigap_core::wib());
    format!(
        "{}-{}.{}",
        app.rules.ticket_prefix,
        now.format("%Y%m%d-%H%M"),
        format.as_str()
    )
}

/// A CSV export under way: audited and its selection read; [`CsvExport::next_chunk`] hands
/// out the file a piece at a time.
#[derive(Debug)]
pub struct CsvExport {
    selection: Selection,
    pages: CsvPages,
    name: String,
}

impl CsvExport {
    /// Starts the CSV export of what `query` selects for `caller`, its filters checked,
    /// and audits it; a refusal (a wrong filter) is audited too.
    pub async fn start(
        app: &App,
        caller: &Caller,
        query: &ListQuery,
        words: Wording,
        source: Option<String>,
    ) -> AppResult<CsvExport> {
        let result = Self::begin(app, caller, query, words, source.clone()).await;
        if let Err(e) = &result {
            audit::refused(app, caller, "export_tickets", None, e, source).await;
        }
        result
    }

    async fn begin(
        app: &App,
        caller: &Caller,
        query: &ListQuery,
        words: Wording,
        source: Option<String>,
    ) -> AppResult<CsvExport> {
        let selection = Selection::of(app, caller, query).await?;
        let details = json!({
            "format": "csv",
            "filters": filters_json(query),
            "lang": if words.english { "en" } else { "id" },
        });
        audit_ok(app, caller, source, "export_tickets", None, details).await?;
        Ok(CsvExport {
            selection,
            pages: CsvPages::new(words, millis(app.now()), BATCH),
            name: file_name(app, Format::Csv),
        })
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next piece of the file (the header row, then a batch of rows); `None` after the
    /// last.
    pub async fn next_chunk(&mut self, app: &App) -> AppResult<Option<Vec<u8>>> {
        let selection = &self.selection;
        self.pages
            .next(|before, size| selection.batch(app, before, size))
            .await
    }
}

/// The pieces of a CSV file of tickets, apart from where the tickets come from: the header
/// row first, then per call one batch of tickets asked for after the last one written.
#[derive(Debug)]
struct CsvPages {
    words: Wording,
    /// What is overdue is judged at this instant (UTC milliseconds).
    now: i64,
    size: i64,
    csv: CsvBatch,
    /// The keyset: the id of the last ticket written.
    before: Option<i64>,
    started: bool,
    done: bool,
}

impl CsvPages {
    fn new(words: Wording, now: i64, size: i64) -> CsvPages {
        CsvPages {
            words,
            now,
            size,
            csv: CsvBatch::new(),
            before: None,
            started: false,
            done: false,
        }
    }

    /// The next piece: the header row on the first call, then the rows of the batch that
    /// `fetch(before, size)` reads; `None` once a batch came short or empty.
    async fn next<F, Fut>(&mut self, fetch: F) -> AppResult<Option<Vec<u8>>>
    where
        F: FnOnce(Option<i64>, i64) -> Fut,
        Fut: Future<Output = AppResult<Vec<TicketListRow>>>,
    {
        if !self.started {
            self.started = true;
            self.csv.row(&self.words.headings)?;
            return Ok(Some(self.csv.take()?));
        }
        if self.done {
            return Ok(None);
        }
        let rows = fetch(self.before, self.size).await?;
        self.done = (rows.len() as i64) < self.size;
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.before = Some(last.id);
        for row in &rows {
            self.csv
                .row(Line::of(row, self.now, &self.words).cells(&self.words))?;
        }
        Ok(Some(self.csv.take()?))
    }
}

/// The tickets `query` selects for `caller` as an XLSX workbook; audited once it is built
/// (before it is answered), a refusal too.
pub async fn xlsx(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
    words: Wording,
    source: Option<String>,
) -> AppResult<Export> {
    let result = build_xlsx(app, caller, query, words, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "export_tickets", None, e, source).await;
    }
    result
}

async fn build_xlsx(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
    words: Wording,
    source: Option<String>,
) -> AppResult<Export> {
    let selection = Selection::of(app, caller, query).await?;
    let now = millis(app.now());
    let english = words.english;
    let mut book = Book::new(words.clone(), &app.rules.ticket_prefix)?;
    let mut before = None;
    loop {
        let rows = selection.batch(app, before, BATCH).await?;
        if book.rows as usize + rows.len() > MAX_XLSX_ROWS as usize {
            return Err(AppError::invalid(
                "format",
                format!(
                    "an XLSX export holds at most {MAX_XLSX_ROWS} tickets: narrow the \
                     filters, or export `csv`, which has no limit"
                ),
            ));
        }
        for row in &rows {
            book.write(&Line::of(row, now, &words))?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH => before = Some(last.id),
            _ => break,
        }
    }
    let tickets = book.rows;
    let bytes = tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))??;
    let details = json!({
        "format": "xlsx",
        "filters": filters_json(query),
        "lang": if english { "en" } else { "id" },
        "tickets": tickets,
    });
    audit_ok(app, caller, source, "export_tickets", None, details).await?;
    Ok(Export {
        name: file_name(app, Format::Xlsx),
        media_type: XLSX_MEDIA_TYPE,
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use sigap_core::{Channel, Severity, State, Tlp};

    use super::*;

    /// A ticket as the queue reads it, numbered by its id.
    fn ticket(id: i64) -> TicketListRow {
        TicketListRow {
            id,
            number: format!("BCSIRT-2026-{id:06}"),
            state: State::Queued,
            channel: Channel::Web,
            agency_code: Some("DISKOMINFO".into()),
            system_name: Some("Portal".into()),
            criticality: None,
            blocked: false,
            round: 1,
            tlp: Tlp::AmberStrict,
            severity: Severity::High,
            vulnerability_type: "CWE-89".into(),
            title: "SQL injection".into(),
            target_host: "portal.batam.go.id".into(),
            due_at: None,
            created_at: 1_796_000_000_000 + id,
            closed_at: None,
            state_entered_at: 1_796_000_000_000 + id,
            updated_at: 1_796_000_000_000 + id,
            assignee_id: None,
            assignee_name: None,
        }
    }

    /// The store's answer to a batch of a selection of `total` tickets (ids 1 to `total`):
    /// the ids below `before`, newest first, made when asked for.
    fn store_batch(total: i64, before: Option<i64>, size: i64) -> Vec<TicketListRow> {
        let top = before.map_or(total, |b| b - 1);
        (1..=top)
            .rev()
            .take(usize::try_from(size).unwrap())
            .map(ticket)
            .collect()
    }

    #[tokio::test]
    async fn a_hundred_thousand_tickets_are_written_one_batch_at_a_time() {
        const TOTAL: i64 = 100_000;
        let mut pages = CsvPages::new(Wording::plain(), 0, BATCH);
        let mut asked: Vec<Option<i64>> = Vec::new();
        let mut next_number = TOTAL;
        let mut chunks = 0;
        let mut lines = 0;
        loop {
            let chunk = pages
                .next(|before, size| {
                    asked.push(before);
                    let rows = store_batch(TOTAL, before, size);
                    async move { Ok(rows) }
                })
                .await
                .unwrap();
            let Some(chunk) = chunk else { break };
            chunks += 1;
            let text = String::from_utf8(chunk).unwrap();
            let rows: Vec<&str> = text.split_terminator("\r\n").collect();
            // No piece holds more than one batch: the file is never held whole.
            assert!(
                rows.len() <= usize::try_from(BATCH).unwrap(),
                "{}",
                rows.len()
            );
            for row in rows {
                lines += 1;
                if lines == 1 {
                    assert!(row.starts_with("\"number\",\"created_at\",\"state\""));
                    continue;
                }
                let number = format!("\"BCSIRT-2026-{next_number:06}\",");
                assert!(row.starts_with(&number), "{row} after {next_number}");
                next_number -= 1;
            }
        }
        assert_eq!(lines, TOTAL + 1, "a header and every ticket once");
        assert_eq!(next_number, 0);
        // The header, then 200 full batches; the 201st read finds nothing and ends the file.
        assert_eq!(chunks, 201);
        assert_eq!(asked.len(), 201);
        // Each batch is read after the last ticket of the one before (the keyset).
        assert_eq!(asked[0], None);
        assert_eq!(asked[1], Some(TOTAL - BATCH + 1));
        assert_eq!(asked[200], Some(1));
    }

    #[tokio::test]
    async fn a_short_batch_ends_the_file_without_another_read() {
        let mut pages = CsvPages::new(Wording::plain(), 0, 10);
        let mut reads = 0;
        let mut pieces = Vec::new();
        while let Some(piece) = pages
            .next(|before, size| {
                reads += 1;
                let rows = store_batch(15, before, size);
                async move { Ok(rows) }
            })
            .await
            .unwrap()
        {
            pieces.push(String::from_utf8(piece).unwrap());
        }
        assert_eq!(reads, 2, "10 tickets, then 5: the short batch is the last");
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[2].matches("\r\n").count(), 5);
    }
}
