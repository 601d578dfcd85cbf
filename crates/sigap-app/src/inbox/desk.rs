//! The help desk's inbox: the received messages that wait for a person, each shown with its
//! sender, text, attachments and what the mail server found; the raw message downloaded as
//! an attachment, never rendered. A waiting message is accepted as a ticket (the report's
//! fields as the help desk completed them, channel `email`, its accepted attachments as the
//! report's evidence, its sender as the reporter), discarded with a reason, or attached to a
//! ticket ([`crate::inbox::attach`]). A decision is taken once: a second one, or one racing
//! another, is refused. The inbox holds reporters' addresses: system owners and the
//! Sekretariat never see it.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use sigap_core::{Channel, EnterReportRequest, Role};
use sigap_store::{InboundDecision, NewAuditEntry};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::evidence::Upload;
use crate::inbox::InboxItem;
use crate::intake::{self, Intake};
use crate::views::SubmittedReport;
use crate::{App, AppError, AppResult, audit, millis};

/// Who reads the inbox.
const READERS: &[Role] = &[Role::Helpdesk, Role::Csirt, Role::Admin, Role::Auditor];
/// Who decides on its messages.
pub(crate) const DECIDERS: &[Role] = &[Role::Helpdesk, Role::Csirt];
/// The most messages listed at once.
const PAGE: i64 = 100;

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Those waiting for the desk.
    #[default]
    Waiting,
    /// Every message, decided or not, automatic replies and delivery reports too.
    All,
}

/// The messages of the inbox, newest first, before message `before` when given.
pub async fn list(
    app: &App,
    caller: &Caller,
    show: Show,
    before: Option<i64>,
    source: Option<String>,
) -> AppResult<Vec<InboxItem>> {
    may_read(app, caller, source).await?;
    let statuses: &[&str] = match show {
        Show::Waiting => &["new"],
        Show::All => &[],
    };
    let rows = app.store.list_inbound(statuses, before, PAGE).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut item = InboxItem::of(row, Vec::new());
            item.text = item.text.chars().take(300).collect();
            item
        })
        .collect())
}

/// How many messages wait in the inbox (for the header's count); 0 for those who may not
/// read it.
pub async fn waiting(app: &App, caller: &Caller) -> AppResult<i64> {
    if !READERS.contains(&caller.role) {
        return Ok(0);
    }
    Ok(app.store.count_inbound_new().await?)
}

/// Refuses, in the audit log too, a caller who may not read the inbox.
async fn may_read(app: &App, caller: &Caller, source: Option<String>) -> AppResult<()> {
    let allowed = caller.require(READERS, "read the inbox");
    if let Err(e) = &allowed {
        audit::refused(app, caller, "read_inbox", None, e, source).await;
    }
    allowed
}

/// One message with its attachments.
pub async fn show(
    app: &App,
    caller: &Caller,
    id: i64,
    source: Option<String>,
) -> AppResult<InboxItem> {
    may_read(app, caller, source).await?;
    item(app, id).await
}

pub(crate) async fn item(app: &App, id: i64) -> AppResult<InboxItem> {
    let row = app
        .store
        .get_inbound(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    let files = app.store.inbound_files(id).await?;
    Ok(InboxItem::of(row, files))
}

/// A received message as it arrived, to download.
#[derive(Debug, Clone)]
pub struct RawMail {
    pub bytes: Vec<u8>,
    /// `surel-{id}.eml`.
    pub name: String,
    pub sha256: String,
}

/// The message as it arrived, and the name it is downloaded under; the download is
/// written to the audit log.
pub async fn raw(
    app: &App,
    caller: &Caller,
    id: i64,
    source: Option<String>,
) -> AppResult<RawMail> {
    may_read(app, caller, source.clone()).await?;
    let row = app
        .store
        .get_inbound(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    let bytes = crate::evidence::read(&app.blobs, &row.raw_sha256).await?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    tx.append_audit(&entry(
        caller,
        "download_mail",
        None,
        source,
        now,
        json!({"inbound_id": id, "sha256": row.raw_sha256}),
    ))
    .await?;
    tx.commit().await?;
    Ok(RawMail {
        bytes,
        name: format!("surel-{id}.eml"),
        sha256: row.raw_sha256,
    })
}

/// What the help desk sends to accept a message: the report's fields (those the mail gave
/// are taken unless given here), and which attachments become evidence (all accepted ones
/// when absent).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptRequest {
    /// The report's fields, as for `POST /api/v1/tickets` (without `channel`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub report: Map<String, Value>,
    /// Ids of the message's attachments to take as evidence.
    #[serde(default)]
    pub attachments: Option<Vec<i64>>,
}

impl AcceptRequest {
    /// Reads a form or JSON body: `attachments` (ids, a list or one per field) and the
    /// report's fields.
    pub fn from_fields(fields: &Value) -> AppResult<AcceptRequest> {
        let mut report = match fields {
            Value::Object(map) => map.clone(),
            _ => return Err(AppError::invalid("body", "the body is an object of fields")),
        };
        report.remove("channel");
        let attachments = match report.remove("attachments") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(attachment_id)
                    .collect::<AppResult<Vec<_>>>()?,
            ),
            Some(one) => Some(vec![attachment_id(&one)?]),
        };
        Ok(AcceptRequest {
            report,
            attachments,
        })
    }
}

