//! Writing to the audit log: what every use case shares. An entry of a caller's change that
//! concerns no ticket ([`record`]), a refused attempt in its own transaction ([`refused`],
//! [`refused_on_ticket`]) and a sign-in's entry ([`login_entry`]). Reading the log, its
//! export and the check of its chain are `audit_log`'s. [`alert_admins`] queues an alert
//! to the admins with its audit entry. This module names no other use case.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sigap_core::JobKind;
use sigap_store::{NewAuditEntry, NewJob, Tx};

use crate::auth::Caller;
use crate::{App, AppError, AppResult, millis};

/// Appends an audit entry of `caller` that concerns no ticket (registries, settings).
pub(crate) async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    at: i64,
    details: Value,
) -> AppResult<()> {
    tx.append_audit(&NewAuditEntry {
        at,
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    Ok(())
}

/// The outcome a refusal is written with: `refused:` and its HTTP status, or `failed`.
pub(crate) fn outcome_label(e: &AppError) -> &'static str {
    match e {
        AppError::NotFound(_) => "refused:404",
        AppError::Forbidden(_) => "refused:403",
        AppError::Conflict(_) => "refused:409",
        AppError::Invalid(_) => "refused:422",
        AppError::TooLarge(_) => "refused:413",
        AppError::TooManyRequests { .. } => "refused:429",
        AppError::Unauthorized => "refused:401",
        AppError::Upstream(_) => "refused:502",
        AppError::Internal(_) => "failed",
    }
}

/// Writes a refused attempt on ticket `number` to the audit log in its own transaction. A
/// failure here is logged and does not hide the refusal from the caller.
pub(crate) async fn refused_on_ticket(
    app: &App,
    caller: &Caller,
    number: &str,
    action: &str,
    e: &AppError,
    source: Option<String>,
) {
    refused(app, caller, action, Some(number), e, source).await;
}

/// Writes a refused attempt that may concern no ticket (registries, settings) to the audit
/// log, as [`refused_on_ticket`] does.
pub(crate) async fn refused(
    app: &App,
    caller: &Caller,
    action: &str,
    ticket: Option<&str>,
    e: &AppError,
    source: Option<String>,
) {
    let fields = match e {
        AppError::Invalid(f) => json!(f),
        _ => Value::Null,
    };
    let entry = NewAuditEntry {
        at: millis(app.now()),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.chars().take(64).collect(),
        ticket_number: ticket.map(|number| number.chars().take(64).collect()),
        source,
        outcome: outcome_label(e).to_owned(),
        details: json!({ "error": e.to_string(), "fields": fields }),
    };
    append_refusal(app, &entry).await;
}

/// Appends a refusal's audit entry in its own transaction; a failure is logged and does
/// not hide the refusal from the caller.
pub(crate) async fn append_refusal(app: &App, entry: &NewAuditEntry) {
    let written = async {
        let mut tx = app.store.begin().await?;
        tx.append_audit(entry).await?;
        tx.commit().await
    };
    if let Err(err) = written.await {
        tracing::error!(error = %err, "could not write a refusal to the audit log");
    }
}

/// The audit entry of a sign-in attempt (`outcome`: `ok`, `refused:…`, `locked`, …).
pub(crate) fn login_entry(
    at: i64,
    email: &str,
    role: &str,
    outcome: &str,
    source: Option<String>,
) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: email.to_owned(),
        role: role.to_owned(),
        action: "login".to_owned(),
        ticket_number: None,
        source,
        outcome: outcome.to_owned(),
        details: json!({"channel": "web"}),
    }
}

/// Queues an alert job (`alert`, the payload the mail is made from) and records it in the
/// audit log under the alert's name with `details`, in the caller's transaction.
pub(crate) async fn alert_admins(
    tx: &mut Tx,
    alert: &str,
    payload: &impl Serialize,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| AppError::Internal(format!("alert job: {e}")))?;
    tx.enqueue_job(&NewJob {
        kind: JobKind::Alert,
        payload: &payload,
        ticket_id: None,
        run_at: millis(now),
        now: millis(now),
    })
    .await?;
    tx.append_audit(&NewAuditEntry {
        at: millis(now),
        actor: "sigap".to_owned(),
        role: "system".to_owned(),
        action: alert.to_owned(),
        ticket_number: None,
        source: None,
        outcome: "alert".to_owned(),
        details,
    })
    .await?;
    Ok(())
}
