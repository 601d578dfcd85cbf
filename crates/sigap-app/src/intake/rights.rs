//! A reporter's rights over what sigap holds about them, exercised with the tracking token
//! ([`sigap_core::rights`]): [`export`] (everything held about them, as JSON), [`correct`]
//! (their contact details), [`erase`] (on a ended ticket at once, as the retention run
//! anonymises; on an open one recorded and applied when the ticket ends, by
//! `workflow::actions`). Each request is kept (`reporter_requests`, shown to the help desk
//! on the ticket) and audited, and so is a refusal.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sigap_core::Author;
use sigap_core::rights::{RightsRequest, read_correction};
use sigap_store::{NewAuditEntry, TicketRow};
use utoipa::ToSchema;

use crate::access::reporter_ticket;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Everything sigap holds about a reporter on one ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterData {
    pub ticket_number: String,
    pub submitted_at: DateTime<Utc>,
    /// The ticket's step, as the tracking page names it.
    pub state_label: String,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: Option<String>,
    /// How they chose to be credited: `name`, `alias` or `anonymous`, and the alias.
    pub credit: String,
    pub credit_alias: Option<String>,
    /// What they reported, as they wrote it.
    #[schema(value_type = Object)]
    pub report: Value,
    /// The messages between them and the CSIRT, oldest first.
    pub messages: Vec<ReporterMessage>,
    /// Their files: name, type, size, SHA-256, when received.
    #[schema(value_type = Vec<Object>)]
    pub files: Vec<Value>,
    /// Their requests so far (this one included).
    #[schema(value_type = Vec<Object>)]
    pub requests: Vec<Value>,
    /// When their contact data will be anonymised: the closing plus the retention period;
    /// none while the ticket is open.
    pub contact_kept_until: Option<DateTime<Utc>>,
}

/// One message, as the reporter's copy shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterMessage {
    pub at: DateTime<Utc>,
    /// `reporter` or `csirt`.
    pub from: String,
    pub body: String,
}

/// The reporter's data as a file to download.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub name: String,
    /// Indented JSON.
    pub bytes: Vec<u8>,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// What an erasure request did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasureOutcome {
    /// `true`: done now (the ticket had ended; the tracking token no longer opens it);
    /// `false`: recorded, applied when the ticket ends.
    pub applied: bool,
    pub requested_at: DateTime<Utc>,
}

/// Everything held about the reporter of ticket `number`; the download is recorded.
pub async fn export(
    app: &App,
    number: &str,
    token: &str,
    source: Option<String>,
) -> AppResult<ReporterData> {
    Ok(export_row(app, number, token, source).await?.1)
}

