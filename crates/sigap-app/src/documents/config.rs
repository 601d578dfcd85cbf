//! The parts of the official documents that no regulation fixes and each office sets for
//! itself: the letterhead (lines, address, logo), the place of signing, the signers of each
//! kind (with a "Mengetahui" signer where the kind has one), the number pattern of each kind
//! and the *tembusan* (copies) lists of the letters. Read from a TOML file at start
//! (`SIGAP_DOCUMENTS_FILE`); anything left out keeps the SOP's defaults, and a kind without
//! configured signers is signed by the staff member who records the step and issued as a
//! draft. `serve --demo` without a file uses [`DocumentConfig::demo`].
//!
//! Settings are checked as a whole when read: unknown kinds and keys and malformed
//! patterns are refused with a message naming the key. Kinds that share a pattern share
//! one agenda, a single series of numbers (see `docs/numbering.md`).
//!
//! An admin may change them on the settings page: `settings` keeps the changed settings in
//! the database as the JSON of [`DocumentConfig::to_json`] (the logo as base64), read back
//! with [`DocumentConfig::from_json`] and checked the same way.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sigap_core::DocumentKind;
use sigap_naskah::{BodyFont, Letterhead, PageStyle, Signer};

pub use sigap_core::overrides::KindOverride;

/// The document settings in force, already checked.
#[derive(Debug, Clone)]
pub struct DocumentConfig {
    /// Where documents are signed: `Batam` in `Batam, 12 Agustus 2026`.
    pub place: String,
    pub letterhead: Letterhead,
    /// The body font, its size and the margins.
    pub page: PageStyle,
    /// A letterhead of its own for a kind another unit issues (the Regional Secretary's
    /// approval on the Sekretariat Daerah's); the others use `letterhead`.
    letterheads: BTreeMap<DocumentKind, Letterhead>,
    signers: BTreeMap<DocumentKind, Vec<Signer>>,
    acknowledged_by: BTreeMap<DocumentKind, Signer>,
    patterns: BTreeMap<DocumentKind, String>,
    tembusan: BTreeMap<DocumentKind, Vec<String>>,
}

impl Default for DocumentConfig {
    fn default() -> Self {
        Self {
            place: "Batam".to_owned(),
            letterhead: Letterhead::default(),
            page: PageStyle::default(),
            letterheads: BTreeMap::new(),
            signers: BTreeMap::new(),
            acknowledged_by: BTreeMap::new(),
            patterns: BTreeMap::new(),
            tembusan: BTreeMap::new(),
        }
    }
}

/// The file's shape: every table optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SettingsFile {
    place: Option<String>,
    letterhead: Option<LetterheadFile>,
    page: Option<PageFile>,
    letterheads: BTreeMap<String, LetterheadFile>,
    signers: BTreeMap<String, Vec<SignerFile>>,
    acknowledged_by: BTreeMap<String, SignerFile>,
    patterns: BTreeMap<String, String>,
    tembusan: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LetterheadFile {
    lines: Vec<String>,
    address: String,
    /// A PNG or JPEG file, relative to the settings file.
    logo: Option<String>,
}

/// `[page]`: the body font, its size and the margins; what is left out keeps the default.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct PageFile {
    font: Option<String>,
    font_size: Option<f64>,
    margin_top_cm: Option<f64>,
    margin_right_cm: Option<f64>,
    margin_bottom_cm: Option<f64>,
    margin_left_cm: Option<f64>,
}

impl PageFile {
    fn of(style: &PageStyle) -> Self {
        Self {
            font: Some(style.font.name().to_owned()),
            font_size: Some(style.size_pt),
            margin_top_cm: Some(style.margin_top_cm),
            margin_right_cm: Some(style.margin_right_cm),
            margin_bottom_cm: Some(style.margin_bottom_cm),
            margin_left_cm: Some(style.margin_left_cm),
        }
    }

