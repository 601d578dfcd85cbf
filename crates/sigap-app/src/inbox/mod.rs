//! Mail to the CSIRT. Every message delivered to its addresses (over LMTP by the city's mail
//! server, or read from a hosted IMAP mailbox) is kept whole as evidence and read
//! ([`read`]): who sent it, the text, the attachments (the same sniffing, allow-list and
//! limits as uploads), what the mail server found of SPF, DKIM and DMARC, and the report's
//! fields when it follows the published template ([`template`]). [`receive`] records it
//! once however often it is delivered; a message that is not a reply waits in the help
//! desk's inbox ([`desk`]), which accepts it as a ticket, discards it with a reason or
//! attaches it to a ticket ([`attach`]); a reply finds its ticket ([`thread`]). Mail
//! encrypted to the CSIRT's key is opened and signatures judged ([`pgp`]).

pub mod acknowledge;
pub mod attach;
pub mod bounce;
pub mod desk;
pub mod lmtp;
pub mod pgp;
pub mod read;
pub mod receive;
pub(crate) mod sealed;
pub mod template;
pub mod thread;

use serde::Serialize;
use sigap_store::{InboundFileRow, InboundRow};
use utoipa::ToSchema;

use crate::from_millis;

/// How mail comes in.
#[derive(Debug, Clone)]
pub struct MailIn {
    /// The domains whose addresses are the CSIRT's (LMTP refuses others); empty: the domain
    /// of the address replies go to.
    pub domains: Vec<String>,
    /// The mail server whose `Authentication-Results` count (`SIGAP_MAIL_AUTHSERV_ID`);
    /// `None` trusts the topmost header.
    pub authserv_id: Option<String>,
    /// The largest message kept, in bytes.
    pub max_bytes: usize,
    /// A complete template mail becomes a ticket without the help desk
    /// (`SIGAP_EMAIL_AUTO_ACCEPT=on`).
    pub auto_accept: bool,
    /// The CSIRT's OpenPGP key and the public keys it knows (`SIGAP_PGP_KEY_FILE`,
    /// `SIGAP_PGP_KNOWN_KEYS`); `None`: encrypted mail is kept and marked unopened.
    pub pgp: Option<std::sync::Arc<pgp::PgpKeys>>,
}

impl Default for MailIn {
    fn default() -> Self {
        Self {
            domains: Vec::new(),
            authserv_id: None,
            max_bytes: 35 * 1024 * 1024,
            auto_accept: false,
            pgp: None,
        }
    }
}

/// The domains of the CSIRT's addresses: the configured ones, else the domain of the
/// address replies go to.
pub fn domains(app: &crate::App) -> Vec<String> {
    if !app.rules.mail_in.domains.is_empty() {
        return app.rules.mail_in.domains.clone();
    }
    crate::outbox::threads::reply_base(app)
        .map(|e| vec![e.domain().to_owned()])
        .unwrap_or_default()
}

/// An attachment of a received message, as the inbox shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxFile {
    pub id: i64,
    /// The name the sender gave it, cleaned.
    pub name: String,
    /// The type the message claimed.
    pub declared_type: String,
    /// The type sniffed from its bytes, when it is one that is accepted.
    pub media_type: Option<String>,
    pub size: i64,
    /// Why it is not kept as a file (the type, the size); its bytes stay in the message.
    pub refused: Option<String>,
}

/// What the receiving mail server found.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, ToSchema)]
pub struct InboxAuthentication {
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
    /// The `Authentication-Results` header as read.
    pub header: Option<String>,
}

/// A received message in the inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxItem {
    pub id: i64,
    /// When it arrived, RFC 3339 in UTC.
    pub received_at: String,
    /// The same, for the pages.
    #[serde(skip)]
    pub received: chrono::DateTime<chrono::Utc>,
    /// `lmtp` or `imap`.
    pub via: String,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// The envelope sender (`MAIL FROM`); empty for a delivery report.
    pub envelope_from: String,
    pub subject: String,
    /// The text (from the plain-text part, or the HTML part turned into text).
    pub text: String,
    /// `report`, `reply`, `unverified`, `auto_reply` or `bounce`.
    pub kind: String,
    /// `new`, `accepted`, `discarded`, `posted` or `recorded`.
    pub status: String,
    /// What the headers say: `auto_submitted`, `auto_replied`, `bulk`, `list`,
    /// `delivery_report`.
    pub flags: Vec<String>,
    pub authentication: InboxAuthentication,
    /// The report's fields read from a mail written to the template.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub attachments: Vec<InboxFile>,
    pub message_id: Option<String>,
    /// The ticket it became or was added to.
    pub ticket: Option<String>,
    /// Why it was discarded.
    pub discard_reason: Option<String>,
    /// What was found of OpenPGP (encrypted, signed), when anything.
    pub pgp: Option<pgp::PgpResult>,
}

impl InboxItem {
    /// The item of `row` with its attachments.
    pub fn of(row: InboundRow, files: Vec<InboundFileRow>) -> InboxItem {
        InboxItem {
            id: row.id,
            received_at: from_millis(row.received_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            received: from_millis(row.received_at),
            via: row.via,
            from_address: row.from_address,
            from_name: row.from_name,
            envelope_from: row.envelope_from,
            subject: row.subject,
            text: row.body_text,
            kind: row.kind,
            status: row.status,
            flags: serde_json::from_str(&row.flags).unwrap_or_default(),
            authentication: serde_json::from_str(&row.authentication).unwrap_or_default(),
            fields: serde_json::from_str(&row.fields).unwrap_or(serde_json::Value::Null),
            attachments: files
                .into_iter()
                .map(|f| InboxFile {
                    id: f.id,
                    name: f.name,
                    declared_type: f.declared_type,
                    media_type: f.media_type,
                    size: f.size,
                    refused: f.refused,
                })
                .collect(),
            message_id: row.message_id,
            ticket: row.ticket_number,
            discard_reason: row.discard_reason,
            pgp: serde_json::from_str(&row.pgp).ok(),
        }
    }
}
