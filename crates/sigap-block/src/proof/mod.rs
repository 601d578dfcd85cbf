//! Proof capture: what a host answers at a given moment, kept with a block or unblock as
//! evidence. A capture records the DNS answers (from a given resolver or the system's), the
//! HTTP(S) answer (status, selected headers, final URL, title, body hash), the TLS
//! certificate, and a PNG screenshot from headless Chromium when it is installed. Nothing in
//! a capture fails as a whole: each part says what it could not get. [`compare`] tells
//! whether a later capture answers as the baseline did.

mod compare;
mod dns;
mod http;
mod screenshot;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::outbound::OutboundPolicy;
use crate::request::Hostname;

pub use compare::{Comparison, compare, compare_http};
pub use dns::DnsCapture;
pub use http::{HttpCapture, TlsCertificate};
pub use screenshot::{Screenshot, png_dimensions};

/// Where Debian installs Chromium.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// Which DNS server answers the capture's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// The first `nameserver` of `/etc/resolv.conf`, or the system's lookup without CNAMEs.
    System,
    /// A given server (for tests: the test PowerDNS; in use: an authoritative server).
    At(SocketAddr),
}

/// How to capture.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// The DNS server asked.
    pub resolver: Resolver,
    /// Connect to this address instead of the one DNS gives (e.g. to check the origin).
    /// Without it, a capture connects to the first answered address the outbound policy
    /// allows. Either way the address is checked against [`ProofOptions::outbound`].
    pub connect_to: Option<IpAddr>,
    /// The time limit of each DNS and HTTP exchange.
    pub timeout: Duration,
    /// Chromium's path (default [`DEFAULT_CHROMIUM`]); no screenshot when it is missing.
    pub chromium: Option<PathBuf>,
    /// The time limit of the screenshot.
    pub screenshot_timeout: Duration,
    /// Which addresses the capture may connect to (see [`crate::outbound`]).
    pub outbound: OutboundPolicy,
    /// The unprivileged user Chromium runs as when sigap runs as root, so that Chromium's
    /// sandbox stays on (default `nobody`).
    pub chromium_user: String,
}

impl Default for ProofOptions {
    fn default() -> Self {
        ProofOptions {
            resolver: Resolver::System,
            connect_to: None,
            timeout: Duration::from_secs(5),
            chromium: None,
            screenshot_timeout: Duration::from_secs(20),
            outbound: OutboundPolicy::default(),
            chromium_user: "nobody".to_owned(),
        }
    }
}

/// What is captured: a host and the URL fetched (default `https://<host>/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofTarget {
    /// The host whose DNS answers are recorded.
    pub host: Hostname,
    /// The URL fetched and photographed.
    pub url: Url,
}

