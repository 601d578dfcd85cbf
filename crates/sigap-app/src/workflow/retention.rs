//! Retention of a closed ticket's data ([`sigap_core::retention`]): the worker's daily
//! [`sweep`] anonymises the reporter once the contact data's period has ended and destroys
//! the evidence files once theirs has, skipping the tickets under a legal hold
//! (`workflow::legal_hold`), and writes each run that changed something in a *Berita Acara
//! Pemusnahan* (a document of no ticket) and the audit log, in the run's one transaction:
//! nothing is anonymised or destroyed without its record, nor recorded without being done.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sigap_core::retention::{self, RetentionClass};
use sigap_core::{Role, Tlp};
use sigap_naskah::Body;
use sigap_naskah::body::{DestructionLine, DestructionMinutes};
use sigap_store::{DestructionRecordRow, NewAuditEntry, NewDestructionRecord, Tx};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::documents::standalone::{self, Standalone};
use crate::{App, AppError, AppResult, from_millis, millis};

/// Tickets treated per class in one run; the next run takes the rest.
const BATCH: i64 = 500;
/// Who reads the records of destruction.
const READ: &[Role] = &[Role::Admin, Role::Auditor];
/// Printed where a ticket's number would be.
const REFERENCE: &str = "RETENSI";

/// A record of destruction as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DestructionView {
    pub id: i64,
    pub number: String,
    pub created_at: DateTime<Utc>,
    pub verify_code: String,
    /// The SHA-256 of its PDF.
    pub pdf_sha256: String,
    /// Issued without a configured signer.
    pub draft: bool,
    /// What the run did: `lines` (`class`, `records`, `tickets`) and `held`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

fn view(r: DestructionRecordRow) -> DestructionView {
    DestructionView {
        id: r.id,
        number: r.number,
        created_at: from_millis(r.created_at),
        verify_code: r.verify_code,
        pdf_sha256: r.pdf_sha256,
        draft: r.draft,
        details: serde_json::from_str(&r.details).unwrap_or_default(),
    }
}

/// One class's share of a run.
struct Treated {
    class: RetentionClass,
    years: u32,
    records: u64,
    tickets: Vec<String>,
}

/// Applies the retention periods at the app's clock; answers the record of destruction
/// when the run changed something.
pub async fn sweep(app: &App) -> AppResult<Option<DestructionView>> {
    let now = app.now();
    let policy = app.policy().await?;
    let law = &policy.law;
    let contact_by = retention::closed_by(now, law.retention_contact_years);
    let evidence_by = retention::closed_by(now, law.retention_evidence_years);
    let mut tx = app.store.begin().await?;
    let mut contact = Treated {
        class: RetentionClass::ReporterContact,
        years: law.retention_contact_years,
        records: 0,
        tickets: Vec::new(),
    };
    for (id, number) in tx.contact_due(millis(contact_by), BATCH).await? {
        let changed = tx.anonymise_reporter(id, millis(now)).await?;
        if changed > 0 {
            contact.records += changed;
            contact.tickets.push(number);
        }
    }
    let mut evidence = Treated {
        class: RetentionClass::Evidence,
        years: law.retention_evidence_years,
        records: 0,
        tickets: Vec::new(),
    };
    for (id, number) in tx.evidence_due(millis(evidence_by), BATCH).await? {
        let destroyed = tx.destroy_evidence(id, millis(now)).await?;
        if destroyed > 0 {
            evidence.records += destroyed;
            evidence.tickets.push(number);
        }
    }
    let treated: Vec<Treated> = [contact, evidence]
        .into_iter()
        .filter(|t| t.records > 0)
        .collect();
    if treated.is_empty() {
        return Ok(None);
    }
    let held = tx.held_numbers(millis(contact_by.max(evidence_by))).await?;
    let record = record(app, &policy, &mut tx, &treated, held, now).await?;
    tx.commit().await?;
    Ok(Some(record))
}

/// Issues the run's Berita Acara Pemusnahan and its audit entry inside `tx`.
async fn record(
    app: &App,
    policy: &crate::Policy,
    tx: &mut Tx,
    treated: &[Treated],
    held: Vec<String>,
    now: DateTime<Utc>,
) -> AppResult<DestructionView> {
    let (body, details) = minutes(treated, held, now);
    let caller = worker();
    let numbered = standalone::issue(
        app,
        tx,
        Standalone {
            policy,
            caller: &caller,
            reference: REFERENCE,
            tlp: Tlp::Amber,
            now,
            body,
        },
    )
    .await?;
    let text = details.to_string();
    let id = tx
        .insert_destruction_record(&NewDestructionRecord {
            number: &numbered.number,
            year: numbered.year,
            seq: numbered.seq,
            pdf_sha256: &numbered.pdf_sha256,
            verify_code: &numbered.verify_code,
            signed_by: &numbered.signed_by,
            draft: numbered.draft,
            details: &text,
            created_at: millis(now),
        })
        .await?;
    let mut audited = details.clone();
    audited["number"] = json!(numbered.number);
    audited["pdf_sha256"] = json!(&numbered.pdf_sha256);
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: "retention_applied".to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details: audited,
    })
    .await?;
    Ok(DestructionView {
        id,
        number: numbered.number,
        created_at: now,
        verify_code: numbered.verify_code,
        pdf_sha256: numbered.pdf_sha256,
        draft: numbered.draft,
        details,
    })
}

/// The record's sections, and what the run did as JSON.
fn minutes(
    treated: &[Treated],
    held: Vec<String>,
    now: DateTime<Utc>,
) -> (Body, serde_json::Value) {
    let lines: Vec<DestructionLine> = treated
        .iter()
        .map(|t| DestructionLine {
            class: t.class.label_id().to_owned(),
            treatment: t.class.treatment_id().to_owned(),
            years: t.years,
            records: u32::try_from(t.records).unwrap_or(u32::MAX),
            tickets: t.tickets.clone(),
            basis: t.class.basis_id().to_owned(),
        })
        .collect();
    let details = json!({
        "lines": treated.iter().map(|t| json!({
            "class": t.class, "years": t.years, "records": t.records, "tickets": t.tickets,
        })).collect::<Vec<_>>(),
        "held": held,
    });
    let body = Body::DestructionRecord(DestructionMinutes {
        held_at: now,
        lines,
        held,
    });
    (body, details)
}

/// The worker as it signs a record when no signer is configured.
fn worker() -> Caller {
    Caller {
        email: "sigap".to_owned(),
        name: "SIGAP BATAM-CSIRT".to_owned(),
        ..Caller::system()
    }
}

/// The records of destruction, the newest first (admin, auditor).
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<DestructionView>> {
    caller.require(READ, "read the records of destruction")?;
    Ok(app
        .store
        .list_destruction_records(200)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// One record of destruction and its PDF (admin, auditor).
pub async fn pdf(app: &App, caller: &Caller, id: i64) -> AppResult<(DestructionView, Vec<u8>)> {
    caller.require(READ, "read the records of destruction")?;
    let row = app
        .store
        .get_destruction_record(id)
        .await?
        .ok_or_else(|| AppError::NotFound("record of destruction".to_owned()))?;
    let bytes = app
        .blobs
        .get(&row.pdf_sha256)
        .await?
        .ok_or_else(|| AppError::Internal(format!("the PDF {} is missing", row.pdf_sha256)))?;
    Ok((view(row), bytes))
}
