//! An RFC 3161 timestamp on a signature value (PAdES B-T): the SHA-256 of the value is
//! sent to the operator's timestamp authority (`SIGAP_SIGNING_TSA_URL`), and the token it
//! answers is put unchanged into the signer info's unsigned attributes.

use sha2::{Digest, Sha256};

use crate::documents::signing::SignError;
use crate::documents::signing::cms::{content, element, tlv};

const OID_SHA256: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];

/// The largest answer read from a timestamp authority.
const MAX_RESPONSE: usize = 64 * 1024;

/// A `TimeStampReq` for `value`'s SHA-256, asking for the authority's certificate.
fn request(value: &[u8], nonce: u64) -> Vec<u8> {
    let imprint = tlv(
        0x30,
        &[tlv(0x30, OID_SHA256), tlv(0x04, &Sha256::digest(value))].concat(),
    );
    // A positive INTEGER in its shortest form: no leading zero bytes but one before a
    // high bit.
    let bytes = nonce.max(1).to_be_bytes();
    let mut nonce_bytes: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if nonce_bytes.first().is_some_and(|b| *b >= 0x80) {
        nonce_bytes.insert(0, 0);
    }
    tlv(
        0x30,
        &[
            tlv(0x02, &[1]),
            imprint,
            tlv(0x02, &nonce_bytes),
            tlv(0x01, &[0xff]),
        ]
        .concat(),
    )
}

/// The token of a `TimeStampResp`, when its status is granted (0) or granted with mods (1).
fn token(response: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "the timestamp authority's answer cannot be read".to_owned();
    let (tag, whole, _) = element(response).ok_or_else(bad)?;
    if tag != 0x30 {
        return Err(bad());
    }
    // PKIStatusInfo { status INTEGER, ... }, then the token.
    let (_, status_info, rest) = element(content(whole).ok_or_else(bad)?).ok_or_else(bad)?;
    let (_, status, _) = element(content(status_info).ok_or_else(bad)?).ok_or_else(bad)?;
    let value = status.last().copied().ok_or_else(bad)?;
    if status.len() != 3 || value > 1 {
        return Err(format!(
            "the timestamp authority refused the request (status {value})"
        ));
    }
    let (_, token, _) = element(rest).ok_or_else(bad)?;
    Ok(token.to_vec())
}

/// Asks the authority at `url` for a token on `value`.
pub(crate) async fn timestamp(
    http: &reqwest::Client,
    url: &str,
    value: &[u8],
    nonce: u64,
) -> Result<Vec<u8>, SignError> {
    let unavailable = |e: String| SignError::Unavailable(format!("timestamp authority: {e}"));
    let response = http
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .body(request(value, nonce))
        .send()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(unavailable(format!("answered {}", response.status())));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    if body.len() > MAX_RESPONSE {
        return Err(unavailable("the answer is too large".to_owned()));
    }
    token(&body).map_err(unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_granted_answer_gives_its_token_and_a_refusal_an_error() {
        let token_der = tlv(0x30, &tlv(0x06, &[1, 2, 3]));
        let status = tlv(0x30, &tlv(0x02, &[0]));
        let granted = tlv(0x30, &[status, token_der.clone()].concat());
        assert_eq!(token(&granted), Ok(token_der));
        let refused = tlv(0x30, &tlv(0x30, &tlv(0x02, &[2])));
        assert!(token(&refused).is_err_and(|e| e.contains("status 2")));
        assert!(token(b"junk").is_err());
    }
}
