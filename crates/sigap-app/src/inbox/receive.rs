//! Keeping a received message: once, whole, with what was read of it. The raw message and
//! the accepted attachments are written to the blob store first, then one transaction
//! records the message, its files and the audit entry; only after that commit does the
//! caller acknowledge the delivery (LMTP's `250`, IMAP's `\Seen`). A message delivered again
//! (the mail server retrying after a lost acknowledgement, an IMAP re-read, a second worker)
//! is found by its dedupe key or mailbox UID and adds nothing. A message for the desk is
//! acknowledged to its sender once per thread ([`crate::inbox::acknowledge`]).

use serde_json::json;
use sha2::{Digest, Sha256};
use sigap_store::{NewAuditEntry, NewInbound, NewInboundFile};

use crate::evidence::{clean_name, sniff};
use crate::inbox::bounce::Bounce;
use crate::inbox::read::{Flag, MailFile, ReadMail, read_with};
use crate::inbox::template;
use crate::inbox::thread::{Found, ReplyFile, find, post};
use crate::{App, AppError, AppResult, millis};

/// A message as delivered.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// `lmtp` or `imap`.
    pub via: &'a str,
    /// The envelope sender; empty for a delivery report.
    pub envelope_from: &'a str,
    /// The envelope recipients.
    pub recipients: &'a [String],
    /// The message as it arrived.
    pub raw: &'a [u8],
    /// `{mailbox}:{uidvalidity}:{uid}` for a message read over IMAP.
    pub mailbox_uid: Option<&'a str>,
}

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Recorded now, as message `id`.
    New(i64),
    /// Recorded before, as message `id`: nothing was added.
    Again(i64),
}

/// An attachment checked like an upload: stored, or refused with the reason.
struct CheckedFile<'a> {
    file: &'a MailFile,
    name: String,
    media_type: Option<&'static str>,
    sha256: Option<String>,
    refused: Option<String>,
}

/// A message read and its bytes stored, ready to record.
struct Prepared<'a> {
    mail: &'a ReadMail,
    key: String,
    thread_key: String,
    raw_sha256: String,
    files: Vec<CheckedFile<'a>>,
    kind: &'static str,
    status: &'static str,
    /// The ticket it answers or names.
    found: Option<Found>,
    /// The mail of sigap's it reports as undelivered.
    bounce: Option<Bounce>,
    /// A complete template mail to open a ticket from without the desk.
    auto: bool,
}

/// Keeps `received` (see the module's documentation). A store that cannot be written is
/// an error the caller answers as transient; a message over the size limit is refused.
pub async fn receive(app: &App, received: Received<'_>) -> AppResult<Kept> {
    let limit = app.rules.mail_in.max_bytes;
    if received.raw.len() > limit {
        return Err(AppError::TooLarge(format!(
            "the message is {} bytes; the limit is {limit}",
            received.raw.len()
        )));
    }
    let mail = read_with(
        received.raw,
        app.rules.mail_in.authserv_id.as_deref(),
        app.rules.mail_in.pgp.as_deref(),
    );
    // A message that could not be opened reaches no ticket: the desk looks at it.
    let sealed = mail.pgp.as_ref().is_some_and(|p| p.undecryptable());
    let key = dedupe_key(&mail, received.raw);
    if let Some(id) = app.store.find_inbound(&key, received.mailbox_uid).await? {
        return Ok(Kept::Again(id));
    }
    let raw_sha256 = app.blobs.put(received.raw).await?;
    let files = check_files(app, &mail.files).await?;
    let found = find(app, &mail, received.recipients).await?;
    let (kind, status) = match (classify(&mail), &found) {
        // A sender the ticket knows, unless the mail server found the sender's domain
        // forged (DMARC): then the desk looks first.
        (("report", _), Some(f))
            if f.sender.is_some() && !mail.authentication.dmarc_failed() && !sealed =>
        {
            ("reply", "posted")
        }
        (("report", _), Some(_)) => ("unverified", "new"),
        (other, _) => other,
    };
    let bounce = match kind {
        "bounce" => crate::inbox::bounce::find(app, &mail).await?,
        _ => None,
    };
    let auto = kind == "report"
        && app.rules.mail_in.auto_accept
        && !mail.no_auto_answer()
        && template::complete(
            // The template's name over the sender's display name.
            &mail
                .from_name
                .clone()
                .map(|n| ("reporter_name".to_owned(), n.into()))
                .into_iter()
                .chain(template::read(&mail.text))
                .collect(),
            files.iter().any(|f| f.sha256.is_some()),
        );
    let thread_key = mail
        .thread_root
        .clone()
        .or_else(|| mail.message_id.clone())
        .unwrap_or_else(|| key.clone());
    let prepared = Prepared {
        key,
        thread_key,
        raw_sha256,
        files,
        kind,
        status,
        found,
        bounce,
        auto,
        mail: &mail,
    };
    let kept = record(app, &received, &prepared).await?;
    if let Kept::New(id) = kept
        && auto
        && !crate::inbox::desk::auto_accept(app, id, &mail).await
    {
        // Left for the desk after all: the sender hears that it arrived.
        acknowledge_later(app, id, &mail, &prepared.thread_key).await;
    }
    Ok(kept)
}

