//! E-mail addresses of reporters, staff and agencies: checked for shape only (whether a
//! mailbox exists is for the mail server to say), with the domain lowercased.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::{is_dns_label, string_newtype};

const FIELD: &str = "email";

/// An e-mail address `local@domain.tld`: at most 254 characters, one `@`, a local part of at
/// most 64 bytes written as the mailer takes it (RFC 5322's dot-atom: letters and digits of
/// any script and ``!#$%&'*+-/=?^_`{|}~``, with single dots between them), a domain of
/// valid DNS labels with at least one dot. The domain is stored lowercased; the local part
/// as given. Quoted local parts (`"a b"@example.com`) are not accepted: the mailer refuses
/// them, and an address accepted here must receive its mail (a reporter's receipt carries
/// the tracking token).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    text: String,
}

string_newtype!(Email);

impl Email {
    /// Reads an address; surrounding spaces are ignored.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(error(
                "an e-mail address is required, e.g. nama@contoh.go.id",
            ));
        }
        if trimmed.chars().count() > 254 {
            return Err(error("an e-mail address has at most 254 characters"));
        }
        let Some((local, domain)) = trimmed.split_once('@') else {
            return Err(error(
                "an e-mail address needs an `@`, e.g. nama@contoh.go.id",
            ));
        };
        check_local(local)?;
        let domain = check_domain(domain)?;
        Ok(Self {
            text: format!("{local}@{domain}"),
        })
    }

    /// The part after the `@`, lowercased.
    pub fn domain(&self) -> &str {
        self.text.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

fn error(message: &str) -> FieldError {
    FieldError::new(FIELD, message).of_kind(crate::error::Problem::NotAnEmail)
}

/// The characters of the local part besides dots (RFC 5322's `atext`, with the letters and
/// digits of every script that RFC 6531 adds).
const LOCAL_SYMBOLS: &str = "!#$%&'*+-/=?^_`{|}~";

fn check_local(local: &str) -> Result<(), FieldError> {
    if local.is_empty() {
        return Err(error("the part before the `@` is missing"));
    }
    if local.len() > 64 {
        return Err(error("the part before the `@` has at most 64 characters"));
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(error("an e-mail address must not contain spaces"));
    }
    if local.split('.').any(str::is_empty) {
        return Err(error(
            "the part before the `@` may not start or end with a dot, nor have two in a row",
        ));
    }
    if !local
        .chars()
        .all(|c| c == '.' || c.is_alphanumeric() || LOCAL_SYMBOLS.contains(c))
    {
        return Err(error(
            "the part before the `@` may have letters, digits, dots and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ only",
        ));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<String, FieldError> {
    if domain.contains('@') {
        return Err(error("an e-mail address has exactly one `@`"));
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|label| is_dns_label(label)) {
        return Err(error(
            "the part after the `@` must be a domain name such as contoh.go.id",
        ));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_are_trimmed_and_the_domain_lowercased() {
        let email = Email::parse("  Budi.Santoso+csirt@Batam.GO.ID ").unwrap();
        assert_eq!(email.as_str(), "Budi.Santoso+csirt@batam.go.id");
        assert_eq!(email.domain(), "batam.go.id");
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("a!#$%&'*+-/=?^_`{|}~.z@b.co").is_ok());
        assert!(Email::parse("bürger@example.id").is_ok());
    }

    #[test]
    fn a_local_part_the_mailer_refuses_is_refused() {
        // Found by fuzzing (fuzz/, target_and_names): the mailer refused these after the
        // report was accepted, so its receipt, with the tracking token, was never sent.
        for bad in [
            ".ol@yatlb.iog",
            "ol.@example.com",
            "o..l@example.com",
            "a<b@example.com",
            "a\"b@example.com",
            "a(b)@example.com",
            "a,b@example.com",
            "a\\b@example.com",
            "a\u{200b}b@example.com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad:?}");
        }
    }

    #[test]
    fn bad_addresses_are_refused_on_the_email_field() {
        for bad in [
            "",
            "   ",
            "no-at-sign.example.com",
            "two@@example.com",
            "a@b@example.com",
            "@example.com",
            "budi@localhost",
            "budi@exa mple.com",
            "bu di@example.com",
            "budi\u{7}@example.com",
            "budi@-example.com",
            "budi@example..com",
            "budi@example.com.",
            "budi@exam_ple.com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
    }
}
