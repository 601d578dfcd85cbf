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
    /// What kind of problem it is, so that a page can say it in its own language.
    #[serde(skip)]
    pub problem: Problem,
}

/// The kinds of problems with a field that a page words in its own language; the English
/// `message` says the same with its details.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Problem {
    /// Anything else: the message (or the catalogue's sentence for the field) says it.
    #[default]
    Other,
    /// Required and not given (or blank).
    Missing,
    /// Longer than the field allows.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// A control character other than tab and line breaks.
    ControlCharacter,
    /// Not a date and time.
    NotAnInstant,
    /// Not one of the field's choices.
    NotAChoice,
    /// Neither yes nor no.
    NotYesNo,
    /// Not an e-mail address.
    NotAnEmail,
    /// Not a ticket number.
    NotATicketNumber,
    /// Names an agency or a system an admin has taken out of service.
    OutOfService,
    /// Asks an admin to change their own role, which another admin does.
    OwnAccount,
    /// A new password the rules refuse ([`crate::law`]), and why.
    Password(PasswordFlaw),
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordFlaw {
    /// Shorter than the rules' minimum.
    TooShort {
        /// The fewest characters allowed.
        min: u32,
    },
    /// Longer than a password may be (in bytes).
    TooLong,
    /// Known from breaches or too common: in the list shipped with sigap, or one of its
    /// entries with digits or signs around it.
    Breached,
    /// Made of the user's own name or e-mail address, or the office's.
    Personal,
    /// Does not mix lower case, upper case, digits and other characters, as the rules ask.
    Composition,
}

impl PasswordFlaw {
    /// The flaw's name in message catalogues: `too_short`, `breached`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordFlaw::TooShort { .. } => "too_short",
            PasswordFlaw::TooLong => "too_long",
            PasswordFlaw::Breached => "breached",
            PasswordFlaw::Personal => "personal",
            PasswordFlaw::Composition => "composition",
        }
    }
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            problem: Problem::Other,
        }
    }

    /// The same error, of the kind `problem`.
    pub fn of_kind(mut self, problem: Problem) -> Self {
        self.problem = problem;
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}
