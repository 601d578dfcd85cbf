//! Reading the official documents: a ticket's documents for staff by role (those that name
//! the reporter only for those who may know the reporter), one document's PDF (a download
//! that names the reporter audited), and the public verification of a document's code.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sigap_core::{DocumentKind, Role, sees_reporter, wib};
use sigap_store::DocumentRow;
use utoipa::ToSchema;

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::documents::{document_view, signed};
use crate::views::DocumentView;
use crate::{App, AppError, AppResult, from_millis};

/// What the public verification link confirms about a document, and nothing else: its
/// kind, number, date, who signs it, whether a correction replaced it, and the SHA-256 of
/// the issued PDF and of any signed copy. The ticket's number only to signed-in staff who
/// may see the ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedDocument {
    #[schema(value_type = String)]
    pub kind: DocumentKind,
    /// The kind's name in Indonesian, as the document's title says it.
    pub kind_label: String,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    /// The date of issue in WIB, as Indonesian documents write it: `12 Agustus 2026`.
    pub issued_on: String,
    pub sha256: String,
    /// SHA-256 of each signed copy uploaded back, oldest first.
    pub signed_sha256: Vec<String>,
    /// The signatures made from sigap, oldest first, each checked against the kept file.
    pub signatures: Vec<VerifiedSignature>,
    /// Who signs it, as printed (empty for documents issued before this was kept).
    pub signers: Vec<VerifiedSigner>,
    /// Whether it was issued as a draft: no signer was configured for its kind.
    pub draft: bool,
    /// The number of the correction that replaces it, if one was issued.
    pub superseded_by: Option<String>,
    /// The ticket's number: only for signed-in staff who may see the ticket.
    pub ticket_number: Option<String>,
}

/// A certified electronic signature made from sigap, as `/verify/{code}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedSignature {
    /// The SHA-256 of the signed copy.
    pub sha256: String,
    pub signed_at: DateTime<Utc>,
    /// The signing time in WIB, as Indonesian documents write it.
    pub signed_on: String,
    /// `local` (the office's own CA) or `bsre` (BSrE).
    pub method: String,
    pub certificate_subject: String,
    pub certificate_issuer: String,
    /// `B-B`, or `B-T` with a timestamp.
    pub level: String,
    /// The kept file is the file signed: the signature covers all of it, its digest
    /// matches and its value verifies with the certificate's key.
    pub intact: bool,
}

/// A signer of a verified document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedSigner {
    pub position: String,
    pub name: String,
}

/// The documents of a ticket that `role` may read, oldest first, each with its signed
/// copies.
pub(crate) async fn list_for_ticket(
    app: &App,
    role: Role,
    ticket_id: i64,
) -> AppResult<Vec<DocumentView>> {
    let mut views = Vec::new();
    let documents = app.store.list_documents(ticket_id).await?;
    for row in documents
        .into_iter()
        .filter(|d| kind_readable(role, d.kind))
    {
        let copies = signed::views(app, row.id).await?;
        let mut view = document_view(row);
        view.signed_copies = copies;
        views.push(view);
    }
    Ok(views)
}

/// The documents that name the reporter: the receipt, the certificate of appreciation
/// under the name they chose to be credited with, and the report to the sectoral CSIRT
/// with their contact.
fn names_reporter(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::Acknowledgement | DocumentKind::Certificate | DocumentKind::SectoralReport
    )
}

/// Whether `role` may read documents of `kind`: those that name the reporter are for the
/// reporter and the staff who may know the reporter.
fn kind_readable(role: Role, kind: DocumentKind) -> bool {
    sees_reporter(role) || !names_reporter(kind)
}

/// One document and its PDF, for staff who may see its ticket and read its kind; anything
/// else is not found. A download of a document that names the reporter is audited.
pub async fn document_pdf(
    app: &App,
    caller: &Caller,
    id: i64,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let doc = visible_document(app, caller, id).await?;
    if names_reporter(doc.kind) {
        audit_personal_read(app, Some(caller), &doc).await?;
    }
    let pdf = app
        .blobs
        .get(&doc.sha256)
        .await?
        .ok_or_else(|| AppError::Internal(format!("the PDF of document {id} is missing")))?;
    Ok((document_view(doc), pdf))
}

/// A document whose ticket the caller may see; anything else is not found.
pub(crate) async fn visible_document(
    app: &App,
    caller: &Caller,
    id: i64,
) -> AppResult<DocumentRow> {
    let not_found = || AppError::NotFound("document".to_owned());
    let doc = app.store.get_document(id).await?.ok_or_else(not_found)?;
    if !kind_readable(caller.role, doc.kind) {
        let refused = AppError::NotFound("document".to_owned());
        crate::audit::refused_on_ticket(
            app,
            caller,
            &doc.ticket_number,
            "read_document",
            &refused,
            None,
        )
        .await;
        return Err(refused);
    }
    visible_ticket(app, caller, &doc.ticket_number)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        })?;
    Ok(doc)
}

/// Records a download of a document that names the reporter, in its own transaction.
pub(super) async fn audit_personal_read(
    app: &App,
    caller: Option<&Caller>,
    doc: &DocumentRow,
) -> AppResult<()> {
    let action = if doc.kind == DocumentKind::Acknowledgement {
        "read_receipt"
    } else {
        "read_certificate"
    };
    let details = json!({"document": {"kind": doc.kind, "number": doc.number}});
    crate::privacy::audit_read(app, caller, &doc.ticket_number, action, details).await
}

