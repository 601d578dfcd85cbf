//! Issuing and reading the official documents (*naskah dinas*). When a step's outcome names
//! documents, [`issue`] builds each one from the ticket and the step's records, numbers it
//! gaplessly per kind and year inside the step's transaction, renders the PDF, stores it in
//! the blob store under its SHA-256 and records it; a failed render refuses the whole step.
//! [`document_pdf`] hands a document to staff in the ticket's scope and [`verify`] answers
//! the public verification link printed as a QR code.
//!
//! Kinds not yet built from the records are skipped (see [`build_body`]); they are still
//! listed in the step's records as due.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use sigap_core::{ActionInput, DocumentKind, wib};
use sigap_docs::body::{
    CriticalityMinutes, Meeting, Person, SystemRef, ValidationMinutes, default_basis,
};
use sigap_docs::{Body, Document, EvidenceItem, Letterhead, Signer, Tlp};
use sigap_store::{DocumentRow, NewDocument, TicketRow, Tx};
use utoipa::ToSchema;

use crate::auth::{Caller, new_secret};
use crate::evidence::StoredFile;
use crate::tickets::visible_ticket;
use crate::views::DocumentView;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Length of the random code in a verification link.
const CODE_LEN: usize = 24;

/// Where documents are signed.
const PLACE: &str = "Batam";

/// One document issued by a step, as the audit log records it.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub kind: String,
    pub number: String,
    pub sha256: String,
}

/// What the public verification link confirms about a document, and nothing else.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedDocument {
    pub kind: String,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub sha256: String,
}

pub(crate) fn document_view(d: DocumentRow) -> DocumentView {
    DocumentView {
        id: d.id,
        kind: d.kind,
        number: d.number,
        sha256: d.sha256,
        created_at: from_millis(d.created_at),
        verify_code: d.verify_code,
    }
}

/// The position printed under a signer's name: their role in the team.
fn position(caller: &Caller) -> String {
    format!("{} BATAM-CSIRT", caller.role.label_id())
}

fn person(name: &str) -> Person {
    Person {
        name: name.to_owned(),
        nip: None,
        role: "Peserta".to_owned(),
    }
}

/// Builds the sections of `kind` from the step's records, or `None` when this kind is not
/// built yet.
fn build_body(
    kind: DocumentKind,
    caller: &Caller,
    row: &TicketRow,
    input: &ActionInput,
    validation_number: &str,
    now: DateTime<Utc>,
) -> Option<Body> {
    let system = SystemRef {
        name: row.system_name.clone().unwrap_or_else(|| "-".to_owned()),
        url: row.target_url.clone(),
        agency: row.agency_name.clone().unwrap_or_else(|| "-".to_owned()),
    };
    let restricted = Some(match &row.evidence_text {
        Some(log) if !log.trim().is_empty() => format!("{}\n\n{log}", row.proof_of_concept),
        _ => row.proof_of_concept.clone(),
    });
    match (kind, input) {
        (
            DocumentKind::BaValidation,
            ActionInput::Validate {
                valid,
                method,
                findings,
                meeting,
                ..
            },
        ) => Some(Body::BaValidation(ValidationMinutes {
            held_at: now,
            team: vec![Person {
                name: caller.name.clone(),
                nip: None,
                role: position(caller),
            }],
            basis: default_basis(),
            reported_at: from_millis(row.created_at),
            report_title: row.title.clone(),
            vulnerability_type: row.vulnerability_type.clone(),
            system,
            method: *method,
            meeting: meeting.as_ref().map(|m| Meeting {
                held_at: m.held_at,
                place: m.place.clone(),
                attendees: m.attendees.iter().map(|a| person(a)).collect(),
                agency_invited: m.agency_invited,
            }),
            checks: vec![
                "Kesesuaian laporan dengan sistem elektronik yang terdaftar".to_owned(),
                "Bukti dan langkah reproduksi yang dilampirkan pelapor".to_owned(),
            ],
            findings: findings.clone(),
            valid: *valid,
            reasons: findings.clone(),
            next_step: if *valid {
                "Penilaian tingkat kekritisan kerentanan (langkah 4 SOP)".to_owned()
            } else {
                "Laporan ditutup sebagai tidak valid dan pelapor diberi tahu".to_owned()
            },
            restricted_attachment: restricted,
        })),
        (
            DocumentKind::BaCriticality,
            ActionInput::Assess {
                criticality,
                cvss,
                rationale,
                personal_data_affected,
                attendees,
            },
        ) => Some(Body::BaCriticality(CriticalityMinutes {
            held_at: now,
            team: std::iter::once(Person {
                name: caller.name.clone(),
                nip: None,
                role: position(caller),
            })
            .chain(attendees.iter().map(|a| person(a)))
            .collect(),
            basis: default_basis(),
            validation_number: validation_number.to_owned(),
            report_title: row.title.clone(),
            system,
            cwe: row
                .vulnerability_type
                .to_ascii_uppercase()
                .starts_with("CWE-")
                .then(|| row.vulnerability_type.clone()),
            owasp: None,
            cvss: cvss.clone(),
            context_factors: Vec::new(),
            criticality: *criticality,
            override_reason: rationale.clone(),
            escalate: false,
            escalate_to: None,
            personal_data_affected: *personal_data_affected,
            restricted_attachment: restricted,
        })),
        // next step: LetterNotice + AgencyReport, BlockRecord/UnblockRecord, RemediationReport, LetterFollowUp, BaReviewMeeting, ApprovalReactivation, Dossier
        // and the Acknowledgement at intake are not built from the records yet.
        _ => None,
    }
}