fn attachment_id(value: &Value) -> AppResult<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| AppError::invalid("attachments", "`attachments` lists attachment ids"))
}

/// The body of `POST /api/v1/inbox/{id}/accept`, as the API describes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AcceptBody {
    /// The report's fields, as for `POST /api/v1/tickets` without `channel`; those the mail
    /// gave (its template fields, its sender, its subject) are taken when left out.
    #[serde(flatten)]
    pub report: sigap_core::report::ReportRequest,
    /// Ids of the message's attachments to take as evidence (all accepted ones when left
    /// out).
    pub attachments: Option<Vec<i64>>,
}

/// Accepts message `id` as a ticket.
pub async fn accept(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &AcceptRequest,
    source: Option<String>,
) -> AppResult<SubmittedReport> {
    let result = try_accept(app, caller, id, request, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "accept_mail", None, e, source).await;
    }
    result
}

async fn try_accept(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &AcceptRequest,
    source: Option<String>,
) -> AppResult<SubmittedReport> {
    caller.require(DECIDERS, "accept mail as a report")?;
    let row = app
        .store
        .get_inbound(id)
        .await?
        .ok_or_else(|| AppError::NotFound("message".into()))?;
    if row.status != "new" {
        return Err(AppError::Conflict(format!(
            "the message was already decided ({})",
            row.status
        )));
    }
    let mut fields = report_of(&row, &request.report);
    fields.insert("channel".to_owned(), json!(Channel::Email.as_str()));
    let entered: EnterReportRequest =
        sigap_core::form::request(&Value::Object(fields)).map_err(AppError::Invalid)?;
    let uploads = evidence_of(app, id, request.attachments.as_deref()).await?;
    let intake = Intake {
        staff: Some(caller),
        channel: Channel::Email,
        source,
    };
    intake::enter_from_mail(app, &entered, &uploads, intake, id).await
}

/// The report's fields of message `row`: those its template gave, its sender as the
/// reporter, its subject as the title, and `overrides` over them.
fn report_of(row: &sigap_store::InboundRow, overrides: &Map<String, Value>) -> Map<String, Value> {
    let mut fields: Map<String, Value> = match serde_json::from_str(&row.fields) {
        Ok(Value::Object(read)) => read,
        _ => Map::new(),
    };
    for (key, value) in overrides {
        fields.insert(key.clone(), value.clone());
    }
    let mut default = |key: &str, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields
                .entry(key)
                .or_insert_with(|| Value::String(value.to_owned()));
        }
    };
    default("reporter_email", row.from_address.as_deref());
    default("reporter_name", row.from_name.as_deref());
    default("title", Some(&row.subject));
    fields
}

/// Opens the ticket of a complete template mail without the help desk, when
/// `SIGAP_EMAIL_AUTO_ACCEPT=on`: only for a mail that is not automatic and whose sender
/// did not fail DMARC, as a public report of its sender (the same checks and hourly
/// limits). Whatever is refused stays in the inbox for the desk; answers whether the
/// ticket was opened.
pub(crate) async fn auto_accept(app: &App, id: i64, mail: &crate::inbox::read::ReadMail) -> bool {
    if !app.rules.mail_in.auto_accept || mail.no_auto_answer() {
        return false;
    }
    let Some(sender) = mail.from_address.as_deref() else {
        return false;
    };
    let opened = async {
        let Some(row) = app.store.get_inbound(id).await? else {
            return Ok(None);
        };
        let fields = report_of(&row, &Map::new());
        let uploads = evidence_of(app, id, None).await?;
        if !crate::inbox::template::complete(&fields, !uploads.is_empty()) {
            return Ok(None);
        }
        let request: sigap_core::report::ReportRequest =
            sigap_core::form::request(&Value::Object(fields)).map_err(AppError::Invalid)?;
        let intake = Intake {
            staff: None,
            channel: Channel::Email,
            source: Some(sender.to_lowercase()),
        };
        intake::enter_mailed_report(app, &request, &uploads, intake, id)
            .await
            .map(Some)
    };
    match opened.await {
        Ok(Some(ticket)) => {
            tracing::info!(inbound_id = id, ticket = %ticket.ticket_number, "mail accepted as a report");
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::info!(inbound_id = id, error = %e, "mail left in the inbox");
            false
        }
    }
}

