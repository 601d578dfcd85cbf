//! From a [`Document`] to PDF bytes. The document is serialised into `/data.json`, which the
//! kind's template reads with `json(..)` and prints as text: content is never pasted into
//! markup, so nothing a reporter writes can be evaluated. Rendering is deterministic: the
//! same document gives the same bytes (the PDF's date and identifier come from the
//! document), which is what makes the stored SHA-256 meaningful.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, Timelike};
use serde::Serialize;
use sigap_core::wib;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::FileId;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::body::{Body, shows_evidence};
use crate::model::{Document, EvidenceItem, Letterhead, PageStyle, Signer, Tlp};
use crate::view::{Moment, file_size};
use crate::world::{DocWorld, Environment, MAX_CHART_BYTES, MAX_CHARTS, MAX_SCREENSHOTS};
use crate::{DocError, images, qr};

/// How many evictions a memoised typesetting result survives unused. Results reused across
/// renders (font metrics, the templates' shared parts) stay warm; a document's own text is
/// gone after a few more renders, so memory stays bounded.
const EVICT_MAX_AGE: usize = 5;

/// WIB's offset from UTC, in minutes, for the PDF's creation date.
const WIB_MINUTES: i32 = 7 * 60;

/// Renders documents. Building one parses the embedded fonts and templates (tens of
/// milliseconds); every render after that reuses them. Cloning is cheap (the environment
/// is shared), so the app can keep one in its state; [`render`] uses a process-wide one.
#[derive(Clone)]
pub struct Renderer {
    env: Arc<Environment>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// Builds the shared environment: fonts, standard library, templates.
    pub fn new() -> Result<Self, DocError> {
        Ok(Self {
            env: Arc::new(Environment::new()?),
        })
    }

    /// The process-wide renderer, built on first use.
    pub fn shared() -> Result<&'static Self, DocError> {
        static SHARED: OnceLock<Result<Renderer, DocError>> = OnceLock::new();
        SHARED.get_or_init(Self::new).as_ref().map_err(Clone::clone)
    }

    /// Renders `doc` as PDF bytes.
    pub fn render(&self, doc: &Document) -> Result<Vec<u8>, DocError> {
        self.render_with_warnings(doc).map(|(pdf, _)| pdf)
    }

    /// Renders `doc` and also returns the typesetter's warnings (e.g. a character no
    /// embedded font has), for tests and diagnostics.
    pub fn render_with_warnings(&self, doc: &Document) -> Result<(Vec<u8>, Vec<String>), DocError> {
        let result = self.typeset(doc);
        // Drop what this document alone used; keep what renders share.
        typst::comemo::evict(EVICT_MAX_AGE);
        result
    }

    fn typeset(&self, doc: &Document) -> Result<(Vec<u8>, Vec<String>), DocError> {
        let files = self.files(doc)?;
        let main = self.env.main(doc.kind())?;
        let world = DocWorld::new(&self.env, main, files, pdf_date(doc.issued_at));
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| DocError::Typeset(messages(&errors).join("; ")))?;
        // PDF/A-2b: these are records kept for years. The exporter refuses what the
        // standard forbids (a font it cannot embed, say) rather than writing it.
        let standards = PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| DocError::Pdf(format!("PDF/A-2b: {}", e.message())))?;
        let options = PdfOptions {
            ident: Smart::Custom(doc.number.clone()),
            timestamp: pdf_timestamp(doc.issued_at),
            standards,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options)
            .map_err(|errors| DocError::Pdf(messages(&errors).join("; ")))?;
        Ok((pdf, messages(&warnings)))
    }

    /// The per-render virtual files: data, QR code, logo and screenshots.
    fn files(&self, doc: &Document) -> Result<HashMap<FileId, Bytes>, DocError> {
        let ids = &self.env.ids;
        let mut data = serde_json::to_value(TemplateData::new(doc))
            .map_err(|error| DocError::Typeset(format!("cannot serialise the data: {error}")))?;
        self.make_printable(&mut data);
        let data = serde_json::to_vec(&data)
            .map_err(|error| DocError::Typeset(format!("cannot serialise the data: {error}")))?;
        let mut files = HashMap::from([
            (ids.data, Bytes::new(data)),
            (
                ids.qr,
                Bytes::from_string(qr::svg(
                    doc.verify_url.as_deref().unwrap_or(&doc.verify_code),
                )?),
            ),
        ]);
        // typst decodes every picture of the document during one render: together they
        // stay within the decoding budget of `images`.
        let mut decoded = 0_u64;
        if let Some(logo) = &doc.letterhead.logo_png {
            decoded += check_image("the logo", logo)?;
            files.insert(ids.logo, Bytes::new(logo.clone()));
        }
        let screenshots = doc.body.screenshots();
        if screenshots.len() > MAX_SCREENSHOTS {
            return Err(DocError::Image(format!(
                "{} screenshots; at most {MAX_SCREENSHOTS} per document",
                screenshots.len()
            )));
        }
        for (shot, id) in screenshots.iter().zip(&ids.images) {
            decoded += check_image(&shot.caption, &shot.image)?;
            files.insert(*id, Bytes::new(shot.image.clone()));
        }
        let charts = doc.body.charts();
        if charts.len() > MAX_CHARTS || charts.iter().any(|c| c.len() > MAX_CHART_BYTES) {
            return Err(DocError::Image(format!(
                "at most {MAX_CHARTS} charts of at most {} KiB each",
                MAX_CHART_BYTES / 1024
            )));
        }
        for (chart, id) in charts.iter().zip(&ids.charts) {
            files.insert(*id, Bytes::from_string(chart.clone()));
        }
        if decoded > images::MAX_DECODED_BYTES {
            return Err(DocError::Image(format!(
                "the pictures would take {} MiB once decoded; at most {} MiB per document",
                decoded.div_ceil(1024 * 1024),
                images::MAX_DECODED_BYTES / (1024 * 1024)
            )));
        }
        Ok(files)
    }
}

