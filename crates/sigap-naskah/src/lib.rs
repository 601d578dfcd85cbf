//! `sigap-naskah` renders the official documents (*naskah dinas*) of BATAM-CSIRT: a pure
//! function from a typed [`Document`] to PDF bytes, in Indonesian, A4, with the letterhead
//! (*kop surat*) of Diskominfo Kota Batam, the TLP label on every page, the signature block
//! and a verification QR code.
//!
//! Typesetting is done by typst, used as a library: fonts (Liberation Sans, embedded) and
//! templates (`templates/*.typ`, embedded) are loaded once into a [`Renderer`]; each render
//! hands the document to its kind's template as a JSON file that the template prints as
//! text. Reporter-written text is data, never markup: it cannot run code, read files or
//! change the layout outside its own field. Proofs of concept and logs exist only in the
//! minutes' types, where they are printed on a separate restricted attachment page; the
//! letters to agencies have no field that could carry them.
//!
//! Numbers come from configurable patterns ([`number`], [`default_pattern`]).
//!
//! The crate does no I/O and never reads the clock: the issue date is part of the model.

pub mod body;
mod copy;
mod error;
pub mod images;
mod model;
mod number;
mod qr;
mod render;
pub mod view;
mod world;

pub use sigap_core::DocumentKind;

pub use crate::body::Body;
pub use crate::copy::{COPY_TITLE, CopyFile, CopyMessage, CopySection, ReporterCopy};
pub use crate::error::DocError;
pub use crate::model::{BodyFont, Document, EvidenceItem, Letterhead, PageStyle, Signer, Tlp};
pub use crate::number::{
    PatternPart, SECURITY_CLASSIFICATION, check_pattern, classification_name, default_pattern,
    kind_scope, number, pattern_parts, series_scope,
};
pub use crate::render::{Renderer, render};
pub use crate::world::{MAX_CHART_BYTES, MAX_CHARTS, MAX_SCREENSHOTS};
