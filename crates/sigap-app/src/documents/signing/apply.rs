//! Signing an issued document from sigap, as one use case. The signer is a person: the
//! caller must be a configured signer of the document's kind whose `user` is the caller's
//! e-mail and whose name is printed on the document; they give a fresh TOTP code (and for
//! BSrE their NIK and passphrase, used for this request only). The signature is made on
//! the original PDF, or on the last copy signed from sigap so that the signatures of a
//! document with several signers follow one another; the result is kept as a signed
//! copy beside the original. A signer signs a document once (a second time is a conflict).
//! Every refusal is audited.

use std::fmt;

use serde_json::json;
use sigap_store::{DocumentRow, NewSignature};

use crate::auth::Caller;
use crate::documents::signed::Copy;
use crate::documents::signing::{Method, Passphrase, SignError, Signed, Signing};
use crate::documents::visible_document;
use crate::views::SignedCopyView;
use crate::{App, AppError, AppResult};

/// What the signer sends to sign a document.
#[derive(Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SignRequest {
    /// A fresh code of the signer's authenticator app (TOTP).
    #[serde(default)]
    pub totp: String,
    /// BSrE only: the signer's NIK (or BSrE user id). Used for this request, not kept.
    #[serde(default)]
    pub nik: Option<String>,
    /// BSrE only: the signer's passphrase. Used for this request, never kept nor logged.
    #[serde(default)]
    pub passphrase: Option<String>,
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignRequest")
            .field("totp", &"***")
            .field("nik", &self.nik.as_ref().map(|_| "***"))
            .field("passphrase", &self.passphrase.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Signs document `id` as `caller`; answers the new signed copy.
pub async fn sign(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &SignRequest,
    source: Option<String>,
) -> AppResult<SignedCopyView> {
    let result = try_sign(app, caller, id, request, source.as_deref()).await;
    if let Err(e) = &result {
        let ticket = app
            .store
            .get_document(id)
            .await
            .ok()
            .flatten()
            .map(|d| d.ticket_number);
        crate::audit::refused(app, caller, "sign_document", ticket.as_deref(), e, source).await;
    }
    result
}

/// Whether `caller` is a configured signer of `doc` (by the `user` of the kind's signer
/// settings, and named on the document as issued).
async fn is_configured_signer(app: &App, caller: &Caller, doc: &DocumentRow) -> AppResult<bool> {
    let policy = app.policy().await?;
    let printed: Vec<&str> = doc
        .signed_by
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, name)| name))
        .collect();
    let configured = policy
        .documents
        .signers(doc.kind)
        .unwrap_or_default()
        .iter()
        .chain(policy.documents.acknowledged_by(doc.kind));
    Ok(configured
        .filter(|s| s.user.as_deref() == Some(caller.email.to_lowercase().as_str()))
        .any(|s| printed.contains(&s.name.as_str())))
}

/// Which of `ids` (documents the caller sees) the caller may sign now, for the ticket
/// page's "Tandatangani" forms, and whether the signer is BSrE (which asks for the NIK and
/// passphrase). Empty when signing from sigap is not set up.
pub async fn signable(app: &App, caller: &Caller, ids: &[i64]) -> AppResult<(Vec<i64>, bool)> {
    let Some(signer) = app.rules.signer.clone() else {
        return Ok((Vec::new(), false));
    };
    let mut out = Vec::new();
    for id in ids {
        let Some(doc) = app.store.get_document(*id).await? else {
            continue;
        };
        if doc.draft || !is_configured_signer(app, caller, &doc).await? {
            continue;
        }
        let copies = app.store.list_signed_copies(doc.id).await?;
        if !copies
            .iter()
            .any(|c| c.signer.as_deref() == Some(caller.email.as_str()))
        {
            out.push(doc.id);
        }
    }
    Ok((out, signer.method() == Method::Bsre))
}

