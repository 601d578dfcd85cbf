//! The canned replies to the reporter ("Balasan siap pakai", `sigap_core::replies`): admins
//! change their texts on the settings page (a section of the settings, written like the
//! others: audited, with the settings revision raised); staff who may write to the reporter
//! read them to fill the comment form of a ticket in the reporter's language.

use serde_json::json;
use sigap_core::replies::{RepliesRequest, Reply, ReplyKind, check_replies};

use crate::admin::overrides::{Section, begin, write};
use crate::auth::Caller;
use crate::{App, AppError, AppResult};

/// Sets the texts of the canned replies (admins); the kinds left out keep theirs.
pub async fn set_replies(
    app: &App,
    caller: &Caller,
    request: &RepliesRequest,
) -> AppResult<Vec<Reply>> {
    let result = try_set(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_replies", None, e, None).await;
    }
    result
}

async fn try_set(app: &App, caller: &Caller, request: &RepliesRequest) -> AppResult<Vec<Reply>> {
    caller.require(&[sigap_core::Role::Admin], "change the settings")?;
    let current = app.effective().await?;
    let replies = check_replies(&current.replies, request).map_err(AppError::Invalid)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(&replies).map_err(|e| AppError::Internal(e.to_string()))?;
    let kinds: Vec<&str> = replies.iter().map(|r| r.kind.as_str()).collect();
    write(
        app,
        caller,
        tx,
        revision,
        Section::Replies,
        value,
        json!({"replies": kinds}),
    )
    .await?;
    Ok(replies)
}

/// The reply `kind` for the reporter of the ticket `number`, in the language they reported
/// in, for a caller who may write to the reporter (those who see who reported); `None` for
/// anyone else. Another agency's ticket is "not found", as everywhere.
pub async fn reply_for(
    app: &App,
    caller: &Caller,
    number: &str,
    kind: ReplyKind,
) -> AppResult<Option<String>> {
    let (row, _) = crate::access::visible_ticket(app, caller, number).await?;
    if !sigap_core::sees_reporter(caller.role) {
        return Ok(None);
    }
    let lang = row.language.as_str();
    let effective = app.effective().await?;
    Ok(effective
        .replies
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.text(lang).to_owned()))
}
