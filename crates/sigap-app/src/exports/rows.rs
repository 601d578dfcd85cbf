//! One ticket as a row of the tables that leadership opens in a spreadsheet (CSV and XLSX):
//! what a monthly meeting asks of a ticket and nothing of who reported. The columns are
//! fixed here, once, for both formats; the words of the header and of the values come in
//! the reader's language.

use chrono::{DateTime, Utc};
use sigap_core::Labelled;
use sigap_store::TicketListRow;

use crate::from_millis;
use crate::spreadsheet::wib_minute;
use crate::workflow::tickets::deadline;

/// The columns, in order. The web layer names each in the reader's language; the reporter,
/// their contact, the title and text they wrote and the proof of concept are no column.
pub const COLUMNS: [&str; 15] = [
    "number",
    "created_at",
    "state",
    "channel",
    "agency",
    "system",
    "criticality",
    "severity",
    "vulnerability_type",
    "tlp",
    "blocked",
    "round",
    "deadline",
    "overdue",
    "closed_at",
];

/// The words of a table in its reader's language.
#[derive(Debug, Clone)]
pub struct Wording {
    /// The header row: one heading per column of [`COLUMNS`].
    pub headings: Vec<String>,
    /// "Ya" / "Yes".
    pub yes: String,
    /// "Tidak" / "No".
    pub no: String,
    /// The vocabularies' labels in English rather than Indonesian.
    pub english: bool,
}

impl Wording {
    /// The headings as [`COLUMNS`] name them, `yes`/`no`, and Indonesian labels: what a
    /// table says when no language is asked for (the tests, the command line).
    pub fn plain() -> Wording {
        Wording {
            headings: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            yes: "Ya".to_owned(),
            no: "Tidak".to_owned(),
            english: false,
        }
    }

    fn label(&self, value: impl Labelled) -> &'static str {
        if self.english {
            value.label_en()
        } else {
            value.label_id()
        }
    }

    fn yes_no(&self, value: bool) -> &str {
        if value { &self.yes } else { &self.no }
    }
}

/// One ticket's row, its values typed (the XLSX writes dates as dates and the round as a
/// number).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub id: i64,
    pub number: String,
    pub created: DateTime<Utc>,
    pub state: &'static str,
    pub channel: &'static str,
    pub agency: String,
    pub system: String,
    pub criticality: &'static str,
    pub severity: &'static str,
    pub vulnerability_type: String,
    pub tlp: &'static str,
    pub blocked: bool,
    pub round: i64,
    /// The deadline of the ticket's current step, if it has one.
    pub deadline: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub closed: Option<DateTime<Utc>>,
}

impl Line {
    /// The row of `row` at `now` (UTC milliseconds: what is overdue), labelled as `words`
    /// says.
    pub fn of(row: &TicketListRow, now: i64, words: &Wording) -> Line {
        let due = deadline(row.state_entered_at, row.due_at, now);
        Line {
            id: row.id,
            number: row.number.clone(),
            created: from_millis(row.created_at),
            state: words.label(row.state),
            channel: words.label(row.channel),
            agency: row.agency_code.clone().unwrap_or_default(),
            system: row.system_name.clone().unwrap_or_default(),
            criticality: row.criticality.map(|c| words.label(c)).unwrap_or_default(),
            severity: words.label(row.severity),
            vulnerability_type: row.vulnerability_type.clone(),
            tlp: row.tlp.as_str(),
            blocked: row.blocked,
            round: row.round,
            overdue: due.as_ref().is_some_and(|d| d.overdue),
            deadline: due.map(|d| d.due_at),
            closed: row.closed_at.map(from_millis),
        }
    }

    /// The cells as text, in the order of [`COLUMNS`]; times in WIB to the minute.
    pub fn cells(&self, words: &Wording) -> [String; 15] {
        let time = |at: Option<DateTime<Utc>>| at.map(wib_minute).unwrap_or_default();
        [
            self.number.clone(),
            wib_minute(self.created),
            self.state.to_owned(),
            self.channel.to_owned(),
            self.agency.clone(),
            self.system.clone(),
            self.criticality.to_owned(),
            self.severity.to_owned(),
            self.vulnerability_type.clone(),
            self.tlp.to_owned(),
            words.yes_no(self.blocked).to_owned(),
            self.round.to_string(),
            time(self.deadline),
            words.yes_no(self.overdue).to_owned(),
            time(self.closed),
        ]
    }
}
