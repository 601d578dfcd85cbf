//! Links in messages. A message may link only to sigap itself: a [`PublicLink`] can only be
//! built from the configured [`PublicUrl`] (`SIGAP_PUBLIC_URL`) and validated parts such as
//! a [`TicketNumber`], so no caller can slip another address into a button.

use std::fmt;

use sigap_core::TicketNumber;
use url::Url;

/// The base URL of the deployment, as configured in `SIGAP_PUBLIC_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    base: Url,
}

/// A `SIGAP_PUBLIC_URL` that cannot serve as the base of links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SIGAP_PUBLIC_URL `{url}` {problem}")]
pub struct BadPublicUrl {
    /// The value given.
    pub url: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl PublicUrl {
    /// Reads the base URL: `http` or `https`, with a host, without query, fragment or
    /// credentials. A trailing slash is optional.
    pub fn parse(s: &str) -> Result<Self, BadPublicUrl> {
        let bad = |problem| BadPublicUrl {
            url: s.to_owned(),
            problem,
        };
        let mut base = Url::parse(s.trim()).map_err(|_| bad("is not a URL"))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(bad("must be an http or https URL with a host"));
        }
        if base.query().is_some() || base.fragment().is_some() || !base.username().is_empty() {
            return Err(bad("must not have a query, a fragment or credentials"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self { base })
    }

    /// The reporter's tracking page for a ticket: `{base}/track?ticket=BCSIRT-2026-00001`.
    pub fn tracking(&self, ticket: &TicketNumber) -> PublicLink {
        let mut url = self.join("track");
        url.query_pairs_mut().append_pair("ticket", ticket.as_str());
        PublicLink(url)
    }

    /// The public report form: `{base}/report`.
    pub fn report_form(&self) -> PublicLink {
        PublicLink(self.join("report"))
    }

    /// The staff page of a ticket: `{base}/tickets/BCSIRT-2026-00001`.
    pub fn ticket(&self, ticket: &TicketNumber) -> PublicLink {
        PublicLink(self.join(&format!("tickets/{}", ticket.as_str())))
    }

    /// The leadership dashboard and its periodic reports: `{base}/dashboard`.
    pub fn dashboard(&self) -> PublicLink {
        PublicLink(self.join("dashboard"))
    }

    /// The settings page's CSIRT profile, reviewed there: `{base}/admin/settings#profile`.
    pub fn profile_settings(&self) -> PublicLink {
        PublicLink(self.join("admin/settings#profile"))
    }

    /// The audit page for auditors and admins: `{base}/admin/audit`.
    pub fn audit(&self) -> PublicLink {
        PublicLink(self.join("admin/audit"))
    }

    /// The page of a "Lupa kata sandi" link: `{base}/login/reset/{token}`. A token holds
    /// only digits, letters, `.`, `-` and `_` (anything else gives the sign-in page).
    pub fn password_reset(&self, token: &str) -> PublicLink {
        let safe = !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if safe {
            PublicLink(self.join(&format!("login/reset/{token}")))
        } else {
            PublicLink(self.join("login"))
        }
    }

    /// The host name, for Message-IDs and calendar UIDs.
    pub fn host(&self) -> &str {
        self.base.host_str().unwrap_or("localhost")
    }

    fn join(&self, relative: &str) -> Url {
        // `relative` is made of fixed words and a ticket number (capitals, digits, `-`),
        // so joining cannot fail; the base itself is the fallback all the same.
        self.base
            .join(relative)
            .unwrap_or_else(|_| self.base.clone())
    }
}

/// A link into sigap, built by [`PublicUrl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicLink(Url);

impl PublicLink {
    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for PublicLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> TicketNumber {
        TicketNumber::parse("BCSIRT-2026-00001").unwrap()
    }

    #[test]
    fn links_hang_off_the_base_with_or_without_a_trailing_slash() {
        for base in ["https://sigap.batam.go.id", "https://sigap.batam.go.id/"] {
            let public = PublicUrl::parse(base).unwrap();
            assert_eq!(
                public.tracking(&number()).as_str(),
                "https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00001"
            );
            assert_eq!(
                public.ticket(&number()).as_str(),
                "https://sigap.batam.go.id/tickets/BCSIRT-2026-00001"
            );
        }
        let nested = PublicUrl::parse("http://127.0.0.1:8080/sigap").unwrap();
        assert_eq!(
            nested.ticket(&number()).as_str(),
            "http://127.0.0.1:8080/sigap/tickets/BCSIRT-2026-00001"
        );
    }

    #[test]
    fn only_plain_web_bases_are_accepted() {
        for bad in [
            "",
            "sigap.batam.go.id",
            "javascript:alert(1)",
            "ftp://sigap.batam.go.id",
            "https://sigap.batam.go.id/?x=1",
            "https://user:pw@sigap.batam.go.id",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
