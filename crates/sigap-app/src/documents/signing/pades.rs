//! The PDF side of a PAdES signature: an incremental update appended to the issued PDF,
//! never a rewrite of it, so that the bytes before the update stay the bytes that were
//! issued and hashed. The update adds a signature dictionary (`/SubFilter
//! /ETSI.CAdES.detached`) with a hole for the CMS in `/Contents`, an invisible signature
//! field whose widget sits on the first page, and new revisions of the catalog (its
//! `/AcroForm`) and of that page (its `/Annots`). Its cross-reference section has the form
//! of the file's last one: a table after a table, a cross-reference stream (uncompressed)
//! after a stream, as typst writes them.
//!
//! [`prepare`] writes the update with the hole; [`Prepared::digest`] hashes every byte but
//! the hole (the `/ByteRange`); [`Prepared::finish`] writes the CMS into it.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, ObjectId, StringFormat, Writer};
use sha2::{Digest, Sha256};

/// The room kept for the CMS, in bytes (twice as many hex digits): a chain of a few
/// certificates and a timestamp token fit with room to spare.
pub(crate) const DEFAULT_RESERVE: usize = 16 * 1024;

/// The ByteRange's placeholder, overwritten with the real ranges padded with spaces.
const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// A PDF with its signature update written and the hole for the CMS still empty.
#[derive(Debug)]
pub(crate) struct Prepared {
    bytes: Vec<u8>,
    /// Where `<` of `/Contents` is and where the byte after its `>` is.
    hole: (usize, usize),
}

/// The new objects of the update, by number, and how the file's last xref is written.
struct Update {
    objects: Vec<(ObjectId, Vec<u8>)>,
    next_id: u32,
}

impl Update {
    fn add(&mut self, id: ObjectId, object: &Object) -> Result<(), String> {
        let mut body = Vec::new();
        Writer::write_object(&mut body, object).map_err(|e| e.to_string())?;
        self.objects.push((id, body));
        Ok(())
    }

    fn reserve_id(&mut self) -> ObjectId {
        let id = (self.next_id, 0);
        self.next_id += 1;
        id
    }
}

/// Reads what the update needs from `original`: refuses an encrypted or damaged file.
fn load(original: &[u8]) -> Result<lopdf::Document, String> {
    let document =
        lopdf::Document::load_mem(original).map_err(|e| format!("the PDF cannot be read: {e}"))?;
    if document.is_encrypted() {
        return Err("the PDF is encrypted".to_owned());
    }
    if document.xref_recovery.is_some() {
        return Err("the PDF's cross-reference table is damaged".to_owned());
    }
    Ok(document)
}

/// The offset of the file's last cross-reference section (its `startxref`).
fn last_xref(original: &[u8]) -> Result<usize, String> {
    let tail_start = original.len().saturating_sub(1024);
    let tail = &original[tail_start..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| "the PDF has no startxref".to_owned())?;
    let digits: String = tail[at + 9..]
        .iter()
        .map(|b| char::from(*b))
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .map_err(|_| "the PDF's startxref is not a number".to_owned())
}

/// `dictionary`'s array under `key` (direct, or the array object it refers to) with
/// `reference` added; answers the id of the array object when the array is one.
fn with_reference(
    document: &lopdf::Document,
    dictionary: &mut Dictionary,
    key: &[u8],
    reference: ObjectId,
) -> Result<Option<(ObjectId, Object)>, String> {
    match dictionary.get(key).ok() {
        None => {
            dictionary.set(key, Object::Array(vec![Object::Reference(reference)]));
            Ok(None)
        }
        Some(Object::Array(items)) => {
            let mut items = items.clone();
            items.push(Object::Reference(reference));
            dictionary.set(key, Object::Array(items));
            Ok(None)
        }
        Some(Object::Reference(id)) => {
            let id = *id;
            let mut items = document
                .get_object(id)
                .and_then(Object::as_array)
                .map_err(|e| format!("the PDF's {} array cannot be read: {e}", key.escape_ascii()))?
                .clone();
            items.push(Object::Reference(reference));
            Ok(Some((id, Object::Array(items))))
        }
        Some(_) => Err(format!("the PDF's {} is not an array", key.escape_ascii())),
    }
}

