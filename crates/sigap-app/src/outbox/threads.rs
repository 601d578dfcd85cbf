//! The threads of a ticket's mail. Every mail about a ticket gets a random Message-ID,
//! recorded with the ticket and the party it went to ([`Audience`]), names the earlier mail
//! to that party (`References`), and asks for replies at an address that names the ticket
//! and a keyed tag: `csirt+bcsirt-2026-00001.k7f3qx2a@batam.go.id` (plus-addressing on
//! the address replies go to, `SIGAP_MAIL_REPLY_TO` or the sender's). The tag is an HMAC
//! under the server key over the ticket number and the party, so that it cannot be made
//! from the number alone, and it tells which party's thread a reply answers.

use data_encoding::BASE32_NOPAD;
use rand::Rng;
use sigap_core::{Email, TicketNumber};

use crate::App;

/// Which party a mail about a ticket went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The reporter.
    Reporter,
    /// The agency: its official address, its system owners, its head.
    Agency,
    /// Staff of the CSIRT and the city.
    Staff,
    /// The attendees of a meeting (staff and, when invited, the agency).
    Meeting,
}

impl Audience {
    /// Every party, in the order a reply's tag is tried.
    pub const ALL: [Audience; 4] = [
        Audience::Reporter,
        Audience::Agency,
        Audience::Staff,
        Audience::Meeting,
    ];

    /// The word stored in `mail_messages.audience`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Agency => "agency",
            Self::Staff => "staff",
            Self::Meeting => "meeting",
        }
    }

    /// Reads a stored word.
    pub fn parse(word: &str) -> Option<Audience> {
        Self::ALL.into_iter().find(|a| a.as_str() == word)
    }
}

/// A new Message-ID (without angle brackets): 160 random bits at `host`, so that no two
/// installations, and no installation restored from a backup, make the same one.
pub fn new_message_id(host: &str) -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{}@{host}",
        BASE32_NOPAD.encode(&bytes).to_ascii_lowercase()
    )
}

/// The host in Message-IDs: the public address's.
pub fn message_host(app: &App) -> String {
    sigap_notify::PublicUrl::parse(&app.rules.public_url)
        .map(|p| p.host().to_owned())
        .unwrap_or_else(|_| "sigap.invalid".to_owned())
}

/// The keyed tag of `number`'s thread with `audience`: 8 characters of base32.
fn tag(app: &App, number: &TicketNumber, audience: Audience) -> String {
    let message = format!("{number}:{}", audience.as_str());
    let mac = app.rules.secret_key.mac("mail-reply", message.as_bytes());
    BASE32_NOPAD.encode(&mac[..5]).to_ascii_lowercase()
}

/// The address replies go to, before tagging: `SIGAP_MAIL_REPLY_TO`, else the sender's.
pub fn reply_base(app: &App) -> Option<Email> {
    let from = app.rules.mail_from.as_str();
    let sender = from
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.strip_suffix('>'))
        .unwrap_or(from);
    app.rules
        .notices
        .reply_to
        .as_deref()
        .and_then(|r| Email::parse(r).ok())
        .or_else(|| Email::parse(sender).ok())
}

/// Where replies to a mail about `number` for `audience` go: the tagged address, or the
/// plain one when tags are off (`SIGAP_MAIL_REPLY_TAGS=off`, for a mail server without
/// plus-addressing).
pub fn reply_address(app: &App, number: &TicketNumber, audience: Audience) -> Option<Email> {
    let base = reply_base(app)?;
    if !app.rules.notices.reply_tags {
        return Some(base);
    }
    let (local, domain) = base.as_str().rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    let number_word = number.as_str().to_ascii_lowercase();
    let tagged = format!(
        "{local}+{number_word}.{}@{domain}",
        tag(app, number, audience)
    );
    Email::parse(&tagged).ok().or(Some(base))
}

/// What a tagged reply address names: the ticket and the party whose thread it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo {
    pub number: TicketNumber,
    pub audience: Audience,
}

/// Reads a tagged address of this installation; `None` for any other address, a number
/// that does not parse, or a tag that is not the key's (a guessed or altered one).
pub fn read_reply_address(app: &App, address: &str) -> Option<ReplyTo> {
    let base = reply_base(app)?;
    let (base_local, base_domain) = base.as_str().rsplit_once('@')?;
    let base_local = base_local.split('+').next().unwrap_or(base_local);
    let (local, domain) = address.trim().rsplit_once('@')?;
    let (name, detail) = local.split_once('+')?;
    if !name.eq_ignore_ascii_case(base_local) || !domain.eq_ignore_ascii_case(base_domain) {
        return None;
    }
    let (number, given) = detail.rsplit_once('.')?;
    let number = TicketNumber::parse(number).ok()?;
    let given = given.to_ascii_lowercase();
    Audience::ALL
        .into_iter()
        .find(|a| same(&tag(app, &number, *a), &given))
        .map(|audience| ReplyTo { number, audience })
}

/// Compares two tags in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_random_and_name_the_host() {
        let a = new_message_id("sigap.batam.go.id");
        let b = new_message_id("sigap.batam.go.id");
        assert_ne!(a, b);
        assert!(a.ends_with("@sigap.batam.go.id"), "{a}");
        assert_eq!(a.split('@').next().map(str::len), Some(32));
    }
}
