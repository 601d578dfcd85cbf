//! Image files without what their camera or editor wrote about their author: EXIF (with GPS
//! positions and owner names), XMP, IPTC, comments and text chunks. A system owner and the
//! Regional Secretary never learn who reported (`workflow::sees_reporter`), so the evidence
//! images they download pass through here; the pixels and the colour profile are kept
//! byte for byte. Other types are given as stored (see `SECURITY.md`).

/// Whether [`strip`] changes files of `media_type` (the images whose metadata it drops).
pub fn alters(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png" | "image/webp")
}

/// `bytes` of `media_type` without their metadata; `None` when the file does not parse as
/// that type (it is then not given at all).
pub fn strip(media_type: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    match media_type {
        "image/jpeg" => strip_jpeg(bytes),
        "image/png" => strip_png(bytes),
        "image/webp" => strip_webp(bytes),
        _ => Some(bytes.to_vec()),
    }
}

/// Keeps JFIF (APP0), the ICC profile (APP2) and Adobe's colour transform (APP14); drops
/// EXIF and XMP (APP1), IPTC (APP13), the other application segments and comments.
fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(..2)? != [0xff, 0xd8] {
        return None;
    }
    let mut out = vec![0xff, 0xd8];
    let mut at = 2;
    loop {
        // Fill bytes may precede a marker.
        while bytes.get(at)? == &0xff && bytes.get(at + 1)? == &0xff {
            at += 1;
        }
        if bytes.get(at)? != &0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xd9 {
            out.extend_from_slice(&bytes[at..at + 2]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        if len < 2 {
            return None;
        }
        let end = at.checked_add(2 + len)?;
        let segment = bytes.get(at..end)?;
        if marker == 0xda {
            // Start of scan: the compressed data and everything after it stay as they are.
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        let drop = matches!(marker, 0xe1 | 0xe3..=0xed | 0xef | 0xfe);
        if !drop {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

/// Drops the text chunks (`tEXt`, `zTXt`, `iTXt`), EXIF (`eXIf`) and the time (`tIME`).
fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if bytes.get(..8)? != SIGNATURE {
        return None;
    }
    let mut out = SIGNATURE.to_vec();
    let mut at = 8;
    while at < bytes.len() {
        let len =
            usize::try_from(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let end = at.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(at..end)?;
        let kind = &chunk[4..8];
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        at = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

/// Drops the `EXIF` and `XMP ` chunks and clears their flags in `VP8X`.
fn strip_webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut body = b"WEBP".to_vec();
    let mut at = 12;
    while at < bytes.len() {
        let kind = bytes.get(at..at + 4)?;
        let len = usize::try_from(u32::from_le_bytes(
            bytes.get(at + 4..at + 8)?.try_into().ok()?,
        ))
        .ok()?;
        let padded = len + (len & 1);
        let end = (at + 8).checked_add(padded)?.min(bytes.len());
        let chunk = bytes.get(at..end)?;
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut chunk = chunk.to_vec();
                // Flags: bit 3 EXIF, bit 2 XMP.
                *chunk.get_mut(8)? &= !0b0000_1100;
                body.extend_from_slice(&chunk);
            }
            _ => body.extend_from_slice(chunk),
        }
        at = end;
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG from the image encoder, with an EXIF segment naming its author and a comment
    /// put in after the JFIF header.
    fn jpeg_with_exif() -> (Vec<u8>, Vec<u8>) {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 10, 10]));
        let mut clean = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut clean)
            .encode_image(&img)
            .unwrap();
        let exif = b"Exif\0\0Artist=Budi Santoso GPS=1.0452N 104.0305E";
        let mut tagged = clean[..2].to_vec();
        tagged.extend_from_slice(&[0xff, 0xe1]);
        tagged.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        tagged.extend_from_slice(exif);
        tagged.extend_from_slice(&[0xff, 0xfe, 0x00, 0x0a]);
        tagged.extend_from_slice(b"Budi HP");
        tagged.push(b'!');
        tagged.extend_from_slice(&clean[2..]);
        (clean, tagged)
    }

    #[test]
    fn jpeg_loses_exif_and_comments_and_keeps_its_pixels() {
        let (clean, tagged) = jpeg_with_exif();
        let stripped = strip("image/jpeg", &tagged).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("Budi"), "{text}");
        assert_eq!(stripped, clean, "only the added segments go");
        let decoded = image::load_from_memory(&stripped).unwrap();
        assert_eq!(decoded.width(), 8);
    }

    #[test]
    fn png_loses_its_text_chunks() {
        let img = image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 255]));
        let mut clean = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut clean),
            image::ImageFormat::Png,
        )
        .unwrap();
        // A tEXt chunk after IHDR (8 + 25 bytes); its CRC is not checked here.
        let data = b"Author\0Budi Santoso";
        let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(&[0, 0, 0, 0]);
        let mut tagged = clean[..33].to_vec();
        tagged.extend_from_slice(&chunk);
        tagged.extend_from_slice(&clean[33..]);
        let stripped = strip("image/png", &tagged).unwrap();
        assert_eq!(stripped, clean);
        assert!(image::load_from_memory(&stripped).is_ok());
    }

    #[test]
    fn webp_loses_exif_and_xmp_and_their_flags() {
        let mut body = b"WEBP".to_vec();
        let mut vp8x = b"VP8X".to_vec();
        vp8x.extend_from_slice(&10u32.to_le_bytes());
        vp8x.extend_from_slice(&[0b0000_1100, 0, 0, 0, 3, 0, 0, 3, 0, 0]);
        body.extend_from_slice(&vp8x);
        for (kind, data) in [
            (&b"EXIF"[..], &b"Artist=Budi"[..]),
            (b"XMP ", b"<x>Budi</x>"),
        ] {
            body.extend_from_slice(kind);
            body.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        file.extend_from_slice(&body);
        let stripped = strip("image/webp", &file).unwrap();
        assert!(!String::from_utf8_lossy(&stripped).contains("Budi"));
        assert_eq!(stripped[20], 0, "the EXIF and XMP flags are cleared");
        assert_eq!(
            u32::from_le_bytes(stripped[4..8].try_into().unwrap()) as usize,
            stripped.len() - 8
        );
    }

    #[test]
    fn what_does_not_parse_is_not_given() {
        assert!(strip("image/jpeg", b"\xff\xd8\xff\xe1\x00").is_none());
        assert!(strip("image/png", b"not a png").is_none());
        assert_eq!(strip("application/pdf", b"%PDF-1.7").unwrap(), b"%PDF-1.7");
    }
}
