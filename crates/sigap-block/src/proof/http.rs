//! The HTTP part of a capture: status, selected headers, final URL after redirects, the
//! page title, the body's SHA-256 and, for https, the server's certificate. The connection
//! goes to the address the capture pinned (already checked against the outbound policy);
//! redirects are followed only on the same host, so a page cannot send the capture to
//! another machine. A certificate that does not verify is recorded as a finding, and the
//! page is then fetched without verification, since a proof records what is served.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// The headers kept in a capture.
const KEPT_HEADERS: [&str; 7] = [
    "content-type",
    "content-length",
    "server",
    "location",
    "last-modified",
    "etag",
    "retry-after",
];

/// The most body hashed; longer bodies are hashed up to here and marked as cut.
const MAX_HASHED: usize = 16 * 1024 * 1024;

/// How much of the body is searched for `<title>`.
const TITLE_WINDOW: usize = 64 * 1024;

/// The HTTP answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpCapture {
    /// The status of the final answer.
    pub status: Option<u16>,
    /// The URL of the final answer, after redirects.
    pub final_url: Option<String>,
    /// The kept headers, lowercase names.
    pub headers: BTreeMap<String, String>,
    /// The text of `<title>`, trimmed.
    pub title: Option<String>,
    /// SHA-256 of the body, lowercase hex.
    pub body_sha256: Option<String>,
    /// The body's length in bytes (up to the hashing limit).
    pub body_length: Option<usize>,
    /// What went wrong, if anything did.
    pub error: Option<String>,
    /// Why the server's certificate did not verify, when it did not (a finding of the
    /// capture; the answer above was then fetched without verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_error: Option<String>,
}

/// The server's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsCertificate {
    /// The subject's distinguished name.
    pub subject: String,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// Start of validity.
    pub not_before: Option<DateTime<Utc>>,
    /// Expiry.
    pub not_after: Option<DateTime<Utc>>,
}

/// The most redirects followed, all on the URL's own host.
const MAX_REDIRECTS: usize = 10;

/// Fetches `url`, connecting to `pinned` (host name, address): first with the certificate
/// verified, and again without verification when only the certificate failed.
pub async fn capture(
    url: &Url,
    pinned: (&str, IpAddr),
    timeout: Duration,
) -> (HttpCapture, Option<TlsCertificate>) {
    let (mut capture, tls) = attempt(url, pinned, timeout, true).await;
    let certificate = capture
        .error
        .clone()
        .filter(|error| url.scheme() == "https" && is_certificate_error(error));
    if let Some(reason) = certificate {
        let (mut again, tls) = attempt(url, pinned, timeout, false).await;
        again.certificate_error = Some(reason);
        return (again, tls);
    }
    capture.certificate_error = None;
    (capture, tls)
}

/// Whether a client error is a certificate that did not verify (rustls says
/// "invalid peer certificate").
fn is_certificate_error(error: &str) -> bool {
    error.contains("certificate")
}

async fn attempt(
    url: &Url,
    pinned: (&str, IpAddr),
    timeout: Duration,
    verify: bool,
) -> (HttpCapture, Option<TlsCertificate>) {
    let mut capture = HttpCapture::default();
    let client = match client(url, pinned, timeout, verify) {
        Ok(client) => client,
        Err(error) => {
            capture.error = Some(describe(&error));
            return (capture, None);
        }
    };
    let response = match client.get(url.clone()).send().await {
        Ok(response) => response,
        Err(error) => {
            capture.error = Some(describe(&error));
            return (capture, None);
        }
    };
    let tls = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .and_then(certificate);
    capture.status = Some(response.status().as_u16());
    capture.final_url = Some(response.url().to_string());
    capture.headers = kept_headers(response.headers());
    read_body(&mut capture, response).await;
    (capture, tls)
}

/// A client pinned to the checked address that follows redirects only on the same host
/// (a redirect elsewhere is recorded as the answer, not followed).
fn client(
    url: &Url,
    (host, address): (&str, IpAddr),
    timeout: Duration,
    verify: bool,
) -> Result<reqwest::Client, reqwest::Error> {
    let own_host = url.host_str().map(str::to_owned);
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        let same_host = attempt.url().host_str().map(str::to_owned) == own_host;
        let web = matches!(attempt.url().scheme(), "http" | "https");
        if !same_host || !web || attempt.previous().len() > MAX_REDIRECTS {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(redirects)
        .tls_danger_accept_invalid_certs(!verify)
        .tls_info(true)
        .user_agent(concat!("sigap-proof/", env!("CARGO_PKG_VERSION")))
        // Port 0: reqwest keeps the URL's port.
        .resolve(host, SocketAddr::new(address, 0))
        .build()
}

fn kept_headers(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, String> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect()
}

async fn read_body(capture: &mut HttpCapture, mut response: reqwest::Response) {
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_HASHED.saturating_sub(length);
                let part = &chunk[..chunk.len().min(room)];
                hasher.update(part);
                length += part.len();
                let head_room = TITLE_WINDOW.saturating_sub(head.len());
                head.extend_from_slice(&part[..part.len().min(head_room)]);
                if room <= chunk.len() {
                    capture.error = Some(format!(
                        "body longer than {MAX_HASHED} bytes: hashed up to there"
                    ));
                    break;
                }
            }
            Ok(None) => break,
            Err(error) => {
                capture.error = Some(format!("reading the body: {}", describe(&error)));
                break;
            }
        }
    }
    capture.body_sha256 = Some(hex::encode(hasher.finalize()));
    capture.body_length = Some(length);
    capture.title = title(&String::from_utf8_lossy(&head));
}

/// The trimmed text of the first `<title>` element, whitespace collapsed.
pub fn title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let text = html[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(text).filter(|text| !text.is_empty())
}

fn certificate(der: &[u8]) -> Option<TlsCertificate> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    let validity = certificate.validity();
    Some(TlsCertificate {
        subject: certificate.subject().to_string(),
        issuer: certificate.issuer().to_string(),
        not_before: DateTime::from_timestamp(validity.not_before.timestamp(), 0),
        not_after: DateTime::from_timestamp(validity.not_after.timestamp(), 0),
    })
}

fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn title_is_found_and_trimmed() {
        let html = "<html><head><TITLE lang=id>\n Layanan  ditangguhkan </title></head>";
        assert_eq!(title(html).as_deref(), Some("Layanan ditangguhkan"));
        assert_eq!(title("<p>no title</p>"), None);
    }
}
