//! The CMS `SignedData` of a PAdES signature (RFC 5652, ETSI EN 319 122-1 baseline B-B):
//! a detached signature over the PDF's byte ranges with the signed attributes PAdES asks
//! for (content type, message digest and `signing-certificate-v2`; no `signing-time`,
//! since PAdES takes the claimed time from the signature dictionary's `/M`), the signer's
//! certificate chain, and optionally a timestamp token on the signature value (B-T).
//!
//! The structure is fixed and small, so it is written with a few DER helpers below rather
//! than through a general ASN.1 builder; the certificates go in as the DER they came in.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

// Object identifiers, DER-encoded with their tag and length.
const OID_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
];
const OID_SIGNED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];
const OID_SHA256: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];
const OID_CONTENT_TYPE: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
];
const OID_MESSAGE_DIGEST: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
];
const OID_SIGNING_CERTIFICATE_V2: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];
const OID_TIMESTAMP_TOKEN: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e,
];
const OID_SHA256_WITH_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
];
const OID_ECDSA_WITH_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_WITH_SHA384: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];

/// The signature algorithm of a key, as the signer info names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureAlgorithm {
    RsaSha256,
    EcdsaP256Sha256,
    EcdsaP384Sha384,
}

impl SignatureAlgorithm {
    fn identifier(self) -> Vec<u8> {
        match self {
            // RFC 4055: the parameters of the RSA algorithms are NULL.
            SignatureAlgorithm::RsaSha256 => seq(&[OID_SHA256_WITH_RSA, &[0x05, 0x00]]),
            SignatureAlgorithm::EcdsaP256Sha256 => seq(&[OID_ECDSA_WITH_SHA256]),
            SignatureAlgorithm::EcdsaP384Sha384 => seq(&[OID_ECDSA_WITH_SHA384]),
        }
    }
}

/// One DER element: `tag`, the length, `content`.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(0));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// One DER element at the start of `input`: its tag, its whole encoding and what follows.
pub(crate) fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        let len = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some((tag, whole, &input[end..]))
}

/// The content of a whole element.
pub(crate) fn content(whole: &[u8]) -> Option<&[u8]> {
    let first = *whole.get(1)?;
    let header = if first < 0x80 {
        2
    } else {
        2 + usize::from(first & 0x7f)
    };
    whole.get(header..)
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

fn attribute(oid: &[u8], value: &[u8]) -> Vec<u8> {
    seq(&[oid, &set(&[value])])
}

/// The signed attributes' content: DER orders the members of a SET OF by their encoding.
fn signed_attributes(digest: &[u8], signer_certificate: &[u8]) -> Vec<u8> {
    let certificate_hash = Sha256::digest(signer_certificate);
    // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash } ] }: SHA-256 is the default
    // hash algorithm, and EN 319 122-1 asks that issuerSerial be left out.
    let signing_certificate = seq(&[&seq(&[&seq(&[&tlv(0x04, &certificate_hash)])])]);
    let mut attributes = [
        attribute(OID_CONTENT_TYPE, OID_DATA),
        attribute(OID_MESSAGE_DIGEST, &tlv(0x04, digest)),
        attribute(OID_SIGNING_CERTIFICATE_V2, &signing_certificate),
    ];
    attributes.sort();
    attributes.concat()
}

/// What is signed for a PDF whose byte ranges hash to `digest`: the DER `SET` of the
/// signed attributes. [`signed_data`] must be given the same `digest` and certificate.
pub(crate) fn to_be_signed(digest: &[u8], signer_certificate: &[u8]) -> Vec<u8> {
    tlv(0x31, &signed_attributes(digest, signer_certificate))
}

/// The issuer and serial number of a certificate, as a signer identifier.
fn issuer_and_serial(certificate: &[u8]) -> Result<Vec<u8>, String> {
    let (_, parsed) = X509Certificate::from_der(certificate)
        .map_err(|e| format!("the signer's certificate cannot be read: {e}"))?;
    let issuer = parsed.tbs_certificate.issuer.as_raw();
    let serial = tlv(0x02, parsed.tbs_certificate.raw_serial());
    Ok(seq(&[issuer, &serial]))
}

/// The parts of one signature.
pub(crate) struct SignatureParts<'a> {
    pub digest: &'a [u8],
    /// The signer's certificate first, then the rest of its chain.
    pub chain: &'a [Vec<u8>],
    pub algorithm: SignatureAlgorithm,
    pub signature: &'a [u8],
    /// An RFC 3161 timestamp token (a DER `ContentInfo`) on the signature value.
    pub timestamp_token: Option<&'a [u8]>,
}

/// The DER `ContentInfo` holding the detached `SignedData`.
pub(crate) fn signed_data(parts: &SignatureParts<'_>) -> Result<Vec<u8>, String> {
    let signer = parts
        .chain
        .first()
        .ok_or_else(|| "no signer certificate".to_owned())?;
    let sha256 = seq(&[OID_SHA256]);
    let mut signer_info = vec![
        tlv(0x02, &[1]),
        issuer_and_serial(signer)?,
        sha256.clone(),
        tlv(0xa0, &signed_attributes(parts.digest, signer)),
        parts.algorithm.identifier(),
        tlv(0x04, parts.signature),
    ];
    if let Some(token) = parts.timestamp_token {
        signer_info.push(tlv(0xa1, &attribute(OID_TIMESTAMP_TOKEN, token)));
    }
    let signer_info: Vec<&[u8]> = signer_info.iter().map(Vec::as_slice).collect();
    let certificates = parts.chain.concat();
    let signed = seq(&[
        &tlv(0x02, &[1]),
        &set(&[&sha256]),
        &seq(&[OID_DATA]),
        &tlv(0xa0, &certificates),
        &set(&[&seq(&signer_info)]),
    ]);
    Ok(seq(&[OID_SIGNED_DATA, &tlv(0xa0, &signed)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_encoded_short_and_long() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 0x02, 1, 2]);
        let long = tlv(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(long.len(), 304);
    }

    #[test]
    fn signed_attributes_are_a_sorted_set() {
        let set = to_be_signed(&[7; 32], b"certificate");
        assert_eq!(set[0], 0x31);
        // The content type attribute (…09 03) sorts before the message digest (…09 04)
        // by its length-prefixed encoding; both before signing-certificate-v2.
        let content_type = set
            .windows(OID_CONTENT_TYPE.len())
            .position(|w| w == OID_CONTENT_TYPE);
        let digest = set
            .windows(OID_MESSAGE_DIGEST.len())
            .position(|w| w == OID_MESSAGE_DIGEST);
        assert!(content_type < digest);
    }
}
