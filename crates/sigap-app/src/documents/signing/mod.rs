//! Certified electronic signatures (TTE) applied from sigap. A [`Signer`] turns an issued
//! PDF into a PAdES-signed one: [`local::LocalSigner`] with a PKCS#12 certificate and key
//! of the office's own CA (`SIGAP_SIGNING_P12`), [`bsre::BsreClient`] through the signing
//! API of the Balai Sertifikasi Elektronik. Only the document's configured signer signs,
//! with a fresh TOTP code ([`apply::sign`]); the signed PDF is kept as a signed copy beside
//! the original, with the signature's certificate and level recorded for `/verify/{code}`.
//!
//! The PDF and CMS work is in [`pades`] and [`cms`]; neither knows typst.

pub mod apply;
pub mod bsre;
pub mod check;
pub(crate) mod cms;
pub mod local;
pub(crate) mod pades;
mod tsa;

use std::fmt;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use x509_parser::prelude::{FromDer, X509Certificate};

pub use crate::documents::signing::apply::{SignRequest, sign};

/// How a signature was made: the stored value of a signed copy's `method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The local PAdES signer (`SIGAP_SIGNING_P12`).
    Local,
    /// The BSrE signing API (`SIGAP_BSRE_URL`).
    Bsre,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Local => "local",
            Method::Bsre => "bsre",
        }
    }
}

/// The PAdES baseline level of a signature: B-B, or B-T with a timestamp on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub enum Level {
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
        }
    }
}

/// A secret the signer types at signing time (the BSrE passphrase): never stored, never
/// logged, never shown by `Debug`.
#[derive(Clone, Default)]
pub struct Passphrase(pub String);

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Passphrase(empty)"
        } else {
            "Passphrase(***)"
        })
    }
}

/// What a signer is asked to sign.
#[derive(Debug)]
pub struct Signing<'a> {
    /// The PDF to sign: the original, or the last copy signed from sigap.
    pub pdf: &'a [u8],
    /// The signature field's name, unique in the PDF.
    pub field: &'a str,
    /// The signer's identity at the signing service (the BSrE NIK or user id), if any.
    pub identity: Option<&'a str>,
    pub passphrase: &'a Passphrase,
    pub now: DateTime<Utc>,
}

/// The certificate a signature was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// The serial number in hex.
    pub serial: String,
}

impl CertificateInfo {
    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertificateInfo, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("the certificate cannot be read: {e}"))?;
        Ok(CertificateInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: hex::encode(cert.tbs_certificate.raw_serial()),
        })
    }
}

/// A signed PDF and what it was signed with.
#[derive(Debug, Clone)]
pub struct Signed {
    pub pdf: Vec<u8>,
    pub certificate: CertificateInfo,
    pub level: Level,
}

/// Why a signature was not made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SignError {
    /// The signer's own credentials were refused (a wrong BSrE passphrase, an unknown NIK):
    /// the signer can correct them.
    #[error("{0}")]
    Credentials(String),
    /// The signing service or the timestamp authority failed or could not be reached.
    #[error("{0}")]
    Unavailable(String),
    /// The PDF could not be signed.
    #[error("{0}")]
    Document(String),
}

/// Something that signs PDFs: the local PAdES signer or the BSrE client.
pub trait Signer: Send + Sync + fmt::Debug {
    fn method(&self) -> Method;

    /// Signs `signing.pdf`; answers the whole signed file.
    fn sign<'a>(&'a self, signing: Signing<'a>) -> BoxFuture<'a, Result<Signed, SignError>>;
}
