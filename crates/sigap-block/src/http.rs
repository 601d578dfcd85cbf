//! The HTTP client of the adapters and of proof capture: rustls (reqwest's default provider),
//! a time limit on every call, and the translation of client errors into adapter errors.

use std::time::Duration;

use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::outbound::OutboundPolicy;

/// The largest answer body kept in a record or read for a proof.
pub const MAX_BODY: usize = 64 * 1024;

/// A client whose every request (connect included) gives up after `timeout`, and whose
/// connections follow `outbound`. `url` is the server's URL: an address written in it is
/// checked here, since the client resolves names only.
pub fn client(
    adapter: AdapterKind,
    timeout: Duration,
    url: &url::Url,
    outbound: &OutboundPolicy,
) -> Result<reqwest::Client, BlockError> {
    outbound
        .check_url(url)
        .map_err(|e| BlockError::new(adapter, FailureKind::NotAllowed, e.to_string()))?;
    outbound
        .client(reqwest::Client::builder())
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("sigap-block/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| BlockError::new(adapter, FailureKind::UnexpectedAnswer, error.to_string()))
}

/// An adapter error for a request that got no answer.
pub fn request_failure(adapter: AdapterKind, what: &str, error: &reqwest::Error) -> BlockError {
    let kind = if error.is_timeout() {
        FailureKind::Timeout
    } else if error.is_connect() {
        FailureKind::Unreachable
    } else {
        FailureKind::UnexpectedAnswer
    };
    BlockError::new(adapter, kind, format!("{what}: {}", describe(error)))
}

/// The error and its causes on one line.
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

/// An adapter error for an answer with a status that is not a success.
pub fn status_failure(adapter: AdapterKind, what: &str, status: u16, body: &str) -> BlockError {
    let kind = match status {
        401 | 403 => FailureKind::WrongCredentials,
        404 => FailureKind::NotFound,
        400..=499 => FailureKind::Refused,
        _ => FailureKind::UnexpectedAnswer,
    };
    let body = truncate(body.trim(), 500);
    BlockError::new(adapter, kind, format!("{what}: HTTP {status}: {body}"))
}

/// Reads an answer's body as text, at most [`MAX_BODY`] bytes.
pub async fn body_text(
    adapter: AdapterKind,
    what: &str,
    response: reqwest::Response,
) -> Result<String, BlockError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| request_failure(adapter, what, &e))?;
    let end = bytes.len().min(MAX_BODY);
    Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// The first `max` characters of `text`.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
