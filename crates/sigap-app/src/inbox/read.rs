//! What sigap reads of a received message, with `mail-parser`: who sent it, its subject,
//! the Message-IDs it answers, its text (from `text/plain`, or from `text/html` turned into
//! plain text without rendering anything: scripts and styles are dropped with the tags),
//! its attachments, what the receiving mail server said of SPF, DKIM and DMARC, and what
//! its headers say of it (an automatic message, a delivery report, a list). Nothing here
//! fails: a message that does not parse is still kept whole, with what could be read.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use serde::Serialize;

use crate::inbox::pgp::{PgpKeys, PgpResult};
use crate::inbox::sealed;

/// The longest text kept from a message (the whole message stays in the raw copy).
const MAX_TEXT: usize = 200_000;

/// An attachment as the message carries it.
#[derive(Debug, Clone)]
pub struct MailFile {
    /// The name the sender gave it (cleaned when it is stored).
    pub name: String,
    /// The type the message claims for it; the stored type is sniffed from the bytes.
    pub declared_type: String,
    pub bytes: Vec<u8>,
}

/// What the receiving mail server found (`Authentication-Results`, RFC 8601).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authentication {
    /// `pass`, `fail`, `softfail`, `none`, …; `None` when the header does not say.
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
    /// The header as read, for the help desk.
    pub header: Option<String>,
}

impl Authentication {
    /// Whether DMARC was checked and failed: no automatic answer goes to such a sender.
    pub fn dmarc_failed(&self) -> bool {
        matches!(self.dmarc.as_deref(), Some("fail" | "permerror"))
    }
}

/// What a message's headers say of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// `Auto-Submitted` other than `no` (RFC 3834), or an auto-responder's own header.
    AutoSubmitted,
    /// An out-of-office or other automatic reply.
    AutoReplied,
    /// `Precedence: bulk`, `list` or `junk`.
    Bulk,
    /// From a mailing list (`List-Id`).
    List,
    /// A delivery status notification (RFC 3464), or a null sender.
    DeliveryReport,
}

/// A delivery status notification (RFC 3464): which message came back, for whom, why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The Message-ID of the message that could not be delivered.
    pub original_id: Option<String>,
    /// `Final-Recipient`.
    pub recipient: Option<String>,
    /// `Action`: `failed`, `delayed`, `delivered`, …
    pub action: Option<String>,
    /// `Status`, e.g. `5.1.1`.
    pub status: Option<String>,
    /// `Diagnostic-Code`, as the remote server said it.
    pub diagnostic: Option<String>,
}

impl DeliveryReport {
    /// Whether the message will not arrive (a delay or a relay is not that).
    pub fn failed(&self) -> bool {
        self.action.as_deref() == Some("failed")
            || self.status.as_deref().is_some_and(|s| s.starts_with('5'))
    }
}

/// A received message as read.
#[derive(Debug, Clone, Default)]
pub struct ReadMail {
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, without angle brackets, each once.
    pub answers: Vec<String>,
    /// The first Message-ID of `References`, else `In-Reply-To`.
    pub thread_root: Option<String>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub files: Vec<MailFile>,
    pub authentication: Authentication,
    pub flags: Vec<Flag>,
    /// What a delivery status notification reports.
    pub delivery: Option<DeliveryReport>,
    /// What was found of OpenPGP: encrypted (opened or not), signed (and the verdict).
    pub pgp: Option<PgpResult>,
}

impl ReadMail {
    /// Whether an automatic answer to this message is out of place (RFC 3834 §2): it is
    /// itself automatic, bulk, from a list, a delivery report.
    pub fn no_auto_answer(&self) -> bool {
        !self.flags.is_empty() || self.authentication.dmarc_failed()
    }
}

/// Reads `raw`; `trusted_authserv` names the mail server whose `Authentication-Results`
/// count (any other's may have been written by the sender); `None` trusts the topmost. An
/// encrypted message is marked as one that could not be opened.
pub fn read(raw: &[u8], trusted_authserv: Option<&str>) -> ReadMail {
    read_with(raw, trusted_authserv, None)
}

