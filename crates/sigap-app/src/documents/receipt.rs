//! The receipt of a report (*Tanda Terima*), issued on first request by its reporter
//! (with the tracking token) or by staff who may know the reporter, in a transaction of
//! its own.

use chrono::{DateTime, Utc};
use serde_json::json;
use sigap_core::{DocumentKind, sees_reporter};
use sigap_store::{DocumentRow, NewAuditEntry, Tx};

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::documents::reading::audit_personal_read;
use crate::documents::{Issue, bodies, document_view, evidence_list, issue_one};
use crate::views::DocumentView;
use crate::{App, AppError, AppResult, millis};

/// The receipt of a report for its reporter (number and tracking token), issued on first
/// request; a wrong token is "not found".
pub async fn acknowledgement_for_reporter(
    app: &App,
    number: &str,
    token: &str,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let row = crate::access::reporter_ticket(app, number, token).await?;
    acknowledgement(app, None, &row.number, "reporter").await
}

/// The receipt of a report, for staff in the ticket's scope who may know the reporter,
/// issued on first request. A system owner or the Regional Secretary is refused (403,
/// audited).
pub async fn acknowledgement_for_staff(
    app: &App,
    caller: &Caller,
    number: &str,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let (row, _) = visible_ticket(app, caller, number).await?;
    if !sees_reporter(caller.role) {
        let refused = AppError::Forbidden(format!(
            "the role `{}` may not read the reporter's receipt",
            caller.role
        ));
        crate::audit::refused_on_ticket(app, caller, &row.number, "read_receipt", &refused, None)
            .await;
        return Err(refused);
    }
    acknowledgement(app, Some(caller), &row.number, &caller.email).await
}

/// Answers the ticket's receipt, issuing it in its own transaction the first time.
async fn acknowledgement(
    app: &App,
    caller: Option<&Caller>,
    number: &str,
    actor: &str,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let kind = DocumentKind::Acknowledgement;
    let policy = app.policy().await?;
    let mut tx = app.store.begin().await?;
    let row = tx
        .lock_ticket(number)
        .await?
        .ok_or_else(|| AppError::NotFound("ticket".to_owned()))?;
    let existing = tx.list_documents(row.id).await?;
    let doc = match existing.into_iter().find(|d| d.kind == kind) {
        Some(doc) => {
            // Nothing to write: the writer is free again before the read is audited.
            drop(tx);
            doc
        }
        None => {
            let now = app.now();
            let body = bodies::acknowledgement(&row, &app.rules);
            let evidence = evidence_list(&mut tx, row.id, &[]).await?;
            let issue = Issue {
                policy: &policy,
                kind,
                row: &row,
                caller: None,
                evidence,
                now,
                replaces: None,
                step_id: None,
                preview: None,
            };
            let doc = issue_one(app, &mut tx, issue, body).await?;
            audit_issue(&mut tx, caller, actor, &row.number, &doc, now).await?;
            tx.commit().await?;
            doc
        }
    };
    audit_personal_read(app, caller, &doc).await?;
    let pdf = app
        .blobs
        .get(&doc.sha256)
        .await?
        .ok_or_else(|| AppError::Internal("the receipt's PDF is missing".to_owned()))?;
    Ok((document_view(doc), pdf))
}

async fn audit_issue(
    tx: &mut Tx,
    caller: Option<&Caller>,
    actor: &str,
    number: &str,
    doc: &DocumentRow,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor: actor.to_owned(),
        role: caller.map_or("reporter", |c| c.role.as_str()).to_owned(),
        action: "issue_document".to_owned(),
        ticket_number: Some(number.to_owned()),
        source: None,
        outcome: "ok".to_owned(),
        details: json!({
            "documents": [{"kind": doc.kind, "number": doc.number, "sha256": doc.sha256}],
        }),
    })
    .await?;
    Ok(())
}
