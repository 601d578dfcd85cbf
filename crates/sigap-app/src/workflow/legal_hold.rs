//! A legal hold on a ticket: an admin, with a reason (a case, an inspection), keeps the
//! retention sweep (`workflow::retention`) away from it until the hold is lifted, again
//! with a reason. Both are audited, and so is every refusal.

use serde_json::{Value, json};
use sigap_core::Role;
use sigap_core::retention::read_hold_reason;

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::views::{LegalHoldView, RetentionView};
use crate::workflow::personal_data::entry;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Who sets and lifts a hold.
const HOLD: &[Role] = &[Role::Admin];

/// What retention has done to ticket `ticket_id`, and its hold.
pub(crate) async fn view_of(app: &App, ticket_id: i64) -> AppResult<RetentionView> {
    let hold = app.store.get_legal_hold(ticket_id).await?;
    Ok(RetentionView {
        contact_removed_at: app
            .store
            .contact_removed_at(ticket_id)
            .await?
            .map(from_millis),
        legal_hold: hold.map(|h| LegalHoldView {
            reason: h.reason,
            set_by: h.set_by,
            set_at: from_millis(h.set_at),
        }),
    })
}

/// Holds ticket `number` (`reason` required); `409` when it is held already.
pub async fn set(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<RetentionView> {
    let result = change(app, caller, number, body, true).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "legal_hold_set", e, None).await;
    }
    result
}

/// Lifts the hold of ticket `number` (`reason` required); `409` when it has none.
pub async fn lift(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<RetentionView> {
    let result = change(app, caller, number, body, false).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "legal_hold_lifted", e, None).await;
    }
    result
}

async fn change(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
    hold: bool,
) -> AppResult<RetentionView> {
    caller.require(HOLD, "set or lift a legal hold")?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let reason = read_hold_reason(body).map_err(AppError::Invalid)?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let (done, action, refusal) = if hold {
        let done = tx
            .set_legal_hold(row.id, &reason, &caller.email, millis(now))
            .await?;
        (
            done,
            "legal_hold_set",
            "the ticket is under a legal hold already",
        )
    } else {
        let done = tx.lift_legal_hold(row.id).await?;
        (
            done,
            "legal_hold_lifted",
            "the ticket is not under a legal hold",
        )
    };
    if !done {
        return Err(AppError::Conflict(refusal.to_owned()));
    }
    tx.append_audit(&entry(caller, &row, action, now, json!({"reason": reason})))
        .await?;
    tx.commit().await?;
    view_of(app, row.id).await
}
