//! Encrypted and signed mail (RFC 3156 PGP/MIME, and inline PGP in the text). An encrypted
//! message is opened with the CSIRT's key and read as if it had arrived in the clear: the
//! outer headers (sender, Message-IDs, the mail server's `Authentication-Results`) with the
//! decrypted body, whose protected `Subject` replaces the placeholder outside. A message
//! that cannot be opened (no key configured, encrypted to another key, damaged) is kept
//! whole and marked so, with no text read from it. Signatures are judged by
//! [`crate::inbox::pgp`]; the raw message stays as it arrived, encrypted.

use mail_parser::{MessageParser, MimeHeaders};
use pgp::composed::SignedPublicKey;

use crate::inbox::pgp::{
    Candidate, PgpKeys, PgpResult, candidates, check_cleartext, check_detached, decrypt,
    public_keys,
};

/// A message as sigap reads it after PGP: the bytes to read instead of the raw message (an
/// encrypted one, opened), and what was found.
#[derive(Default)]
pub(crate) struct Opened {
    pub bytes: Option<Vec<u8>>,
    pub pgp: Option<PgpResult>,
}

/// Opens `raw` when it is PGP/MIME: decrypts `multipart/encrypted`, judges the signature
/// of `multipart/signed` (also inside an encrypted one). Other mail, nearly all of it, is
/// let through after a look at its header block.
pub(crate) fn open(raw: &[u8], keys: Option<&PgpKeys>) -> Opened {
    if !names_pgp_mime(raw) {
        return Opened::default();
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return Opened::default();
    };
    let sent = sent_keys(&message);
    let mut result = PgpResult::default();
    let mut bytes = None;
    match root_type(&message).as_deref() {
        Some("multipart/encrypted") => {
            let cipher = message
                .parts
                .iter()
                .skip(1)
                .find(|p| part_type(p).as_deref() == Some("application/octet-stream"))
                .map(|p| p.contents());
            match (keys, cipher) {
                (None, _) => result.cannot_decrypt(
                    "sigap has no key to decrypt with (SIGAP_PGP_KEY_FILE is not set)",
                ),
                (Some(_), None) => result.cannot_decrypt("the encrypted part is missing"),
                (Some(keys), Some(cipher)) => {
                    let known = candidates(Some(keys), sent.clone());
                    match decrypt(keys, cipher, known, entity_keys) {
                        Ok((plain, check)) => {
                            result.encryption = "decrypted".to_owned();
                            let mut all = candidates(Some(keys), sent.clone());
                            all.extend(entity_keys(&plain).into_iter().map(|key| Candidate {
                                key,
                                source: "sent",
                            }));
                            if let Some(check) = check.or_else(|| check_mime_signed(&plain, &all)) {
                                result.judged(check);
                            }
                            bytes = Some(rebuild(raw, &plain));
                        }
                        Err(why) => result.cannot_decrypt(why),
                    }
                }
            }
        }
        Some("multipart/signed") => {
            let all = candidates(keys, sent.clone());
            match check_mime_signed(raw, &all) {
                Some(check) => result.judged(check),
                None => return Opened::default(),
            }
        }
        _ => return Opened::default(),
    }
    Opened {
        bytes,
        pgp: Some(result),
    }
}

/// Whether the header block of `raw` names a PGP/MIME type (`multipart/encrypted`,
/// `multipart/signed`), whatever the case.
fn names_pgp_mime(raw: &[u8]) -> bool {
    let headers = &raw[..header_end(raw).unwrap_or(raw.len())];
    let lower = headers.to_ascii_lowercase();
    [b"multipart/encrypted".as_slice(), b"multipart/signed"]
        .iter()
        .any(|t| lower.windows(t.len()).any(|w| w == *t))
}