    fn style(self) -> Result<PageStyle, String> {
        let default = PageStyle::default();
        let font = match self.font {
            Some(name) => BodyFont::parse(&name).ok_or_else(|| {
                format!(
                    "[page] `font` must be \"{}\" or \"{}\" (not {name:?})",
                    BodyFont::Sans.name(),
                    BodyFont::Serif.name()
                )
            })?,
            None => default.font,
        };
        let style = PageStyle {
            font,
            size_pt: self.font_size.unwrap_or(default.size_pt),
            margin_top_cm: self.margin_top_cm.unwrap_or(default.margin_top_cm),
            margin_right_cm: self.margin_right_cm.unwrap_or(default.margin_right_cm),
            margin_bottom_cm: self.margin_bottom_cm.unwrap_or(default.margin_bottom_cm),
            margin_left_cm: self.margin_left_cm.unwrap_or(default.margin_left_cm),
        };
        style.check().map_err(|e| format!("[page] {e}"))?;
        Ok(style)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SignerFile {
    position: String,
    name: String,
    rank: Option<String>,
    nip: Option<String>,
    /// Kept since signing from sigap; older rows have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
}

impl From<&Signer> for SignerFile {
    fn from(s: &Signer) -> SignerFile {
        SignerFile {
            position: s.position.clone(),
            name: s.name.clone(),
            rank: s.rank.clone(),
            nip: s.nip.clone(),
            user: s.user.clone(),
        }
    }
}

/// A kind's own letterhead as the database keeps it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct StoredLetterhead {
    lines: Vec<String>,
    address: String,
    logo_png: Option<String>,
}

/// The settings as the database keeps them: everything explicit, the logo as base64.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    place: String,
    lines: Vec<String>,
    address: String,
    logo_png: Option<String>,
    /// Kept since the page style became configurable; older rows have none.
    #[serde(default)]
    page: Option<PageFile>,
    /// Kept since kinds may have letterheads of their own; older rows have none.
    #[serde(default)]
    letterheads: BTreeMap<String, StoredLetterhead>,
    signers: BTreeMap<String, Vec<SignerFile>>,
    acknowledged_by: BTreeMap<String, SignerFile>,
    patterns: BTreeMap<String, String>,
    tembusan: BTreeMap<String, Vec<String>>,
}

impl From<SignerFile> for Signer {
    fn from(s: SignerFile) -> Signer {
        Signer {
            position: s.position,
            name: s.name,
            rank: s.rank.filter(|r| !r.trim().is_empty()),
            nip: s.nip.filter(|n| !n.trim().is_empty()),
            user: s
                .user
                .map(|u| u.trim().to_lowercase())
                .filter(|u| !u.is_empty()),
        }
    }
}