/// [`export`], with the ticket it reads.
pub(crate) async fn export_row(
    app: &App,
    number: &str,
    token: &str,
    source: Option<String>,
) -> AppResult<(TicketRow, ReporterData)> {
    let row = opened(app, number, token, "reporter_data_export", &source).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let kind = RightsRequest::Export.as_str();
    tx.insert_reporter_request(row.id, kind, millis(now), Some(millis(now)))
        .await?;
    tx.append_audit(&entry_for(
        &row.number,
        "reporter_data_export",
        now,
        source,
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    let data = data_of(app, &row).await?;
    Ok((row, data))
}

/// [`export`] as a JSON file to download: `BCSIRT-2026-00001.data-pribadi.json`.
pub async fn export_file(
    app: &App,
    number: &str,
    token: &str,
    source: Option<String>,
) -> AppResult<DataFile> {
    let data = export(app, number, token, source).await?;
    let bytes = serde_json::to_vec_pretty(&data)
        .map_err(|e| AppError::Internal(format!("reporter data: {e}")))?;
    Ok(DataFile {
        name: format!("{}.data-pribadi.json", data.ticket_number),
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        bytes,
    })
}

/// Corrects the reporter's contact details (`reporter_name`, `reporter_email`,
/// `reporter_phone`); answers everything held about them as it now is.
pub async fn correct(
    app: &App,
    number: &str,
    token: &str,
    body: &Value,
    source: Option<String>,
) -> AppResult<ReporterData> {
    let action = "reporter_contact_corrected";
    let row = opened(app, number, token, action, &source).await?;
    let result = async {
        let contact = read_correction(body).map_err(AppError::Invalid)?;
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let phone = contact.phone.as_deref();
        if !tx
            .correct_contact(row.id, &contact.name, &contact.email, phone)
            .await?
        {
            return Err(AppError::NotFound("ticket".to_owned()));
        }
        let kind = RightsRequest::Correction.as_str();
        tx.insert_reporter_request(row.id, kind, millis(now), Some(millis(now)))
            .await?;
        let changed = changed_fields(&row, &contact);
        let details = json!({"fields": changed});
        tx.append_audit(&entry_for(
            &row.number,
            action,
            now,
            source.clone(),
            details,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    audited(app, number, action, &source, result).await?;
    let row = reporter_ticket(app, number, token).await?;
    data_of(app, &row).await
}

/// Which contact fields a correction changes (their names, never their values).
fn changed_fields(row: &TicketRow, c: &sigap_core::rights::ContactCorrection) -> Vec<&'static str> {
    let mut out = Vec::new();
    if row.reporter_name != c.name {
        out.push("reporter_name");
    }
    if row.reporter_email != c.email {
        out.push("reporter_email");
    }
    if row.reporter_phone != c.phone {
        out.push("reporter_phone");
    }
    out
}

/// The reporter asks to be erased: at once when the ticket has ended, else when it ends.
pub async fn erase(
    app: &App,
    number: &str,
    token: &str,
    source: Option<String>,
) -> AppResult<ErasureOutcome> {
    let action = "reporter_erasure";
    let row = opened(app, number, token, action, &source).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let current = tx
        .lock_ticket(&row.number)
        .await?
        .ok_or_else(|| AppError::NotFound("ticket".to_owned()))?;
    let ended = current.state.is_terminal();
    let applied = ended.then_some(millis(now));
    tx.insert_reporter_request(
        row.id,
        RightsRequest::Erasure.as_str(),
        millis(now),
        applied,
    )
    .await?;
    if ended {
        tx.anonymise_reporter(row.id, millis(now)).await?;
    }
    let details = json!({"applied": ended});
    tx.append_audit(&entry_for(&row.number, action, now, source, details))
        .await?;
    tx.commit().await?;
    Ok(ErasureOutcome {
        applied: ended,
        requested_at: now,
    })
}

/// The reporter's ticket by its number and tracking token; a refusal is audited as
/// `action`.
async fn opened(
    app: &App,
    number: &str,
    token: &str,
    action: &str,
    source: &Option<String>,
) -> AppResult<TicketRow> {
    let found = reporter_ticket(app, number, token).await;
    audited(app, number, action, source, found).await
}

/// `result`, with a refusal written to the audit log.
async fn audited<T>(
    app: &App,
    number: &str,
    action: &str,
    source: &Option<String>,
    result: AppResult<T>,
) -> AppResult<T> {
    if let Err(e) = &result {
        let details = json!({"error": e.to_string()});
        let mut refusal = entry_for(number, action, app.now(), source.clone(), details);
        refusal.outcome = crate::audit::outcome_label(e).to_owned();
        crate::audit::append_refusal(app, &refusal).await;
    }
    result
}

fn entry_for(
    number: &str,
    action: &str,
    now: DateTime<Utc>,
    source: Option<String>,
    details: Value,
) -> NewAuditEntry {
    NewAuditEntry {
        at: millis(now),
        actor: "reporter".into(),
        role: "reporter".into(),
        action: action.to_owned(),
        ticket_number: Some(number.to_owned()),
        source,
        outcome: "ok".into(),
        details,
    }
}

/// What sigap holds about the reporter of `row`.
async fn data_of(app: &App, row: &TicketRow) -> AppResult<ReporterData> {
    let comments = app.store.list_comments(row.id).await?;
    let messages = comments
        .into_iter()
        .filter(|c| c.visibility == sigap_core::Visibility::Reporter)
        .map(|c| ReporterMessage {
            at: from_millis(c.created_at),
            from: if c.author_kind == Author::Reporter {
                "reporter"
            } else {
                "csirt"
            }
            .to_owned(),
            body: c.body,
        })
        .collect();
    let files = app
        .store
        .list_evidence(row.id)
        .await?
        .into_iter()
        .filter(|e| e.uploaded_by.is_none())
        .map(|e| {
            json!({"name": e.original_name, "media_type": e.media_type, "size": e.size,
            "sha256": e.sha256, "received_at": from_millis(e.created_at),
            "destroyed_at": e.destroyed_at.map(from_millis)})
        })
        .collect();
    let requests = app
        .store
        .list_reporter_requests(row.id)
        .await?
        .into_iter()
        .map(|r| {
            json!({"kind": r.kind, "requested_at": from_millis(r.requested_at),
            "applied_at": r.applied_at.map(from_millis)})
        })
        .collect();
    let policy = app.policy().await?;
    let years = policy.law.retention_contact_years;
    Ok(ReporterData {
        ticket_number: row.number.clone(),
        submitted_at: from_millis(row.created_at),
        state_label: row.state.label_id().to_owned(),
        reporter_name: row.reporter_name.clone(),
        reporter_email: row.reporter_email.clone(),
        reporter_phone: row.reporter_phone.clone(),
        credit: row.credit.clone(),
        credit_alias: row.credit_alias.clone(),
        report: json!({
            "title": row.title, "description": row.description, "target": row.target_url,
            "vulnerability_type": row.vulnerability_type, "severity": row.severity,
            "proof_of_concept": row.proof_of_concept, "evidence_text": row.evidence_text,
            "cvss_vector": row.cvss_vector,
        }),
        messages,
        files,
        requests,
        contact_kept_until: row
            .closed_at
            .map(|at| sigap_core::retention::expires_at(from_millis(at), years)),
    })
}
