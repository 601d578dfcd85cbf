//! Codes and names from the registries: an agency's code and an electronic system's domain.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::{is_dns_label, string_newtype};

/// A regional agency's short code (e.g. `DISKOMINFO`): trimmed, uppercased, 2 to 32 of
/// `A-Z`, `0-9`, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode {
    text: String,
}

string_newtype!(AgencyCode);

impl AgencyCode {
    /// Reads a code; letter case and surrounding spaces are ignored.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let text = s.trim().to_ascii_uppercase();
        let allowed =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if (2..=32).contains(&text.len()) && text.chars().all(allowed) {
            Ok(Self { text })
        } else {
            Err(FieldError::new(
                "code",
                "an agency code is 2 to 32 letters, digits, `_` or `-`, e.g. DISKOMINFO",
            ))
        }
    }
}

/// The DNS name of a registered electronic system, e.g. `layanan.batam.go.id`: lowercased,
/// without a trailing dot, at least two labels, at most 253 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain {
    text: String,
}

string_newtype!(Domain);

impl Domain {
    /// Reads a domain name; letter case, surrounding spaces and one trailing dot are ignored.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let lower = s.trim().to_ascii_lowercase();
        let text = lower.strip_suffix('.').unwrap_or(&lower).to_owned();
        let labels: Vec<&str> = text.split('.').collect();
        let valid = text.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|label| is_dns_label(label));
        if !valid {
            return Err(FieldError::new(
                "domain",
                "give a domain name such as layanan.batam.go.id: labels of letters, digits \
                 and `-` separated by dots, without `http://` or a path",
            ));
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(FieldError::new(
                "domain",
                "an IP address is not a domain name: give the system's DNS name",
            ));
        }
        Ok(Self { text })
    }

    /// Whether `host` is this domain or one of its subdomains (`www.example.go.id` is
    /// covered by `example.go.id`; `evilexample.go.id` is not).
    pub fn covers(&self, host: &str) -> bool {
        let lower = host.trim().to_ascii_lowercase();
        let host = lower.strip_suffix('.').unwrap_or(&lower);
        host == self.text
            || host
                .strip_suffix(self.text.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes_are_uppercased() {
        assert_eq!(
            AgencyCode::parse(" diskominfo ").unwrap().as_str(),
            "DISKOMINFO"
        );
        assert_eq!(
            AgencyCode::parse("BPKAD_2-X").unwrap().as_str(),
            "BPKAD_2-X"
        );
        assert!(AgencyCode::parse("AB").is_ok());
        assert!(AgencyCode::parse(&"A".repeat(32)).is_ok());
    }

    #[test]
    fn bad_agency_codes_are_refused_on_the_code_field() {
        for bad in [
            "",
            "A",
            "DINAS KOMINFO",
            "DIS.KOMINFO",
            "ÄBC",
            &"A".repeat(33),
        ] {
            assert_eq!(AgencyCode::parse(bad).unwrap_err().field, "code", "{bad}");
        }
    }

    #[test]
    fn domains_are_normalised() {
        assert_eq!(
            Domain::parse(" Layanan.Batam.GO.ID. ").unwrap().as_str(),
            "layanan.batam.go.id"
        );
        assert_eq!(Domain::parse("x-1.id").unwrap().as_str(), "x-1.id");
    }

    #[test]
    fn bad_domains_are_refused_on_the_domain_field() {
        let long = format!("{}.go.id", vec!["a".repeat(60); 5].join("."));
        for bad in [
            "",
            "localhost",
            "https://batam.go.id",
            "batam.go.id/path",
            "batam..go.id",
            "-batam.go.id",
            "batam-.go.id",
            "bat am.go.id",
            "batam.go.id..",
            "10.0.0.1",
            long.as_str(),
        ] {
            assert_eq!(Domain::parse(bad).unwrap_err().field, "domain", "{bad}");
        }
    }

    #[test]
    fn covers_the_domain_and_its_subdomains_only() {
        let domain = Domain::parse("example.go.id").unwrap();
        assert!(domain.covers("example.go.id"));
        assert!(domain.covers("EXAMPLE.go.id."));
        assert!(domain.covers("www.example.go.id"));
        assert!(domain.covers("a.b.example.go.id"));
        assert!(!domain.covers("evilexample.go.id"));
        assert!(!domain.covers("example.go.id.evil.com"));
        assert!(!domain.covers("go.id"));
        assert!(!domain.covers(""));
        assert!(!domain.covers(".example.go.id"));
    }
}
