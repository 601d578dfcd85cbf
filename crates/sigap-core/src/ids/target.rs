//! The target of a report: the address of the affected system as the reporter gave it,
//! normalised to an `http`/`https` URL, and its host, which links the ticket to a
//! registered system (see [`crate::Domain::covers`]).

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::error::FieldError;

const FIELD: &str = "target";

/// An `http` or `https` URL and its lowercased host (a DNS name, or an IP address without
/// brackets), without the port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The normalised URL, e.g. `https://layanan.batam.go.id/login`.
    pub url: String,
    /// The host, e.g. `layanan.batam.go.id`, `10.1.2.3` or `2001:db8::1`.
    pub host: String,
}

impl Target {
    /// Reads a URL, or a host with an optional port and path and no scheme, which is read as
    /// `https://` followed by the text.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let text = s.trim();
        if text.is_empty() {
            return Err(error(
                "`target` is required: give the address of the affected system",
            ));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(error("`target` must not contain spaces: give one address"));
        }
        let url = parse_url(text)?;
        let host = host_of(&url)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(error("give the address without a user name or password"));
        }
        Ok(Self {
            url: url.to_string(),
            host,
        })
    }
}

fn error(message: &str) -> FieldError {
    FieldError::new(FIELD, message)
}

fn parse_url(text: &str) -> Result<Url, FieldError> {
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|cause| error(&format!("`{text}` is not a valid address ({cause})")))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(error(&format!(
            "only http and https addresses are accepted, not `{other}`"
        ))),
    }
}

fn host_of(url: &Url) -> Result<String, FieldError> {
    match url.host() {
        Some(Host::Domain(domain)) if !domain.is_empty() => {
            let lower = domain.to_ascii_lowercase();
            let host = lower.strip_suffix('.').unwrap_or(&lower);
            // A reported system is reached by its full name; a single label such as
            // `localhost` (or `http` from a mistyped `http:/host`) is not one.
            if host.contains('.') {
                Ok(host.to_owned())
            } else {
                Err(error(
                    "give the system's full host name, e.g. layanan.batam.go.id",
                ))
            }
        }
        Some(Host::Ipv4(address)) => Ok(address.to_string()),
        Some(Host::Ipv6(address)) => Ok(address.to_string()),
        _ => Err(error("the address has no host name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_path_and_give_the_host_without_port() {
        let target = Target::parse(" HTTP://Layanan.Batam.go.id:8080/Login?x=1 ").unwrap();
        assert_eq!(target.url, "http://layanan.batam.go.id:8080/Login?x=1");
        assert_eq!(target.host, "layanan.batam.go.id");
    }

    #[test]
    fn text_without_a_scheme_is_read_as_https() {
        let host_only = Target::parse("batam.go.id").unwrap();
        assert_eq!(host_only.url, "https://batam.go.id/");
        assert_eq!(host_only.host, "batam.go.id");
        let with_path = Target::parse("sub.batam.go.id/admin/login.php").unwrap();
        assert_eq!(with_path.url, "https://sub.batam.go.id/admin/login.php");
        let with_port = Target::parse("sub.batam.go.id:8443/x").unwrap();
        assert_eq!(with_port.url, "https://sub.batam.go.id:8443/x");
        assert_eq!(with_port.host, "sub.batam.go.id");
    }

    #[test]
    fn ip_literals_are_hosts() {
        assert_eq!(Target::parse("http://10.1.2.3/x").unwrap().host, "10.1.2.3");
        assert_eq!(
            Target::parse("[2001:DB8::1]:8080/x").unwrap().host,
            "2001:db8::1"
        );
    }

    #[test]
    fn other_schemes_spaces_and_empty_hosts_are_refused() {
        for bad in [
            "",
            "  ",
            "ftp://batam.go.id/file",
            "javascript:alert(1)",
            "https://",
            "http:// batam.go.id",
            "batam.go.id/a b",
            "https://user:secret@batam.go.id/",
            "mailto:a@batam.go.id",
            "http:/batam.go.id",
            "localhost:8080/admin",
        ] {
            assert_eq!(Target::parse(bad).unwrap_err().field, "target", "{bad:?}");
        }
    }
}