/// The catalog's new revision with `field` in its AcroForm's fields (and the AcroForm
/// object's or the fields array's new revision when they are objects of their own).
fn add_field(
    document: &lopdf::Document,
    update: &mut Update,
    field: ObjectId,
) -> Result<(), String> {
    let root = document
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| "the PDF has no catalog".to_owned())?;
    let mut catalog = document
        .get_dictionary(root)
        .map_err(|e| format!("the PDF's catalog cannot be read: {e}"))?
        .clone();
    let (form_id, mut form) = match catalog.get(b"AcroForm").ok() {
        None => (None, Dictionary::new()),
        Some(Object::Dictionary(form)) => (None, form.clone()),
        Some(Object::Reference(id)) => {
            let form = document
                .get_dictionary(*id)
                .map_err(|e| format!("the PDF's AcroForm cannot be read: {e}"))?;
            (Some(*id), form.clone())
        }
        Some(_) => return Err("the PDF's AcroForm is not a dictionary".to_owned()),
    };
    if let Some((id, fields)) = with_reference(document, &mut form, b"Fields", field)? {
        update.add(id, &fields)?;
    }
    form.set("SigFlags", Object::Integer(3));
    match form_id {
        Some(id) => update.add(id, &Object::Dictionary(form))?,
        None => {
            catalog.set("AcroForm", Object::Dictionary(form));
            update.add(root, &Object::Dictionary(catalog))?;
        }
    }
    Ok(())
}

/// The first page's new revision with `widget` in its annotations; answers the page.
fn add_widget(
    document: &lopdf::Document,
    update: &mut Update,
    widget: ObjectId,
) -> Result<ObjectId, String> {
    let page = *document
        .get_pages()
        .get(&1)
        .ok_or_else(|| "the PDF has no page".to_owned())?;
    let mut dictionary = document
        .get_dictionary(page)
        .map_err(|e| format!("the PDF's first page cannot be read: {e}"))?
        .clone();
    if let Some((id, annotations)) = with_reference(document, &mut dictionary, b"Annots", widget)? {
        update.add(id, &annotations)?;
    }
    update.add(page, &Object::Dictionary(dictionary))?;
    Ok(page)
}

