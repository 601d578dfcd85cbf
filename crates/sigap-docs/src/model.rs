//! The document model: everything one official document shows, as plain data. The app
//! builds a [`Document`] from a ticket's records at the moment a step is recorded; nothing
//! here reads a clock, a file or a setting.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigap_core::DocumentKind;

use crate::body::Body;

// An official who signs (or acknowledges) a document: the admins' settings name them and
// `sigap_core::check_kind` checks them, so the type lives in `sigap_core`.
pub use sigap_core::Signer;

/// One official document, ready to be rendered by [`crate::render`].
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's number (*Nomor*), e.g. `BA-VAL/00012/BCSIRT/VIII/2026`; see
    /// [`crate::number`].
    pub number: String,
    /// The ticket the document belongs to, e.g. `BCSIRT-2026-00042`.
    pub ticket_number: String,
    /// The Traffic Light Protocol label printed in the header and footer of every page.
    pub tlp: Tlp,
    /// Where the document is signed, e.g. `Batam`.
    pub place: String,
    /// When the document is issued; shown as a WIB date (`12 Agustus 2026`).
    pub issued_at: DateTime<Utc>,
    /// The letterhead (*kop surat*).
    pub letterhead: Letterhead,
    /// Who signs, in order; minutes may have several signers, letters have one.
    pub signers: Vec<Signer>,
    /// The official who acknowledges the minutes (*Mengetahui*), if any.
    pub acknowledged_by: Option<Signer>,
    /// The public verification link (`https://…/verify/{code}`), drawn as a QR code and
    /// printed as text.
    pub verify_url: String,
    /// The sections of the document's kind; the kind follows from it.
    pub body: Body,
    /// Evidence files (name, size, SHA-256). Listed in minutes, records, reports and the
    /// acknowledgement; letters, the approval and the certificate leave them out.
    pub evidence: Vec<EvidenceItem>,
    /// The number of the document this one corrects, if it is a correction.
    pub replaces: Option<String>,
}

impl Document {
    /// The kind of document, as decided by its body.
    pub fn kind(&self) -> DocumentKind {
        self.body.kind()
    }
}

/// The letterhead (*kop surat*) at the top of the first page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letterhead {
    /// The heading lines, in capitals, e.g. `PEMERINTAH KOTA BATAM`.
    pub lines: Vec<String>,
    /// The address and contacts line.
    pub address: String,
    /// The logo, as PNG or JPEG bytes, drawn left of the heading lines.
    #[serde(skip)]
    pub logo_png: Option<Vec<u8>>,
}

impl Default for Letterhead {
    /// Diskominfo Kota Batam's letterhead, as the SOP gives it (no logo).
    fn default() -> Self {
        Self {
            lines: vec![
                "PEMERINTAH KOTA BATAM".to_owned(),
                "DINAS KOMUNIKASI DAN INFORMATIKA".to_owned(),
            ],
            address: "Jl. Engku Putri Nomor 1, Batam 29461, Telp. +62 778 8073194".to_owned(),
            logo_png: None,
        }
    }
}

/// One evidence file, identified by its hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceItem {
    /// The file's name as received (metadata only).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, in lowercase hex.
    pub sha256: String,
}

/// The Traffic Light Protocol 2.0 labels a ticket (and so each of its documents) can carry.
pub use sigap_core::Tlp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_letterhead_is_diskominfo_batams() {
        let letterhead = Letterhead::default();
        assert_eq!(letterhead.lines[0], "PEMERINTAH KOTA BATAM");
        assert_eq!(letterhead.lines[1], "DINAS KOMUNIKASI DAN INFORMATIKA");
        assert!(
            letterhead
                .address
                .contains("Jl. Engku Putri Nomor 1, Batam 29461")
        );
        assert!(letterhead.address.contains("+62 778 8073194"));
    }
}
