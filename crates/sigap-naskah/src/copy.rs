//! The copy of what sigap holds about a reporter, as a PDF for them to keep (UU 27/2022
//! Pasal 7: the data subject's right to a copy). Not an official document: no number, no
//! signature, no verification code, and not kept (it would hold the contact data the
//! retention period removes); printed under the CSIRT's letterhead with the ticket's TLP
//! label; the JSON copy on the tracking page holds the same data for machines. The app
//! gives every label and value as text; the template prints them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use typst::diag::Warned;
use typst::foundations::{Bytes, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::model::{Letterhead, PageStyle, Tlp};
use crate::render::{messages, pdf_date, pdf_timestamp};
use crate::view::moment;
use crate::world::DocWorld;
use crate::{DocError, Renderer};

/// One part of the copy: a heading and its rows.
#[derive(Debug, Clone, Serialize)]
pub struct CopySection {
    pub title: String,
    /// Label and value, each printed as text.
    pub rows: Vec<(String, String)>,
}

/// One message between the reporter and the CSIRT.
#[derive(Debug, Clone, Serialize)]
pub struct CopyMessage {
    #[serde(serialize_with = "moment")]
    pub at: DateTime<Utc>,
    /// Who wrote it: `Anda` or `BATAM-CSIRT`.
    pub from: String,
    pub body: String,
}

/// One file the reporter sent.
#[derive(Debug, Clone, Serialize)]
pub struct CopyFile {
    pub name: String,
    pub media_type: String,
    /// In bytes; printed as `12,5 KB`.
    #[serde(serialize_with = "size_text")]
    pub size: u64,
    pub sha256: String,
}

fn size_text<S: serde::Serializer>(bytes: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::view::file_size(*bytes))
}

/// The copy of a reporter's data on one ticket.
#[derive(Debug, Clone, Serialize)]
pub struct ReporterCopy {
    pub ticket_number: String,
    pub tlp: Tlp,
    #[serde(serialize_with = "moment")]
    pub made_at: DateTime<Utc>,
    pub letterhead: Letterhead,
    pub style: PageStyle,
    pub sections: Vec<CopySection>,
    pub messages: Vec<CopyMessage>,
    pub files: Vec<CopyFile>,
}

/// What the template reads: the copy, and what the shared frame expects of a document.
#[derive(Serialize)]
struct CopyData<'a> {
    title: &'static str,
    number: &'a str,
    ticket_number: &'a str,
    tlp: Tlp,
    preview: bool,
    draft: bool,
    letterhead: serde_json::Value,
    style: PageStyle,
    body: &'a ReporterCopy,
}

/// The title printed on the copy.
pub const COPY_TITLE: &str = "SALINAN DATA PRIBADI PELAPOR";

impl Renderer {
    /// Renders the reporter's copy as a PDF/A-2b file.
    pub fn render_copy(&self, copy: &ReporterCopy) -> Result<Vec<u8>, DocError> {
        let result = self.typeset_copy(copy);
        typst::comemo::evict(5);
        result
    }

    fn typeset_copy(&self, copy: &ReporterCopy) -> Result<Vec<u8>, DocError> {
        let env = self.environment();
        let mut letterhead = serde_json::to_value(&copy.letterhead)
            .map_err(|e| DocError::Typeset(format!("cannot serialise the data: {e}")))?;
        if let Some(map) = letterhead.as_object_mut() {
            map.insert(
                "has_logo".to_owned(),
                copy.letterhead.logo_png.is_some().into(),
            );
        }
        let data = CopyData {
            title: COPY_TITLE,
            number: &copy.ticket_number,
            ticket_number: &copy.ticket_number,
            tlp: copy.tlp,
            preview: false,
            draft: false,
            letterhead,
            style: copy.style,
            body: copy,
        };
        let mut data = serde_json::to_value(&data)
            .map_err(|e| DocError::Typeset(format!("cannot serialise the data: {e}")))?;
        self.printable_value(&mut data);
        let data = serde_json::to_vec(&data)
            .map_err(|e| DocError::Typeset(format!("cannot serialise the data: {e}")))?;
        let mut files = HashMap::from([(env.ids.data, Bytes::new(data))]);
        if let Some(logo) = &copy.letterhead.logo_png {
            files.insert(env.ids.logo, Bytes::new(logo.clone()));
        }
        let world = DocWorld::new(env, env.copy_main, files, pdf_date(copy.made_at));
        let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| DocError::Typeset(messages(&errors).join("; ")))?;
        let standards = PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| DocError::Pdf(format!("PDF/A-2b: {}", e.message())))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!(
                "{} {}",
                copy.ticket_number,
                copy.made_at.timestamp()
            )),
            timestamp: pdf_timestamp(copy.made_at),
            standards,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
            .map_err(|errors| DocError::Pdf(messages(&errors).join("; ")))
    }
}
