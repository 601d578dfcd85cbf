//! The typesetting environment. [`Environment`] is built once (fonts parsed, standard
//! library built, templates parsed) and shared; each render makes a [`DocWorld`] over it
//! that serves a fixed set of virtual files: the templates, `/data.json`, `/qr.svg`,
//! `/logo` and `/img/0` … `/img/7`. Nothing is read from disk or from the system's fonts,
//! and no path derived from a document's content is ever interned (typst keeps file ids
//! for the life of the process, in a 16-bit space).

use std::collections::HashMap;

use sigap_core::DocumentKind;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

use crate::DocError;

/// The most screenshots one document may show.
pub const MAX_SCREENSHOTS: usize = 8;

/// The most charts (SVG) one document may show: a periodic report's.
pub const MAX_CHARTS: usize = 12;

/// The most bytes of SVG one chart may have.
pub const MAX_CHART_BYTES: usize = 512 * 1024;

/// The embedded fonts: Liberation Sans (the default text font; Arial's metrics, as
/// Indonesian *naskah dinas* commonly use) and Liberation Serif (Times New Roman's, for an
/// office whose rules prefer it), Liberation Mono for commands, logs and hashes, and DejaVu
/// Sans as the fallback for scripts Liberation lacks (Arabic, Hebrew and other right-to-left
/// text a reporter may write), so that they print as glyphs rather than empty boxes.
const FONTS: [&[u8]; 10] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
    include_bytes!("../fonts/LiberationMono-Regular.ttf"),
    include_bytes!("../fonts/DejaVuSans.ttf"),
];

/// The shared frame (letterhead, TLP label, page numbers, signature block).
const FRAME: (&str, &str) = ("/frame.typ", include_str!("../templates/frame.typ"));

/// The reporter's copy of their data.
const COPY: (&str, &str) = (
    "/reporter_copy.typ",
    include_str!("../templates/reporter_copy.typ"),
);

/// The template of each kind, at `/{kind}.typ`.
fn template(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Acknowledgement => include_str!("../templates/acknowledgement.typ"),
        DocumentKind::BaValidation => include_str!("../templates/ba_validation.typ"),
        DocumentKind::BaCriticality => include_str!("../templates/ba_criticality.typ"),
        DocumentKind::BlockRecord | DocumentKind::UnblockRecord => {
            include_str!("../templates/system_action.typ")
        }
        DocumentKind::AgencyReport => include_str!("../templates/agency_report.typ"),
        DocumentKind::LetterNotice => include_str!("../templates/letter_notice.typ"),
        DocumentKind::RemediationReport => include_str!("../templates/remediation_report.typ"),
        DocumentKind::LetterFollowUp => include_str!("../templates/letter_follow_up.typ"),
        DocumentKind::BaReviewMeeting => include_str!("../templates/ba_review_meeting.typ"),
        DocumentKind::ApprovalReactivation => {
            include_str!("../templates/approval_reactivation.typ")
        }
        DocumentKind::Dossier => include_str!("../templates/dossier.typ"),
        DocumentKind::Certificate => include_str!("../templates/certificate.typ"),
        DocumentKind::PeriodReport => include_str!("../templates/period_report.typ"),
        DocumentKind::PdpNoticeSubjects | DocumentKind::PdpNoticeAuthority => {
            include_str!("../templates/pdp_notice.typ")
        }
        DocumentKind::SectoralReport => include_str!("../templates/sectoral_report.typ"),
        DocumentKind::DestructionRecord => include_str!("../templates/destruction_record.typ"),
    }
}