/// Reads `raw` as [`read`] does, opening what was encrypted to the CSIRT's key `keys` and
/// judging signatures ([`crate::inbox::sealed`]). A message that cannot be opened is read
/// for its headers only: no text, no attachments (its bytes stay in the raw copy).
pub fn read_with(raw: &[u8], trusted_authserv: Option<&str>, keys: Option<&PgpKeys>) -> ReadMail {
    let opened = sealed::open(raw, keys);
    let mut mail = read_clear(opened.bytes.as_deref().unwrap_or(raw), trusted_authserv);
    let mut result = opened.pgp.unwrap_or_default();
    if result.undecryptable() {
        mail.text.clear();
        mail.files.clear();
    } else if let Some(text) = sealed::inline(&mail.text, keys, raw, &mut result) {
        mail.text = text;
    }
    mail.pgp = (result != PgpResult::default()).then_some(result);
    mail
}

fn read_clear(raw: &[u8], trusted_authserv: Option<&str>) -> ReadMail {
    let Some(message) = MessageParser::default().parse(raw) else {
        return ReadMail {
            subject: String::new(),
            flags: Vec::new(),
            ..ReadMail::default()
        };
    };
    let from = message.from().and_then(|a| a.first());
    let answers = ids_of(message.in_reply_to())
        .into_iter()
        .chain(ids_of(message.references()))
        .fold(Vec::new(), |mut all: Vec<String>, id| {
            if !all.contains(&id) {
                all.push(id);
            }
            all
        });
    let thread_root = ids_of(message.references())
        .into_iter()
        .next()
        .or_else(|| ids_of(message.in_reply_to()).into_iter().next());
    let headers: Vec<(String, String)> = message
        .headers_raw()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let flags = flags(&headers, &message);
    let delivery = flags
        .contains(&Flag::DeliveryReport)
        .then(|| delivery_report(&message));
    ReadMail {
        message_id: message
            .message_id()
            .map(clean_id)
            .filter(|id| !id.is_empty()),
        answers,
        thread_root,
        from_address: from
            .and_then(|a| a.address())
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        from_name: from
            .and_then(|a| a.name())
            .map(|n| one_line(n, 200))
            .filter(|n| !n.is_empty()),
        subject: one_line(message.subject().unwrap_or_default(), 500),
        text: text_of(&message),
        files: files_of(&message),
        authentication: authentication(&headers, trusted_authserv),
        flags,
        delivery,
        pgp: None,
    }
}

/// The report of a delivery status notification: its `message/delivery-status` part and
/// the Message-ID of the returned message (or of its headers).
fn delivery_report(message: &mail_parser::Message<'_>) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    for part in &message.parts {
        let Some(kind) = part.content_type() else {
            continue;
        };
        let (ctype, subtype) = (
            kind.ctype().to_ascii_lowercase(),
            kind.subtype().unwrap_or("").to_ascii_lowercase(),
        );
        match (ctype.as_str(), subtype.as_str()) {
            ("message", "delivery-status") => {
                read_status(&String::from_utf8_lossy(part.contents()), &mut report);
            }
            ("message", "rfc822") => {
                if let Some(inner) = part.message() {
                    report.original_id = inner.message_id().map(clean_id);
                }
            }
            ("text" | "message", "rfc822-headers") => {
                let headers = MessageParser::default().parse_headers(part.contents());
                if let Some(id) = headers.as_ref().and_then(|h| h.message_id()) {
                    report.original_id = Some(clean_id(id));
                }
            }
            _ => {}
        }
    }
    report
}

/// The per-recipient fields of a `message/delivery-status` part (the first recipient's).
fn read_status(text: &str, report: &mut DeliveryReport) {
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        // `Final-Recipient: rfc822; someone@example.com`: the address after the type.
        let value = value.split_once(';').map_or(value, |(_, v)| v).trim();
        let value = one_line(value, 300);
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" => &mut report.recipient,
            "action" => &mut report.action,
            "status" => &mut report.status,
            "diagnostic-code" => &mut report.diagnostic,
            _ => continue,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(if name.trim().eq_ignore_ascii_case("action") {
                value.to_ascii_lowercase()
            } else {
                value
            });
        }
    }
}