/// Acknowledges message `id` in a transaction of its own; a failure is logged (the
/// message is kept whatever happens here).
async fn acknowledge_later(app: &App, id: i64, mail: &ReadMail, thread_key: &str) {
    let done = async {
        let mut tx = app.store.begin().await?;
        let now = millis(app.now());
        crate::inbox::acknowledge::enqueue(&mut tx, app, id, mail, thread_key, now).await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    };
    if let Err(e) = done.await {
        tracing::warn!(inbound_id = id, error = %e, "no acknowledgement of a kept mail");
    }
}

/// Records a prepared message, its files, its acknowledgement and its audit entry in one
/// transaction.
async fn record(app: &App, received: &Received<'_>, p: &Prepared<'_>) -> AppResult<Kept> {
    let now = millis(app.now());
    let text = |v: serde_json::Value| v.to_string();
    let mail = p.mail;
    let mut tx = app.store.begin().await?;
    let inserted = tx
        .insert_inbound(&NewInbound {
            dedupe_key: &p.key,
            message_id: mail.message_id.as_deref(),
            mailbox_uid: received.mailbox_uid,
            thread_key: &p.thread_key,
            via: received.via,
            envelope_from: received.envelope_from,
            recipients: &text(json!(received.recipients)),
            from_address: mail.from_address.as_deref(),
            from_name: mail.from_name.as_deref(),
            subject: &mail.subject,
            body_text: &mail.text,
            raw_sha256: &p.raw_sha256,
            raw_size: i64::try_from(received.raw.len()).unwrap_or(i64::MAX),
            authentication: &text(json!(mail.authentication)),
            fields: &text(serde_json::Value::Object(template::read(&mail.text))),
            flags: &text(json!(mail.flags)),
            pgp: &mail
                .pgp
                .as_ref()
                .map(|p| text(json!(p)))
                .unwrap_or_default(),
            kind: p.kind,
            status: p.status,
            ticket_id: p
                .found
                .as_ref()
                .map(|f| f.row.id)
                .or(p.bounce.as_ref().map(|b| b.sent.ticket_id)),
            now,
        })
        .await?;
    let Some(id) = inserted else {
        // Another delivery of the same message committed first.
        drop(tx);
        let id = app.store.find_inbound(&p.key, received.mailbox_uid).await?;
        return Ok(Kept::Again(id.unwrap_or_default()));
    };
    for f in &p.files {
        tx.insert_inbound_file(id, &f.row()).await?;
    }
    if let (Some(found), "posted") = (&p.found, p.status) {
        let files: Vec<ReplyFile<'_>> = p.files.iter().filter_map(CheckedFile::evidence).collect();
        post(&mut tx, app, found, mail, &files, id, now).await?;
    }
    if let Some(bounce) = &p.bounce {
        crate::inbox::bounce::record(&mut tx, app, bounce, id, now).await?;
    }
    let acknowledged = p.kind == "report"
        && !p.auto
        && crate::inbox::acknowledge::enqueue(&mut tx, app, id, mail, &p.thread_key, now).await?;
    let details = audit_details(id, received, p, acknowledged);
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: "mail".to_owned(),
        role: "system".to_owned(),
        action: "receive_mail".to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    tx.commit().await?;
    if p.bounce.is_some() {
        app.meter
            .count("sigap_mail_total", &[("outcome", "bounced".to_owned())]);
    }
    Ok(Kept::New(id))
}