/// The interned id of a fixed virtual path.
fn file_id(path: &str) -> Result<FileId, DocError> {
    let vpath = VirtualPath::new(path)
        .map_err(|error| DocError::Typeset(format!("bad virtual path {path}: {error:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// The ids of the per-render files.
pub(crate) struct FileIds {
    pub(crate) data: FileId,
    pub(crate) qr: FileId,
    pub(crate) logo: FileId,
    pub(crate) images: Vec<FileId>,
    /// `/chart/0` … : the SVG charts of a periodic report.
    pub(crate) charts: Vec<FileId>,
}

/// Fonts, library and parsed templates: built once, shared by every render.
pub(crate) struct Environment {
    library: LazyHash<Library>,
    fonts: FontStore,
    sources: HashMap<FileId, Source>,
    mains: HashMap<DocumentKind, FileId>,
    /// The reporter's copy of their data (`crate::copy`), not a kind of document.
    pub(crate) copy_main: FileId,
    pub(crate) ids: FileIds,
    /// The characters each embedded font has a glyph for.
    coverage: Vec<typst::text::Coverage>,
}

impl Environment {
    /// Parses the fonts and templates and builds the standard library.
    pub(crate) fn new() -> Result<Self, DocError> {
        let mut fonts = FontStore::new();
        let mut coverage = Vec::new();
        for data in FONTS {
            for font in Font::iter(Bytes::new(data)) {
                let info = font.info().clone();
                coverage.push(info.coverage.clone());
                fonts.push((font, info));
            }
        }
        let mut sources = HashMap::new();
        let frame = file_id(FRAME.0)?;
        sources.insert(frame, Source::new(frame, FRAME.1.to_owned()));
        let mut mains = HashMap::new();
        for &kind in DocumentKind::ALL {
            let id = file_id(&format!("/{}.typ", kind.as_str()))?;
            sources.insert(id, Source::new(id, template(kind).to_owned()));
            mains.insert(kind, id);
        }
        let copy_main = file_id(COPY.0)?;
        sources.insert(copy_main, Source::new(copy_main, COPY.1.to_owned()));
        let images = (0..MAX_SCREENSHOTS)
            .map(|index| file_id(&format!("/img/{index}")))
            .collect::<Result<Vec<_>, _>>()?;
        let charts = (0..MAX_CHARTS)
            .map(|index| file_id(&format!("/chart/{index}")))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = FileIds {
            data: file_id("/data.json")?,
            qr: file_id("/qr.svg")?,
            logo: file_id("/logo")?,
            images,
            charts,
        };
        Ok(Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            sources,
            mains,
            copy_main,
            ids,
            coverage,
        })
    }

    /// Whether some embedded font can draw `c`. A PDF/A file may not show a character
    /// without a glyph, so text is made printable with [`Self::printable`] first.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.coverage.iter().any(|set| set.contains(u32::from(c)))
    }

    /// `text` as the embedded fonts can print it: line breaks and tabs kept, other control
    /// and format characters left out, and a character no font has (an emoji, a private-use
    /// code point) shown as U+FFFD, the replacement character. The original text stays in
    /// the ticket; the document says that something was there.
    pub(crate) fn printable(&self, text: &str) -> Option<String> {
        // A font may map a control character to its empty glyph: those never count.
        let clean = |c: char| {
            matches!(c, '\n' | '\t' | ' ') || !c.is_control() && !is_format(c) && self.covers(c)
        };
        if text.chars().all(clean) {
            return None;
        }
        Some(
            text.chars()
                .filter_map(|c| {
                    if clean(c) {
                        Some(c)
                    } else if c.is_control() || is_format(c) {
                        None
                    } else if c.is_whitespace() {
                        Some(' ')
                    } else {
                        Some('\u{FFFD}')
                    }
                })
                .collect(),
        )
    }

    /// The main template of a kind.
    pub(crate) fn main(&self, kind: DocumentKind) -> Result<FileId, DocError> {
        self.mains
            .get(&kind)
            .copied()
            .ok_or_else(|| DocError::Typeset(format!("no template for {kind}")))
    }
}

/// The world of one render: the shared environment plus this document's files.
pub(crate) struct DocWorld<'a> {
    env: &'a Environment,
    main: FileId,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl<'a> DocWorld<'a> {
    /// A world whose main file is `main` and which serves `files` besides the templates.
    /// `today` is the issue date, so that nothing depends on the clock.
    pub(crate) fn new(
        env: &'a Environment,
        main: FileId,
        files: HashMap<FileId, Bytes>,
        today: Option<Datetime>,
    ) -> Self {
        Self {
            env,
            main,
            files,
            today,
        }
    }
}

/// The error for a path this world does not serve.
fn not_found(id: FileId) -> FileError {
    FileError::NotFound(std::path::PathBuf::from(id.vpath().get_with_slash()))
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.env.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.env.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.env
            .sources
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.env.sources.get(&id) {
            return Ok(Bytes::from_string(source.clone()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.env.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Unicode's format characters (general category Cf) that text may carry: zero-width and
/// joining characters, direction marks and isolates, the soft hyphen, the byte order mark.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}
