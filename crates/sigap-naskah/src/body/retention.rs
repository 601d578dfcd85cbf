//! *Berita Acara Pemusnahan*: what a run of the retention sweep anonymised or destroyed,
//! class by class (how many records, which tickets, by which rule), and the tickets it left
//! alone under a legal hold. A document of no ticket.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::view::{counted, moment};

/// The record of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestructionMinutes {
    /// When the run took place.
    #[serde(serialize_with = "moment")]
    pub held_at: DateTime<Utc>,
    /// One line per class treated.
    pub lines: Vec<DestructionLine>,
    /// The tickets skipped under a legal hold.
    pub held: Vec<String>,
}

/// One class treated in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestructionLine {
    /// `Data kontak pelapor`, `Bukti elektronik`.
    pub class: String,
    /// `dianonimkan`, `dimusnahkan`.
    pub treatment: String,
    /// The retention period, in years.
    pub years: u32,
    /// The records changed.
    #[serde(serialize_with = "counted")]
    pub records: u32,
    /// The tickets concerned.
    pub tickets: Vec<String>,
    /// The rule.
    pub basis: String,
}
