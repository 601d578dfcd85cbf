//! Signed copies. A certified electronic signature (TTE) is applied outside sigap to the
//! exported PDF; the signed file is then uploaded back to its document. sigap keeps both,
//! each under its own SHA-256, records the pair in the audit log and lists the signed hashes
//! on the public verification page, so that a recipient can check either file.

use serde_json::json;
use sha2::{Digest, Sha256};
use sigap_core::{FieldError, Role};
use sigap_store::{DocumentRow, NewAuditEntry, NewSignature, NewSignedCopy, SignedCopyRow};

use crate::auth::Caller;
use crate::documents::visible_document;
use crate::evidence::Upload;
use crate::views::{SignatureView, SignedCopyView};
use crate::{App, AppError, AppResult, from_millis, millis};

/// A signed copy to upload (`multipart/form-data`): the PDF in field `file`, an optional
/// `note`.
#[derive(Debug, utoipa::ToSchema)]
pub struct SignedCopyUpload {
    #[schema(value_type = String, format = Binary, content_media_type = "application/pdf")]
    pub file: Upload,
    pub note: Option<String>,
}

/// The roles that file signed documents: the secretariat (help desk), the CSIRT and admins.
fn may_upload(role: Role) -> bool {
    matches!(role, Role::Helpdesk | Role::Csirt | Role::Admin)
}

fn view(row: SignedCopyRow) -> SignedCopyView {
    let signature = row.method.map(|method| SignatureView {
        method,
        signer: row.signer,
        certificate_subject: row.cert_subject.unwrap_or_default(),
        certificate_issuer: row.cert_issuer.unwrap_or_default(),
        certificate_serial: row.cert_serial.unwrap_or_default(),
        level: row.level.unwrap_or_default(),
    });
    SignedCopyView {
        id: row.id,
        sha256: row.sha256,
        size: row.size,
        note: row.note,
        uploaded_by: row.uploaded_by,
        uploaded_at: from_millis(row.created_at),
        signature,
    }
}

/// The signed copies of document `id`, oldest first.
pub(crate) async fn views(app: &App, id: i64) -> AppResult<Vec<SignedCopyView>> {
    Ok(app
        .store
        .list_signed_copies(id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Only a PDF, no larger than the evidence limit, and not the unsigned original itself.
fn check(app: &App, file: &Upload, original_sha256: &str) -> AppResult<()> {
    if file.bytes.len() > app.rules.max_file_bytes {
        return Err(AppError::TooLarge(format!(
            "the signed copy is {} bytes; the limit is {} bytes",
            file.bytes.len(),
            app.rules.max_file_bytes
        )));
    }
    if !file.bytes.starts_with(b"%PDF-") {
        return Err(AppError::invalid(
            "file",
            "the signed copy must be a PDF file",
        ));
    }
    if hex::encode(Sha256::digest(&file.bytes)) == original_sha256 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "this is the unsigned original; upload the copy that carries the signature",
        )]));
    }
    Ok(())
}

/// Keeps a signed copy of document `id` for a caller who may file it and see its ticket.
pub async fn upload(
    app: &App,
    caller: &Caller,
    id: i64,
    upload: &SignedCopyUpload,
) -> AppResult<SignedCopyView> {
    let (file, note) = (&upload.file, upload.note.as_deref());
    let result = try_upload(app, caller, id, file, note).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "upload_signed_copy", None, e, None).await;
    }
    result
}

async fn try_upload(
    app: &App,
    caller: &Caller,
    id: i64,
    file: &Upload,
    note: Option<&str>,
) -> AppResult<SignedCopyView> {
    let doc = visible_document(app, caller, id).await?;
    if !may_upload(caller.role) {
        return Err(AppError::Forbidden(format!(
            "a {} may not file signed documents",
            caller.role.as_str()
        )));
    }
    check(app, file, &doc.sha256)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let copy = Copy {
        bytes: &file.bytes,
        note,
        signature: None,
        action: "upload_signed_copy",
        source: None,
        details: json!({}),
        duplicate: "this signed copy is already kept",
    };
    keep(app, caller, &doc, copy).await
}

/// A signed copy to keep beside its document: uploaded (no signature) or signed from sigap.
pub(crate) struct Copy<'a> {
    pub bytes: &'a [u8],
    pub note: Option<&'a str>,
    pub signature: Option<NewSignature<'a>>,
    /// The audit entry's action.
    pub action: &'static str,
    pub source: Option<&'a str>,
    /// What the audit entry says beyond the document and the copy's hash.
    pub details: serde_json::Value,
    /// The conflict's message when the same copy (or signer) is there already.
    pub duplicate: &'static str,
}

/// Keeps `copy` of `doc` (its PDF in the blob store, its row, the audit entry, in one
/// transaction); answers its view.
pub(crate) async fn keep(
    app: &App,
    caller: &Caller,
    doc: &DocumentRow,
    copy: Copy<'_>,
) -> AppResult<SignedCopyView> {
    let sha256 = app.blobs.put(copy.bytes).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let copy_id = tx
        .insert_signed_copy(&NewSignedCopy {
            document_id: doc.id,
            sha256: &sha256,
            size: i64::try_from(copy.bytes.len()).unwrap_or(i64::MAX),
            note: copy.note,
            uploaded_by: Some(caller.user_id),
            now: millis(now),
            signature: copy.signature,
        })
        .await
        .map_err(|e| match e {
            sigap_store::StoreError::Conflict { .. } => AppError::Conflict(copy.duplicate.into()),
            other => other.into(),
        })?;
    let mut details = json!({
        "document": {"id": doc.id, "number": doc.number, "sha256": doc.sha256},
        "signed_sha256": sha256,
    });
    if let (Some(all), serde_json::Value::Object(more)) = (details.as_object_mut(), copy.details) {
        all.extend(more);
    }
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: copy.action.to_owned(),
        ticket_number: Some(doc.ticket_number.clone()),
        source: copy.source.map(str::to_owned),
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    tx.commit().await?;
    views(app, doc.id)
        .await?
        .into_iter()
        .find(|c| c.id == copy_id)
        .ok_or_else(|| AppError::Internal("the signed copy vanished".to_owned()))
}

/// A signed copy's PDF, for staff who may see its document.
pub async fn pdf(
    app: &App,
    caller: &Caller,
    id: i64,
    copy_id: i64,
) -> AppResult<(SignedCopyView, String, Vec<u8>)> {
    let result = try_pdf(app, caller, id, copy_id).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "read_signed_copy", None, e, None).await;
    }
    result
}

async fn try_pdf(
    app: &App,
    caller: &Caller,
    id: i64,
    copy_id: i64,
) -> AppResult<(SignedCopyView, String, Vec<u8>)> {
    let doc = visible_document(app, caller, id).await?;
    let copy = views(app, doc.id)
        .await?
        .into_iter()
        .find(|c| c.id == copy_id)
        .ok_or_else(|| AppError::NotFound("signed copy".to_owned()))?;
    let bytes = app
        .blobs
        .get(&copy.sha256)
        .await?
        .ok_or_else(|| AppError::Internal("the signed copy's PDF is missing".to_owned()))?;
    Ok((copy, doc.number, bytes))
}