/// Opens inline PGP in `text` (of the message `raw`): an armored encrypted block is
/// replaced by its plaintext, a clear-signed text by the text it signs. Answers the new
/// text, or `None` when it holds no PGP.
pub(crate) fn inline(
    text: &str,
    keys: Option<&PgpKeys>,
    raw: &[u8],
    result: &mut PgpResult,
) -> Option<String> {
    const MESSAGE: (&str, &str) = ("-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----");
    const SIGNED: (&str, &str) = (
        "-----BEGIN PGP SIGNED MESSAGE-----",
        "-----END PGP SIGNATURE-----",
    );
    if !text.contains("-----BEGIN PGP ") {
        return None;
    }
    // The keys the message carries, read only for a text that holds PGP.
    let sent = &entity_keys(raw);
    let all = candidates(keys, sent.clone());
    let mut text = text.to_owned();
    let mut changed = false;
    if let Some((start, end)) = block(&text, MESSAGE) {
        let armored = text[start..end].to_owned();
        let opened = match keys {
            None => Err("sigap has no key to decrypt with (SIGAP_PGP_KEY_FILE is not set)".into()),
            Some(keys) => decrypt(
                keys,
                armored.as_bytes(),
                candidates(Some(keys), sent.clone()),
                |_| Vec::new(),
            ),
        };
        match opened {
            Ok((plain, check)) => {
                result.encryption = "decrypted".to_owned();
                if let Some(check) = check {
                    result.judged(check);
                }
                let plain = String::from_utf8_lossy(&plain).replace("\r\n", "\n");
                text.replace_range(start..end, plain.trim());
            }
            Err(why) => {
                result.cannot_decrypt(why);
                text.replace_range(start..end, "");
            }
        }
        changed = true;
    }
    if let Some((start, end)) = block(&text, SIGNED)
        && let Some((signed, check)) = check_cleartext(&text[start..end], &all)
    {
        result.judged(check);
        text.replace_range(start..end, signed.trim());
        changed = true;
    }
    changed.then(|| text.trim().to_owned())
}

/// Where the armored block `(begin, end)` starts and ends in `text` (its end line
/// included).
fn block(text: &str, (begin, end): (&str, &str)) -> Option<(usize, usize)> {
    let start = text.find(begin)?;
    let stop = start + text[start..].find(end)? + end.len();
    Some((start, stop))
}

/// The verdict on a `multipart/signed` entity's signature, `None` when it is not one.
fn check_mime_signed(
    entity: &[u8],
    all: &[Candidate],
) -> Option<crate::inbox::pgp::SignatureCheck> {
    let message = MessageParser::default().parse(entity)?;
    if root_type(&message).as_deref() != Some("multipart/signed") {
        return None;
    }
    let boundary = message.content_type()?.attribute("boundary")?.to_owned();
    let signature = message
        .parts
        .iter()
        .find(|p| part_type(p).as_deref() == Some("application/pgp-signature"))?
        .contents();
    let signed = crlf(first_part(entity, &boundary)?);
    Some(check_detached(signature, &signed, all))
}

/// The bytes of the first body part of a multipart entity: from after its opening
/// delimiter line to before the line break that precedes the next delimiter (RFC 2046:
/// that line break belongs to the delimiter).
fn first_part<'a>(entity: &'a [u8], boundary: &str) -> Option<&'a [u8]> {
    let delimiter = format!("\n--{boundary}");
    let delimiter = delimiter.as_bytes();
    let find = |from: usize| {
        entity
            .get(from..)?
            .windows(delimiter.len())
            .position(|w| w == delimiter)
            .map(|at| at + from)
    };
    let body = header_end(entity)?;
    let open = find(body.saturating_sub(1))?;
    let start = open + 1 + entity[open + 1..].iter().position(|b| *b == b'\n')? + 1;
    let close = find(start.saturating_sub(1))?;
    let end = if close > start && entity[close - 1] == b'\r' {
        close - 1
    } else {
        close
    };
    entity.get(start..end.max(start))
}

/// Where the body of an entity starts (after the blank line that ends its headers).
fn header_end(entity: &[u8]) -> Option<usize> {
    let crlf = entity
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    let lf = entity.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `bytes` with every line ending `\r\n`.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 40);
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*b);
    }
    out
}

