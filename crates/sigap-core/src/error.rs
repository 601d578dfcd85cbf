//! The error a person can act on: which input field is wrong and what to do about it. Every
//! parser in this crate answers with [`FieldError`]s, and the web layer renders them as the
//! `errors: [{field, message}]` member of a problem+json response or next to a form field.

use std::fmt;

use serde::Serialize;

/// One problem with one input field, as an English sentence that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field's name, as the client sent it (e.g. `findings`, `meeting.place`).
    pub field: String,
    /// What is wrong and what to do, e.g. "`findings` is required: describe what was
    /// checked and what was found".
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}