impl ProofTarget {
    /// A target for `host`, fetching `url` or else `https://<host>/`. The URL must be an
    /// `http` or `https` URL of that very host, without a user name or password: a capture
    /// photographs the system it names, never another machine.
    pub fn new(host: Hostname, url: Option<Url>) -> Result<ProofTarget, String> {
        let url = match url {
            Some(url) => url,
            None => Url::parse(&format!("https://{host}/")).map_err(|e| e.to_string())?,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{url}` is not an http or https URL"));
        }
        if url.host_str() != Some(host.as_str()) {
            return Err(format!("`{url}` is not an address of {host}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("`{url}` carries a user name or password"));
        }
        Ok(ProofTarget { host, url })
    }

    /// The system's own front page: the scheme, host and port of `url` with path `/`.
    pub fn front_page(host: Hostname, url: &Url) -> Result<ProofTarget, String> {
        let mut front = url.clone();
        front.set_path("/");
        front.set_query(None);
        front.set_fragment(None);
        ProofTarget::new(host, Some(front))
    }
}

/// One capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    /// The host.
    pub host: Hostname,
    /// The URL fetched.
    pub url: String,
    /// When the capture was made (given by the caller).
    pub captured_at: DateTime<Utc>,
    /// The DNS answers.
    pub dns: DnsCapture,
    /// The address HTTP and the screenshot connected to, when it was pinned.
    pub connected_to: Option<IpAddr>,
    /// The HTTP answer.
    pub http: HttpCapture,
    /// The server's certificate, for https.
    pub tls: Option<TlsCertificate>,
    /// The screenshot, or why there is none.
    pub screenshot: Screenshot,
}

/// Captures what `target` answers now.
pub async fn capture(target: &ProofTarget, options: &ProofOptions, now: DateTime<Utc>) -> Proof {
    capture_when(target, options, now, Duration::ZERO, |_| true).await
}

/// Captures what `target` answers once `ready` holds for its HTTP answer, trying again
/// every 200 ms for up to `patience` (then the last answer is kept). A block takes effect a
/// moment after the adapter returns (`nginx -s reload` returns once nginx is signalled; DNS
/// answers are cached), so the capture of a block waits for the answer to change and the
/// capture of an unblock waits for it to be as before. The screenshot is taken once, at
/// the end.
pub async fn capture_when(
    target: &ProofTarget,
    options: &ProofOptions,
    now: DateTime<Utc>,
    patience: Duration,
    ready: impl Fn(&HttpCapture) -> bool,
) -> Proof {
    let deadline = tokio::time::Instant::now() + patience;
    let (mut dns, mut connected_to) = resolve(target, options).await;
    let (mut http, mut tls) = fetch(target, &connected_to, options).await;
    while !ready(&http) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        (dns, connected_to) = resolve(target, options).await;
        (http, tls) = fetch(target, &connected_to, options).await;
    }
    let screenshot = match &connected_to {
        Ok(address) => {
            let pinned = (target.host.as_str(), *address);
            let insecure = http.certificate_error.is_some();
            screenshot::capture(&target.url, pinned, insecure, options).await
        }
        Err(reason) => Screenshot::NotPossible {
            reason: format!("no screenshot: {reason}"),
        },
    };
    Proof {
        host: target.host.clone(),
        url: target.url.to_string(),
        captured_at: now,
        dns,
        connected_to: connected_to.ok(),
        http,
        tls,
        screenshot,
    }
}

/// The DNS answers and the address to connect to: the operator's `connect_to`, or the
/// first answered address that the outbound policy allows; why not, when none may be used.
async fn resolve(
    target: &ProofTarget,
    options: &ProofOptions,
) -> (DnsCapture, Result<IpAddr, String>) {
    let dns = dns::capture(&target.host, options.resolver, options.timeout).await;
    let chosen = match options.connect_to {
        Some(address) => options
            .outbound
            .check(address)
            .map(|()| address)
            .map_err(|e| e.to_string()),
        None => {
            let answered = dns.addresses();
            if answered.is_empty() {
                Err(format!(
                    "{} has no address ({})",
                    target.host,
                    dns.error.as_deref().unwrap_or("no A or AAAA answer")
                ))
            } else {
                match options.outbound.filter(target.host.as_str(), &answered) {
                    Ok(allowed) => allowed
                        .first()
                        .copied()
                        .ok_or_else(|| format!("{} has no usable address", target.host)),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    };
    (dns, chosen)
}

async fn fetch(
    target: &ProofTarget,
    connected_to: &Result<IpAddr, String>,
    options: &ProofOptions,
) -> (HttpCapture, Option<TlsCertificate>) {
    match connected_to {
        Ok(address) => {
            let pinned = (target.host.as_str(), *address);
            http::capture(&target.url, pinned, options.timeout).await
        }
        Err(reason) => (
            HttpCapture {
                error: Some(format!("not fetched: {reason}")),
                ..HttpCapture::default()
            },
            None,
        ),
    }
}

/// Asks `resolver` for the host's A and AAAA answers (and the CNAMEs met on the way),
/// without the HTTP part or the screenshot.
pub async fn dns_answers(host: &Hostname, resolver: Resolver, timeout: Duration) -> DnsCapture {
    dns::capture(host, resolver, timeout).await
}
