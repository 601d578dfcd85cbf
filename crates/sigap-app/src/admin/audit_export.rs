//! The audit log exported for auditors and admins: every entry the filters of
//! `admin::audit_log` select, oldest first, read a batch at a time and handed out as it is
//! written, so that an export of the whole log is streamed rather than held. As JSON lines
//! (each entry as `GET /api/v1/audit` shows it) or as CSV for a spreadsheet (one row per
//! entry, the same fields, the details as JSON text, the time in WIB). Either way each
//! entry keeps its hashes, so that the export can be checked and kept elsewhere, and the
//! export is itself written to the audit log before its first byte.

use serde_json::{Value, json};
use sigap_store::{AuditFilter, NewAuditEntry};

use crate::admin::audit_log::{AuditEntryView, AuditQuery, EXPORT_BATCH, filter, require_reader};
use crate::auth::Caller;
use crate::spreadsheet::CsvBatch;
use crate::{App, AppError, AppResult, millis};

/// The columns of the CSV: the fields of an entry.
const CSV_COLUMNS: [&str; 11] = [
    "seq",
    "at",
    "actor",
    "role",
    "action",
    "ticket_number",
    "source",
    "outcome",
    "details",
    "prev_hash",
    "hash",
];

/// The formats of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditFormat {
    /// One JSON object a line (`application/x-ndjson`): the default.
    #[default]
    JsonLines,
    /// RFC 4180 CSV with a header row (`text/csv`).
    Csv,
}

impl AuditFormat {
    /// `jsonl` (also when left out) or `csv`; another is a field error.
    pub fn named(text: Option<&str>) -> AppResult<AuditFormat> {
        match text.map(str::trim) {
            None | Some("" | "jsonl") => Ok(AuditFormat::JsonLines),
            Some("csv") => Ok(AuditFormat::Csv),
            Some(_) => Err(AppError::invalid("format", "`format` is `jsonl` or `csv`")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuditFormat::JsonLines => "jsonl",
            AuditFormat::Csv => "csv",
        }
    }

    /// The media type of the download.
    pub fn media_type(self) -> &'static str {
        match self {
            AuditFormat::JsonLines => "application/x-ndjson",
            AuditFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// An export of the audit log in progress: the selection, read a batch at a time, oldest
/// first.
#[derive(Debug)]
pub struct Export {
    filter: AuditFilter,
    format: AuditFormat,
    after: i64,
    /// The CSV's header row is written.
    started: bool,
    done: bool,
    csv: CsvBatch,
}

impl Export {
    /// Starts an export of the entries `query` selects (admins and auditors; `before` and
    /// `limit` are ignored: everything selected is exported). The export itself is audited.
    pub async fn start(
        app: &App,
        caller: &Caller,
        query: &AuditQuery,
        format: AuditFormat,
        source: Option<String>,
    ) -> AppResult<Export> {
        require_reader(app, caller, "audit_export").await?;
        let mut f = filter(&AuditQuery {
            before: None,
            limit: None,
            ..query.clone()
        })?;
        f.limit = EXPORT_BATCH;
        let entry = NewAuditEntry {
            at: millis(app.now()),
            actor: caller.email.clone(),
            role: caller.role.as_str().to_owned(),
            action: "audit_export".to_owned(),
            ticket_number: f.ticket_number.clone(),
            source,
            outcome: "ok".to_owned(),
            details: json!({ "filter": query_json(query), "format": format.as_str() }),
        };
        let mut tx = app.store.begin().await?;
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        Ok(Export {
            filter: f,
            format,
            after: 0,
            started: false,
            done: false,
            csv: CsvBatch::new(),
        })
    }

    pub fn format(&self) -> AuditFormat {
        self.format
    }

    /// The next piece of the file: for CSV the header row first, then a batch of entries;
    /// `None` once all are out.
    pub async fn next_chunk(&mut self, app: &App) -> AppResult<Option<Vec<u8>>> {
        if self.format == AuditFormat::Csv && !self.started {
            self.started = true;
            self.csv.row(CSV_COLUMNS)?;
            return Ok(Some(self.csv.take()?));
        }
        if self.done {
            return Ok(None);
        }
        let f = AuditFilter {
            after_seq: Some(self.after),
            ..self.filter.clone()
        };
        let rows = app.store.search_audit(&f).await?;
        if (rows.len() as i64) < f.limit {
            self.done = true;
        }
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = last.seq;
        let entries = rows.into_iter().map(AuditEntryView::from);
        match self.format {
            AuditFormat::JsonLines => json_lines(entries).map(Some),
            AuditFormat::Csv => {
                for entry in entries {
                    self.csv.row(csv_cells(&entry))?;
                }
                Ok(Some(self.csv.take()?))
            }
        }
    }
}

fn json_lines(entries: impl Iterator<Item = AuditEntryView>) -> AppResult<Vec<u8>> {
    let mut out = Vec::new();
    for entry in entries {
        serde_json::to_writer(&mut out, &entry)
            .map_err(|e| AppError::Internal(format!("audit export: {e}")))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// An entry's cells in the order of [`CSV_COLUMNS`]: the time as RFC 3339 in WIB (to the
/// millisecond, so the instant is the one the chain sealed), the details as JSON.
fn csv_cells(e: &AuditEntryView) -> [String; 11] {
    let at =
        e.at.with_timezone(&sigap_core::wib())
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
    let details = match &e.details {
        Value::Null => String::new(),
        other => other.to_string(),
    };
    [
        e.seq.to_string(),
        at,
        e.actor.clone(),
        e.role.clone(),
        e.action.clone(),
        e.ticket_number.clone().unwrap_or_default(),
        e.source.clone().unwrap_or_default(),
        e.outcome.clone(),
        details,
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}

fn query_json(q: &AuditQuery) -> Value {
    json!({
        "ticket": q.ticket, "actor": q.actor, "action": q.action,
        "outcome": q.outcome, "from": q.from, "until": q.until,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn the_format_is_jsonl_unless_csv_is_asked() {
        assert_eq!(AuditFormat::named(None).unwrap(), AuditFormat::JsonLines);
        assert_eq!(
            AuditFormat::named(Some("")).unwrap(),
            AuditFormat::JsonLines
        );
        assert_eq!(AuditFormat::named(Some("csv")).unwrap(), AuditFormat::Csv);
        assert!(AuditFormat::named(Some("xlsx")).is_err());
    }

    #[test]
    fn an_entry_is_one_row_with_its_time_in_wib_and_its_details_as_json() {
        let entry = AuditEntryView {
            seq: 7,
            at: Utc.with_ymd_and_hms(2026, 12, 5, 17, 30, 0).unwrap(),
            actor: "=cmd@example.org".into(),
            role: "csirt".into(),
            action: "validate".into(),
            ticket_number: Some("BCSIRT-2026-00001".into()),
            source: None,
            outcome: "ok".into(),
            details: json!({"valid": true}),
            prev_hash: "00".into(),
            hash: "ab".into(),
        };
        let cells = csv_cells(&entry);
        assert_eq!(cells[1], "2026-12-06T00:30:00.000+07:00");
        assert_eq!(cells[8], "{\"valid\":true}");
        let mut csv = CsvBatch::new();
        csv.row(&cells).unwrap();
        let row = String::from_utf8(csv.take().unwrap()).unwrap();
        assert!(
            row.starts_with("\"7\",\"2026-12-06T00:30:00.000+07:00\",\"'=cmd@"),
            "{row}"
        );
    }
}