/// The message to read in place of an encrypted one: its outer headers but those of the
/// body (`Content-*`) and, when the decrypted part protects it, the subject; then the
/// decrypted part's own `Content-*` headers and protected subject, and its body.
fn rebuild(raw: &[u8], plain: &[u8]) -> Vec<u8> {
    let plain = crlf(plain);
    let (inner_headers, inner_body) = split(&plain);
    let inner: Vec<&[u8]> = fields(inner_headers)
        .into_iter()
        .filter(|f| is(f, "content-") || is(f, "subject:"))
        .collect();
    let protects_subject = inner.iter().any(|f| is(f, "subject:"));
    let (outer_headers, _) = split(raw);
    let mut out = Vec::with_capacity(raw.len() + plain.len());
    for field in fields(outer_headers) {
        if is(field, "content-") || (protects_subject && is(field, "subject:")) {
            continue;
        }
        out.extend_from_slice(field);
    }
    for field in inner {
        out.extend_from_slice(field);
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(inner_body);
    out
}

/// The header block and the body of an entity.
fn split(entity: &[u8]) -> (&[u8], &[u8]) {
    match header_end(entity) {
        Some(end) => {
            let blank = if entity[..end].ends_with(b"\r\n\r\n") {
                2
            } else {
                1
            };
            (&entity[..end - blank], &entity[end..])
        }
        None => (entity, &[]),
    }
}

/// The header fields of a header block, each with its folded lines and line ending.
fn fields(headers: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < headers.len() {
        let next = headers[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(headers.len(), |p| at + p + 1);
        let folded = matches!(headers.get(next), Some(b' ' | b'\t'));
        if !folded {
            out.push(&headers[start..next]);
            start = next;
        }
        at = next;
    }
    out.into_iter()
        .filter(|f| !f.iter().all(u8::is_ascii_whitespace))
        .collect()
}

/// Whether header field `field` starts with `name` (lower case), whatever its case.
fn is(field: &[u8], name: &str) -> bool {
    field.len() >= name.len() && field[..name.len()].eq_ignore_ascii_case(name.as_bytes())
}

/// `type/subtype` of the message's root, lower case.
fn root_type(message: &mail_parser::Message<'_>) -> Option<String> {
    message.parts.first().and_then(part_type)
}

fn part_type(part: &mail_parser::MessagePart<'_>) -> Option<String> {
    let t = part.content_type()?;
    Some(format!("{}/{}", t.ctype(), t.subtype().unwrap_or("")).to_ascii_lowercase())
}

/// The public keys a message carries: its `Autocrypt` header's key and attached keys.
fn sent_keys(message: &mail_parser::Message<'_>) -> Vec<SignedPublicKey> {
    let mut keys = Vec::new();
    for (name, value) in message.headers_raw() {
        if !name.eq_ignore_ascii_case("autocrypt") {
            continue;
        }
        let Some((_, data)) = value.split_once("keydata=") else {
            continue;
        };
        let data: String = data
            .split(';')
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        use base64::Engine as _;
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
            keys.extend(public_keys(&bytes));
        }
    }
    for part in &message.parts {
        if part_type(part).as_deref() == Some("application/pgp-keys") {
            keys.extend(public_keys(part.contents()));
        }
    }
    keys.truncate(8);
    keys
}

/// The keys a decrypted entity carries (an attached key inside the encryption).
fn entity_keys(entity: &[u8]) -> Vec<SignedPublicKey> {
    MessageParser::default()
        .parse(entity)
        .map(|m| sent_keys(&m))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_part_ends_before_the_line_break_of_the_delimiter() {
        let entity = b"Content-Type: multipart/signed; boundary=\"b\"\r\n\r\n\
            This is an OpenPGP/MIME signed message\r\n--b\r\nContent-Type: text/plain\r\n\r\nhalo\r\n\r\n--b\r\n\
            Content-Type: application/pgp-signature\r\n\r\nsig\r\n--b--\r\n";
        assert_eq!(
            first_part(entity, "b").unwrap(),
            b"Content-Type: text/plain\r\n\r\nhalo\r\n"
        );
        let bare = b"Content-Type: multipart/signed; boundary=b\n\n--b\nX: 1\n\nhi\n--b--\n";
        assert_eq!(first_part(bare, "b").unwrap(), b"X: 1\n\nhi");
        assert!(first_part(b"no body", "b").is_none());
    }

    #[test]
    fn an_opened_message_keeps_the_outer_headers_and_the_protected_subject() {
        let raw = b"From: a@example.com\r\nSubject: ...\r\nMessage-ID: <m@x>\r\n\
            Content-Type: multipart/encrypted;\r\n protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x--\r\n";
        let plain = b"Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\nSubject: Laporan rahasia\nFrom: spoof@example.com\n\nisi\n";
        let rebuilt = String::from_utf8(rebuild(raw, plain)).unwrap();
        assert_eq!(
            rebuilt,
            "From: a@example.com\r\nMessage-ID: <m@x>\r\n\
             Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\nSubject: Laporan rahasia\r\n\r\nisi\r\n"
        );
    }

    #[test]
    fn without_a_key_an_encrypted_message_is_marked_and_not_read() {
        let raw = b"From: a@example.com\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n\
            --x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x\r\nContent-Type: application/octet-stream\r\n\r\n\
            -----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--x--\r\n";
        let opened = open(raw, None);
        let pgp = opened.pgp.unwrap();
        assert!(pgp.undecryptable(), "{pgp:?}");
        assert!(pgp.error.unwrap().contains("SIGAP_PGP_KEY_FILE"));
        assert!(opened.bytes.is_none());
    }

    #[test]
    fn a_message_without_pgp_is_left_alone() {
        let opened = open(b"From: a@example.com\r\n\r\nhalo\r\n", None);
        assert!(opened.pgp.is_none() && opened.bytes.is_none());
        let mut result = PgpResult::default();
        assert!(inline("halo", None, b"", &mut result).is_none());
        assert_eq!(result, PgpResult::default());
    }
}