/// The text of the first text part (an HTML part turned into text), capped.
fn text_of(message: &mail_parser::Message<'_>) -> String {
    let text = message.body_text(0).unwrap_or_default();
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(MAX_TEXT)
        .collect();
    text.trim().to_owned()
}

/// The parts of PGP/MIME that are no attachments of the sender's.
const PGP_PARTS: [&str; 3] = [
    "application/pgp-signature",
    "application/pgp-encrypted",
    "application/pgp-keys",
];

fn files_of(message: &mail_parser::Message<'_>) -> Vec<MailFile> {
    message
        .attachments()
        .filter(|part| {
            !part.content_type().is_some_and(|t| {
                let full = format!("{}/{}", t.ctype(), t.subtype().unwrap_or(""));
                PGP_PARTS.contains(&full.to_ascii_lowercase().as_str())
            })
        })
        .map(|part| {
            let declared_type = part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |t| match t.subtype() {
                    Some(sub) => format!("{}/{sub}", t.ctype()),
                    None => t.ctype().to_owned(),
                },
            );
            let name = part
                .attachment_name()
                .map(|n| one_line(n, 200))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "lampiran".to_owned());
            let bytes = match part.message() {
                Some(inner) => inner.raw_message().to_vec(),
                None => part.contents().to_vec(),
            };
            MailFile {
                name,
                declared_type: one_line(&declared_type.to_ascii_lowercase(), 100),
                bytes,
            }
        })
        .collect()
}

/// The Message-IDs a header names, without angle brackets.
fn ids_of(value: &HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<String> = match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    };
    ids.iter()
        .map(|id| clean_id(id))
        .filter(|id| !id.is_empty())
        .collect()
}

/// A Message-ID without angle brackets, spaces or control characters, capped.
fn clean_id(id: &str) -> String {
    id.trim()
        .trim_matches(['<', '>'])
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(250)
        .collect()
}

/// `text` on one line, capped at `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The results of the trusted `Authentication-Results` header.
fn authentication(headers: &[(String, String)], trusted: Option<&str>) -> Authentication {
    let found = headers
        .iter()
        .filter(|(name, _)| name == "authentication-results")
        .map(|(_, value)| value.as_str())
        .find(|value| match trusted {
            Some(id) => value
                .split(';')
                .next()
                .is_some_and(|server| server.trim().eq_ignore_ascii_case(id)),
            None => true,
        });
    let Some(header) = found else {
        return Authentication::default();
    };
    let result = |method: &str| {
        header.split(';').skip(1).find_map(|clause| {
            let clause = clause.trim();
            let (name, rest) = clause.split_once('=')?;
            name.trim().eq_ignore_ascii_case(method).then(|| {
                rest.split(|c: char| c.is_whitespace() || c == '(')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            })
        })
    };
    Authentication {
        spf: result("spf"),
        dkim: result("dkim"),
        dmarc: result("dmarc"),
        header: Some(one_line(header, 1000)),
    }
}

