//! The other documents: the acknowledgement to the reporter (step 1), the block and unblock
//! records (steps 5 and 10), the agency's remediation report (step 7), the Regional
//! Secretary's approval, the ticket's dossier and the reporter's certificate.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigap_core::{Channel, DocumentKind, Severity};

use crate::body::{Person, Screenshot, SystemRef};
use crate::view::{channel_label, counted, kind_title, moment, severity_label};

/// Step 1: *Tanda Terima Laporan*, the receipt the reporter gets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    /// The reporter's name.
    pub reporter_name: String,
    /// When the report was received.
    #[serde(serialize_with = "moment")]
    pub received_at: DateTime<Utc>,
    /// How it reached the CSIRT.
    #[serde(serialize_with = "channel_label")]
    pub channel: Channel,
    /// The report's title as the reporter wrote it.
    pub title: String,
    /// The target reported (address or host).
    pub target: String,
    /// The type of vulnerability claimed.
    pub vulnerability_type: String,
    /// The severity the reporter claims.
    #[serde(serialize_with = "severity_label")]
    pub severity: Severity,
    /// The public tracking page, where the reporter follows the report with its number and
    /// the tracking token given once at submission (the token is not printed: the receipt
    /// may be read by staff). `None` when the server has no public address.
    pub tracking_url: Option<String>,
    /// What happens next and the time standards; see [`Acknowledgement::default_next_steps`].
    pub next_steps: Vec<String>,
}

impl Acknowledgement {
    /// The SOP's steps and time standards, as the reporter should read them.
    pub fn default_next_steps() -> Vec<String> {
        [
            "Tim BATAM-CSIRT memvalidasi laporan dan memberi tahu Anda hasilnya.",
            "Laporan yang valid dinilai tingkat kekritisannya; sistem dengan tingkat \
             kekritisan TINGGI diblokir sementara.",
            "Perangkat Daerah pemilik sistem diberi waktu 7 (tujuh) hari untuk memperbaiki \
             kerentanan.",
            "Hasil perbaikan diperiksa ulang dan dibahas dalam rapat internal paling lambat \
             1 (satu) hari kerja setelah diterima.",
            "Anda dapat memantau status laporan dan menambahkan keterangan melalui halaman \
             pelacakan di atas.",
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

/// A probe of the system made for a block or unblock record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    /// When.
    #[serde(serialize_with = "moment")]
    pub at: DateTime<Utc>,
    /// What was checked, e.g. `GET https://siak.batam.go.id/`.
    pub check: String,
    /// What was seen, e.g. `HTTP 503, halaman pemberitahuan pemblokiran`.
    pub result: String,
}

/// Steps 5 and 10: *Bukti Pemblokiran* / *Bukti Pembukaan Blokir Sistem Elektronik*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemAction {
    /// The system blocked or unblocked.
    pub system: SystemRef,
    /// How (`manual`, or the adapter's name and what it did).
    pub method: String,
    /// When it took effect.
    #[serde(serialize_with = "moment")]
    pub at: DateTime<Utc>,
    /// The officer who did it.
    pub officer: Person,
    /// The number of the minutes acted on: the criticality minutes (block) or the review
    /// minutes that found the fix done (unblock).
    pub basis_number: String,
    /// The number of the Regional Secretary's approval of the reactivation, when the unblock
    /// needed one (the "more than 3 reports" rule).
    pub approval_number: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Other tickets' holds on the system, e.g. "already suspended by BCSIRT-2026-00031".
    pub other_holds: Option<String>,
    /// Probes of the system after the action.
    pub probes: Vec<Probe>,
    /// Evidence given as text (outside attacker-written material).
    pub evidence_text: Option<String>,
    /// Screenshots of the result, at most [`crate::MAX_SCREENSHOTS`].
    pub screenshots: Vec<Screenshot>,
}

/// Step 7: *Laporan Hasil Penanganan Kerentanan*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemediationReport {
    /// The system fixed.
    pub system: SystemRef,
    /// The notice letter this answers.
    pub notice_number: String,
    /// What the agency fixed.
    pub fixed_summary: String,
    /// When it was fixed.
    #[serde(serialize_with = "moment")]
    pub fixed_at: DateTime<Utc>,
    /// By whom.
    pub fixed_by: Person,
    /// Whether the CSIRT submitted the report on the agency's behalf.
    pub on_behalf: bool,
    /// Evidence given as text.
    pub evidence_text: Option<String>,
}