impl Renderer {
    /// The shared environment, for the renders of other modules.
    pub(crate) fn environment(&self) -> &Environment {
        &self.env
    }

    /// Every string of `value` as the embedded fonts can print it.
    pub(crate) fn printable_value(&self, value: &mut serde_json::Value) {
        self.make_printable(value);
    }

    /// Every string of the template data as the embedded fonts can print it (PDF/A shows
    /// no character without a glyph).
    fn make_printable(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => {
                if let Some(clean) = self.env.printable(text) {
                    *text = clean;
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    self.make_printable(item);
                }
            }
            serde_json::Value::Object(fields) => {
                for (_, item) in fields.iter_mut() {
                    self.make_printable(item);
                }
            }
            _ => {}
        }
    }
}

/// Renders `doc` as PDF bytes with the process-wide [`Renderer`].
pub fn render(doc: &Document) -> Result<Vec<u8>, DocError> {
    Renderer::shared()?.render(doc)
}

/// Accepts PNG and JPEG only, by their signatures, whose header says they decode within
/// the limits of `images`; answers what decoding costs. typst decodes them.
fn check_image(what: &str, bytes: &[u8]) -> Result<u64, DocError> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = b"\xff\xd8\xff";
    if !bytes.starts_with(PNG) && !bytes.starts_with(JPEG) {
        return Err(DocError::Image(format!("{what} is neither PNG nor JPEG")));
    }
    images::typst_cost(bytes).map_err(|e| DocError::Image(format!("{what}: {e}")))
}

/// The issue date in WIB: what `datetime.today()` answers inside a template.
pub(crate) fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> Option<Datetime> {
    let local = at.with_timezone(&wib());
    let month = u8::try_from(local.month()).ok()?;
    let day = u8::try_from(local.day()).ok()?;
    Datetime::from_ymd(local.year(), month, day)
}

