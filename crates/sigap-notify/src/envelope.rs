//! What to send, independent of how: recipients, subject, the two bodies, attachments (the
//! letters of steps 6 and 8 as PDF) and the iCalendar part of a meeting message. The sender
//! address is not here: it is the mailer's (`SIGAP_MAIL_FROM`).

use chrono::{DateTime, Utc};
use sigap_core::Email;

use crate::ics::CalendarMethod;
use crate::links::PublicUrl;
use crate::messages::{Notification, Rendered};

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees, e.g. `surat-BCSIRT-2026-00001.pdf`.
    pub filename: String,
    /// Its MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The `text/calendar` part of a meeting message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPart {
    /// `REQUEST` or `CANCEL`, repeated in the part's MIME type.
    pub method: CalendarMethod,
    /// The iCalendar text, CRLF line endings.
    pub ics: String,
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The main recipients; at least one.
    pub to: Vec<Email>,
    /// Copies.
    pub cc: Vec<Email>,
    /// Where replies go, when not to the sender.
    pub reply_to: Option<Email>,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// The invitation, for meeting messages.
    pub calendar: Option<CalendarPart>,
    /// A fixed `Message-ID` (without angle brackets), e.g. one derived from the job id so
    /// that a retried send keeps its identity; `None` lets the mailer make one.
    pub message_id: Option<String>,
    /// The `Date` header; `None` lets the mailer use the time of sending.
    pub date: Option<DateTime<Utc>>,
    /// Earlier messages of the same thread (Message-IDs without angle brackets), oldest
    /// first: sent as `References`, the last also as `In-Reply-To`, so that mail clients
    /// keep a ticket's mail to one party together.
    pub references: Vec<String>,
    /// An automatic answer to a received message (`Auto-Submitted: auto-replied`) rather
    /// than a message of its own (`auto-generated`).
    pub auto_reply: bool,
}

impl Envelope {
    /// A message to `to` with the rendered subject and bodies.
    pub fn new(to: Vec<Email>, rendered: Rendered) -> Self {
        Self {
            to,
            cc: Vec::new(),
            reply_to: None,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            attachments: Vec::new(),
            calendar: None,
            message_id: None,
            date: None,
            references: Vec::new(),
            auto_reply: false,
        }
    }

    /// Renders `notification` for `to`; a meeting message gets its calendar part, stamped
    /// at `now`.
    pub fn for_notification(
        to: Vec<Email>,
        notification: &Notification,
        public: &PublicUrl,
        now: DateTime<Utc>,
    ) -> Self {
        let mut envelope = Self::new(to, notification.render(public));
        envelope.date = Some(now);
        envelope.calendar = notification.calendar().map(|(event, method)| CalendarPart {
            method,
            ics: event.to_ics(method, now),
        });
        envelope
    }

    /// Adds copies.
    pub fn with_cc(mut self, cc: Vec<Email>) -> Self {
        self.cc = cc;
        self
    }

    /// Sets the Reply-To address.
    pub fn with_reply_to(mut self, reply_to: Email) -> Self {
        self.reply_to = Some(reply_to);
        self
    }

    /// Attaches a file.
    pub fn attach(mut self, filename: &str, content_type: &str, bytes: Vec<u8>) -> Self {
        self.attachments.push(Attachment {
            filename: filename.to_owned(),
            content_type: content_type.to_owned(),
            bytes,
        });
        self
    }

    /// Sets the Message-ID (without angle brackets).
    pub fn with_message_id(mut self, id: &str) -> Self {
        self.message_id = Some(id.to_owned());
        self
    }

    /// Places the message in a thread after `earlier` (Message-IDs, oldest first).
    pub fn in_thread(mut self, earlier: Vec<String>) -> Self {
        self.references = earlier;
        self
    }
}
