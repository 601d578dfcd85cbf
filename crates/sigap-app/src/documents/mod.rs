//! Issuing and reading the official documents (*naskah dinas*). When a step's outcome names
//! documents, [`issue`] builds each one from the ticket, the step's records and what the
//! ticket already holds ([`bodies`]), numbers it gaplessly per agenda and year inside the
//! step's transaction with the pattern from [`DocumentConfig`], renders the PDF, stores
//! it in the blob store under its SHA-256 and records it; a failed render refuses the whole
//! step. The PDF is written before the commit, so a step refused later leaves an unreferenced
//! file in the blob store (harmless: nothing points to it, and it holds nothing the
//! database does not).
//!
//! The receipt of a report (*Tanda Terima*) is issued on first request, by the reporter
//! through the tracking token or by staff, rather than inside the intake transaction: intake
//! stays fast, and the receipt's content is fixed at intake anyway. [`document_pdf`] hands
//! a document to staff in the ticket's scope, [`signed`] keeps the signed copies uploaded
//! back, and [`verify`] answers the public verification link printed as a QR code.
//!
//! [`DocumentConfig`]: crate::documents::config::DocumentConfig

pub(crate) mod bodies;
pub mod config;
mod correction;
pub(crate) mod outside_step;
mod reading;
mod receipt;
pub mod signed;
pub mod signing;
pub(crate) mod standalone;

pub use crate::documents::correction::{ReissueRequest, reissue};
pub use crate::documents::reading::{
    VerifiedDocument, VerifiedSignature, VerifiedSigner, document_pdf, verify,
};
pub(crate) use crate::documents::reading::{list_for_ticket, visible_document};
pub use crate::documents::receipt::{acknowledgement_for_reporter, acknowledgement_for_staff};

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::Digest;
use sigap_core::{ActionInput, DocumentKind, Role, wib};
use sigap_naskah::body::Screenshot;
use sigap_naskah::{Body, Document, EvidenceItem, Signer};
use sigap_store::{DocumentRow, NewDocument, TicketRow, Tx};

use crate::auth::{Caller, new_secret};
use crate::documents::bodies::Sources;
use crate::evidence::StoredFile;
use crate::views::DocumentView;
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

/// Length of the random code in a verification link.
const CODE_LEN: usize = 24;

/// One document issued by a step, as the audit log records it.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub kind: DocumentKind,
    pub number: String,
    pub sha256: String,
}

/// The signers as the documents table keeps them: one `position\tname` per line.
fn signed_by(signers: &[Signer]) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    signers
        .iter()
        .map(|s| format!("{}\t{}", clean(&s.position), clean(&s.name)))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn document_view(d: DocumentRow) -> DocumentView {
    DocumentView {
        id: d.id,
        kind: d.kind,
        number: d.number,
        sha256: d.sha256,
        created_at: from_millis(d.created_at),
        verify_code: d.verify_code,
        replaces_id: d.replaces_id,
        signed_copies: Vec::new(),
    }
}

/// Who signs a document of `kind`: the configured officials, or else the staff member who
/// records the step (and the document is then a draft).
fn signers(policy: &Policy, kind: DocumentKind, caller: Option<&Caller>) -> Vec<Signer> {
    if let Some(configured) = policy.documents.signers(kind) {
        return configured.to_vec();
    }
    match caller {
        Some(c) => vec![Signer {
            position: bodies::position(c.role),
            name: c.name.clone(),
            rank: None,
            nip: None,
            user: None,
        }],
        None => vec![Signer {
            position: bodies::position(Role::Helpdesk),
            name: "BATAM-CSIRT".to_owned(),
            rank: None,
            nip: None,
            user: None,
        }],
    }
}

/// The evidence list of the ticket's minutes: name, size and SHA-256 of every file (the
/// reporter's files under a neutral name).
async fn evidence_list(
    tx: &mut Tx,
    ticket_id: i64,
    files: &[StoredFile],
) -> AppResult<Vec<EvidenceItem>> {
    let mut list: Vec<EvidenceItem> = tx
        .list_evidence(ticket_id)
        .await?
        .into_iter()
        .map(|e| EvidenceItem {
            // Documents reach the agency: a reporter's file goes by its number, not the name
            // the reporter gave it.
            name: if e.uploaded_by.is_none() {
                crate::privacy::neutral_name(e.id, &e.media_type)
            } else {
                e.original_name
            },
            size: u64::try_from(e.size).unwrap_or(0),
            sha256: e.sha256,
        })
        .collect();
    list.extend(files.iter().map(|f| EvidenceItem {
        name: f.name.clone(),
        size: u64::try_from(f.size).unwrap_or(0),
        sha256: f.sha256.clone(),
    }));
    Ok(list)
}

