//! A document of no ticket (the periodic report): numbered, signed and rendered as every
//! document is, with the same settings (pattern, signers, letterhead, page style).

use chrono::{DateTime, Utc};
use sha2::Digest;
use sigap_core::Tlp;
use sigap_naskah::{Body, Document};
use sigap_store::Tx;

use super::{new_verify_code, next_number, render_pdf, signed_by, signers};
use crate::auth::Caller;
use crate::{App, AppResult, Policy};

/// What a standalone document is issued with.
pub(crate) struct Standalone<'a> {
    pub policy: &'a Policy,
    pub caller: &'a Caller,
    /// Printed where a ticket's number would be (the period's key).
    pub reference: &'a str,
    pub tlp: Tlp,
    pub now: DateTime<Utc>,
    pub body: Body,
}

/// A standalone document issued: its number and PDF, stored in the blob store.
pub(crate) struct Numbered {
    pub number: String,
    pub year: i64,
    pub seq: i64,
    pub verify_code: String,
    pub signed_by: String,
    pub draft: bool,
    pub pdf_sha256: String,
}

fn document(app: &App, d: &Standalone<'_>, number: String, code: String) -> Document {
    let kind = d.body.kind();
    let settings = &d.policy.documents;
    Document {
        number,
        ticket_number: d.reference.to_owned(),
        tlp: d.tlp,
        place: settings.place.clone(),
        issued_at: d.now,
        letterhead: settings.letterhead_for(kind).clone(),
        style: settings.page,
        signers: signers(d.policy, kind, Some(d.caller)),
        acknowledged_by: settings.acknowledged_by(kind).cloned(),
        verify_url: app
            .rules
            .document_base_url()
            .map(|base| format!("{base}/verify/{code}")),
        verify_code: code,
        draft: settings.signers(kind).is_none(),
        preview: false,
        body: d.body.clone(),
        evidence: Vec::new(),
        replaces: None,
    }
}

/// The document rendered as a preview: marked "PRATINJAU" on every page, with no number
/// taken and no verification link; nothing is stored.
pub(crate) async fn preview(app: &App, d: Standalone<'_>) -> AppResult<Vec<u8>> {
    let marked = Document {
        preview: true,
        verify_url: None,
        ..document(app, &d, "PRATINJAU".to_owned(), "PRATINJAU".to_owned())
    };
    render_pdf(app, marked).await
}

/// Numbers the document inside `tx` (its kind's agenda, gapless per year), renders it and
/// stores the PDF; the caller records it in the same transaction.
pub(crate) async fn issue(app: &App, tx: &mut Tx, d: Standalone<'_>) -> AppResult<Numbered> {
    let (year, seq, number) = next_number(tx, d.policy, d.body.kind(), d.now).await?;
    let code = new_verify_code();
    let document = document(app, &d, number.clone(), code.clone());
    let (draft, signed) = (document.draft, signed_by(&document.signers));
    let pdf = render_pdf(app, document).await?;
    let pdf_sha256 = app.blobs.put(&pdf).await?;
    debug_assert_eq!(pdf_sha256, hex::encode(sha2::Sha256::digest(&pdf)));
    Ok(Numbered {
        number,
        year,
        seq,
        verify_code: code,
        signed_by: signed,
        draft,
        pdf_sha256,
    })
}