fn flags(headers: &[(String, String)], message: &mail_parser::Message<'_>) -> Vec<Flag> {
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let mut flags = Vec::new();
    let auto = value("auto-submitted").filter(|v| !v.starts_with("no"));
    if auto
        .as_deref()
        .is_some_and(|v| v.starts_with("auto-replied"))
        || value("x-autoreply").is_some()
        || value("x-autorespond").is_some()
    {
        flags.push(Flag::AutoReplied);
    } else if auto.is_some() {
        flags.push(Flag::AutoSubmitted);
    }
    if value("precedence").is_some_and(|v| matches!(v.trim(), "bulk" | "list" | "junk")) {
        flags.push(Flag::Bulk);
    }
    if value("list-id").is_some() {
        flags.push(Flag::List);
    }
    let report = message.content_type().is_some_and(|t| {
        t.ctype().eq_ignore_ascii_case("multipart")
            && t.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && t.attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    if report {
        flags.push(Flag::DeliveryReport);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_only_mail_is_read_as_text_without_its_script() {
        let raw = b"From: \"Rina\" <rina@example.com>\r\n\
            To: csirt@batam.go.id\r\n\
            Subject: =?UTF-8?B?TGFwb3JhbiBrZXJlbnRhbmFu?=\r\n\
            Message-ID: <abc@example.com>\r\n\
            Content-Type: text/html; charset=utf-8\r\n\r\n\
            <html><head><script>alert(1)</script><style>p{}</style></head>\
            <body><p>Ada <b>SQL injection</b> di ppdb.</p></body></html>\r\n";
        let mail = read(raw, None);
        assert_eq!(mail.subject, "Laporan kerentanan");
        assert_eq!(mail.from_address.as_deref(), Some("rina@example.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Rina"));
        assert_eq!(mail.message_id.as_deref(), Some("abc@example.com"));
        assert!(mail.text.contains("SQL injection"), "{}", mail.text);
        assert!(
            !mail.text.contains("alert") && !mail.text.contains('<'),
            "{}",
            mail.text
        );
        assert!(mail.flags.is_empty());
    }

    #[test]
    fn only_the_trusted_servers_authentication_counts() {
        let raw = b"Authentication-Results: mx.batam.go.id; spf=pass smtp.mailfrom=example.com;\r\n dkim=pass header.d=example.com; dmarc=fail (p=reject) header.from=example.com\r\n\
            Authentication-Results: mx.batam.go.id; spf=pass; dkim=pass; dmarc=pass\r\n\
            Authentication-Results: forged.example; dmarc=pass\r\n\
            From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n";
        let mail = read(raw, Some("mx.batam.go.id"));
        assert_eq!(mail.authentication.spf.as_deref(), Some("pass"));
        assert_eq!(mail.authentication.dkim.as_deref(), Some("pass"));
        assert_eq!(mail.authentication.dmarc.as_deref(), Some("fail"));
        assert!(mail.authentication.dmarc_failed() && mail.no_auto_answer());
        let raw = b"Authentication-Results: forged.example; dmarc=pass\r\nFrom: a@example.com\r\n\r\nhi\r\n";
        assert_eq!(
            read(raw, Some("mx.batam.go.id")).authentication,
            Authentication::default()
        );
    }

    #[test]
    fn automatic_mail_says_so() {
        let raw = b"From: a@example.com\r\nAuto-Submitted: auto-replied\r\nPrecedence: bulk\r\nList-Id: <x.example.com>\r\nIn-Reply-To: <m1@sigap>\r\nReferences: <root@sigap> <m1@sigap>\r\n\r\nOut of office\r\n";
        let mail = read(raw, None);
        assert_eq!(mail.flags, [Flag::AutoReplied, Flag::Bulk, Flag::List]);
        assert_eq!(mail.answers, ["m1@sigap", "root@sigap"]);
        assert_eq!(mail.thread_root.as_deref(), Some("root@sigap"));
        let plain = read(
            b"From: a@example.com\r\nAuto-Submitted: no\r\n\r\nhi\r\n",
            None,
        );
        assert!(plain.flags.is_empty());
    }

    #[test]
    fn a_delivery_status_notification_says_what_came_back() {
        let raw = b"From: MAILER-DAEMON@mx.batam.go.id\r\nSubject: Undelivered Mail Returned to Sender\r\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
            --b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n\
            --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.batam.go.id\r\n\r\n\
            Final-Recipient: rfc822; budi@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\
            Diagnostic-Code: smtp; 550 5.1.1 <budi@example.com>: Recipient address rejected\r\n\
            --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <abc@sigap.batam.go.id>\r\nSubject: x\r\n\
            --b--\r\n";
        let mail = read(raw, None);
        assert!(mail.flags.contains(&Flag::DeliveryReport));
        let report = mail.delivery.unwrap();
        assert_eq!(report.original_id.as_deref(), Some("abc@sigap.batam.go.id"));
        assert_eq!(report.recipient.as_deref(), Some("budi@example.com"));
        assert_eq!(report.status.as_deref(), Some("5.1.1"));
        assert!(report.failed());
        assert!(
            report
                .diagnostic
                .unwrap()
                .contains("Recipient address rejected")
        );
    }

    #[test]
    fn garbage_is_read_as_nothing_without_failing() {
        let mail = read(b"\x00\x01\x02", None);
        assert!(mail.from_address.is_none());
    }
}