/// What one render needs besides the body.
struct Issue<'a> {
    /// The policy in force when the step began: the settings of the documents.
    policy: &'a Policy,
    kind: DocumentKind,
    row: &'a TicketRow,
    caller: Option<&'a Caller>,
    evidence: Vec<EvidenceItem>,
    now: DateTime<Utc>,
    /// The document this one corrects: its id and number.
    replaces: Option<(i64, String)>,
    /// The step that issues it.
    step_id: Option<i64>,
    /// Set for a preview: the PDF goes here, marked as a preview, and is not stored.
    preview: Option<&'a Previews>,
}

/// The documents a previewed step would issue, each as the PDF it would be, marked as a
/// preview (`workflow::actions::preview_documents`).
#[derive(Debug, Default)]
pub struct Previews(std::sync::Mutex<Vec<PreviewDocument>>);

/// One previewed document.
#[derive(Debug, Clone)]
pub struct PreviewDocument {
    pub kind: DocumentKind,
    pub pdf: Vec<u8>,
    /// The SHA-256 of `pdf`, hexadecimal.
    pub sha256: String,
}

impl Previews {
    fn push(&self, document: PreviewDocument) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(document);
    }

    /// The PDFs, in the order the step issues them.
    pub fn take(self) -> Vec<PreviewDocument> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Renders `document` and stores it, answering its SHA-256; for a preview, renders it
/// marked as one (no verification link) into `preview` and stores nothing.
async fn stored(
    app: &App,
    document: Document,
    kind: DocumentKind,
    preview: Option<&Previews>,
) -> AppResult<String> {
    let Some(previews) = preview else {
        let pdf = render_pdf(app, document).await?;
        return Ok(app.blobs.put(&pdf).await?);
    };
    let marked = Document {
        preview: true,
        verify_url: None,
        verify_code: "PRATINJAU".to_owned(),
        ..document
    };
    let pdf = render_pdf(app, marked).await?;
    let sha256 = hex::encode(sha2::Sha256::digest(&pdf));
    previews.push(PreviewDocument {
        kind,
        pdf,
        sha256: sha256.clone(),
    });
    Ok(sha256)
}

/// The next number of `kind`'s agenda inside `tx`: its year, its running number and the
/// number as its pattern writes it. One agenda per pattern: kinds with the same pattern
/// share its running numbers; in the year a series first meets, it continues after its
/// kinds' own counters of the past. Gapless: the transaction that takes it records it.
pub(crate) async fn next_number(
    tx: &mut Tx,
    policy: &Policy,
    kind: DocumentKind,
    now: DateTime<Utc>,
) -> AppResult<(i64, i64, String)> {
    let settings = &policy.documents;
    let year = i64::from(now.with_timezone(&wib()).year());
    let pattern = settings.pattern(kind);
    let continues: Vec<String> = settings
        .series_kinds(kind)
        .into_iter()
        .map(sigap_naskah::kind_scope)
        .collect();
    let seq = tx
        .next_counter_continuing(&sigap_naskah::series_scope(pattern), year, &continues)
        .await?;
    let number = sigap_naskah::number(pattern, u64::try_from(seq).unwrap_or(0), now)
        .map_err(|e| AppError::Internal(format!("document number: {e}")))?;
    Ok((year, seq, number))
}

/// A new verification code for `/verify/{code}`.
pub(crate) fn new_verify_code() -> String {
    new_secret("").chars().take(CODE_LEN).collect()
}

