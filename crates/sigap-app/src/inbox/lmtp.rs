//! The inbox behind `sigap-notify`'s LMTP server and IMAP reader: each message is kept
//! ([`crate::inbox::receive`]) before the server answers `250` or the reader marks it
//! `\Seen`; a store that cannot be written answers `451` (the mail server tries again, the
//! reader leaves the message for its next pass), a message over the limit is refused.

use futures::future::BoxFuture;
use sigap_notify::imap::{Fetched, Keep};
use sigap_notify::lmtp::{Deliver, Delivery, DeliveryError, LmtpOptions};

use crate::inbox::receive::{Received, receive};
use crate::{App, AppError};

/// Delivers to `app`'s inbox.
#[derive(Clone)]
pub struct MailDrop {
    pub app: App,
}

impl Deliver for MailDrop {
    fn deliver(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), DeliveryError>> {
        Box::pin(async move {
            let received = Received {
                via: "lmtp",
                envelope_from: &delivery.mail_from,
                recipients: &delivery.rcpt_to,
                raw: &delivery.data,
                mailbox_uid: None,
            };
            answer(receive(&self.app, received).await)
        })
    }
}

impl Keep for MailDrop {
    fn keep(&self, message: Fetched) -> BoxFuture<'_, Result<(), DeliveryError>> {
        Box::pin(async move {
            // A mailbox has no envelope: the recipients are the message's own.
            let recipients = header_recipients(&message.data);
            let received = Received {
                via: "imap",
                envelope_from: "",
                recipients: &recipients,
                raw: &message.data,
                mailbox_uid: Some(&message.mailbox_uid),
            };
            answer(receive(&self.app, received).await)
        })
    }
}

/// What the mail server or the reader is told.
fn answer(kept: crate::AppResult<crate::inbox::receive::Kept>) -> Result<(), DeliveryError> {
    match kept {
        Ok(_) => Ok(()),
        Err(AppError::TooLarge(why)) => Err(DeliveryError::Permanent(why)),
        Err(e) => {
            tracing::warn!(error = %e, "mail not kept; it is delivered again later");
            Err(DeliveryError::Transient(
                "the inbox cannot take it now".to_owned(),
            ))
        }
    }
}

/// The addresses of `To`, `Cc` and `Delivered-To`.
fn header_recipients(raw: &[u8]) -> Vec<String> {
    let Some(message) = mail_parser::MessageParser::default().parse_headers(raw) else {
        return Vec::new();
    };
    let mut all: Vec<String> = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address().map(str::to_owned))
        .collect();
    all.extend(
        message
            .header_values("Delivered-To")
            .filter_map(|v| v.as_text().map(|t| t.trim().to_owned())),
    );
    all
}

/// The LMTP server's limits from `app`'s rules: its domains and size limit.
pub fn options(app: &App, hostname: &str) -> LmtpOptions {
    LmtpOptions {
        hostname: hostname.to_owned(),
        max_message: app.rules.mail_in.max_bytes,
        domains: crate::inbox::domains(app),
        ..LmtpOptions::default()
    }
}