/// The attachments of message `id` to take as evidence: the accepted ones, or those of
/// `chosen` (each must be an accepted attachment of this message).
async fn evidence_of(app: &App, id: i64, chosen: Option<&[i64]>) -> AppResult<Vec<Upload>> {
    let files = app.store.inbound_files(id).await?;
    if let Some(chosen) = chosen
        && let Some(bad) = chosen
            .iter()
            .find(|c| !files.iter().any(|f| f.id == **c && f.sha256.is_some()))
    {
        return Err(AppError::invalid(
            "attachments",
            format!("attachment {bad} is not an accepted attachment of this message"),
        ));
    }
    let mut uploads = Vec::new();
    for file in files {
        let Some(sha256) = file.sha256.as_deref() else {
            continue;
        };
        if chosen.is_some_and(|c| !c.contains(&file.id)) {
            continue;
        }
        uploads.push(Upload {
            name: file.name.clone(),
            bytes: crate::evidence::read(&app.blobs, sha256).await?,
        });
    }
    Ok(uploads)
}

/// Why a message is discarded.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DiscardRequest {
    /// `spam`, `out_of_scope` or `duplicate`.
    #[serde(default)]
    pub reason: Option<String>,
    /// The ticket it repeats, for `duplicate`.
    #[serde(default)]
    pub ticket: Option<String>,
}

/// The reasons a message may be discarded for.
pub const DISCARD_REASONS: [&str; 3] = ["spam", "out_of_scope", "duplicate"];

/// Discards message `id` for a reason.
pub async fn discard(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &DiscardRequest,
    source: Option<String>,
) -> AppResult<InboxItem> {
    let result = try_discard(app, caller, id, request, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "discard_mail", None, e, source).await;
    }
    result
}

async fn try_discard(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &DiscardRequest,
    source: Option<String>,
) -> AppResult<InboxItem> {
    caller.require(DECIDERS, "discard mail")?;
    let reason = request.reason.as_deref().map(str::trim).unwrap_or("");
    if !DISCARD_REASONS.contains(&reason) {
        return Err(AppError::invalid(
            "reason",
            format!("`reason` must be one of: {}", DISCARD_REASONS.join(", ")),
        ));
    }
    let mut tx = app.store.begin().await?;
    let ticket = match (reason, request.ticket.as_deref().map(str::trim)) {
        ("duplicate", Some(number)) if !number.is_empty() => Some(
            tx.get_ticket(&number.to_ascii_uppercase())
                .await?
                .ok_or_else(|| AppError::invalid("ticket", format!("no ticket `{number}`")))?,
        ),
        ("duplicate", _) => {
            return Err(AppError::invalid(
                "ticket",
                "name the ticket this message repeats",
            ));
        }
        _ => None,
    };
    let now = millis(app.now());
    let decided = tx
        .decide_inbound(&InboundDecision {
            id,
            status: "discarded",
            ticket_id: ticket.as_ref().map(|t| t.id),
            decided_by: Some(caller.user_id),
            discard_reason: Some(reason),
            now,
        })
        .await?;
    if !decided {
        return Err(match tx.get_inbound(id).await? {
            None => AppError::NotFound("message".into()),
            Some(row) => {
                AppError::Conflict(format!("the message was already decided ({})", row.status))
            }
        });
    }
    let number = ticket.as_ref().map(|t| t.number.clone());
    let details = json!({"inbound_id": id, "reason": reason, "ticket": number});
    tx.append_audit(&entry(caller, "discard_mail", number, source, now, details))
        .await?;
    tx.commit().await?;
    item(app, id).await
}

/// The audit entry of a caller's act on the inbox.
pub(crate) fn entry(
    caller: &Caller,
    action: &str,
    ticket: Option<String>,
    source: Option<String>,
    at: i64,
    details: Value,
) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.to_owned(),
        ticket_number: ticket,
        source,
        outcome: "ok".to_owned(),
        details,
    }
}