/// Numbers, renders, stores and records one document inside `tx`.
async fn issue_one(app: &App, tx: &mut Tx, doc: Issue<'_>, body: Body) -> AppResult<DocumentRow> {
    let settings = &doc.policy.documents;
    let (year, seq, number) = next_number(tx, doc.policy, doc.kind, doc.now).await?;
    let code = new_verify_code();
    let signing = signers(doc.policy, doc.kind, doc.caller);
    let draft = settings.signers(doc.kind).is_none();
    let document = Document {
        number: number.clone(),
        ticket_number: doc.row.number.clone(),
        tlp: doc.row.tlp,
        place: settings.place.clone(),
        issued_at: doc.now,
        letterhead: settings.letterhead_for(doc.kind).clone(),
        style: settings.page,
        signers: signing.clone(),
        acknowledged_by: settings.acknowledged_by(doc.kind).cloned(),
        verify_url: app
            .rules
            .document_base_url()
            .map(|base| format!("{base}/verify/{code}")),
        verify_code: code.clone(),
        draft,
        preview: false,
        body,
        evidence: doc.evidence,
        replaces: doc.replaces.as_ref().map(|(_, number)| number.clone()),
    };
    let sha256 = stored(app, document, doc.kind, doc.preview).await?;
    let id = tx
        .insert_document(&NewDocument {
            ticket_id: doc.row.id,
            kind: doc.kind.as_str(),
            number: &number,
            year,
            seq,
            sha256: &sha256,
            verify_code: &code,
            replaces_id: doc.replaces.as_ref().map(|(id, _)| *id),
            step_record_id: doc.step_id,
            now: millis(doc.now),
            signed_by: &signed_by(&signing),
            draft,
        })
        .await?;
    tx.get_document(id)
        .await?
        .ok_or_else(|| AppError::Internal("the issued document vanished".to_owned()))
}

/// Renders off the async threads. A picture that cannot be decoded must not block the step:
/// the record is then rendered without pictures (the evidence list still names each file
/// with its SHA-256).
async fn render_pdf(app: &App, document: Document) -> AppResult<Vec<u8>> {
    let kind = [("kind", document.kind().as_str().to_owned())];
    let started = std::time::Instant::now();
    let pdf = render_pdf_once(app, document).await?;
    let seconds = started.elapsed().as_secs_f64();
    app.meter
        .observe("sigap_document_render_seconds", &kind, seconds);
    app.meter.count("sigap_documents_rendered_total", &kind);
    Ok(pdf)
}

/// [`render_pdf`]'s work: the render, once more without pictures if they failed.
async fn render_pdf_once(app: &App, document: Document) -> AppResult<Vec<u8>> {
    let with_pictures = !document.body.screenshots().is_empty();
    let first = document.clone();
    let rendered = render_blocking(app, move || sigap_naskah::render(&first)).await?;
    match rendered {
        Ok(pdf) => Ok(pdf),
        Err(e) if with_pictures => {
            tracing::warn!(error = %e, "rendering without the pictures that failed");
            let mut plain = document;
            if let Body::BlockRecord(a) | Body::UnblockRecord(a) = &mut plain.body {
                a.screenshots.clear();
            }
            render_blocking(app, move || sigap_naskah::render(&plain))
                .await?
                .map_err(|e| AppError::Internal(format!("document render: {e}")))
        }
        Err(e) => Err(AppError::Internal(format!("document render: {e}"))),
    }
}

/// Runs a render off the async threads, within the document render slots.
pub(crate) async fn render_blocking<T: Send + 'static>(
    app: &App,
    render: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let _slot = app
        .rules
        .render_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("document render slots: {e}")))?;
    tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| AppError::Internal(format!("document render task: {e}")))
}

/// The pictures attached to a block or unblock step (PNG or JPEG), for its record.
async fn screenshots(app: &App, files: &[StoredFile]) -> AppResult<Vec<Screenshot>> {
    let mut shots = Vec::new();
    let pictures = files
        .iter()
        .filter(|f| matches!(f.media_type, "image/png" | "image/jpeg"))
        .take(sigap_naskah::MAX_SCREENSHOTS);
    for file in pictures {
        if let Some(image) = app.blobs.get(&file.sha256).await? {
            shots.push(Screenshot {
                caption: file.name.clone(),
                image,
            });
        }
    }
    Ok(shots)
}