/// A PDF date (`D:20261207093000+00'00'`).
fn pdf_date(at: DateTime<Utc>) -> String {
    at.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// The signature dictionary with the placeholders, as text, and the offsets (inside it)
/// of the ByteRange placeholder and of the `<` of `/Contents`.
fn signature_dictionary(at: DateTime<Utc>, reserve: usize) -> (String, usize, usize) {
    let head = format!(
        "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ({}) /ByteRange ",
        pdf_date(at)
    );
    let byte_range_at = head.len();
    let mut text = format!("{head}{BYTE_RANGE_PLACEHOLDER} /Contents ");
    let contents_at = text.len();
    text.push('<');
    text.push_str(&"0".repeat(reserve * 2));
    text.push_str(">>>");
    (text, byte_range_at, contents_at)
}

/// Appends the signature update to `original` with an empty hole of `reserve` bytes;
/// `field_name` names the signature field (unique in the file).
pub(crate) fn prepare(
    original: &[u8],
    field_name: &str,
    at: DateTime<Utc>,
    reserve: usize,
) -> Result<Prepared, String> {
    let document = load(original)?;
    let previous = last_xref(original)?;
    let size = document
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(document.max_id + 1);
    let mut update = Update {
        objects: Vec::new(),
        next_id: size,
    };
    let signature = update.reserve_id();
    let field = update.reserve_id();
    let page = add_widget(&document, &mut update, field)?;
    add_field(&document, &mut update, field)?;
    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set(
        "T",
        Object::String(field_name.as_bytes().to_vec(), StringFormat::Literal),
    );
    widget.set("V", Object::Reference(signature));
    // Print and Locked; an invisible widget: an empty rectangle.
    widget.set("F", Object::Integer(132));
    widget.set("Rect", Object::Array(vec![Object::Integer(0); 4]));
    widget.set("P", Object::Reference(page));
    update.add(field, &Object::Dictionary(widget))?;
    write(
        original, &document, update, signature, previous, at, reserve,
    )
}

/// Writes the update's objects, the signature dictionary and the cross-reference section.
fn write(
    original: &[u8],
    document: &lopdf::Document,
    mut update: Update,
    signature: ObjectId,
    previous: usize,
    at: DateTime<Utc>,
    reserve: usize,
) -> Result<Prepared, String> {
    let mut out = original.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    let (text, byte_range_at, contents_at) = signature_dictionary(at, reserve);
    let start = out.len();
    offsets.push((signature, start));
    out.extend_from_slice(format!("{} 0 obj\n{text}\nendobj\n", signature.0).as_bytes());
    let header = format!("{} 0 obj\n", signature.0).len();
    let byte_range = start + header + byte_range_at;
    let hole_start = start + header + contents_at;
    let hole = (hole_start, hole_start + reserve * 2 + 2);
    for (id, body) in std::mem::take(&mut update.objects) {
        offsets.push((id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let stream = !original
        .get(previous..)
        .is_some_and(|r| r.starts_with(b"xref"));
    let trailer = trailer_entries(document, previous)?;
    if stream {
        let id = update.reserve_id();
        xref_stream(&mut out, &mut offsets, id, update.next_id, &trailer);
    } else {
        xref_table(&mut out, &mut offsets, update.next_id, &trailer);
    }
    let mut prepared = Prepared { bytes: out, hole };
    prepared.set_byte_range(byte_range)?;
    Ok(prepared)
}

/// The trailer entries carried into the update (`/Root`, `/Info`, `/ID`) with `/Prev`.
fn trailer_entries(document: &lopdf::Document, previous: usize) -> Result<String, String> {
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(value) = document.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    trailer.set(
        "Prev",
        Object::Integer(i64::try_from(previous).map_err(|e| e.to_string())?),
    );
    let mut text = Vec::new();
    Writer::write_object(&mut text, &Object::Dictionary(trailer)).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&text).into_owned();
    // The entries without the dictionary's own brackets, for the caller to add to.
    Ok(text
        .trim()
        .trim_start_matches("<<")
        .trim_end_matches(">>")
        .to_owned())
}

fn xref_table(out: &mut Vec<u8>, offsets: &mut [(ObjectId, usize)], size: u32, trailer: &str) {
    offsets.sort();
    let start = out.len();
    out.extend_from_slice(b"xref\n");
    for ((number, generation), offset) in offsets.iter() {
        out.extend_from_slice(format!("{number} 1\n{offset:010} {generation:05} n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<</Size {size}{trailer}>>\nstartxref\n{start}\n%%EOF\n").as_bytes(),
    );
}

fn xref_stream(
    out: &mut Vec<u8>,
    offsets: &mut Vec<(ObjectId, usize)>,
    id: ObjectId,
    size: u32,
    trailer: &str,
) {
    let start = out.len();
    offsets.push((id, start));
    offsets.sort();
    let mut data = Vec::new();
    let mut index = String::new();
    for ((number, generation), offset) in offsets.iter() {
        index.push_str(&format!("{number} 1 "));
        data.push(1u8);
        data.extend_from_slice(&u32::try_from(*offset).unwrap_or(u32::MAX).to_be_bytes());
        data.extend_from_slice(&generation.to_be_bytes());
    }
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<</Type /XRef /Size {size} /W [1 4 2] /Index [{}] /Length {}{trailer}>>\nstream\n",
            id.0,
            index.trim_end(),
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{start}\n%%EOF\n").as_bytes());
}

impl Prepared {
    fn set_byte_range(&mut self, at: usize) -> Result<(), String> {
        let (hole_start, hole_end) = self.hole;
        let tail = self.bytes.len() - hole_end;
        let ranges = format!("[0 {hole_start} {hole_end} {tail}]");
        let width = BYTE_RANGE_PLACEHOLDER.len();
        if ranges.len() > width || self.bytes.len() > 9_999_999_999 {
            return Err("the PDF is too large to sign".to_owned());
        }
        let padded = format!("{ranges:<width$}");
        self.bytes[at..at + width].copy_from_slice(padded.as_bytes());
        Ok(())
    }

    /// The SHA-256 of every byte but the hole.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(&self.bytes[..self.hole.0]);
        hash.update(&self.bytes[self.hole.1..]);
        hash.finalize().into()
    }

    /// The signed PDF: `cms` (DER) written into the hole as hex, padded with zeros.
    pub(crate) fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, String> {
        let room = (self.hole.1 - self.hole.0 - 2) / 2;
        if cms.len() > room {
            return Err(format!(
                "the signature takes {} bytes; {room} were kept for it",
                cms.len()
            ));
        }
        let hex = hex::encode(cms);
        let at = self.hole.0 + 1;
        self.bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}
