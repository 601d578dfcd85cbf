//! The limits every raster image is decoded within, whether typst decodes it for a
//! document (a step's pictures, the letterhead's logo) or `sigap_app::evidence::reencode`
//! for a preview. A PNG of 12,000 by 12,000 16-bit pixels is about a megabyte on the wire
//! and over a gigabyte once decoded, and the image crate's `max_alloc` does not cover the
//! pixel buffer of `DynamicImage::from_decoder`: so the header's dimensions and pixel
//! format are read first, and the decoded size, with the copies the consumer makes of it,
//! is checked against one budget before a single pixel is decoded.

use std::io::Cursor;

use image::{ImageDecoder, ImageReader, Limits};

/// The longest side of an image sigap decodes.
pub const MAX_SIDE: u32 = 12_000;
/// The memory one image, or the pictures of one document together, may take once decoded:
/// the pixel buffer and every copy made of it.
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// The copies typst makes of a decoded picture, each at most 8-bit RGBA: its own
/// conversion of the pixels and the PDF writer's colour and alpha planes.
pub const TYPST_COPIES: u64 = 2;

/// The image crate's limits for every decoder: the side and the decoder's own allocations.
pub fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// A decoder for `bytes` after its header was read: refused when a side is over
/// [`MAX_SIDE`] or when decoding it would take more than `budget` bytes together with
/// `copies` 8-bit RGBA copies of its pixels.
pub fn decoder(
    bytes: &[u8],
    copies: u64,
    budget: u64,
) -> Result<impl ImageDecoder + use<'_>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let cost = decoded_cost(&decoder, copies);
    if cost > budget {
        return Err(format!(
            "the image would take {} MiB once decoded; the limit is {} MiB",
            cost.div_ceil(1024 * 1024),
            budget / (1024 * 1024)
        ));
    }
    Ok(decoder)
}

/// The bytes `decoder`'s image takes decoded, plus `copies` 8-bit RGBA copies of it.
pub fn decoded_cost(decoder: &impl ImageDecoder, copies: u64) -> u64 {
    let (width, height) = decoder.dimensions();
    let rgba = u64::from(width) * u64::from(height) * 4;
    decoder
        .total_bytes()
        .saturating_add(copies.saturating_mul(rgba))
}

/// What a picture costs typst to decode and write, checked alone against the budget.
pub fn typst_cost(bytes: &[u8]) -> Result<u64, String> {
    let decoder = decoder(bytes, TYPST_COPIES, MAX_DECODED_BYTES)?;
    Ok(decoded_cost(&decoder, TYPST_COPIES))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::GrayImage::new(width, height);
        let mut out = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn the_decoded_size_and_its_copies_are_counted_before_decoding() {
        let small = png(100, 50);
        assert_eq!(typst_cost(&small).unwrap(), 100 * 50 + 2 * 100 * 50 * 4);
        // 8,000 by 8,000 grey is 61 MiB decoded, but 549 MiB with typst's two copies.
        let wide = png(8_000, 8_000);
        assert!(decoder(&wide, 0, MAX_DECODED_BYTES).is_ok());
        let refused = typst_cost(&wide).unwrap_err();
        assert!(refused.contains("once decoded"), "{refused}");
        assert!(decoder(&png(12_001, 1), 0, MAX_DECODED_BYTES).is_err());
    }
}
