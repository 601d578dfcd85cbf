//! Comparison of two captures: does the host answer as it did before the block (same
//! status, same title, same body hash), and if not, what differs, in words.

use serde::{Deserialize, Serialize};

use crate::proof::{HttpCapture, Proof};

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Each difference found, as a sentence; empty when the answers match.
    pub differences: Vec<String>,
}

impl Comparison {
    /// Whether the later capture answers as the baseline did.
    pub fn is_as_before(&self) -> bool {
        self.differences.is_empty()
    }

    /// One line for the ticket's record.
    pub fn summary(&self) -> String {
        if self.is_as_before() {
            "answers as before the block (same status, title and body)".to_owned()
        } else {
            format!(
                "does not answer as before the block: {}",
                self.differences.join("; ")
            )
        }
    }
}

/// Compares `later` with `baseline`.
pub fn compare(baseline: &Proof, later: &Proof) -> Comparison {
    compare_http(&baseline.http, &later.http)
}

/// Compares two HTTP answers (status, title, body hash).
pub fn compare_http(before: &HttpCapture, after: &HttpCapture) -> Comparison {
    let mut differences = Vec::new();
    if let Some(error) = &after.error {
        differences.push(format!("the later capture had an error: {error}"));
    }
    if before.status != after.status {
        differences.push(format!(
            "status {} instead of {}",
            shown(&after.status),
            shown(&before.status)
        ));
    }
    if before.title != after.title {
        differences.push(format!(
            "title {} instead of {}",
            quoted(&after.title),
            quoted(&before.title)
        ));
    }
    if before.body_sha256 != after.body_sha256 {
        let lengths = (shown(&after.body_length), shown(&before.body_length));
        differences.push(format!(
            "a different body ({} bytes instead of {})",
            lengths.0, lengths.1
        ));
    }
    Comparison { differences }
}

fn shown<T: ToString>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "none".to_owned(), ToString::to_string)
}

fn quoted(value: &Option<String>) -> String {
    value
        .as_ref()
        .map_or_else(|| "none".to_owned(), |text| format!("\"{text}\""))
}
