//! Corrections. An issued document is never rendered again in place: a correction (after a
//! change of signers or letterhead, or a mistake found on paper) issues a new version of
//! the same kind with its own number, built from the same step's records, which names the
//! document it replaces. Only the newest version of a document can be corrected.

use serde_json::{Value, json};
use sigap_core::{ActionInput, DocumentKind, Role};
use sigap_store::{DocumentRow, NewAuditEntry, StepRecordRow, TicketRow, Tx};

use crate::auth::Caller;
use crate::documents::bodies::{self, Sources};
use crate::documents::{Issue, evidence_list, issue_one, screenshots, visible_document};
use crate::evidence::StoredFile;
use crate::views::DocumentView;
use crate::{App, AppError, AppResult, Policy, millis};

/// Why a document is corrected, as `POST /api/v1/documents/{id}/reissue` sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReissueRequest {
    /// Said on the new version, e.g. a misspelt name; required.
    #[schema(value_type = String)]
    pub reason: sigap_core::Given,
}

/// Longest reason for a correction, in characters.
const MAX_REASON: usize = 1000;

/// The step that issued `doc`.
fn issuing_step<'a>(steps: &'a [StepRecordRow], doc: &DocumentRow) -> Option<&'a StepRecordRow> {
    let id = doc.step_record_id?;
    steps.iter().find(|s| s.id == id)
}

fn check(caller: &Caller, reason: &str) -> AppResult<()> {
    if !matches!(caller.role, Role::Csirt | Role::Admin) {
        return Err(AppError::Forbidden(format!(
            "a {} may not correct official documents",
            caller.role.as_str()
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(AppError::invalid(
            "reason",
            format!("say why the document is corrected (1 to {MAX_REASON} characters)"),
        ));
    }
    Ok(())
}

/// Issues a corrected version of document `id`; answers the new document.
pub async fn reissue(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &ReissueRequest,
) -> AppResult<DocumentView> {
    let reason = request.reason.as_str().unwrap_or("");
    let result = try_reissue(app, caller, id, reason).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "reissue_document", None, e, None).await;
    }
    result
}

async fn try_reissue(app: &App, caller: &Caller, id: i64, reason: &str) -> AppResult<DocumentView> {
    let policy = app.policy().await?;
    let old = visible_document(app, caller, id).await?;
    check(caller, reason)?;
    let kind = old.kind;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = tx
        .lock_ticket(&old.ticket_number)
        .await?
        .ok_or_else(|| AppError::NotFound("document".to_owned()))?;
    let docs = tx.list_documents(row.id).await?;
    if let Some(newer) = docs.iter().find(|d| d.replaces_id == Some(old.id)) {
        return Err(AppError::Conflict(format!(
            "document {} is already replaced by {}; correct the newest version",
            old.number, newer.number
        )));
    }
    let body = Rebuild {
        caller,
        row: &row,
        old: &old,
        kind,
        docs: &docs,
        now,
    };
    let body = rebuild(app, &policy, &mut tx, body).await?;
    let evidence = if sigap_naskah::body::shows_evidence(kind) {
        evidence_list(&mut tx, row.id, &[]).await?
    } else {
        Vec::new()
    };
    let issue = Issue {
        policy: &policy,
        kind,
        row: &row,
        caller: Some(caller),
        evidence,
        now,
        replaces: Some((old.id, old.number.clone())),
        step_id: old.step_record_id,
        preview: None,
    };
    let new = issue_one(app, &mut tx, issue, body).await?;
    audit(&mut tx, caller, &old, &new, reason.trim(), now).await?;
    tx.commit().await?;
    Ok(crate::documents::document_view(new))
}

/// What a correction rebuilds: document `old` of `kind` on ticket `row`, among `docs`.
struct Rebuild<'a> {
    caller: &'a Caller,
    row: &'a TicketRow,
    old: &'a DocumentRow,
    kind: DocumentKind,
    docs: &'a [DocumentRow],
    now: chrono::DateTime<chrono::Utc>,
}

/// The body of `kind` again, from the records of the step that issued `old`.
async fn rebuild(
    app: &App,
    policy: &Policy,
    tx: &mut Tx,
    what: Rebuild<'_>,
) -> AppResult<sigap_naskah::Body> {
    let Rebuild {
        caller,
        row,
        old,
        kind,
        docs,
        now,
    } = what;
    let cannot = || AppError::Conflict(format!("document {} cannot be rebuilt", old.number));
    if kind == DocumentKind::Acknowledgement {
        return Ok(bodies::acknowledgement(row, &app.rules));
    }
    let steps = tx.list_step_records(row.id).await?;
    let step = issuing_step(&steps, old).ok_or_else(cannot)?;
    let records: Value = serde_json::from_str(&step.records).map_err(|_| cannot())?;
    let input: ActionInput = serde_json::from_value(records.clone()).map_err(|_| cannot())?;
    let earlier: Vec<DocumentRow> = docs.iter().filter(|d| d.id < old.id).cloned().collect();
    let sources = Sources {
        caller,
        row,
        input: &input,
        records: &records,
        steps: &steps,
        docs: &earlier,
        audit_head: tx.audit_head().await?,
        public_url: app.rules.document_base_url(),
        tembusan: policy.documents.tembusan(kind),
        fix_days: 7,
        now,
    };
    let mut body = bodies::build(kind, &sources).ok_or_else(cannot)?;
    if let sigap_naskah::Body::BlockRecord(a) | sigap_naskah::Body::UnblockRecord(a) = &mut body {
        a.screenshots = screenshots(app, &step_pictures(tx, row.id, step.id).await?).await?;
    }
    Ok(body)
}

/// The pictures attached to one step.
async fn step_pictures(tx: &mut Tx, ticket_id: i64, step_id: i64) -> AppResult<Vec<StoredFile>> {
    Ok(tx
        .list_evidence(ticket_id)
        .await?
        .into_iter()
        .filter(|e| e.step_record_id == Some(step_id))
        .filter_map(|e| {
            let media_type = match e.media_type.as_str() {
                "image/png" => "image/png",
                "image/jpeg" => "image/jpeg",
                _ => return None,
            };
            Some(StoredFile {
                sha256: e.sha256,
                name: e.original_name,
                media_type,
                size: e.size,
            })
        })
        .collect())
}

async fn audit(
    tx: &mut Tx,
    caller: &Caller,
    old: &DocumentRow,
    new: &DocumentRow,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: "reissue_document".to_owned(),
        ticket_number: Some(new.ticket_number.clone()),
        source: None,
        outcome: "ok".to_owned(),
        details: json!({
            "replaces": {"id": old.id, "number": old.number, "sha256": old.sha256},
            "documents": [{"kind": new.kind, "number": new.number, "sha256": new.sha256}],
            "reason": reason,
        }),
    })
    .await?;
    Ok(())
}
