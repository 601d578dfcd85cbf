//! Evidence uploads: the type is sniffed from the content (the name and the client's claimed
//! type are kept as metadata only), checked against an allow-list, size-limited, and the
//! bytes stored by SHA-256 before the transaction that records them. The sniffing and the
//! cleaning of names are `sigap_core::evidence`'s; this module counts, limits and stores.

pub mod metadata;

use sigap_core::FieldError;
use sigap_store::{BlobStore, NewEvidence, Tx};

use crate::{App, AppError, AppResult};

/// A file as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file accepted and stored, waiting to be recorded in the transaction.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub sha256: String,
    pub name: String,
    pub media_type: &'static str,
    pub size: i64,
}

pub use sigap_core::evidence::{ALLOWED_TYPES, clean_name, sniff};

/// Stored files as an audit entry lists them: name, SHA-256 and size.
pub fn audit_list(files: &[StoredFile]) -> serde_json::Value {
    files
        .iter()
        .map(|f| serde_json::json!({"name": f.name, "sha256": f.sha256, "size": f.size}))
        .collect()
}

/// Checks every upload (all errors at once), then stores the accepted bytes.
pub async fn accept(app: &App, uploads: &[Upload]) -> AppResult<Vec<StoredFile>> {
    let checked = check(app, uploads)?;
    store(app, &checked).await
}

/// An upload that passed [`check`], with its sniffed type: not stored yet.
#[derive(Debug, Clone, Copy)]
pub struct CheckedUpload<'a> {
    upload: &'a Upload,
    media_type: &'static str,
}

/// Checks every upload, all errors at once, and writes nothing: the count, each size, and
/// each type sniffed against the allow-list.
pub fn check<'a>(app: &App, uploads: &'a [Upload]) -> AppResult<Vec<CheckedUpload<'a>>> {
    let rules = &app.rules;
    if uploads.len() > rules.max_files {
        return Err(AppError::invalid(
            "evidence",
            format!("at most {} files per request", rules.max_files),
        ));
    }
    if let Some(big) = uploads
        .iter()
        .find(|u| u.bytes.len() > rules.max_file_bytes)
    {
        return Err(AppError::TooLarge(format!(
            "file `{}` is {} bytes; the limit is {} bytes per file",
            clean_name(&big.name),
            big.bytes.len(),
            rules.max_file_bytes
        )));
    }
    let mut errors = Vec::new();
    let mut typed = Vec::new();
    for upload in uploads {
        match (upload.bytes.is_empty(), sniff(&upload.bytes)) {
            (true, _) => errors.push(FieldError::new(
                "evidence",
                format!("file `{}` is empty", clean_name(&upload.name)),
            )),
            (false, None) => errors.push(FieldError::new(
                "evidence",
                format!(
                    "file `{}` is not an accepted type; accepted: {ALLOWED_TYPES}",
                    clean_name(&upload.name)
                ),
            )),
            (false, Some(media_type)) => typed.push(CheckedUpload { upload, media_type }),
        }
    }
    if errors.is_empty() {
        Ok(typed)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Writes checked uploads to the blob store. A blob that its transaction then does not
/// record is removed by the worker's sweep after a grace period (`jobs::sweep_blobs`).
pub async fn store(app: &App, checked: &[CheckedUpload<'_>]) -> AppResult<Vec<StoredFile>> {
    let mut stored = Vec::with_capacity(checked.len());
    for file in checked {
        stored.push(StoredFile {
            sha256: app.blobs.put(&file.upload.bytes).await?,
            name: clean_name(&file.upload.name),
            media_type: file.media_type,
            size: i64::try_from(file.upload.bytes.len()).unwrap_or(i64::MAX),
        });
    }
    Ok(stored)
}

/// Records stored files against a ticket (and a step or message) inside the transaction.
pub async fn record(
    tx: &mut Tx,
    files: &[StoredFile],
    ticket_id: i64,
    step_record_id: Option<i64>,
    comment_id: Option<i64>,
    uploaded_by: Option<i64>,
    now: i64,
) -> AppResult<()> {
    for f in files {
        tx.insert_evidence(&NewEvidence {
            ticket_id,
            step_record_id,
            comment_id,
            sha256: &f.sha256,
            original_name: &f.name,
            media_type: f.media_type,
            size: f.size,
            uploaded_by,
            now,
        })
        .await?;
    }
    Ok(())
}

/// The longest side of an evidence image as shown on the ticket page.
pub const PREVIEW_SIDE: u32 = 1024;

/// What the ticket page shows in place of an image that does not decode: a grey frame
/// crossed through, 240 by 135 pixels, as PNG (drawn once).
pub fn placeholder_png() -> &'static [u8] {
    static PNG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PNG.get_or_init(|| {
        let (width, height) = (240_u32, 135_u32);
        let ink = image::Rgb([120, 120, 120]);
        let mut picture = image::RgbImage::from_pixel(width, height, image::Rgb([235, 235, 235]));
        for x in 0..width {
            for y in 0..height {
                let frame = x < 3 || y < 3 || x >= width - 3 || y >= height - 3;
                // The two diagonals, about 3 pixels wide.
                let down =
                    (i64::from(x) * i64::from(height) - i64::from(y) * i64::from(width)).abs();
                let up = (i64::from(x) * i64::from(height) + i64::from(y) * i64::from(width)
                    - i64::from(width) * i64::from(height))
                .abs();
                let near = i64::from(width) * 2;
                if frame || down < near || up < near {
                    picture.put_pixel(x, y, ink);
                }
            }
        }
        let mut out = Vec::new();
        // Writing a small RGB image to memory cannot fail; an empty answer would show as
        // a broken image, no worse than before.
        let _ = picture.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
        out
    })
}

/// An evidence image made safe to show: decoded within the limits of
/// `sigap_naskah::images` (at most 12,000 pixels a side, and the pixel buffer within
/// 256 MiB, checked from the header before anything is decoded, against decompression
/// bombs), scaled down to `max_side`, turned as its EXIF orientation says, and written anew
/// as PNG: the EXIF, XMP and any other metadata (camera, GPS position) and anything
/// appended to the file are left behind, and what a browser gets is pixels this code
/// wrote. Answers why when the bytes are not an image it can read within those limits.
pub fn reencode(bytes: &[u8], max_side: u32) -> Result<Vec<u8>, String> {
    use image::{DynamicImage, ImageDecoder, ImageFormat};
    use sigap_naskah::images;
    use std::io::Cursor;

    // Scaling comes before turning, so the only full-size buffer is the decoder's own.
    let mut decoder = images::decoder(bytes, 0, images::MAX_DECODED_BYTES)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    if picture.width() > max_side || picture.height() > max_side {
        picture = picture.thumbnail(max_side, max_side);
    }
    picture.apply_orientation(orientation);
    let pixels = DynamicImage::ImageRgba8(picture.to_rgba8());
    let mut out = Vec::new();
    pixels
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The bytes of a stored file.
pub async fn read(blobs: &BlobStore, sha256: &str) -> AppResult<Vec<u8>> {
    blobs
        .get(sha256)
        .await?
        .ok_or_else(|| AppError::NotFound("evidence file".to_owned()))
}