/// What the audit entry of a kept message says of it.
fn audit_details(
    id: i64,
    received: &Received<'_>,
    p: &Prepared<'_>,
    acknowledged: bool,
) -> serde_json::Value {
    json!({
        "inbound_id": id,
        "via": received.via,
        "message_id": p.mail.message_id,
        "raw_sha256": p.raw_sha256,
        "kind": p.kind,
        "ticket": p.found.as_ref().map(|f| f.row.number.clone()),
        "acknowledged": acknowledged,
        "pgp": p.mail.pgp,
        "files": p.files.iter().map(|f| json!({
            "name": f.name,
            "sha256": f.sha256,
            "refused": f.refused,
        })).collect::<Vec<_>>(),
    })
}

/// The key a message is recorded once under: its Message-ID with its sender, or the hash
/// of its bytes when it has no Message-ID. The sender is part of it so that a stranger who
/// copies a Message-ID cannot suppress another's message.
fn dedupe_key(mail: &ReadMail, raw: &[u8]) -> String {
    match &mail.message_id {
        Some(id) => format!(
            "mid:{}|{}",
            id.to_lowercase(),
            mail.from_address.as_deref().unwrap_or("").to_lowercase()
        ),
        None => format!("sha:{}", hex::encode(Sha256::digest(raw))),
    }
}

/// The kind and the first status of a message: a delivery report and an automatic reply
/// are kept and not shown to the desk; anything else waits in the inbox.
fn classify(mail: &ReadMail) -> (&'static str, &'static str) {
    if mail.flags.contains(&Flag::DeliveryReport) {
        ("bounce", "recorded")
    } else if mail.flags.contains(&Flag::AutoReplied) {
        ("auto_reply", "recorded")
    } else {
        ("report", "new")
    }
}

impl CheckedFile<'_> {
    /// The file as evidence of a reply, when it was accepted.
    fn evidence(&self) -> Option<ReplyFile<'_>> {
        Some(ReplyFile {
            sha256: self.sha256.as_deref()?,
            name: &self.name,
            media_type: self.media_type?,
            size: i64::try_from(self.file.bytes.len()).unwrap_or(i64::MAX),
        })
    }

    fn row(&self) -> NewInboundFile<'_> {
        NewInboundFile {
            name: &self.name,
            declared_type: &self.file.declared_type,
            media_type: self.media_type,
            sha256: self.sha256.as_deref(),
            size: i64::try_from(self.file.bytes.len()).unwrap_or(i64::MAX),
            refused: self.refused.as_deref(),
        }
    }
}

/// Checks each attachment as an upload is checked (size, then the type sniffed from the
/// bytes against the allow-list) and stores the accepted ones.
async fn check_files<'a>(app: &App, files: &'a [MailFile]) -> AppResult<Vec<CheckedFile<'a>>> {
    let max = app.rules.max_file_bytes;
    let mut checked = Vec::with_capacity(files.len());
    for file in files {
        let name = clean_name(&file.name);
        let refusal = if file.bytes.is_empty() {
            Err("kosong / empty".to_owned())
        } else if file.bytes.len() > max {
            Err(format!("lebih dari {max} byte / larger than {max} bytes"))
        } else {
            sniff(&file.bytes)
                .ok_or_else(|| "jenis berkas tidak diterima / type not accepted".to_owned())
        };
        let (media_type, sha256, refused) = match refusal {
            Ok(media_type) => (
                Some(media_type),
                Some(app.blobs.put(&file.bytes).await?),
                None,
            ),
            Err(why) => (None, None, Some(why)),
        };
        checked.push(CheckedFile {
            file,
            name,
            media_type,
            sha256,
            refused,
        });
    }
    Ok(checked)
}
