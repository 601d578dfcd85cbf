//! Sending. [`Mailer`] is what the job queue and the app hold (`Arc<dyn Mailer>`);
//! [`SmtpMailer`] sends over SMTP with a connection pool, configured from the URL in
//! `SIGAP_SMTP_URL`; [`crate::Outbox`] keeps messages in memory instead. Failures are
//! [`SendError::Transient`] (try again later: the server is down, busy or answered 4xx) or
//! [`SendError::Permanent`] (a retry cannot help: a 5xx such as an unknown recipient, or a
//! message that cannot be built), so that the queue knows whether to retry.

use std::fmt;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::envelope::{CalendarPart, Envelope};

/// Something that sends an [`Envelope`].
pub trait Mailer: Send + Sync {
    /// Sends one message to all its recipients.
    fn send<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), SendError>>;
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: no connection, a timeout, or a 4xx answer.
    #[error("temporary mail failure (will retry): {0}")]
    Transient(String),
    /// A retry cannot help: a 5xx answer or a message that cannot be built.
    #[error("permanent mail failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// Whether the job queue should try again.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// A configuration that cannot make a mailer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `SIGAP_SMTP_URL` is not a URL lettre understands.
    #[error("SIGAP_SMTP_URL is not usable: {0}")]
    Url(String),
    /// `SIGAP_MAIL_FROM` is not a mailbox.
    #[error("SIGAP_MAIL_FROM `{0}` is not an address such as `BATAM-CSIRT <csirt@batam.go.id>`")]
    From(String),
}

/// Tuning of the SMTP connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpOptions {
    /// Most connections open at once (default 16).
    pub pool_max_size: u32,
    /// How long one SMTP command may take.
    pub timeout: Duration,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        // Each connection carries about 20 messages/s (see the README), so the pool's size
        // is the throughput knob; 16 stays well under common per-client server limits.
        Self {
            pool_max_size: 16,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Sends over SMTP through a pool of connections.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    shown_url: String,
}

impl fmt::Debug for SmtpMailer {
    /// Shows the server without the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("url", &self.shown_url)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpMailer {
    /// A mailer for `url` sending as `from`. URLs: `smtp://host:port` (no TLS),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS; `tls=starttls` is read the same),
    /// `smtp://host?tls=opportunistic`, `smtps://user:pass@host:465` (TLS from the start).
    /// Call it inside a Tokio runtime: the pool keeps a task there, and so does its drop.
    pub fn from_url(url: &str, from: &str, options: SmtpOptions) -> Result<Self, ConfigError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| ConfigError::From(from.to_owned()))?;
        let (lettre_url, shown_url) = normalise_url(url)?;
        let pool = PoolConfig::new().max_size(options.pool_max_size);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url)
            .map_err(|e| ConfigError::Url(format!("{shown_url}: {e}")))?
            .timeout(Some(options.timeout))
            .pool_config(pool)
            .build();
        Ok(Self {
            transport,
            from,
            shown_url,
        })
    }

    /// The sender address.
    pub fn from_address(&self) -> &Mailbox {
        &self.from
    }

    /// The server's URL without its password.
    pub fn shown_url(&self) -> &str {
        &self.shown_url
    }

    /// Connects as a send would (greeting, EHLO, STARTTLS or TLS, AUTH with the URL's
    /// credentials) and says NOOP: nothing is sent (`sigap doctor`).
    pub async fn check(&self) -> Result<(), SendError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError::Transient(
                "the server did not answer NOOP".to_owned(),
            )),
            Err(e) => Err(classify(e)),
        }
    }

    async fn send_envelope(&self, envelope: &Envelope) -> Result<(), SendError> {
        let message = build_message(&self.from, envelope)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(self.send_envelope(envelope))
    }
}

/// Reads `tls=starttls` as lettre's `tls=required`, and makes a copy without the password
/// for messages and logs.
fn normalise_url(url: &str) -> Result<(String, String), ConfigError> {
    let mut parsed =
        url::Url::parse(url.trim()).map_err(|e| ConfigError::Url(format!("not a URL ({e})")))?;
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| match (k.as_ref(), v.as_ref()) {
            ("tls", "starttls") => (k.into_owned(), "required".to_owned()),
            _ => (k.into_owned(), v.into_owned()),
        })
        .collect();
    if !pairs.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut shown = parsed.clone();
    if shown.password().is_some() {
        // Only URLs that cannot carry a password fail here, and those have none to hide.
        let _ = shown.set_password(Some("***"));
    }
    Ok((parsed.to_string(), shown.to_string()))
}

/// Sorts a lettre failure: a 5xx answer is permanent, everything else (no connection,
/// timeout, TLS, 4xx, a broken answer) is worth another try.
fn classify(error: lettre::transport::smtp::Error) -> SendError {
    if error.is_permanent() {
        SendError::Permanent(error.to_string())
    } else {
        SendError::Transient(error.to_string())
    }
}

