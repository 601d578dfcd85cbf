//! The sections of each kind of document, as typed data. [`Body`] has one variant per
//! [`DocumentKind`], so a document's kind and its sections can never disagree. Each struct
//! serialises into the `body` object that the kind's template reads from `/data.json`;
//! dates are written there in WIB, already formatted in Indonesian (see [`crate::view`]).

mod letters;
mod minutes;
mod pdp;
mod records;
mod report;
mod retention;
mod sectoral;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigap_core::DocumentKind;

pub use crate::body::letters::{
    AgencyReport, Cited, FollowUpLetter, FurtherRound, NoticeLetter, Sifat,
};
pub use crate::body::minutes::{
    CriticalityMinutes, ReviewMinutes, ValidationMinutes, default_basis,
};
pub use crate::body::pdp::PdpNotice;
pub use crate::body::records::{
    Acknowledgement, AuditHead, Certificate, DocumentRef, Dossier, Probe, ReactivationApproval,
    RemediationReport, SystemAction, TimelineEntry,
};
pub use crate::body::report::{PeriodReport, ReportFigure, ReportTable, TicketLine, TicketList};
pub use crate::body::retention::{DestructionLine, DestructionMinutes};
pub use crate::body::sectoral::{BundleRef, SectoralReport};
use crate::view::moment;

/// The sections of one document; the variant is the document's kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// Step 1: *Tanda Terima Laporan*.
    Acknowledgement(Acknowledgement),
    /// Step 3: *Berita Acara Hasil Validasi Laporan*.
    BaValidation(ValidationMinutes),
    /// Step 4: *Berita Acara Penilaian Tingkat Kekritisan*.
    BaCriticality(CriticalityMinutes),
    /// Step 5: *Bukti Pemblokiran Sistem Elektronik*.
    BlockRecord(SystemAction),
    /// Step 6: *Laporan Hasil Validasi dan Tingkat Kekritisan*.
    AgencyReport(AgencyReport),
    /// Step 6: *Surat Pemberitahuan*.
    LetterNotice(NoticeLetter),
    /// Step 7: *Laporan Hasil Penanganan Kerentanan*.
    RemediationReport(RemediationReport),
    /// Step 8: *Surat Tindak Lanjut*.
    LetterFollowUp(FollowUpLetter),
    /// Step 9: *Berita Acara Hasil Rapat Internal*.
    BaReviewMeeting(ReviewMinutes),
    /// The Regional Secretary's *Persetujuan Pengaktifan Kembali*.
    ApprovalReactivation(ReactivationApproval),
    /// Step 10: *Bukti Pembukaan Blokir*.
    UnblockRecord(SystemAction),
    /// Step 10: *Berkas Tiket*.
    Dossier(Dossier),
    /// After closing: *Sertifikat Apresiasi*.
    Certificate(Certificate),
    /// *Laporan Bulanan/Triwulanan/Tahunan Penanganan Insiden Siber*.
    PeriodReport(PeriodReport),
    /// UU PDP Pasal 46: *Pemberitahuan Kegagalan Pelindungan Data Pribadi* to the data
    /// subjects.
    PdpNoticeSubjects(PdpNotice),
    /// The same notice to the supervisory authority.
    PdpNoticeAuthority(PdpNotice),
    /// Peraturan BSSN 1/2024: *Laporan Insiden Siber kepada CSIRT Sektoral*.
    SectoralReport(SectoralReport),
    /// Retention: *Berita Acara Pemusnahan Data*.
    DestructionRecord(DestructionMinutes),
}

impl Body {
    /// The kind of document these sections make.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Self::Acknowledgement(_) => DocumentKind::Acknowledgement,
            Self::BaValidation(_) => DocumentKind::BaValidation,
            Self::BaCriticality(_) => DocumentKind::BaCriticality,
            Self::BlockRecord(_) => DocumentKind::BlockRecord,
            Self::AgencyReport(_) => DocumentKind::AgencyReport,
            Self::LetterNotice(_) => DocumentKind::LetterNotice,
            Self::RemediationReport(_) => DocumentKind::RemediationReport,
            Self::LetterFollowUp(_) => DocumentKind::LetterFollowUp,
            Self::BaReviewMeeting(_) => DocumentKind::BaReviewMeeting,
            Self::ApprovalReactivation(_) => DocumentKind::ApprovalReactivation,
            Self::UnblockRecord(_) => DocumentKind::UnblockRecord,
            Self::Dossier(_) => DocumentKind::Dossier,
            Self::Certificate(_) => DocumentKind::Certificate,
            Self::PeriodReport(_) => DocumentKind::PeriodReport,
            Self::PdpNoticeSubjects(_) => DocumentKind::PdpNoticeSubjects,
            Self::PdpNoticeAuthority(_) => DocumentKind::PdpNoticeAuthority,
            Self::SectoralReport(_) => DocumentKind::SectoralReport,
            Self::DestructionRecord(_) => DocumentKind::DestructionRecord,
        }
    }

    /// The screenshots the document shows (block and unblock records only).
    pub fn screenshots(&self) -> &[Screenshot] {
        match self {
            Self::BlockRecord(record) | Self::UnblockRecord(record) => &record.screenshots,
            _ => &[],
        }
    }

    /// The charts the document shows, as SVG (the periodic report only).
    pub fn charts(&self) -> &[String] {
        match self {
            Self::PeriodReport(report) => &report.charts,
            _ => &[],
        }
    }
}

/// Whether a kind lists the evidence files. Letters go to the agency, the approval is the
/// Regional Secretary's and the certificate is the reporter's: none of them lists files.
pub fn shows_evidence(kind: DocumentKind) -> bool {
    !matches!(
        kind,
        DocumentKind::LetterNotice
            | DocumentKind::LetterFollowUp
            | DocumentKind::ApprovalReactivation
            | DocumentKind::Certificate
            | DocumentKind::PeriodReport
            | DocumentKind::PdpNoticeSubjects
            | DocumentKind::PdpNoticeAuthority
            | DocumentKind::SectoralReport
            | DocumentKind::DestructionRecord
    )
}

/// A person named in a document: a team member, an attendee, an officer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Full name with titles.
    pub name: String,
    /// Civil-servant number, when the person has one.
    pub nip: Option<String>,
    /// Role in this document, e.g. `Ketua Tim`, `Analis Keamanan Siber`, or the agency.
    pub role: String,
}

/// The electronic system a document is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemRef {
    /// The system's registered name, e.g. `Sistem Informasi Kependudukan`.
    pub name: String,
    /// Its address, e.g. `https://siak.batam.go.id`.
    pub url: String,
    /// The agency (*Perangkat Daerah*) that owns it.
    pub agency: String,
}

/// A meeting held for a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meeting {
    /// When it was held.
    #[serde(serialize_with = "moment")]
    pub held_at: DateTime<Utc>,
    /// Where it was held.
    pub place: String,
    /// Who attended.
    pub attendees: Vec<Person>,
    /// Whether the owning agency was invited.
    pub agency_invited: bool,
}

/// An image shown in a record, e.g. the block page as seen from outside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screenshot {
    /// What it shows.
    pub caption: String,
    /// PNG or JPEG bytes (at most [`crate::MAX_SCREENSHOTS`] per document).
    #[serde(skip)]
    pub image: Vec<u8>,
}
