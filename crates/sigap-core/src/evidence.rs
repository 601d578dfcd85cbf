//! Evidence files as they arrive, before anything is stored: the type is sniffed from the
//! content (the name and the client's claimed type are kept as metadata only) and checked
//! against an allow-list, and the file name is cleaned into metadata that cannot name a
//! path nor hide what it is.

/// The accepted types, as a person reads them.
pub const ALLOWED_TYPES: &str =
    "images (PNG, JPEG, GIF, WebP), PDF, plain text and logs, video (MP4, WebM, QuickTime)";

/// The accepted media types other than text.
pub const ALLOWED_MEDIA: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "video/mp4",
    "video/webm",
    "video/quicktime",
];

/// The most characters a cleaned file name keeps.
pub const MAX_NAME_CHARS: usize = 200;

/// The media type of `bytes` if it is one sigap accepts. Text is accepted when it is UTF-8
/// without NUL bytes; HTML and SVG are text to sigap and are never served as such.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return ALLOWED_MEDIA
            .iter()
            .copied()
            .find(|m| *m == kind.mime_type());
    }
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.contains('\0')).then_some("text/plain")
}

/// Whether `c` changes the direction of the text around it: the embeddings, overrides and
/// isolates of Unicode's bidirectional algorithm. `invoice\u{202e}gnp.exe` shows as
/// "invoiceexe.png" where they are kept.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// A name that says nothing of who sent a file: `{prefix}-{id}.{extension}`, the extension
/// from the file's sniffed type (`bin` for any other).
pub fn neutral_name(prefix: &str, id: i64, media_type: &str) -> String {
    let extension = match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        _ => "bin",
    };
    format!("{prefix}-{id}.{extension}")
}

/// A file name safe to keep as metadata: no path, no control characters nor bidirectional
/// controls, at most [`MAX_NAME_CHARS`] chars; `evidence` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_NAME_CHARS)
        .collect();
    if cleaned.trim().is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"GET /admin HTTP/1.1\nHost: x\n"), Some("text/plain"));
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None);
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0"), None);
        assert_eq!(sniff(&[0xff, 0xfe, 0x00, 0x01]), None);
    }

    #[test]
    fn names_lose_their_path() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\x\\bukti.png"), "bukti.png");
        assert_eq!(clean_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_name(""), "evidence");
    }

    #[test]
    fn names_lose_their_bidirectional_controls() {
        assert_eq!(clean_name("invoice\u{202e}gnp.exe"), "invoicegnp.exe");
        assert_eq!(
            clean_name(
                "\u{202a}a\u{202b}b\u{202c}c\u{202d}d\u{2066}e\u{2067}f\u{2068}g\u{2069}.txt"
            ),
            "abcdefg.txt"
        );
        assert_eq!(clean_name("\u{202e}\u{2069}"), "evidence");
    }
}
