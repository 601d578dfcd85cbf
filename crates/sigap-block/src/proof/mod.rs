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
    /// Without it, a capture through [`Resolver::At`] connects to the address it answered.
    pub connect_to: Option<IpAddr>,
    /// The time limit of each DNS and HTTP exchange.
    pub timeout: Duration,
    /// Chromium's path (default [`DEFAULT_CHROMIUM`]); no screenshot when it is missing.
    pub chromium: Option<PathBuf>,
    /// The time limit of the screenshot.
    pub screenshot_timeout: Duration,
}

impl Default for ProofOptions {
    fn default() -> Self {
        ProofOptions {
            resolver: Resolver::System,
            connect_to: None,
            timeout: Duration::from_secs(5),
            chromium: None,
            screenshot_timeout: Duration::from_secs(20),
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
    /// A target for `host`, fetching `url` or else `https://<host>/`.
    pub fn new(host: Hostname, url: Option<Url>) -> Result<ProofTarget, url::ParseError> {
        let url = match url {
            Some(url) => url,
            None => Url::parse(&format!("https://{host}/"))?,
        };
        Ok(ProofTarget { host, url })
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
    let (mut http, mut tls) = fetch(target, connected_to, options).await;
    while !ready(&http) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        (dns, connected_to) = resolve(target, options).await;
        (http, tls) = fetch(target, connected_to, options).await;
    }
    let pinned = pin(&target.url, connected_to);
    let pinned = pinned.as_ref().map(|(host, ip)| (host.as_str(), *ip));
    let screenshot = screenshot::capture(&target.url, pinned, options).await;
    Proof {
        host: target.host.clone(),
        url: target.url.to_string(),
        captured_at: now,
        dns,
        connected_to,
        http,
        tls,
        screenshot,
    }
}

/// The DNS answers and the address to connect to.
async fn resolve(target: &ProofTarget, options: &ProofOptions) -> (DnsCapture, Option<IpAddr>) {
    let dns = dns::capture(&target.host, options.resolver, options.timeout).await;
    let connected_to = options.connect_to.or_else(|| match options.resolver {
        Resolver::At(_) => dns.first_address(),
        Resolver::System => None,
    });
    (dns, connected_to)
}

async fn fetch(
    target: &ProofTarget,
    connected_to: Option<IpAddr>,
    options: &ProofOptions,
) -> (HttpCapture, Option<TlsCertificate>) {
    let pinned = pin(&target.url, connected_to);
    let pinned = pinned.as_ref().map(|(host, ip)| (host.as_str(), *ip));
    http::capture(&target.url, pinned, options.timeout).await
}

/// The URL's host name with the address it is pinned to, when it is pinned.
fn pin(url: &Url, connected_to: Option<IpAddr>) -> Option<(String, IpAddr)> {
    Some((url.host_str()?.to_owned(), connected_to?))
}

/// Asks `resolver` for the host's A and AAAA answers (and the CNAMEs met on the way),
/// without the HTTP part or the screenshot.
pub async fn dns_answers(host: &Hostname, resolver: Resolver, timeout: Duration) -> DnsCapture {
    dns::capture(host, resolver, timeout).await
}
