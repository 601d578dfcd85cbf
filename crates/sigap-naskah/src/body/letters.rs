//! What goes to the agency at step 6 (the report and the notice letter) and at step 8 (the
//! follow-up letter). These leave the CSIRT, so they carry a summary written by the CSIRT
//! and never the reporter's proof of concept: the types have no field that could hold it.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use sigap_core::{Criticality, CvssScore, Party, Recommendation};

use crate::body::SystemRef;
use crate::view::{counted, moment, optional_cvss, optional_moment};

/// How urgent a letter is (*sifat surat*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sifat {
    /// *Sangat Segera*: a high-criticality finding.
    SangatSegera,
    /// *Segera*: a low-criticality finding that still has a fix deadline.
    Segera,
    /// *Biasa*: routine.
    Biasa,
}

impl Sifat {
    /// The urgency that follows from the SOP level: high is *Sangat Segera*, low *Segera*.
    pub fn for_criticality(criticality: Criticality) -> Self {
        match criticality {
            Criticality::High => Self::SangatSegera,
            Criticality::Low => Self::Segera,
        }
    }

    /// As printed: `Sangat Segera`.
    pub fn label(self) -> &'static str {
        match self {
            Self::SangatSegera => "Sangat Segera",
            Self::Segera => "Segera",
            Self::Biasa => "Biasa",
        }
    }
}

impl Serialize for Sifat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

/// Step 6: *Laporan Hasil Validasi dan Tingkat Kekritisan*, sent with the notice letter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyReport {
    /// The notice letter this report is the attachment (*lampiran*) of.
    pub letter: Option<Cited>,
    /// The system concerned.
    pub system: SystemRef,
    /// When the report was received.
    #[serde(serialize_with = "moment")]
    pub reported_at: DateTime<Utc>,
    /// The validation minutes' number.
    pub validation_number: String,
    /// The criticality minutes' number.
    pub criticality_number: String,
    /// The type of vulnerability (CWE or plain words).
    pub vulnerability_type: String,
    /// A summary of the finding written by the CSIRT, without exploit detail.
    pub finding_summary: String,
    /// The possible impact.
    pub impact: String,
    /// The SOP level.
    pub criticality: Criticality,
    /// The CVSS score, when one was given.
    #[serde(serialize_with = "optional_cvss")]
    pub cvss: Option<CvssScore>,
    /// When the system was blocked, if it was.
    #[serde(serialize_with = "optional_moment")]
    pub blocked_at: Option<DateTime<Utc>>,
    /// The recommended fixes, one per item.
    pub recommended_fixes: Vec<String>,
    /// The fix deadline.
    #[serde(serialize_with = "moment")]
    pub fix_deadline: DateTime<Utc>,
    /// The recommendation about the ASN or unit concerned.
    pub recommendation: Recommendation,
    /// Whom a warning or sanction concerns.
    pub concerns: Option<String>,
    /// Whether `concerns` names civil servants (ASN discipline) or a third-party vendor
    /// (the contract).
    pub concerns_party: Party,
}

/// Step 6: *Surat Pemberitahuan* to the head of the agency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeLetter {
    /// Urgency; see [`Sifat::for_criticality`].
    pub sifat: Sifat,
    /// Attachments, e.g. `1 (satu) berkas`.
    pub lampiran: String,
    /// Subject (*Hal*).
    pub hal: String,
    /// The agency addressed ("Yth. Kepala {agency}").
    pub agency: String,
    /// Where the addressee is (`Batam`; printed after "di").
    pub agency_place: String,
    /// The system concerned.
    pub system: SystemRef,
    /// When the report was received.
    #[serde(serialize_with = "moment")]
    pub reported_at: DateTime<Utc>,
    /// A summary of the finding written by the CSIRT, without exploit detail.
    pub finding_summary: String,
    /// The SOP level.
    pub criticality: Criticality,
    /// The CVSS score, when one was given.
    #[serde(serialize_with = "optional_cvss")]
    pub cvss: Option<CvssScore>,
    /// When the system was blocked, if it was.
    #[serde(serialize_with = "optional_moment")]
    pub blocked_at: Option<DateTime<Utc>>,
    /// The recommended fixes, one per item.
    pub recommended_fixes: Vec<String>,
    /// Days given to fix (7 in the SOP).
    #[serde(serialize_with = "counted")]
    pub fix_days: u32,
    /// The fix deadline.
    #[serde(serialize_with = "moment")]
    pub fix_deadline: DateTime<Utc>,
    /// How to report the fix, as the end of the sentence "Hasil perbaikan agar dilaporkan
    /// …": e.g. `melalui portal BATAM-CSIRT (https://…/tickets/…) dengan melampirkan bukti
    /// perbaikan.`
    pub how_to_report: String,
    /// The recommendation about the ASN or unit concerned (a recommendation only).
    pub recommendation: Recommendation,
    /// Whom a warning or sanction concerns.
    pub concerns: Option<String>,
    /// Whether `concerns` names civil servants (ASN discipline) or a third-party vendor
    /// (the contract).
    pub concerns_party: Party,
    /// Copies (*tembusan*).
    pub tembusan: Vec<String>,
    /// For a further round (a review found the fix not done, or the Regional Secretary
    /// refused the reactivation): what the letter follows up; `None` for the first notice.
    pub further: Option<Box<FurtherRound>>,
}

/// A document cited by another: its kind's title, number and date of issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cited {
    /// The kind's title, e.g. `Berita Acara Hasil Rapat Internal`.
    pub title: String,
    /// Its number.
    pub number: String,
    /// When it was issued.
    #[serde(serialize_with = "moment")]
    pub issued_at: DateTime<Utc>,
}

/// What a notice letter of a further round rests on: the round that ended without a fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FurtherRound {
    /// The round the letter opens (2 for the second).
    pub round: u32,
    /// The notice letter of the round before.
    pub previous_notice: Cited,
    /// The follow-up letter of the round before, if one was sent.
    pub previous_follow_up: Option<Cited>,
    /// The document that found the fix not done: the review minutes ("Belum") or the
    /// Regional Secretary's refusal of the reactivation.
    pub decided_by: Cited,
    /// What that document found, in the CSIRT's words.
    pub finding: String,
}

/// Step 8: *Surat Tindak Lanjut*, citing the notice letter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpLetter {
    /// Urgency.
    pub sifat: Sifat,
    /// Attachments, e.g. `-`.
    pub lampiran: String,
    /// Subject (*Hal*).
    pub hal: String,
    /// The agency addressed.
    pub agency: String,
    /// Where the addressee is.
    pub agency_place: String,
    /// The system concerned.
    pub system: SystemRef,
    /// The notice letter's number.
    pub notice_number: String,
    /// The notice letter's date.
    #[serde(serialize_with = "moment")]
    pub notice_date: DateTime<Utc>,
    /// When the agency's remediation report was received.
    #[serde(serialize_with = "moment")]
    pub remediation_received_at: DateTime<Utc>,
    /// The follow-up result, written by the CSIRT.
    pub content: String,
    /// In a further round, the letters and minutes of the rounds before, oldest first.
    pub earlier: Vec<Cited>,
    /// What happens next (the internal review meeting).
    pub next_step: String,
    /// Copies (*tembusan*).
    pub tembusan: Vec<String>,
}
