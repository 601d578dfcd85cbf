//! Attaching a waiting message to a ticket by hand. A reply that could not be matched safely
//! (a sender the ticket does not know, a forged-looking domain) waits in the inbox marked
//! unverified with the ticket it names; so does a new mail that adds to a report. The help
//! desk, having checked who wrote it, attaches it to that ticket (or another it names) as
//! what it is: a message of the ticket's reporter (writing from another address), a
//! comment of the agency, or an internal note of the CSIRT. The text and the accepted
//! attachments reach the ticket exactly as a matched reply's would (the reporter's and the
//! note's files as evidence; the agency's official address is nobody a file could be named
//! after); the sender is told nothing. Once: a second decision is refused.

use serde::Deserialize;
use serde_json::json;
use sigap_store::{InboundDecision, InboundFileRow, InboundRow};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::inbox::InboxItem;
use crate::inbox::desk::{DECIDERS, entry, item};
use crate::inbox::read::ReadMail;
use crate::inbox::thread::{Found, ReplyFile, Sender, post};
use crate::{App, AppError, AppResult, audit, millis};

/// What a message is attached as.
pub const ATTACH_AS: [&str; 3] = ["reporter", "agency", "internal"];

/// Where and as what the help desk attaches a message.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AttachRequest {
    /// The ticket (e.g. `BCSIRT-2026-00001`); left out: the ticket the message names.
    #[serde(default)]
    pub ticket: Option<String>,
    /// `reporter` (a message of the ticket's reporter), `agency` (a comment of the agency)
    /// or `internal` (an internal note).
    #[serde(default, rename = "as")]
    pub attach_as: Option<String>,
}

/// Attaches waiting message `id` to a ticket.
pub async fn attach(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &AttachRequest,
    source: Option<String>,
) -> AppResult<InboxItem> {
    let result = try_attach(app, caller, id, request, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "attach_mail", None, e, source).await;
    }
    result
}

async fn try_attach(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &AttachRequest,
    source: Option<String>,
) -> AppResult<InboxItem> {
    caller.require(DECIDERS, "attach mail to a ticket")?;
    let attach_as = request.attach_as.as_deref().map(str::trim).unwrap_or("");
    let sender = match attach_as {
        "reporter" => Sender::Reporter,
        "agency" => Sender::Agency(None),
        "internal" => Sender::Staff(caller.user_id),
        _ => {
            return Err(AppError::invalid(
                "as",
                format!("`as` must be one of: {}", ATTACH_AS.join(", ")),
            ));
        }
    };
    let row = app
        .store
        .get_inbound(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    let number = target(&row, request)?;
    let files = app.store.inbound_files(id).await?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let ticket = tx
        .get_ticket(&number)
        .await?
        .ok_or_else(|| AppError::invalid("ticket", format!("no ticket `{number}`")))?;
    let decision = InboundDecision {
        id,
        status: "posted",
        ticket_id: Some(ticket.id),
        decided_by: Some(caller.user_id),
        discard_reason: None,
        now,
    };
    if !tx.decide_inbound(&decision).await? {
        return Err(match tx.get_inbound(id).await? {
            None => AppError::NotFound("message".into()),
            Some(row) => decided(&row.status),
        });
    }
    let mail = reply_of(&row, &sender);
    let replies: Vec<ReplyFile<'_>> = files.iter().filter_map(reply_file).collect();
    let found = Found {
        row: ticket,
        audience: None,
        sender: Some(sender),
    };
    post(&mut tx, app, &found, &mail, &replies, id, now).await?;
    let details = json!({"inbound_id": id, "as": attach_as, "files": replies.len()});
    let audit = entry(caller, "attach_mail", Some(number), source, now, details);
    tx.append_audit(&audit).await?;
    tx.commit().await?;
    item(app, id).await
}

/// The ticket a waiting message `row` is attached to: the one `request` names, else the
/// one the message names.
fn target(row: &InboundRow, request: &AttachRequest) -> AppResult<String> {
    if row.status != "new" {
        return Err(decided(&row.status));
    }
    if row.pgp.contains("\"undecryptable\"") {
        return Err(AppError::invalid(
            "as",
            "the message could not be decrypted: there is no text to attach",
        ));
    }
    request
        .ticket
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_ascii_uppercase)
        .or(row.ticket_number.clone())
        .ok_or_else(|| AppError::invalid("ticket", "name the ticket to attach the message to"))
}

/// The message as the reply it is posted as; an internal note says whose mail it was.
fn reply_of(row: &InboundRow, sender: &Sender) -> ReadMail {
    let mut text = row.body_text.clone();
    if let (Sender::Staff(_), Some(from)) = (sender, row.from_address.as_deref()) {
        text = format!("[Surel dari {from}]\n\n{text}");
    }
    ReadMail {
        from_address: row.from_address.clone(),
        text,
        ..ReadMail::default()
    }
}

/// An accepted attachment, as a reply's file.
fn reply_file(f: &InboundFileRow) -> Option<ReplyFile<'_>> {
    Some(ReplyFile {
        sha256: f.sha256.as_deref()?,
        name: &f.name,
        media_type: f.media_type.as_deref()?,
        size: f.size,
    })
}

fn decided(status: &str) -> AppError {
    AppError::Conflict(format!("the message was already decided ({status})"))
}
