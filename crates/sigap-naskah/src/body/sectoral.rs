//! Peraturan BSSN 1/2024: the report of a high-risk incident to the sectoral CSIRT, with
//! the national CSIRT in copy. sigap prepares it from the ticket with what the regulation
//! asks for: the reporter's contact (or "Anonim"), the description, the chronology, the
//! impact and the handling so far; the machine-readable bundle that goes with it (STIX 2.1)
//! is named by its SHA-256.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::body::{SystemRef, TimelineEntry};
use crate::view::moment;

/// The sections of a report to the sectoral CSIRT.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectoralReport {
    /// To whom, as the address reads: `Ketua CSIRT Sektor …`.
    pub addressee: String,
    /// In copy: the national CSIRT.
    pub copy_to: Vec<String>,
    /// The reporter as named to the sectoral CSIRT: name, e-mail and telephone one per
    /// line, or one line `Anonim …` when the reporter did not agree to be named.
    pub reporter: Vec<String>,
    /// The system concerned.
    pub system: SystemRef,
    /// *Kategori sistem elektronik* (`Strategis`, `Tinggi`, `Rendah`), when classed.
    pub system_category: Option<String>,
    /// Whether the system is *infrastruktur informasi vital*.
    pub iiv: bool,
    /// Why the incident goes upward, one line each (high risk, personal data, IIV).
    pub reasons: Vec<String>,
    /// When the report came in.
    #[serde(serialize_with = "moment")]
    pub reported_at: DateTime<Utc>,
    /// When the assessment flagged it (the clock's start).
    #[serde(serialize_with = "moment")]
    pub flagged_at: DateTime<Utc>,
    /// The deadline of the report.
    #[serde(serialize_with = "moment")]
    pub due_at: DateTime<Utc>,
    /// What happened: the CSIRT's summary, the class of the finding and its score.
    pub description: Vec<String>,
    /// The ticket's life so far, oldest first.
    pub chronology: Vec<TimelineEntry>,
    /// What the incident affects, one paragraph each.
    pub impact: Vec<String>,
    /// What was done so far, one paragraph each.
    pub handling: Vec<String>,
    /// The bundle that goes with the report: its file name and SHA-256.
    pub bundle: BundleRef,
}

/// The machine-readable copy of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleRef {
    /// `BCSIRT-2026-00001.stix.json`.
    pub name: String,
    /// `STIX 2.1`.
    pub format: String,
    /// Lowercase hex.
    pub sha256: String,
}