/// The issued periodic report that carries `code`, if one does (it belongs to no ticket).
async fn period_report(app: &App, code: &str) -> AppResult<Option<VerifiedDocument>> {
    let Some(r) = app.store.period_report_by_code(code).await? else {
        return Ok(None);
    };
    let (Some(number), Some(sha256), Some(at)) = (r.number, r.pdf_sha256, r.issued_at) else {
        return Ok(None);
    };
    let issued_at = from_millis(at);
    Ok(Some(VerifiedDocument {
        kind: DocumentKind::PeriodReport,
        kind_label: DocumentKind::PeriodReport.label_id().to_owned(),
        number,
        issued_on: sigap_core::format_date_id(issued_at.with_timezone(&wib()).date_naive()),
        issued_at,
        sha256,
        signed_sha256: Vec::new(),
        signatures: Vec::new(),
        signers: signers_of(&r.signed_by),
        draft: r.draft,
        superseded_by: None,
        ticket_number: None,
    }))
}

/// A record of destruction (a document of no ticket) by its verification code.
async fn destruction_record(app: &App, code: &str) -> AppResult<Option<VerifiedDocument>> {
    let Some(r) = app.store.find_destruction_record_by_code(code).await? else {
        return Ok(None);
    };
    let issued_at = from_millis(r.created_at);
    Ok(Some(VerifiedDocument {
        kind: DocumentKind::DestructionRecord,
        kind_label: DocumentKind::DestructionRecord.label_id().to_owned(),
        number: r.number,
        issued_on: sigap_core::format_date_id(issued_at.with_timezone(&wib()).date_naive()),
        issued_at,
        sha256: r.pdf_sha256,
        signed_sha256: Vec::new(),
        signatures: Vec::new(),
        signers: signers_of(&r.signed_by),
        draft: r.draft,
        superseded_by: None,
        ticket_number: None,
    }))
}

/// The signatures made from sigap among `copies`, each checked against its kept file.
async fn verified_signatures(
    app: &App,
    copies: &[sigap_store::SignedCopyRow],
) -> AppResult<Vec<VerifiedSignature>> {
    let mut out = Vec::new();
    for copy in copies {
        let Some(method) = &copy.method else {
            continue;
        };
        let bytes = app.blobs.get(&copy.sha256).await?.unwrap_or_default();
        let intact = crate::documents::signing::check::check(&bytes).is_some_and(|c| c.intact());
        let signed_at = from_millis(copy.created_at);
        out.push(VerifiedSignature {
            sha256: copy.sha256.clone(),
            signed_on: signed_at
                .with_timezone(&wib())
                .format("%d-%m-%Y %H:%M WIB")
                .to_string(),
            signed_at,
            method: method.clone(),
            certificate_subject: copy.cert_subject.clone().unwrap_or_default(),
            certificate_issuer: copy.cert_issuer.clone().unwrap_or_default(),
            level: copy.level.clone().unwrap_or_default(),
            intact,
        });
    }
    Ok(out)
}

/// The signers as kept: one `position\tname` per line.
fn signers_of(signed_by: &str) -> Vec<VerifiedSigner> {
    signed_by
        .lines()
        .filter_map(|line| {
            let (position, name) = line.split_once('\t')?;
            Some(VerifiedSigner {
                position: position.to_owned(),
                name: name.to_owned(),
            })
        })
        .collect()
}

/// What a verification code confirms, if a document carries it; `viewer` is the signed-in
/// staff member, if any, who learns the ticket's number when the ticket is in their scope.
pub async fn verify(
    app: &App,
    code: &str,
    viewer: Option<&Caller>,
) -> AppResult<Option<VerifiedDocument>> {
    if code.is_empty() || code.len() > 128 {
        return Ok(None);
    }
    let Some(d) = app.store.find_document_by_code(code).await? else {
        if let Some(found) = period_report(app, code).await? {
            return Ok(Some(found));
        }
        return destruction_record(app, code).await;
    };
    let copies = app.store.list_signed_copies(d.id).await?;
    let signatures = verified_signatures(app, &copies).await?;
    let signed_sha256 = copies.into_iter().map(|c| c.sha256).collect();
    let superseded_by = app
        .store
        .find_document_replacing(d.id)
        .await?
        .map(|c| c.number);
    let ticket_number = match viewer {
        Some(caller) => visible_ticket(app, caller, &d.ticket_number)
            .await
            .ok()
            .map(|_| d.ticket_number.clone()),
        None => None,
    };
    let issued_at = from_millis(d.created_at);
    Ok(Some(VerifiedDocument {
        kind_label: d.kind.label_id().to_owned(),
        kind: d.kind,
        number: d.number,
        issued_on: sigap_core::format_date_id(issued_at.with_timezone(&wib()).date_naive()),
        issued_at,
        sha256: d.sha256,
        signed_sha256,
        signatures,
        signers: signers_of(&d.signed_by),
        draft: d.draft,
        superseded_by,
        ticket_number,
    }))
}
