//! The document model: everything one official document shows, as plain data. The app
//! builds a [`Document`] from a ticket's records at the moment a step is recorded; nothing
//! here reads a clock, a file or a setting.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigap_core::DocumentKind;

use crate::body::Body;

// An official who signs (or acknowledges) a document: the admins' settings name them and
// `KindOverride::try_from(&DocumentKindRequest)` checks them, so the type lives in `sigap_core`.
pub use sigap_core::Signer;

/// One official document, ready to be rendered by [`crate::render`].
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's number (*Nomor*), e.g. `000.6/12/BA/Diskominfo/2026`; see
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
    /// The body font, its size and the page margins.
    pub style: PageStyle,
    /// Who signs, in order; minutes may have several signers, letters have one.
    pub signers: Vec<Signer>,
    /// The official who acknowledges the minutes (*Mengetahui*), if any.
    pub acknowledged_by: Option<Signer>,
    /// The public verification link (`https://…/verify/{code}`), drawn as a QR code and
    /// printed as text; `None` when the server has no public address (a document never
    /// prints a loopback one), and then the QR code and the text carry the code alone.
    pub verify_url: Option<String>,
    /// The code of the verification link.
    pub verify_code: String,
    /// Whether the document is a draft: its kind has no configured signer, so it is signed
    /// by whoever recorded the step and must not look final. A draft says "DRAF —
    /// penandatangan belum diatur" in the header of every page and "DRAF" across it.
    pub draft: bool,
    /// Whether the document is a preview shown before the step that issues it: it says
    /// "PRATINJAU — belum diterbitkan, bukan naskah resmi" in the header of every page and
    /// "PRATINJAU" across it, and carries no verification link.
    pub preview: bool,
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

/// The body font, its size and the page margins: what each office's *Tata Naskah Dinas*
/// fixes. The default is the common rule of a Pemerintah Kota: Arial (here Liberation Sans,
/// with Arial's metrics) at 12 pt, margins of 2 cm with 3 cm on the left for binding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageStyle {
    pub font: BodyFont,
    /// The body text's size, in points (10 to 14).
    pub size_pt: f64,
    /// The margins, in centimetres (1 to 5 each).
    pub margin_top_cm: f64,
    pub margin_right_cm: f64,
    pub margin_bottom_cm: f64,
    pub margin_left_cm: f64,
}

impl Default for PageStyle {
    fn default() -> Self {
        Self {
            font: BodyFont::Sans,
            size_pt: 12.0,
            margin_top_cm: 2.0,
            margin_right_cm: 2.0,
            margin_bottom_cm: 2.0,
            margin_left_cm: 3.0,
        }
    }
}

impl PageStyle {
    /// The smallest and largest body size, in points.
    pub const SIZES: (f64, f64) = (10.0, 14.0);
    /// The smallest and largest margin, in centimetres.
    pub const MARGINS: (f64, f64) = (1.0, 5.0);

    /// Refuses sizes and margins outside [`Self::SIZES`] and [`Self::MARGINS`], naming the
    /// field.
    pub fn check(&self) -> Result<(), String> {
        let within = |v: f64, (lo, hi): (f64, f64)| v.is_finite() && (lo..=hi).contains(&v);
        if !within(self.size_pt, Self::SIZES) {
            return Err(format!(
                "`font_size` must be from {} to {} (points)",
                Self::SIZES.0,
                Self::SIZES.1
            ));
        }
        for (name, value) in [
            ("margin_top_cm", self.margin_top_cm),
            ("margin_right_cm", self.margin_right_cm),
            ("margin_bottom_cm", self.margin_bottom_cm),
            ("margin_left_cm", self.margin_left_cm),
        ] {
            if !within(value, Self::MARGINS) {
                return Err(format!(
                    "`{name}` must be from {} to {} (centimetres)",
                    Self::MARGINS.0,
                    Self::MARGINS.1
                ));
            }
        }
        Ok(())
    }
}

/// The embedded body fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BodyFont {
    /// Liberation Sans: Arial's metrics.
    #[serde(rename = "Liberation Sans")]
    Sans,
    /// Liberation Serif: Times New Roman's metrics.
    #[serde(rename = "Liberation Serif")]
    Serif,
}

impl BodyFont {
    /// The font's name, as settings write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sans => "Liberation Sans",
            Self::Serif => "Liberation Serif",
        }
    }

    /// Reads a font name; the metric-compatible commercial names are accepted too.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "liberation sans" | "arial" | "sans" => Some(Self::Sans),
            "liberation serif" | "times new roman" | "serif" => Some(Self::Serif),
            _ => None,
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