/// The PDF's creation date: the issue time in WIB.
pub(crate) fn pdf_timestamp(at: chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
    let local = at.with_timezone(&wib());
    let datetime = Datetime::from_ymd_hms(
        local.year(),
        u8::try_from(local.month()).ok()?,
        u8::try_from(local.day()).ok()?,
        u8::try_from(local.hour()).ok()?,
        u8::try_from(local.minute()).ok()?,
        u8::try_from(local.second()).ok()?,
    )?;
    Timestamp::new_local(datetime, WIB_MINUTES)
}

/// Diagnostics as plain messages with their hints.
pub(crate) fn messages(diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let mut message = diagnostic.message.to_string();
            for hint in &diagnostic.hints {
                message.push_str(&format!(" (hint: {})", hint.v));
            }
            message
        })
        .collect()
}

/// What `/data.json` holds: the document, with dates and sizes already formatted.
#[derive(Serialize)]
struct TemplateData<'a> {
    kind: &'static str,
    title: String,
    number: &'a str,
    ticket_number: &'a str,
    tlp: Tlp,
    place: &'a str,
    issued: Moment,
    letterhead: LetterheadView<'a>,
    style: PageStyle,
    signers: &'a [Signer],
    acknowledged_by: Option<&'a Signer>,
    verify_url: Option<&'a str>,
    verify_code: &'a str,
    draft: bool,
    preview: bool,
    body: &'a Body,
    evidence: Vec<EvidenceView<'a>>,
    replaces: Option<&'a str>,
}

#[derive(Serialize)]
struct LetterheadView<'a> {
    #[serde(flatten)]
    letterhead: &'a Letterhead,
    has_logo: bool,
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    name: &'a str,
    size: String,
    sha256: &'a str,
}

impl<'a> TemplateData<'a> {
    fn new(doc: &'a Document) -> Self {
        let kind = doc.kind();
        let evidence: &[EvidenceItem] = if shows_evidence(kind) {
            &doc.evidence
        } else {
            &[]
        };
        Self {
            kind: kind.as_str(),
            title: match &doc.body {
                Body::PeriodReport(report) => report.title.clone(),
                _ => kind.label_id().to_uppercase(),
            },
            number: &doc.number,
            ticket_number: &doc.ticket_number,
            tlp: doc.tlp,
            place: &doc.place,
            issued: Moment::new(doc.issued_at),
            letterhead: LetterheadView {
                letterhead: &doc.letterhead,
                has_logo: doc.letterhead.logo_png.is_some(),
            },
            style: doc.style,
            signers: &doc.signers,
            acknowledged_by: doc.acknowledged_by.as_ref(),
            verify_url: doc.verify_url.as_deref(),
            verify_code: &doc.verify_code,
            draft: doc.draft,
            preview: doc.preview,
            body: &doc.body,
            evidence: evidence
                .iter()
                .map(|item| EvidenceView {
                    name: &item.name,
                    size: file_size(item.size),
                    sha256: &item.sha256,
                })
                .collect(),
            replaces: doc.replaces.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_renderer_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Renderer>();
    }

    fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::ImageLuma8(image::GrayImage::new(width, height))
            .write_to(&mut std::io::Cursor::new(&mut out), format)
            .unwrap();
        out
    }

    #[test]
    fn only_png_and_jpeg_are_accepted() {
        assert!(check_image("logo", &encoded(40, 20, image::ImageFormat::Png)).is_ok());
        assert!(check_image("logo", &encoded(40, 20, image::ImageFormat::Jpeg)).is_ok());
        assert!(check_image("logo", b"\x89PNG\r\n\x1a\nrest").is_err());
        assert!(check_image("logo", b"GIF89a").is_err());
        assert!(check_image("logo", b"<svg/>").is_err());
        assert!(check_image("logo", b"").is_err());
    }

    #[test]
    fn a_picture_too_large_once_decoded_is_refused_before_typst_sees_it() {
        // 6,000 by 6,000 grey pixels: 34 MiB decoded, 309 MiB with typst's copies.
        let big = encoded(6_000, 6_000, image::ImageFormat::Png);
        let error = check_image("foto", &big).unwrap_err().to_string();
        assert!(
            error.contains("foto") && error.contains("once decoded"),
            "{error}"
        );
    }
}