/// What a step of `input` issues besides its outcome's documents: the certificate of
/// appreciation at close, for a valid report whose reporter agreed to be credited.
fn with_certificate(
    kinds: &[DocumentKind],
    row: &TicketRow,
    input: &ActionInput,
) -> Vec<DocumentKind> {
    let mut all = Vec::with_capacity(kinds.len() + 1);
    let credited = row.valid == Some(true) && row.credit_name().is_some();
    if matches!(input, ActionInput::Close { .. }) && credited {
        // Before the dossier, so that the dossier lists it.
        all.push(DocumentKind::Certificate);
    }
    all.extend_from_slice(kinds);
    all
}

/// The step whose documents [`issue`] makes.
pub(crate) struct Step<'a> {
    pub caller: &'a Caller,
    /// The ticket as the step left it.
    pub row: &'a TicketRow,
    pub input: &'a ActionInput,
    /// The step's records as stored.
    pub records: &'a Value,
    pub kinds: &'a [DocumentKind],
    pub files: &'a [StoredFile],
    pub now: DateTime<Utc>,
    /// The step record, when the action records one.
    pub step_id: Option<i64>,
    /// Set for a preview: the documents are rendered as previews into it, not stored.
    pub preview: Option<&'a Previews>,
}

/// The receipt, issued at close when nobody asked for it before, so that the dossier lists
/// every document of the ticket.
async fn receipt_for_the_dossier(
    app: &App,
    policy: &Policy,
    tx: &mut Tx,
    step: &Step<'_>,
) -> AppResult<Option<Issued>> {
    let kind = DocumentKind::Acknowledgement;
    let docs = tx.list_documents(step.row.id).await?;
    if docs.iter().any(|d| d.kind == kind) {
        return Ok(None);
    }
    let doc = Issue {
        policy,
        kind,
        row: step.row,
        caller: None,
        evidence: evidence_list(tx, step.row.id, &[]).await?,
        now: step.now,
        replaces: None,
        step_id: None,
        preview: step.preview,
    };
    let row = issue_one(app, tx, doc, bodies::acknowledgement(step.row, &app.rules)).await?;
    Ok(Some(Issued {
        kind: row.kind,
        number: row.number,
        sha256: row.sha256,
    }))
}

/// Issues the documents of a step inside its transaction. Answers what was issued, for the
/// audit entry. A failed render is an internal error, so the step is refused and nothing
/// is written.
pub(crate) async fn issue(
    app: &App,
    policy: &Policy,
    tx: &mut Tx,
    step: Step<'_>,
) -> AppResult<Vec<Issued>> {
    let kinds = with_certificate(step.kinds, step.row, step.input);
    let mut issued = Vec::new();
    if kinds.is_empty() {
        return Ok(issued);
    }
    if kinds.contains(&DocumentKind::Dossier) {
        issued.extend(receipt_for_the_dossier(app, policy, tx, &step).await?);
    }
    let evidence = evidence_list(tx, step.row.id, step.files).await?;
    let steps = tx.list_step_records(step.row.id).await?;
    let audit_head = tx.audit_head().await?;
    let fix_days = match app.rules.deadlines.remediating {
        sigap_core::Span::CalendarDays(d) | sigap_core::Span::WorkingDays(d) => d,
        _ => 7,
    };
    for kind in kinds {
        let docs = tx.list_documents(step.row.id).await?;
        let sources = Sources {
            caller: step.caller,
            row: step.row,
            input: step.input,
            records: step.records,
            steps: &steps,
            docs: &docs,
            audit_head: audit_head.clone(),
            public_url: app.rules.document_base_url(),
            tembusan: policy.documents.tembusan(kind),
            fix_days,
            now: step.now,
        };
        let Some(mut body) = bodies::build(kind, &sources) else {
            continue;
        };
        if let Body::BlockRecord(a) | Body::UnblockRecord(a) = &mut body {
            a.screenshots = screenshots(app, step.files).await?;
        }
        let shown = if sigap_naskah::body::shows_evidence(kind) {
            evidence.clone()
        } else {
            Vec::new()
        };
        let doc = Issue {
            policy,
            kind,
            row: step.row,
            caller: Some(step.caller),
            evidence: shown,
            now: step.now,
            replaces: None,
            step_id: step.step_id,
            preview: step.preview,
        };
        let row = issue_one(app, tx, doc, body).await?;
        issued.push(Issued {
            kind: row.kind,
            number: row.number,
            sha256: row.sha256,
        });
    }
    Ok(issued)
}
