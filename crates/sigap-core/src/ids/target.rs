//! The target of a report: the address of the affected system as the reporter gave it,
//! normalised to an `http`/`https` URL, and its host, which links the ticket to a
//! registered system (see [`crate::Domain::covers`]).
//!
//! The server later connects to the system a target names (the proof of a block), and
//! reports are written by strangers: a target is therefore a host name with dots (never an
//! address such as `127.0.0.1` or `169.254.169.254`, never `localhost`), on the scheme's
//! own port or one of [`ALLOWED_PORTS`].

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::error::FieldError;

const FIELD: &str = "target";

/// The ports a target may name besides its scheme's own (80 for http, 443 for https).
pub const ALLOWED_PORTS: &[u16] = &[80, 443, 8080, 8443];

/// An `http` or `https` URL and its lowercased host name, without the port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The normalised URL, e.g. `https://layanan.batam.go.id/login`.
    pub url: String,
    /// The host name, e.g. `layanan.batam.go.id`.
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
        if let Some(port) = url.port()
            && !ALLOWED_PORTS.contains(&port)
        {
            let allowed: Vec<String> = ALLOWED_PORTS.iter().map(u16::to_string).collect();
            return Err(error(&format!(
                "port {port} is not accepted; give the address on its usual port (or one of {})",
                allowed.join(", ")
            )));
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
            // `localhost` (or `http` from a mistyped `http:/host`) is not one, and names
            // under `localhost` are this machine's own.
            if host == "localhost" || host.ends_with(".localhost") {
                Err(error(
                    "`localhost` is not a system of the city: give its host name",
                ))
            } else if host.contains('.') {
                Ok(host.to_owned())
            } else {
                Err(error(
                    "give the system's full host name, e.g. layanan.batam.go.id",
                ))
            }
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => Err(error(
            "give the system's host name, e.g. layanan.batam.go.id, not an IP address",
        )),
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
        let usual = Target::parse("https://layanan.batam.go.id:443/").unwrap();
        assert_eq!(usual.url, "https://layanan.batam.go.id/");
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
    fn addresses_inside_the_server_are_refused() {
        for inward in [
            "http://127.0.0.1:8080/admin",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.1.2.3/x",
            "[2001:DB8::1]:8080/x",
            "http://[::1]/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://localhost/",
            "http://admin.localhost/",
            "https://portal.batam.go.id:22/",
            "https://portal.batam.go.id:6379/",
            "http://portal.batam.go.id:5432/",
        ] {
            let refused = Target::parse(inward).unwrap_err();
            assert_eq!(refused.field, "target", "{inward:?}");
        }
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