/// Issues the documents `kinds` of a step inside its transaction: numbers, renders, stores
/// the PDF and records each. Answers what was issued, for the audit entry. A failed render
/// is an internal error, so the step is refused and nothing is written.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue(
    app: &App,
    tx: &mut Tx,
    caller: &Caller,
    row: &TicketRow,
    input: &ActionInput,
    kinds: &[DocumentKind],
    files: &[StoredFile],
    now: DateTime<Utc>,
) -> AppResult<Vec<Issued>> {
    let mut issued = Vec::new();
    if kinds.is_empty() {
        return Ok(issued);
    }
    let mut evidence: Vec<EvidenceItem> = app
        .store
        .list_evidence(row.id)
        .await?
        .into_iter()
        .map(|e| EvidenceItem {
            name: e.original_name,
            size: u64::try_from(e.size).unwrap_or(0),
            sha256: e.sha256,
        })
        .collect();
    evidence.extend(files.iter().map(|f| EvidenceItem {
        name: f.name.clone(),
        size: u64::try_from(f.size).unwrap_or(0),
        sha256: f.sha256.clone(),
    }));
    let validation_number = app
        .store
        .list_documents(row.id)
        .await?
        .into_iter()
        .rev()
        .find(|d| d.kind == DocumentKind::BaValidation.as_str())
        .map_or_else(|| "-".to_owned(), |d| d.number);
    let tlp: Tlp = row.tlp.parse().unwrap_or_default();
    let year = i64::from(now.with_timezone(&wib()).year());
    for &kind in kinds {
        let Some(body) = build_body(kind, caller, row, input, &validation_number, now) else {
            continue;
        };
        let seq = tx
            .next_counter(&format!("doc:{}", kind.as_str()), year)
            .await?;
        let number = sigap_docs::number(
            sigap_docs::default_pattern(kind),
            u64::try_from(seq).unwrap_or(0),
            now,
        )
        .map_err(|e| AppError::Internal(format!("document number: {e}")))?;
        let code: String = new_secret("").chars().take(CODE_LEN).collect();
        let doc = Document {
            number: number.clone(),
            ticket_number: row.number.clone(),
            tlp,
            place: PLACE.to_owned(),
            issued_at: now,
            letterhead: Letterhead::default(),
            signers: vec![Signer {
                position: position(caller),
                name: caller.name.clone(),
                rank: None,
                nip: None,
            }],
            acknowledged_by: None,
            verify_url: format!(
                "{}/verify/{code}",
                app.rules.public_url.trim_end_matches('/')
            ),
            body,
            evidence: evidence.clone(),
            replaces: None,
        };
        let pdf = tokio::task::spawn_blocking(move || sigap_docs::render(&doc))
            .await
            .map_err(|e| AppError::Internal(format!("document render task: {e}")))?
            .map_err(|e| AppError::Internal(format!("document render: {e}")))?;
        let sha256 = app.blobs.put(&pdf).await?;
        tx.insert_document(&NewDocument {
            ticket_id: row.id,
            kind: kind.as_str(),
            number: &number,
            year,
            seq,
            sha256: &sha256,
            verify_code: &code,
            replaces_id: None,
            now: millis(now),
        })
        .await?;
        issued.push(Issued {
            kind: kind.as_str().to_owned(),
            number,
            sha256,
        });
    }
    Ok(issued)
}

/// The documents of a ticket, oldest first.
pub(crate) async fn list_for_ticket(app: &App, ticket_id: i64) -> AppResult<Vec<DocumentView>> {
    Ok(app
        .store
        .list_documents(ticket_id)
        .await?
        .into_iter()
        .map(document_view)
        .collect())
}

/// One document and its PDF, for staff who may see its ticket; anything else is not found.
pub async fn document_pdf(
    app: &App,
    caller: &Caller,
    id: i64,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let not_found = || AppError::NotFound("document".to_owned());
    let doc = app.store.get_document(id).await?.ok_or_else(not_found)?;
    visible_ticket(app, caller, &doc.ticket_number)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        })?;
    let pdf = app
        .blobs
        .get(&doc.sha256)
        .await?
        .ok_or_else(|| AppError::Internal(format!("the PDF of document {id} is missing")))?;
    Ok((document_view(doc), pdf))
}

/// What a verification code confirms, if a document carries it.
pub async fn verify(app: &App, code: &str) -> AppResult<Option<VerifiedDocument>> {
    if code.is_empty() || code.len() > 128 {
        return Ok(None);
    }
    Ok(app
        .store
        .find_document_by_code(code)
        .await?
        .map(|d| VerifiedDocument {
            kind: d.kind,
            number: d.number,
            issued_at: from_millis(d.created_at),
            sha256: d.sha256,
        }))
}
