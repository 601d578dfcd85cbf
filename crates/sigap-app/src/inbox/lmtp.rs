//! The inbox behind the LMTP server of `sigap-notify`: each delivered message is kept
//! ([`crate::inbox::receive`]) before the server answers `250`; a store that cannot be
//! written answers `451` so that the mail server tries again, a message over the limit `550`.

use futures::future::BoxFuture;
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
            match receive(&self.app, received).await {
                Ok(_) => Ok(()),
                Err(AppError::TooLarge(why)) => Err(DeliveryError::Permanent(why)),
                Err(e) => {
                    tracing::warn!(error = %e, client = %delivery.client, "mail not kept; the mail server will retry");
                    Err(DeliveryError::Transient(
                        "the inbox cannot take it now".to_owned(),
                    ))
                }
            }
        })
    }
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
