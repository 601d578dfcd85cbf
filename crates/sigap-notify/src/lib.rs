//! `sigap-notify` holds every e-mail notification of the SOP: the typed messages to
//! reporters, agencies and staff in Indonesian (and English for reporters who chose it),
//! iCalendar invitations for meetings, and the sending of both over SMTP behind a
//! [`Mailer`] trait that tests and development swap for an in-memory [`Outbox`]. With the
//! `sink` feature it also provides a small SMTP server that keeps what it receives, so that
//! tests can send through a real SMTP connection and read the result. Mail comes in through
//! [`lmtp`], the protocol a city's mail server delivers to a mailbox store with, or is read
//! from a hosted mailbox by [`imap`].
//!
//! Nothing here reads the clock or decides when to send: the caller (the job queue) passes
//! `now`, chooses the recipients and attaches the documents.

pub mod account;
pub mod alerts;
pub mod envelope;
pub mod html;
pub mod ics;
pub mod imap;
pub mod inbox;
pub mod links;
pub mod lmtp;
pub mod messages;
pub mod outbox;
pub mod reports;
pub mod smtp;
pub mod system_mail;
pub mod tlp;
pub mod when;

#[cfg(feature = "sink")]
pub mod sink;

pub use crate::envelope::{Attachment, CalendarPart, Envelope};
pub use crate::ics::{AttendeeRole, CalendarMethod, MeetingEvent, Participant};
pub use crate::links::{PublicLink, PublicUrl};
pub use crate::messages::{
    Escalation, MailLang, MeetingChange, MeetingPurpose, Message, Notification, PdpReader,
    PdpStage, Reminder, Rendered, TicketRef, TrackingToken,
};
pub use crate::outbox::{Outbox, SentMail};
pub use crate::smtp::{ConfigError, Mailer, SendError, SmtpMailer, SmtpOptions, build_message};
pub use crate::tlp::{Tlp, UnknownTlp};
