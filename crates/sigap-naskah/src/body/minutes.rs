//! The three *Berita Acara* (official minutes): validation (step 3), criticality (step 4)
//! and the internal review meeting (step 9). Minutes are the only documents that may carry
//! attacker-written text (a proof of concept, logs), and only in their restricted
//! attachment, printed as plain text on a separate page.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigap_core::{Criticality, CvssScore, ValidationMethod};

use crate::body::{Meeting, Person, SystemRef};
use crate::view::{counted, moment, optional_cvss};

/// The basis (*dasar*) every set of minutes cites by default: the SOP and the regulations
/// it rests on. The ticket itself is cited by the template.
pub fn default_basis() -> Vec<String> {
    [
        "Peraturan Presiden Nomor 95 Tahun 2018 tentang Sistem Pemerintahan Berbasis Elektronik",
        "Peraturan Badan Siber dan Sandi Negara Nomor 4 Tahun 2021 tentang Pedoman Manajemen \
         Keamanan Informasi Sistem Pemerintahan Berbasis Elektronik dan Standar Teknis dan \
         Prosedur Keamanan Sistem Pemerintahan Berbasis Elektronik",
        "Standar Operasional Prosedur Penanganan Insiden Siber Sistem Elektronik Dinas \
         Komunikasi dan Informatika Kota Batam Nomor 05/KOMINFO/SOP/VIII/2025",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Step 3: *Berita Acara Hasil Validasi Laporan*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationMinutes {
    /// When the validation took place ("Pada hari ini …").
    #[serde(serialize_with = "moment")]
    pub held_at: DateTime<Utc>,
    /// Where (the meeting's room, or the office where the report was examined).
    pub place: String,
    /// When the step was recorded, printed as such.
    #[serde(serialize_with = "moment")]
    pub recorded_at: DateTime<Utc>,
    /// The validation team: name, NIP and role of each member.
    pub team: Vec<Person>,
    /// The basis (*dasar*); see [`default_basis`].
    pub basis: Vec<String>,
    /// When the report was received.
    #[serde(serialize_with = "moment")]
    pub reported_at: DateTime<Utc>,
    /// The report's title as the reporter wrote it.
    pub report_title: String,
    /// The type of vulnerability reported.
    pub vulnerability_type: String,
    /// The system the report is about.
    pub system: SystemRef,
    /// Through the ticket or in a meeting.
    pub method: ValidationMethod,
    /// The meeting, when validated in one.
    pub meeting: Option<Meeting>,
    /// What was checked, one item per line.
    pub checks: Vec<String>,
    /// What was found.
    pub findings: String,
    /// The result: VALID or TIDAK VALID.
    pub valid: bool,
    /// Why.
    pub reasons: String,
    /// What happens next (e.g. the criticality assessment).
    pub next_step: String,
    /// The proof of concept or logs, printed only on the restricted attachment page.
    pub restricted_attachment: Option<String>,
}

/// Step 4: *Berita Acara Penilaian Tingkat Kekritisan*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriticalityMinutes {
    /// When the assessment took place.
    #[serde(serialize_with = "moment")]
    pub held_at: DateTime<Utc>,
    /// Where (the meeting's room, or the office where the report was examined).
    pub place: String,
    /// When the step was recorded, printed as such.
    #[serde(serialize_with = "moment")]
    pub recorded_at: DateTime<Utc>,
    /// The assessment team.
    pub team: Vec<Person>,
    /// The basis (*dasar*); see [`default_basis`].
    pub basis: Vec<String>,
    /// The number of the validation minutes this assessment follows.
    pub validation_number: String,
    /// The report's title as the reporter wrote it.
    pub report_title: String,
    /// The system assessed.
    pub system: SystemRef,
    /// The weakness, e.g. `CWE-89: Improper Neutralization … ('SQL Injection')`.
    pub cwe: Option<String>,
    /// The OWASP Top 10 category, e.g. `A03:2021 – Injection`.
    pub owasp: Option<String>,
    /// The scored CVSS vector, when one was given.
    #[serde(serialize_with = "optional_cvss")]
    pub cvss: Option<CvssScore>,
    /// Context factors considered (exposure, data held, compensating controls …).
    pub context_factors: Vec<String>,
    /// The SOP level decided: high is blocked, low is not.
    pub criticality: Criticality,
    /// Why the level differs from the CVSS band, when it does.
    pub override_reason: Option<String>,
    /// Whether the incident must be escalated to the sectoral or national CSIRT.
    pub escalate: bool,
    /// To whom, when escalated (e.g. `Gov-CSIRT BSSN`).
    pub escalate_to: Option<String>,
    /// Whether personal data is affected.
    pub personal_data_affected: bool,
    /// The proof of concept or logs, printed only on the restricted attachment page.
    pub restricted_attachment: Option<String>,
}

/// Step 9: *Berita Acara Hasil Rapat Internal*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewMinutes {
    /// When the meeting was held.
    #[serde(serialize_with = "moment")]
    pub held_at: DateTime<Utc>,
    /// When the step was recorded, printed as such.
    #[serde(serialize_with = "moment")]
    pub recorded_at: DateTime<Utc>,
    /// Where.
    pub place: String,
    /// Who chaired it.
    pub chair: Person,
    /// Who attended, with NIP.
    pub attendees: Vec<Person>,
    /// The agenda, one item per line.
    pub agenda: Vec<String>,
    /// The system reviewed.
    pub system: SystemRef,
    /// The number of the notice letter whose follow-up is reviewed.
    pub notice_number: String,
    /// In a further round, the review minutes of the rounds before, oldest first.
    pub earlier: Vec<crate::body::Cited>,
    /// What the agency answered and did.
    pub agency_response: String,
    /// The CSIRT's retest and its result.
    pub retest_result: String,
    /// The decision: fixed (*Sudah*, reactivate) or not yet (*Belum*, stays suspended).
    pub fixed: bool,
    /// Whether the system is blocked by this ticket.
    pub blocked: bool,
    /// The meeting's notes.
    pub notes: String,
    /// Valid reports against the agency's systems, this one included.
    pub agency_valid_reports: u32,
    /// The "more than N reports" threshold (3 in the SOP).
    #[serde(serialize_with = "counted")]
    pub threshold: u32,
    /// Whether reactivation waits for the Regional Secretary's approval
    /// (see `sigap_core::needs_approval`).
    pub approval_needed: bool,
    /// Attacker-written material discussed, printed only on the restricted attachment page.
    pub restricted_attachment: Option<String>,
}
