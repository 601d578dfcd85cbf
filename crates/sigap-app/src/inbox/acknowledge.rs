//! The acknowledgement of received mail: one per thread, to a sender whose message waits in
//! the inbox, enqueued in the transaction that keeps the message and sent by the worker
//! (`JobKind::Inbox`). None goes to a message that is itself automatic, bulk or from a list
//! (RFC 3834), to a sender whose domain failed DMARC at the mail server, to an address
//! that is not one, or beyond the hourly limit of reports without the anti-spam check for
//! one sender (`SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF`): a forged sender cannot turn sigap
//! into a source of mail to others. The message itself is kept in every case.

use serde_json::json;
use sigap_core::{Email, JobKind};
use sigap_notify::Envelope;
use sigap_notify::inbox::MailReceived;
use sigap_store::{JobRow, NewJob, Tx};

use crate::inbox::read::ReadMail;
use crate::inbox::template::TEMPLATE;
use crate::outbox::notify::MailSender;
use crate::outbox::threads::new_message_id;
use crate::{App, AppError, AppResult};

/// Enqueues the acknowledgement of message `id` when it is due (see the module's
/// documentation); answers whether it did.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    app: &App,
    id: i64,
    mail: &ReadMail,
    thread_key: &str,
    now: i64,
) -> AppResult<bool> {
    if mail.no_auto_answer() {
        return Ok(false);
    }
    let Some(to) = mail
        .from_address
        .as_deref()
        .and_then(|a| Email::parse(a).ok())
    else {
        return Ok(false);
    };
    if !within_limit(tx, app, &to, now).await? || !tx.acknowledge_thread(id, thread_key).await? {
        return Ok(false);
    }
    let payload = json!({"to": [to.as_str()], "inbound_id": id}).to_string();
    tx.enqueue_job(&NewJob {
        kind: JobKind::Inbox,
        payload: &payload,
        ticket_id: None,
        run_at: now,
        now,
    })
    .await?;
    Ok(true)
}

/// Counts the sender's mail of this hour; whether it is within the limit of reports
/// without the anti-spam check (no limit when that is 0).
async fn within_limit(tx: &mut Tx, app: &App, sender: &Email, now: i64) -> AppResult<bool> {
    let limit = app.rules.intake_limits.without_proof_per_hour;
    if limit == 0 {
        return Ok(true);
    }
    let address = sender.as_str().to_lowercase();
    let key = hex::encode(&app.rules.secret_key.mac("intake-mail", address.as_bytes())[..16]);
    let (_, count) = tx.count_intake(&key, now / 3_600_000, false).await?;
    Ok(count <= i64::from(limit))
}

/// Sends one acknowledgement job; answers the payload to keep.
pub(crate) async fn send(
    app: &App,
    settings: &MailSender,
    job: &JobRow,
) -> crate::outbox::jobs::Outcome {
    let payload: serde_json::Value =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    let to: Vec<Email> = payload["to"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().and_then(|a| Email::parse(a).ok()))
        .collect();
    if to.is_empty() {
        return Ok(job.payload.clone());
    }
    let answered = match payload["inbound_id"].as_i64() {
        Some(id) => app
            .store
            .get_inbound(id)
            .await
            .map_err(|e| (true, AppError::from(e).to_string()))?
            .and_then(|row| row.message_id),
        None => None,
    };
    let rendered = MailReceived {
        template: TEMPLATE.to_owned(),
    }
    .render(&settings.public);
    let mut envelope = Envelope::new(to, rendered)
        .with_message_id(&new_message_id(settings.public.host()))
        .in_thread(answered.into_iter().collect());
    envelope.auto_reply = true;
    envelope.date = Some(app.now());
    settings
        .mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(job.payload.clone())
}
