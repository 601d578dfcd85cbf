//! Mail that came back. A delivery status notification (RFC 3464) that reports a failure
//! names the Message-ID of the mail it returns; when that is a mail sigap sent about a
//! ticket (`mail_messages`), its job is marked `bounced` with the remote server's status
//! (seen on `/admin/jobs`), the ticket gets an internal note, and the help desk is told,
//! so that a reporter whose address does not take mail is reached another way. The note
//! never names the reporter's address: internal notes are read by roles that may not know
//! who reported. A report of a delay, or of a mail sigap did not send, is only kept.

use serde_json::json;
use sigap_core::{Author, Role, Visibility};
use sigap_store::{MailMessageRow, NewAuditEntry, NewComment, Tx};

use crate::inbox::read::{DeliveryReport, ReadMail};
use crate::outbox::notify::{MailJob, MailKind};
use crate::outbox::threads::Audience;
use crate::{App, AppResult};

/// A failure report about a mail sigap sent.
#[derive(Debug, Clone)]
pub(crate) struct Bounce {
    pub sent: MailMessageRow,
    pub report: DeliveryReport,
}

/// The mail `mail` reports as undeliverable, when sigap sent it.
pub(crate) async fn find(app: &App, mail: &ReadMail) -> AppResult<Option<Bounce>> {
    let Some(report) = mail.delivery.clone().filter(DeliveryReport::failed) else {
        return Ok(None);
    };
    let Some(id) = report.original_id.as_deref() else {
        return Ok(None);
    };
    Ok(app
        .store
        .find_mail_message(id)
        .await?
        .map(|sent| Bounce { sent, report }))
}

/// Marks the returned mail's job bounced, notes it on its ticket and tells the help desk.
pub(crate) async fn record(
    tx: &mut Tx,
    app: &App,
    bounce: &Bounce,
    inbound_id: i64,
    now: i64,
) -> AppResult<()> {
    let status = bounce
        .report
        .status
        .clone()
        .unwrap_or_else(|| "5.0.0".to_owned());
    let why = format!(
        "bounced: {status} {}",
        bounce.report.diagnostic.as_deref().unwrap_or("")
    );
    if let Some(job) = bounce.sent.job_id {
        tx.mark_job_bounced(job, why.trim()).await?;
    }
    let audience = Audience::parse(&bounce.sent.audience);
    let reporter = audience == Some(Audience::Reporter);
    let whom = match (reporter, bounce.report.recipient.as_deref()) {
        (true, _) => "pelapor".to_owned(),
        (false, Some(address)) => address.to_owned(),
        (false, None) => "penerima".to_owned(),
    };
    let body = format!(
        "Surel tentang tiket ini kepada {whom} ditolak oleh server surel penerima \
         (status {status}); surel itu tidak sampai."
    );
    tx.insert_comment(&NewComment {
        ticket_id: bounce.sent.ticket_id,
        author_id: None,
        author_kind: Author::Staff,
        visibility: Visibility::Internal.as_str(),
        body: &body,
        now,
    })
    .await?;
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: "mail".to_owned(),
        role: "system".to_owned(),
        action: "mail_bounced".to_owned(),
        ticket_number: Some(bounce.sent.number.clone()),
        source: None,
        outcome: "ok".to_owned(),
        details: json!({
            "inbound_id": inbound_id,
            "job_id": bounce.sent.job_id,
            "audience": bounce.sent.audience,
            "status": status,
        }),
    })
    .await?;
    let Some(row) = tx.get_ticket(&bounce.sent.number).await? else {
        return Ok(());
    };
    let mut job = MailJob::new(
        &row,
        Vec::new(),
        "id",
        MailKind::MailBounced { reporter, status },
    );
    job.to_roles = vec![Role::Helpdesk];
    crate::outbox::notify::enqueue(app, tx, row.id, &job, now).await
}