/// Builds the MIME message: `multipart/alternative` of plain text, HTML and (for meetings)
/// `text/calendar; method=...`, inside `multipart/mixed` when there are attachments.
pub fn build_message(from: &Mailbox, envelope: &Envelope) -> Result<Message, SendError> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(envelope.subject.clone())
        .message_id(envelope.message_id.as_ref().map(|id| format!("<{id}>")));
    for to in &envelope.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &envelope.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    if let Some(reply_to) = &envelope.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    if let Some(date) = envelope.date {
        builder = builder.date(SystemTime::from(date));
    }
    if let Some(last) = envelope.references.last() {
        builder = builder.in_reply_to(format!("<{last}>")).references(
            envelope
                .references
                .iter()
                .map(|id| format!("<{id}>"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    // RFC 3834: an automatic message; auto-responders answer it with nothing.
    builder = builder.header(AutoSubmitted(if envelope.auto_reply {
        "auto-replied"
    } else {
        "auto-generated"
    }));
    builder
        .multipart(body(envelope)?)
        .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
}

fn mailbox(email: &sigap_core::Email) -> Result<Mailbox, SendError> {
    email
        .as_str()
        .parse()
        .map_err(|_| SendError::Permanent(format!("`{email}` is not a deliverable address")))
}

/// The `Auto-Submitted` header (RFC 3834): `auto-generated`, or `auto-replied` for an
/// answer to a received message.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted(&'static str);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(if value.trim().eq_ignore_ascii_case("auto-replied") {
            "auto-replied"
        } else {
            "auto-generated"
        }))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

/// The name of the calendar file for clients that show only attachments.
pub const CALENDAR_FILE: &str = "undangan.ics";

fn body(envelope: &Envelope) -> Result<MultiPart, SendError> {
    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(envelope.text.clone()))
        .singlepart(SinglePart::html(envelope.html.clone()));
    if let Some(calendar) = &envelope.calendar {
        alternative = alternative.singlepart(calendar_part(calendar)?);
    }
    if envelope.attachments.is_empty() && envelope.calendar.is_none() {
        return Ok(alternative);
    }
    let mut mixed = MultiPart::mixed().multipart(alternative);
    if let Some(calendar) = &envelope.calendar {
        // The same event again as a named file: some clients show only attachments.
        mixed = mixed.singlepart(
            MimeAttachment::new(CALENDAR_FILE.to_owned())
                .body(calendar.ics.clone(), content_type("application/ics")?),
        );
    }
    for attachment in &envelope.attachments {
        let content_type = content_type(&attachment.content_type)?;
        mixed = mixed.singlepart(
            MimeAttachment::new(attachment.filename.clone())
                .body(attachment.bytes.clone(), content_type),
        );
    }
    Ok(mixed)
}

fn calendar_part(calendar: &CalendarPart) -> Result<SinglePart, SendError> {
    let kind = format!(
        "text/calendar; method={}; charset=utf-8",
        calendar.method.as_str()
    );
    Ok(SinglePart::builder()
        .content_type(content_type(&kind)?)
        .body(calendar.ics.clone()))
}

fn content_type(text: &str) -> Result<ContentType, SendError> {
    ContentType::parse(text)
        .map_err(|_| SendError::Permanent(format!("`{text}` is not a MIME type")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_is_read_as_required_and_passwords_are_hidden() {
        let (url, shown) =
            normalise_url("smtp://mailer:s3cret@mail.batam.go.id:587?tls=starttls").unwrap();
        assert_eq!(
            url,
            "smtp://mailer:s3cret@mail.batam.go.id:587?tls=required"
        );
        assert_eq!(shown, "smtp://mailer:***@mail.batam.go.id:587?tls=required");
    }

    #[tokio::test]
    async fn every_documented_url_form_makes_a_mailer() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:pass@mail.batam.go.id:587?tls=required",
            "smtp://mail.batam.go.id?tls=starttls",
            "smtp://mail.batam.go.id?tls=opportunistic",
            "smtps://user:pass@mail.batam.go.id:465",
        ] {
            let mailer = SmtpMailer::from_url(
                url,
                "BATAM-CSIRT <csirt@batam.go.id>",
                SmtpOptions::default(),
            );
            assert!(mailer.is_ok(), "{url}: {mailer:?}");
        }
        let mailer = SmtpMailer::from_url(
            "smtps://user:pass@mail.batam.go.id:465",
            "csirt@batam.go.id",
            SmtpOptions::default(),
        )
        .unwrap();
        assert!(!format!("{mailer:?}").contains("pass@"));
    }

    #[tokio::test]
    async fn bad_settings_are_refused_with_their_name() {
        let from = "csirt@batam.go.id";
        for url in [
            "",
            "mail.batam.go.id",
            "http://mail.batam.go.id",
            "smtp://x?tls=maybe",
        ] {
            let error = SmtpMailer::from_url(url, from, SmtpOptions::default()).unwrap_err();
            assert!(error.to_string().contains("SIGAP_SMTP_URL"), "{url}");
        }
        let error = SmtpMailer::from_url(
            "smtp://127.0.0.1:25",
            "not an address",
            SmtpOptions::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("SIGAP_MAIL_FROM"));
    }
}