/// *Persetujuan Pengaktifan Kembali*: the Regional Secretary's decision under the SOP's
/// "more than 3 reports" rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReactivationApproval {
    /// The system concerned.
    pub system: SystemRef,
    /// The review minutes' number.
    pub review_number: String,
    /// Valid reports against the agency's systems.
    pub agency_valid_reports: u32,
    /// The threshold (3 in the SOP).
    #[serde(serialize_with = "counted")]
    pub threshold: u32,
    /// Whether reactivation is approved.
    pub approved: bool,
    /// The decision's notes.
    pub notes: String,
    /// When the decision was taken.
    #[serde(serialize_with = "moment")]
    pub decided_at: DateTime<Utc>,
    /// When the decision was recorded, printed as such.
    #[serde(serialize_with = "moment")]
    pub recorded_at: DateTime<Utc>,
}

/// One event of a ticket's life, for the dossier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// When.
    #[serde(serialize_with = "moment")]
    pub at: DateTime<Utc>,
    /// Who (name and role).
    pub actor: String,
    /// What happened.
    pub event: String,
}

/// A document issued for the ticket, with the hash stored at issue time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRef {
    /// Its kind, printed as its title.
    #[serde(serialize_with = "kind_title")]
    pub kind: DocumentKind,
    /// Its number.
    pub number: String,
    /// When it was issued.
    #[serde(serialize_with = "moment")]
    pub issued_at: DateTime<Utc>,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// The head of the audit chain when the dossier was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditHead {
    /// The sequence number of the last entry.
    pub sequence: u64,
    /// Its hash, lowercase hex.
    pub hash: String,
}

/// Step 10: *Berkas Tiket*, the ticket's whole file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dossier {
    /// The report's title (as a CSIRT summary).
    pub summary: String,
    /// The SOP level the criticality minutes set, if the report got that far.
    pub criticality: Option<sigap_core::Criticality>,
    /// The CVSS score of the criticality minutes, when one was given.
    #[serde(serialize_with = "crate::view::optional_cvss")]
    pub cvss: Option<sigap_core::CvssScore>,
    /// When the system was blocked, if it was.
    #[serde(serialize_with = "crate::view::optional_moment")]
    pub blocked_at: Option<DateTime<Utc>>,
    /// When the block was lifted, if it was.
    #[serde(serialize_with = "crate::view::optional_moment")]
    pub unblocked_at: Option<DateTime<Utc>>,
    /// The remediation rounds the agency went through (a "Belum" review opens another).
    #[serde(serialize_with = "counted")]
    pub rounds: u32,
    /// The system concerned.
    pub system: SystemRef,
    /// When the ticket was opened.
    #[serde(serialize_with = "moment")]
    pub opened_at: DateTime<Utc>,
    /// When it was closed.
    #[serde(serialize_with = "moment")]
    pub closed_at: DateTime<Utc>,
    /// How it ended, e.g. `Selesai: kerentanan diperbaiki, sistem aktif kembali`.
    pub outcome: String,
    /// The ticket's life, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Every document issued for the ticket, with its hash.
    pub documents: Vec<DocumentRef>,
    /// The head of the audit chain.
    pub audit_head: AuditHead,
}

/// *Sertifikat Apresiasi* for the reporter of a valid report who agreed to be credited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certificate {
    /// The reporter's name as they wish to be credited.
    pub recipient: String,
    /// What they are thanked for, e.g. "melaporkan kerentanan keamanan secara bertanggung
    /// jawab pada sistem elektronik Pemerintah Kota Batam".
    pub contribution: String,
    /// When the report was received.
    #[serde(serialize_with = "moment")]
    pub reported_at: DateTime<Utc>,
}
