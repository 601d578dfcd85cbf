//! The rows of the signed copies of documents: uploaded by hand after a signature made
//! outside sigap, or made from sigap with the signature's details (migration 0042).

use serde::Serialize;

/// A signed copy to keep.
#[derive(Debug, Clone)]
pub struct NewSignedCopy<'a> {
    pub document_id: i64,
    pub sha256: &'a str,
    pub size: i64,
    pub note: Option<&'a str>,
    pub uploaded_by: Option<i64>,
    pub now: i64,
    /// The signature, when sigap made it (none for a copy uploaded by hand).
    pub signature: Option<NewSignature<'a>>,
}

/// A signature made from sigap, kept with its signed copy.
#[derive(Debug, Clone)]
pub struct NewSignature<'a> {
    /// `local` or `bsre`.
    pub method: &'a str,
    pub signer_id: i64,
    pub cert_subject: &'a str,
    pub cert_issuer: &'a str,
    pub cert_serial: &'a str,
    /// `B-B` or `B-T`.
    pub level: &'a str,
}

/// A signed copy of a document, uploaded back after signing outside the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SignedCopyRow {
    pub id: i64,
    pub document_id: i64,
    pub sha256: String,
    pub size: i64,
    pub note: Option<String>,
    pub uploaded_by: Option<String>,
    pub created_at: i64,
    /// The signature's method when sigap made it (`local`, `bsre`); the rest below with it.
    pub method: Option<String>,
    /// The signer's e-mail.
    pub signer: Option<String>,
    pub cert_subject: Option<String>,
    pub cert_issuer: Option<String>,
    pub cert_serial: Option<String>,
    pub level: Option<String>,
}
