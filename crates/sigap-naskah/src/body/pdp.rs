//! The notices of UU PDP (UU 27/2022) Pasal 46 of a breach of personal data: to the data
//! subjects and to the supervisory authority. sigap drafts them from the ticket; the agency
//! that owns the system, the controller, edits the three contents the law asks for (which
//! data were exposed; when and how; what was done to handle and recover) before issuing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::body::SystemRef;
use crate::view::moment;

/// The sections of a notice of Pasal 46.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdpNotice {
    /// To whom, as the address reads: `Para Pengguna Layanan …`, `Kepala Lembaga …`.
    pub addressee: String,
    /// The system whose data were exposed.
    pub system: SystemRef,
    /// When the breach was recorded (the clock's start).
    #[serde(serialize_with = "moment")]
    pub recorded_at: DateTime<Utc>,
    /// Pasal 46 ayat (2) huruf a: the personal data exposed, one paragraph each.
    pub data_exposed: Vec<String>,
    /// Huruf b: when and how they were exposed.
    pub when_how: Vec<String>,
    /// Huruf c: what was done to handle the breach and recover.
    pub handling: Vec<String>,
    /// Where the reader can ask (a desk, a telephone number, an address), when given.
    pub contact: Option<String>,
}