/// The refusals that need no code: who may sign, and whether this document may be signed.
async fn check_signer(
    app: &App,
    caller: &Caller,
    doc: &DocumentRow,
    method: Method,
    request: &SignRequest,
) -> AppResult<()> {
    if !is_configured_signer(app, caller, doc).await? {
        return Err(AppError::Forbidden(
            "only the signer configured for this kind of document, named on it, may sign it"
                .to_owned(),
        ));
    }
    if doc.draft {
        return Err(AppError::Conflict(
            "a draft is not signed: configure the kind's signers and reissue it".to_owned(),
        ));
    }
    if app.store.find_document_replacing(doc.id).await?.is_some() {
        return Err(AppError::Conflict(
            "this document was replaced by a correction: sign the correction".to_owned(),
        ));
    }
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let mut errors = Vec::new();
    if request.totp.trim().is_empty() {
        errors.push(sigap_core::FieldError::new(
            "totp",
            "the authenticator code is required",
        ));
    }
    if method == Method::Bsre {
        if !given(&request.nik) {
            errors.push(sigap_core::FieldError::new(
                "nik",
                "the NIK is required for BSrE",
            ));
        }
        if !given(&request.passphrase) {
            errors.push(sigap_core::FieldError::new(
                "passphrase",
                "the BSrE passphrase is required",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(())
}

async fn try_sign(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &SignRequest,
    source: Option<&str>,
) -> AppResult<SignedCopyView> {
    let doc = visible_document(app, caller, id).await?;
    let signer = app.rules.signer.clone().ok_or_else(|| {
        AppError::Conflict(
            "signing from sigap is not set up on this server (SIGAP_SIGNING_P12 or \
             SIGAP_BSRE_URL)"
                .to_owned(),
        )
    })?;
    check_signer(app, caller, &doc, signer.method(), request).await?;
    let copies = app.store.list_signed_copies(doc.id).await?;
    if copies
        .iter()
        .any(|c| c.signer.as_deref() == Some(caller.email.as_str()))
    {
        return Err(AppError::Conflict(
            "you have signed this document already".to_owned(),
        ));
    }
    crate::identity::two_factor::confirm_code(app, caller, &request.totp, source).await?;
    // The signatures of one document follow one another: the next on the last one made.
    let signed_before: Vec<_> = copies.iter().filter(|c| c.method.is_some()).collect();
    let base = signed_before.last().map_or(&doc.sha256, |c| &c.sha256);
    let pdf = app
        .blobs
        .get(base)
        .await?
        .ok_or_else(|| AppError::Internal("the document's PDF is missing".to_owned()))?;
    let field = format!("Tanda tangan {}", signed_before.len() + 1);
    let passphrase = Passphrase(request.passphrase.clone().unwrap_or_default());
    let signed = signer
        .sign(Signing {
            pdf: &pdf,
            field: &field,
            identity: request.nik.as_deref().map(str::trim),
            passphrase: &passphrase,
            now: app.now(),
        })
        .await
        .map_err(|e| match e {
            SignError::Credentials(m) => AppError::invalid("passphrase", m),
            SignError::Unavailable(m) => AppError::Upstream(m),
            SignError::Document(m) => AppError::Conflict(format!("the PDF cannot be signed: {m}")),
        })?;
    keep(app, caller, &doc, signer.method(), &signed, source).await
}

/// Keeps the signed PDF as a signed copy and audits the signature.
async fn keep(
    app: &App,
    caller: &Caller,
    doc: &DocumentRow,
    method: Method,
    signed: &Signed,
    source: Option<&str>,
) -> AppResult<SignedCopyView> {
    let certificate = &signed.certificate;
    let copy = Copy {
        bytes: &signed.pdf,
        note: None,
        signature: Some(NewSignature {
            method: method.as_str(),
            signer_id: caller.user_id,
            cert_subject: &certificate.subject,
            cert_issuer: &certificate.issuer,
            cert_serial: &certificate.serial,
            level: signed.level.as_str(),
        }),
        action: "sign_document",
        source,
        details: json!({
            "method": method.as_str(),
            "level": signed.level.as_str(),
            "certificate": {
                "subject": certificate.subject,
                "issuer": certificate.issuer,
                "serial": certificate.serial,
            },
        }),
        duplicate: "you have signed this document already",
    };
    crate::documents::signed::keep(app, caller, doc, copy).await
}
