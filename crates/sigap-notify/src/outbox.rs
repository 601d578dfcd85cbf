//! A [`Mailer`] that keeps messages in memory instead of sending them: for development
//! (when `SIGAP_SMTP_URL` is unset) and for tests of the app that only need to know what
//! would have been sent. Each message is built exactly as the SMTP mailer builds it, so a
//! message that could not be sent fails here too.

use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use lettre::message::Mailbox;

use crate::envelope::Envelope;
use crate::smtp::{Mailer, SendError, build_message};

/// A message the outbox accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// What was asked to be sent.
    pub envelope: Envelope,
    /// The message as it would have gone on the wire (RFC 5322).
    pub raw: Vec<u8>,
}

/// An in-memory outbox. Clones share the same list.
#[derive(Debug, Clone)]
pub struct Outbox {
    from: Mailbox,
    sent: Arc<Mutex<Vec<SentMail>>>,
}

impl Outbox {
    /// An empty outbox sending as `from`.
    pub fn new(from: Mailbox) -> Self {
        Self {
            from,
            sent: Arc::default(),
        }
    }

    /// Every message accepted so far, oldest first.
    pub fn sent(&self) -> Vec<SentMail> {
        self.lock().clone()
    }

    /// Takes every message accepted so far, leaving the outbox empty.
    pub fn take(&self) -> Vec<SentMail> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SentMail>> {
        // A panic while holding the lock cannot leave the list half-written: pushes are
        // atomic from the list's point of view, so a poisoned lock is still usable.
        self.sent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, envelope: &Envelope) -> Result<(), SendError> {
        let message = build_message(&self.from, envelope)?;
        self.lock().push(SentMail {
            envelope: envelope.clone(),
            raw: message.formatted(),
        });
        Ok(())
    }
}

impl Mailer for Outbox {
    fn send<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move { self.keep(envelope) })
    }
}
