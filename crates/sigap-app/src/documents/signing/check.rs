//! A check of the last PAdES signature in a kept PDF, for `/verify/{code}`: its byte
//! ranges cover the whole file but the signature's own hole, the message digest it signs
//! is the SHA-256 of those ranges, and the signature value verifies with the public key of
//! the certificate it names. Whether that certificate is to be trusted is the reader's own
//! validator's question (its chain to BSrE or to the office's CA); this check says that the
//! bytes kept are the bytes signed.

use ring::signature::{self, UnparsedPublicKey};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::documents::signing::cms::{content, element, tlv};

const OID_MESSAGE_DIGEST: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
];
const OID_TIMESTAMP_TOKEN: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e,
];
const OID_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const OID_SHA256_WITH_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
];
const OID_ECDSA_WITH_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_WITH_SHA384: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignatureCheck {
    /// The byte ranges cover the whole file but the hole of the signature.
    pub covers_whole_file: bool,
    /// The signed message digest is the SHA-256 of the byte ranges.
    pub digest_matches: bool,
    /// The signature value verifies with the named certificate's key.
    pub signature_valid: bool,
}

impl SignatureCheck {
    /// All three: the file is as it was signed, and nothing was appended after.
    pub fn intact(&self) -> bool {
        self.covers_whole_file && self.digest_matches && self.signature_valid
    }
}

/// The four numbers of the last `/ByteRange` in `pdf`.
fn byte_range(pdf: &[u8]) -> Option<[usize; 4]> {
    let at = pdf.windows(10).rposition(|w| w == b"/ByteRange")?;
    let rest = &pdf[at + 10..];
    let open = rest.iter().position(|b| *b == b'[')?;
    let close = rest.iter().position(|b| *b == b']')?;
    let text = std::str::from_utf8(rest.get(open + 1..close)?).ok()?;
    let numbers: Vec<usize> = text
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    numbers.try_into().ok()
}

/// The children of a constructed element's content.
fn children(mut input: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((tag, whole, rest)) = element(input) {
        out.push((tag, whole));
        input = rest;
    }
    out
}

/// The parts of the (first) signer info and the certificates of a CMS `ContentInfo`.
struct Parsed<'a> {
    certificates: Vec<&'a [u8]>,
    sid: &'a [u8],
    signed_attributes: &'a [u8],
    algorithm: &'a [u8],
    signature: &'a [u8],
    /// The unsigned attributes hold a timestamp token.
    timestamped: bool,
}

fn parse(cms: &[u8]) -> Option<Parsed<'_>> {
    let (_, info, _) = element(cms)?;
    let info = children(content(info)?);
    let explicit = info.get(1)?.1;
    let (_, signed_data, _) = element(content(explicit)?)?;
    let parts = children(content(signed_data)?);
    let certificates = parts
        .iter()
        .find(|(tag, _)| *tag == 0xa0)
        .map(|(_, whole)| children(content(whole).unwrap_or_default()))
        .unwrap_or_default()
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let signer_infos = parts.iter().rev().find(|(tag, _)| *tag == 0x31)?.1;
    let (_, signer_info, _) = element(content(signer_infos)?)?;
    let fields = children(content(signer_info)?);
    let signed_attributes = fields.iter().find(|(tag, _)| *tag == 0xa0)?.1;
    let at = fields.iter().position(|(tag, _)| *tag == 0xa0)?;
    Some(Parsed {
        certificates,
        sid: fields.get(1)?.1,
        signed_attributes,
        algorithm: content(fields.get(at + 1)?.1)?,
        signature: content(fields.get(at + 2)?.1)?,
        timestamped: fields
            .get(at + 3)
            .is_some_and(|(tag, whole)| *tag == 0xa1 && contains(whole, OID_TIMESTAMP_TOKEN)),
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The value of the message digest attribute.
fn message_digest(signed_attributes: &[u8]) -> Option<&[u8]> {
    children(content(signed_attributes)?)
        .into_iter()
        .find_map(|(_, attribute)| {
            let inner = children(content(attribute)?);
            if inner.first()?.1 != OID_MESSAGE_DIGEST {
                return None;
            }
            let (_, value, _) = element(content(inner.get(1)?.1)?)?;
            content(value)
        })
}

/// The certificate `sid` names (DER) and whether the signature value verifies with its key.
fn signature_valid(parsed: &Parsed<'_>) -> (Option<Vec<u8>>, bool) {
    let signer = parsed.certificates.iter().find_map(|der| {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let tbs = &cert.tbs_certificate;
        let sid = tlv(
            0x30,
            &[tbs.issuer.as_raw(), &tlv(0x02, tbs.raw_serial())].concat(),
        );
        (sid == parsed.sid).then_some((cert, *der))
    });
    let Some((signer, der)) = signer else {
        return (None, false);
    };
    let der = Some(der.to_vec());
    let key = signer.public_key().subject_public_key.data.to_vec();
    let oid = element(parsed.algorithm).map(|(_, oid, _)| oid);
    let algorithm: &dyn signature::VerificationAlgorithm = match oid {
        Some(o) if o == OID_RSA || o == OID_SHA256_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        Some(o) if o == OID_ECDSA_WITH_SHA256 => &signature::ECDSA_P256_SHA256_ASN1,
        Some(o) if o == OID_ECDSA_WITH_SHA384 => &signature::ECDSA_P384_SHA384_ASN1,
        _ => return (der, false),
    };
    // What was signed is the attributes' DER as a SET, not as the [0] they are kept in.
    let mut signed = parsed.signed_attributes.to_vec();
    signed[0] = 0x31;
    let valid = UnparsedPublicKey::new(algorithm, key)
        .verify(&signed, parsed.signature)
        .is_ok();
    (der, valid)
}

/// The last signature of a PDF: its check, the signer's certificate (DER) and whether it
/// carries a timestamp token (PAdES B-T).
#[derive(Debug, Clone)]
pub struct Inspection {
    pub check: SignatureCheck,
    pub signer_certificate: Option<Vec<u8>>,
    pub timestamped: bool,
}

/// Checks the last signature of `pdf`; `None` when it has none that can be read.
pub fn check(pdf: &[u8]) -> Option<SignatureCheck> {
    inspect(pdf).map(|i| i.check)
}

/// Reads and checks the last signature of `pdf`; `None` when it has none that can be read.
pub fn inspect(pdf: &[u8]) -> Option<Inspection> {
    let [a, b, c, d] = byte_range(pdf)?;
    let first = pdf.get(a..a.checked_add(b)?)?;
    let second = pdf.get(c..c.checked_add(d)?)?;
    let hole = pdf.get(b.checked_add(1)?..c.checked_sub(1)?)?;
    let covers_whole_file =
        a == 0 && c + d == pdf.len() && pdf.get(b) == Some(&b'<') && pdf.get(c - 1) == Some(&b'>');
    let mut hash = Sha256::new();
    hash.update(first);
    hash.update(second);
    let digest = hash.finalize();
    let hex_digits: Vec<u8> = hole
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let cms = hex::decode(hex_digits).ok()?;
    let parsed = parse(&cms)?;
    let (signer, valid) = signature_valid(&parsed);
    Some(Inspection {
        check: SignatureCheck {
            covers_whole_file,
            digest_matches: message_digest(parsed.signed_attributes) == Some(&digest[..]),
            signature_valid: valid,
        },
        signer_certificate: signer,
        timestamped: parsed.timestamped,
    })
}