/// Reads a kind named in the file (`ba_validation`, `letter_notice`, ...).
fn kind_of(table: &str, name: &str) -> Result<DocumentKind, String> {
    name.parse::<DocumentKind>().map_err(|_| {
        format!(
            "[{table}] `{name}` is not a document kind (one of: {})",
            DocumentKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn keyed_result<T, U>(
    table: &str,
    entries: BTreeMap<String, T>,
    convert: impl Fn(T) -> Result<U, String>,
) -> Result<BTreeMap<DocumentKind, U>, String> {
    entries
        .into_iter()
        .map(|(name, value)| Ok((kind_of(table, &name)?, convert(value)?)))
        .collect()
}

fn keyed<T, U>(
    table: &str,
    entries: BTreeMap<String, T>,
    convert: impl Fn(T) -> U,
) -> Result<BTreeMap<DocumentKind, U>, String> {
    keyed_result(table, entries, |value| Ok(convert(value)))
}

impl DocumentConfig {
    /// The settings of `serve --demo`: `docs/documents.demo.toml` and its demo crest, built
    /// into the binary. Every kind has its signers with rank and NIP, the minutes their
    /// *Mengetahui* and the letters their copies, so that the demo issues nothing as a draft.
    pub fn demo() -> Result<Self, String> {
        const TEXT: &str = include_str!("../../../../docs/documents.demo.toml");
        const CREST: &[u8] = include_bytes!("../../../../docs/demo-crest.png");
        let without_logo: Vec<&str> = TEXT
            .lines()
            .filter(|line| !line.trim_start().starts_with("logo ="))
            .collect();
        let mut settings = Self::from_toml(&without_logo.join("\n"), &no_files)
            .map_err(|e| format!("the demo's document settings: {e}"))?;
        check_logo(CREST).map_err(|e| format!("the demo's crest {e}"))?;
        settings.letterhead.logo_png = Some(CREST.to_vec());
        for head in settings.letterheads.values_mut() {
            head.logo_png = Some(CREST.to_vec());
        }
        Ok(settings)
    }

    /// The kinds without configured signers: their documents are issued as drafts.
    pub fn draft_kinds(&self) -> Vec<DocumentKind> {
        DocumentKind::ALL
            .iter()
            .copied()
            .filter(|kind| self.signers(*kind).is_none())
            .collect()
    }

    /// Parses and checks settings written in TOML; `read` gives the bytes of a logo the
    /// text names (the binary reads it beside the file; this crate reads no file).
    pub fn from_toml(text: &str, read: ReadFile<'_>) -> Result<Self, String> {
        let file: SettingsFile =
            toml::from_str(text).map_err(|e| sigap_block::profiles::toml_error(text, &e))?;
        let mut settings = Self::default();
        if let Some(place) = file.place.filter(|p| !p.trim().is_empty()) {
            settings.place = place;
        }
        if let Some(head) = file.letterhead {
            settings.letterhead = letterhead(head, read)?;
        }
        if let Some(page) = file.page {
            settings.page = page.style()?;
        }
        let mut letterheads = BTreeMap::new();
        for (name, head) in file.letterheads {
            let kind = kind_of("letterheads", &name)?;
            letterheads.insert(
                kind,
                letterhead(head, read)
                    .map_err(|e| e.replace("[letterhead]", &format!("[letterheads.{name}]")))?,
            );
        }
        settings.letterheads = letterheads;
        settings.signers = keyed("signers", file.signers, |list| {
            list.into_iter().map(Signer::from).collect()
        })?;
        settings.acknowledged_by = keyed("acknowledged_by", file.acknowledged_by, Signer::from)?;
        settings.patterns = keyed("patterns", file.patterns, |p| p)?;
        settings.tembusan = keyed("tembusan", file.tembusan, |list| list)?;
        settings.check_patterns()?;
        Ok(settings)
    }

    /// Every kind's pattern must be well formed, with its running number and its year.
    /// Kinds may share a pattern: they then share one agenda (one series of numbers).
    fn check_patterns(&self) -> Result<(), String> {
        for kind in DocumentKind::ALL {
            sigap_naskah::check_pattern(self.pattern(*kind))
                .map_err(|e| format!("[patterns] {}: {e}", kind.as_str()))?;
        }
        Ok(())
    }

    /// The kinds numbered from the same agenda as `kind` (itself included), in the SOP's
    /// order.
    pub fn series_kinds(&self, kind: DocumentKind) -> Vec<DocumentKind> {
        let scope = sigap_naskah::series_scope(self.pattern(kind));
        DocumentKind::ALL
            .iter()
            .copied()
            .filter(|&other| sigap_naskah::series_scope(self.pattern(other)) == scope)
            .collect()
    }

    /// The number pattern of `kind`.
    pub fn pattern(&self, kind: DocumentKind) -> &str {
        self.patterns
            .get(&kind)
            .map_or_else(|| sigap_naskah::default_pattern(kind), String::as_str)
    }

    /// The letterhead of `kind`'s own, when it has one.
    pub fn own_letterhead(&self, kind: DocumentKind) -> Option<&Letterhead> {
        self.letterheads.get(&kind)
    }

    /// The letterhead a document of `kind` is printed on: its own, or the office's.
    pub fn letterhead_for(&self, kind: DocumentKind) -> &Letterhead {
        self.letterheads.get(&kind).unwrap_or(&self.letterhead)
    }

    /// The configured signers of `kind`, if any.
    pub fn signers(&self, kind: DocumentKind) -> Option<&[Signer]> {
        self.signers
            .get(&kind)
            .map(Vec::as_slice)
            .filter(|s| !s.is_empty())
    }

    /// The "Mengetahui" signer of `kind`, if one is configured.
    pub fn acknowledged_by(&self, kind: DocumentKind) -> Option<&Signer> {
        self.acknowledged_by.get(&kind)
    }

    /// The copies (*tembusan*) of a letter of `kind`.
    pub fn tembusan(&self, kind: DocumentKind) -> Vec<String> {
        self.tembusan.get(&kind).cloned().unwrap_or_default()
    }

    /// Whether `kind` has a pattern of its own (not the default).
    pub fn has_own_pattern(&self, kind: DocumentKind) -> bool {
        self.patterns.contains_key(&kind)
    }

    /// The settings as the database keeps them.
    pub fn to_json(&self) -> serde_json::Value {
        let named = |kind: &DocumentKind| kind.as_str().to_owned();
        let stored = Stored {
            place: self.place.clone(),
            lines: self.letterhead.lines.clone(),
            address: self.letterhead.address.clone(),
            logo_png: self.letterhead.logo_png.as_ref().map(|b| BASE64.encode(b)),
            page: Some(PageFile::of(&self.page)),
            letterheads: self
                .letterheads
                .iter()
                .map(|(k, head)| {
                    (
                        named(k),
                        StoredLetterhead {
                            lines: head.lines.clone(),
                            address: head.address.clone(),
                            logo_png: head.logo_png.as_ref().map(|b| BASE64.encode(b)),
                        },
                    )
                })
                .collect(),
            signers: self
                .signers
                .iter()
                .map(|(k, list)| (named(k), list.iter().map(SignerFile::from).collect()))
                .collect(),
            acknowledged_by: self
                .acknowledged_by
                .iter()
                .map(|(k, s)| (named(k), SignerFile::from(s)))
                .collect(),
            patterns: self
                .patterns
                .iter()
                .map(|(k, p)| (named(k), p.clone()))
                .collect(),
            tembusan: self
                .tembusan
                .iter()
                .map(|(k, t)| (named(k), t.clone()))
                .collect(),
        };
        serde_json::to_value(stored).unwrap_or_default()
    }

    /// Reads and checks the settings the database keeps.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let stored: Stored = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        let logo_png = stored_logo(stored.logo_png, "letterhead")?;
        let settings = Self {
            place: stored.place,
            letterhead: Letterhead {
                lines: stored.lines,
                address: stored.address,
                logo_png,
            },
            page: stored.page.unwrap_or_default().style()?,
            letterheads: keyed_result("letterheads", stored.letterheads, |head| {
                Ok(Letterhead {
                    lines: head.lines,
                    address: head.address,
                    logo_png: stored_logo(head.logo_png, "letterheads")?,
                })
            })?,
            signers: keyed("signers", stored.signers, |list| {
                list.into_iter().map(Signer::from).collect()
            })?,
            acknowledged_by: keyed("acknowledged_by", stored.acknowledged_by, Signer::from)?,
            patterns: keyed("patterns", stored.patterns, |p| p)?,
            tembusan: keyed("tembusan", stored.tembusan, |t| t)?,
        };
        // Stored before `{year}` was required, a pattern only has to number.
        for kind in DocumentKind::ALL {
            sigap_naskah::number(settings.pattern(*kind), 1, chrono::DateTime::UNIX_EPOCH)
                .map_err(|e| format!("[patterns] {}: {e}", kind.as_str()))?;
        }
        Ok(settings)
    }

    /// These settings with another place of signing and letterhead. `logo`: `None` keeps
    /// the logo, `Some(None)` removes it, `Some(Some(bytes))` replaces it (a PNG or JPEG of
    /// at most 2 MiB).
    pub fn with_letterhead(
        &self,
        place: String,
        lines: Vec<String>,
        address: String,
        logo: Option<Option<Vec<u8>>>,
    ) -> Result<Self, String> {
        if lines.iter().all(|l| l.trim().is_empty()) {
            return Err("the letterhead needs at least one line".to_owned());
        }
        let logo_png = match logo {
            None => self.letterhead.logo_png.clone(),
            Some(None) => None,
            Some(Some(bytes)) => {
                check_logo(&bytes)?;
                Some(bytes)
            }
        };
        let mut changed = self.clone();
        changed.place = place;
        changed.letterhead = Letterhead {
            lines,
            address,
            logo_png,
        };
        Ok(changed)
    }

    /// These settings with `kind` set as `new` says; the pattern is checked first. A pattern
    /// another kind uses puts both in one agenda.
    pub fn with_kind(&self, kind: DocumentKind, new: KindOverride) -> Result<Self, String> {
        let mut changed = self.clone();
        match new.pattern.filter(|p| !p.trim().is_empty()) {
            Some(pattern) => {
                sigap_naskah::check_pattern(pattern.trim()).map_err(|e| e.to_string())?;
                changed.patterns.insert(kind, pattern.trim().to_owned());
            }
            None => {
                changed.patterns.remove(&kind);
            }
        }
        changed.check_patterns()?;
        if new.signers.is_empty() {
            changed.signers.remove(&kind);
        } else {
            changed.signers.insert(kind, new.signers);
        }
        match new.acknowledged_by {
            Some(signer) => changed.acknowledged_by.insert(kind, signer),
            None => changed.acknowledged_by.remove(&kind),
        };
        if new.tembusan.is_empty() {
            changed.tembusan.remove(&kind);
        } else {
            changed.tembusan.insert(kind, new.tembusan);
        }
        Ok(changed)
    }
}

/// A logo as the database keeps it (base64), checked by its signature only, so that
/// settings kept by an older version still read; a logo over the decoding limits fails its
/// render.
fn stored_logo(text: Option<String>, table: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(text) = text else {
        return Ok(None);
    };
    let bytes = BASE64
        .decode(text)
        .map_err(|e| format!("[{table}] logo: {e}"))?;
    check_logo_type(&bytes).map_err(|e| format!("[{table}] logo {e}"))?;
    Ok(Some(bytes))
}

fn letterhead(head: LetterheadFile, read: ReadFile<'_>) -> Result<Letterhead, String> {
    if head.lines.iter().all(|l| l.trim().is_empty()) {
        return Err("[letterhead] `lines` needs at least one line".to_owned());
    }
    let logo_png = match head.logo {
        Some(logo) => Some(read_logo(&logo, read)?),
        None => None,
    };
    Ok(Letterhead {
        lines: head.lines,
        address: head.address,
        logo_png,
    })
}

/// How a logo named in the settings is read: its name as written in, its bytes or why not
/// out.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, String>;

/// The reader of a text that names no file: any name is refused.
pub fn no_files(name: &str) -> Result<Vec<u8>, String> {
    Err(format!("cannot read `{name}`: no files are read here"))
}

/// A logo must be a PNG or JPEG image of reasonable size.
fn read_logo(name: &str, read: ReadFile<'_>) -> Result<Vec<u8>, String> {
    let bytes = read(name).map_err(|e| format!("[letterhead] cannot read logo {name}: {e}"))?;
    check_logo(&bytes).map_err(|e| format!("[letterhead] logo {name} {e}"))?;
    Ok(bytes)
}

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// Refuses a logo that is not a PNG or JPEG image (sniffed from its bytes) of at most
/// [`MAX_LOGO_BYTES`], or that would not decode within the limits of
/// `sigap_naskah::images`: typst decodes it in every document.
pub fn check_logo(bytes: &[u8]) -> Result<(), String> {
    check_logo_type(bytes)?;
    sigap_naskah::images::typst_cost(bytes)
        .map_err(|e| format!("must decode within the limits: {e}"))?;
    Ok(())
}

fn check_logo_type(bytes: &[u8]) -> Result<(), String> {
    let kind = infer::get(bytes).map(|k| k.mime_type());
    if !matches!(kind, Some("image/png" | "image/jpeg")) || bytes.len() > MAX_LOGO_BYTES {
        return Err("must be a PNG or JPEG image of at most 2 MiB".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_style_is_read_checked_and_kept() {
        let settings = DocumentConfig::from_toml(
            "[page]\nfont = \"Times New Roman\"\nfont_size = 11.5\nmargin_left_cm = 4\n",
            &no_files,
        )
        .unwrap();
        assert_eq!(settings.page.font, BodyFont::Serif);
        assert!((settings.page.size_pt - 11.5).abs() < f64::EPSILON);
        assert!((settings.page.margin_left_cm - 4.0).abs() < f64::EPSILON);
        assert!((settings.page.margin_top_cm - 2.0).abs() < f64::EPSILON);
        let again = DocumentConfig::from_json(&settings.to_json()).unwrap();
        assert_eq!(again.page, settings.page);
        for (text, named) in [
            ("[page]\nfont = \"Comic Sans\"\n", "`font`"),
            ("[page]\nfont_size = 30\n", "`font_size`"),
            ("[page]\nmargin_right_cm = 0.2\n", "`margin_right_cm`"),
            ("[page]\ncolour = \"red\"\n", "colour"),
        ] {
            let error = DocumentConfig::from_toml(text, &no_files).unwrap_err();
            assert!(error.contains(named), "{text}: {error}");
        }
        // Settings kept before the page style existed read with the default one.
        let mut old = DocumentConfig::default().to_json();
        old.as_object_mut().unwrap().remove("page");
        assert_eq!(
            DocumentConfig::from_json(&old).unwrap().page,
            PageStyle::default()
        );
    }

    #[test]
    fn the_demo_settings_sign_every_kind_as_an_office_would() {
        let demo = DocumentConfig::demo().unwrap();
        assert!(demo.draft_kinds().is_empty());
        for kind in DocumentKind::ALL {
            for signer in demo.signers(*kind).unwrap() {
                assert!(signer.rank.is_some(), "{kind:?}: {signer:?}");
                let nip = signer.nip.as_deref().unwrap_or("");
                assert!(
                    nip.len() == 18 && nip.bytes().all(|b| b.is_ascii_digit()),
                    "{kind:?}: {signer:?}"
                );
            }
        }
        for kind in [
            DocumentKind::BaValidation,
            DocumentKind::BaCriticality,
            DocumentKind::BaReviewMeeting,
        ] {
            assert!(demo.acknowledged_by(kind).is_some(), "{kind:?}");
        }
        assert!(!demo.tembusan(DocumentKind::LetterNotice).is_empty());
        // The Regional Secretary's approval is printed on the Sekretariat Daerah's letterhead.
        assert!(
            demo.letterhead_for(DocumentKind::ApprovalReactivation)
                .lines
                .contains(&"SEKRETARIAT DAERAH".to_owned())
        );
        assert_eq!(
            demo.letterhead_for(DocumentKind::LetterNotice).lines,
            demo.letterhead.lines
        );
        assert!(demo.letterhead.logo_png.is_some());
        // The file reads the same from disk, its crest beside it.
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/documents.demo.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let beside = |name: &str| {
            std::fs::read(path.parent().unwrap().join(name)).map_err(|e| e.to_string())
        };
        let from_file = DocumentConfig::from_toml(&text, &beside).unwrap();
        assert_eq!(from_file.to_json(), demo.to_json());
        assert!(DocumentConfig::default().draft_kinds().len() == DocumentKind::ALL.len());
    }

    #[test]
    fn the_example_file_is_valid_and_applied() {
        let text = include_str!("../../../../docs/documents.example.toml");
        let s = DocumentConfig::from_toml(text, &no_files).unwrap();
        assert_eq!(s.place, "Batam");
        assert_eq!(
            s.pattern(DocumentKind::LetterNotice),
            "000.6.3/{n}/Diskominfo/{year}"
        );
        // Both letters come from one agenda; the other kinds keep their defaults.
        assert_eq!(
            s.series_kinds(DocumentKind::LetterFollowUp),
            [DocumentKind::LetterNotice, DocumentKind::LetterFollowUp]
        );
        let signers = s.signers(DocumentKind::LetterNotice).unwrap();
        assert!(signers[0].nip.is_some());
        assert!(!s.tembusan(DocumentKind::LetterNotice).is_empty());
        assert!(s.acknowledged_by(DocumentKind::BaReviewMeeting).is_some());
    }

    #[test]
    fn kinds_with_one_pattern_share_an_agenda() {
        let text =
            "[patterns]\nba_validation = \"X/{n}/{year}\"\nba_criticality = \"X/{n}/{year}\"\n";
        let s = DocumentConfig::from_toml(text, &no_files).unwrap();
        assert_eq!(
            s.series_kinds(DocumentKind::BaCriticality),
            [DocumentKind::BaValidation, DocumentKind::BaCriticality]
        );
        // By default the Dinas's minutes share one agenda, the approval has its own.
        let d = DocumentConfig::default();
        assert_eq!(d.series_kinds(DocumentKind::BaValidation).len(), 6);
        assert_eq!(
            d.series_kinds(DocumentKind::ApprovalReactivation),
            [DocumentKind::ApprovalReactivation]
        );
    }

    #[test]
    fn unknown_kinds_and_bad_patterns_are_named() {
        let err =
            DocumentConfig::from_toml("[patterns]\nmemo = \"M/{seq}\"\n", &no_files).unwrap_err();
        assert!(err.contains("`memo`"), "{err}");
        let err = DocumentConfig::from_toml("[patterns]\ndossier = \"B/{year}\"\n", &no_files)
            .unwrap_err();
        assert!(err.contains("[patterns]"), "{err}");
        let err =
            DocumentConfig::from_toml("[patterns]\ndossier = \"B/{n}\"\n", &no_files).unwrap_err();
        assert!(err.contains("dossier") && err.contains("{year}"), "{err}");
        let err = DocumentConfig::from_toml("colour = \"red\"\n", &no_files).unwrap_err();
        assert!(err.contains("colour"), "{err}");
        // The parser's message is empty here; the error still says where.
        let err = DocumentConfig::from_toml("place = \"Batam\"\n# a\0", &no_files).unwrap_err();
        assert_eq!(err, "line 2, column 4: this is not valid TOML");
    }

    #[test]
    fn the_stored_json_reads_back_the_same_settings() {
        let text = include_str!("../../../../docs/documents.example.toml");
        let mut s = DocumentConfig::from_toml(text, &no_files).unwrap();
        s.letterhead.logo_png = Some(vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']);
        let back = DocumentConfig::from_json(&s.to_json()).unwrap();
        assert_eq!(back.to_json(), s.to_json());
        assert_eq!(back.letterhead, s.letterhead);
        assert_eq!(
            back.signers(DocumentKind::LetterNotice),
            s.signers(DocumentKind::LetterNotice)
        );
        let mut forged = s.to_json();
        forged["logo_png"] = serde_json::json!("PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+");
        assert!(
            DocumentConfig::from_json(&forged).is_err(),
            "markup is no logo"
        );
    }

    #[test]
    fn a_kind_changed_alone_keeps_the_others_and_may_join_another_agenda() {
        let s = DocumentConfig::default();
        let changed = s
            .with_kind(
                DocumentKind::LetterNotice,
                KindOverride {
                    pattern: Some(" 000.6.3/{n}/Diskominfo/{year} ".to_owned()),
                    tembusan: vec!["Wali Kota Batam".to_owned()],
                    ..KindOverride::default()
                },
            )
            .unwrap();
        assert_eq!(
            changed.pattern(DocumentKind::LetterNotice),
            "000.6.3/{n}/Diskominfo/{year}"
        );
        assert!(changed.has_own_pattern(DocumentKind::LetterNotice));
        assert!(!changed.has_own_pattern(DocumentKind::BaValidation));
        // The follow-up letter keeps the default and so leaves the notice's agenda.
        assert_eq!(
            changed.series_kinds(DocumentKind::LetterNotice),
            [DocumentKind::LetterNotice]
        );
        let minutes = sigap_naskah::default_pattern(DocumentKind::BaValidation).to_owned();
        let joined = changed
            .with_kind(
                DocumentKind::LetterNotice,
                KindOverride {
                    pattern: Some(minutes),
                    ..KindOverride::default()
                },
            )
            .unwrap();
        assert_eq!(joined.series_kinds(DocumentKind::LetterNotice).len(), 7);
        let err = changed
            .with_kind(
                DocumentKind::LetterNotice,
                KindOverride {
                    pattern: Some("000.6/{n}/Diskominfo".to_owned()),
                    ..KindOverride::default()
                },
            )
            .unwrap_err();
        assert!(err.contains("{year}"), "{err}");
        let back = changed
            .with_kind(DocumentKind::LetterNotice, KindOverride::default())
            .unwrap();
        assert!(!back.has_own_pattern(DocumentKind::LetterNotice));
        assert!(back.tembusan(DocumentKind::LetterNotice).is_empty());
    }

    #[test]
    fn a_logo_must_be_an_image() {
        let dir = std::env::temp_dir().join(format!("sigap-logo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("logo.png"), b"<svg onload=alert(1)>").unwrap();
        let text = "[letterhead]\nlines = [\"A\"]\naddress = \"B\"\nlogo = \"logo.png\"\n";
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| e.to_string());
        let err = DocumentConfig::from_toml(text, &read).unwrap_err();
        assert!(err.contains("PNG or JPEG"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_logo_too_large_once_decoded_is_refused() {
        // A few kilobytes of PNG, 309 MiB for typst to decode and write.
        let mut png = Vec::new();
        image::GrayImage::new(6_000, 6_000)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(png.len() < MAX_LOGO_BYTES);
        let err = check_logo(&png).unwrap_err();
        assert!(err.contains("once decoded"), "{err}");
    }
}
