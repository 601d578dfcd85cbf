//! The records each SOP step requires, read from an action's request body. The SOP's first
//! warning is that incomplete records make oversight fail, so a step cannot complete
//! without them: [`parse_action_input`] turns a JSON body (or a multipart form's text
//! fields) into a typed [`ActionInput`], or answers every missing or wrong field at once.

mod actions;
mod body;
pub(crate) use body::parse_instant;
pub mod schema;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cvss::CvssScore;
use crate::error::FieldError;
use crate::ids::TicketNumber;
use crate::model::{Action, Criticality, Party, Recommendation, ValidationMethod, Visibility};
use crate::records::body::Body;
use crate::workflow::{Actor, TicketFacts};

/// The most characters a long text (findings, summary, content, notes, body, rationale,
/// reason, concerns, evidence text) may have.
pub const LONG_TEXT: usize = 20_000;

/// The most characters a short text (a method, a place, a name) may have.
pub const SHORT_TEXT: usize = 200;

/// A meeting held for a step (validation by meeting, SOP step 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// When it was held.
    pub held_at: DateTime<Utc>,
    /// Where it was held.
    pub place: String,
    /// Who attended, at least one.
    pub attendees: Vec<String>,
    /// Whether the owning agency was invited.
    pub agency_invited: bool,
}

/// Whom a warning or sanction concerns in records kept before it was asked.
fn civil_servants() -> Party {
    Party::Asn
}

/// The records of one action, checked. Field names follow `docs/api.md` ("Action bodies").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActionInput {
    /// Step 3.
    Validate {
        /// Whether the report is valid.
        valid: bool,
        /// Through the ticket or in a meeting.
        method: ValidationMethod,
        /// What was checked and what was found.
        findings: String,
        /// Why the report was not accepted, for the reporter (only when it is not valid).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason_for_reporter: Option<String>,
        /// The registered system to link (its id or domain), when the ticket has none.
        system: Option<String>,
        /// The meeting, when `method` is `meeting` (ignored otherwise).
        meeting: Option<Meeting>,
    },
    /// End as a duplicate.
    MarkDuplicate {
        /// The original ticket.
        of: TicketNumber,
        /// Why it is the same finding.
        reason: String,
    },
    /// Step 4.
    Assess {
        /// The SOP level decided.
        criticality: Criticality,
        /// The scored CVSS vector, when one was given.
        cvss: Option<CvssScore>,
        /// Why, when there is no vector or the level overrides the vector's band.
        rationale: Option<String>,
        /// Whether personal data is affected.
        personal_data_affected: bool,
        /// Who took part, when assessed in a meeting.
        attendees: Vec<String>,
    },
    /// Step 5.
    Block {
        /// `manual` or a configured adapter's name.
        method: String,
        /// Notes.
        notes: Option<String>,
        /// Evidence as text (files are attached separately).
        evidence_text: Option<String>,
    },
    /// Step 6.
    NotifyAgency {
        /// The recommendation about the ASN or unit concerned.
        recommendation: Recommendation,
        /// The summary for the agency.
        summary: String,
        /// The ASN or unit a warning or sanction concerns.
        concerns: Option<String>,
        /// Whether `concerns` names civil servants or a third-party vendor (records kept
        /// before this was asked read as civil servants).
        #[serde(default = "civil_servants")]
        concerns_party: Party,
    },
    /// Step 7.
    SubmitRemediation {
        /// What was fixed.
        summary: String,
        /// Evidence as text (files are attached separately).
        evidence_text: Option<String>,
        /// Whether the CSIRT submitted it on the agency's behalf.
        on_behalf: bool,
    },
    /// Step 8.
    SendFollowUp {
        /// The letter's content.
        content: String,
    },
    /// Step 9.
    Review {
        /// Fixed (*Sudah*) or not yet (*Belum*).
        fixed: bool,
        /// Who attended, at least one.
        attendees: Vec<String>,
        /// The meeting's notes.
        notes: String,
    },
    /// The Regional Secretary's decision.
    ApproveReactivation {
        /// Whether reactivation is approved.
        approved: bool,
        /// The decision's notes (required when refused; may be empty when approved).
        notes: String,
    },
    /// Step 10, the block lifted.
    Unblock {
        /// `manual` or a configured adapter's name.
        method: String,
        /// Notes.
        notes: Option<String>,
        /// Evidence as text (files are attached separately).
        evidence_text: Option<String>,
    },
    /// Step 10, the ticket closed.
    Close {
        /// Notes.
        notes: Option<String>,
    },
    /// A comment.
    Comment {
        /// The text.
        body: String,
        /// Who may read it.
        visibility: Visibility,
    },
    /// Files attached.
    Attach {
        /// A note on the files.
        note: Option<String>,
    },
    /// The ticket given to a staff member.
    Assign {
        /// The staff member's e-mail address, normalised.
        assignee: String,
    },
}

impl ActionInput {
    /// The action these records belong to.
    pub fn action(&self) -> Action {
        match self {
            Self::Validate { .. } => Action::Validate,
            Self::MarkDuplicate { .. } => Action::MarkDuplicate,
            Self::Assess { .. } => Action::Assess,
            Self::Block { .. } => Action::Block,
            Self::NotifyAgency { .. } => Action::NotifyAgency,
            Self::SubmitRemediation { .. } => Action::SubmitRemediation,
            Self::SendFollowUp { .. } => Action::SendFollowUp,
            Self::Review { .. } => Action::Review,
            Self::ApproveReactivation { .. } => Action::ApproveReactivation,
            Self::Unblock { .. } => Action::Unblock,
            Self::Close { .. } => Action::Close,
            Self::Comment { .. } => Action::Comment,
            Self::Attach { .. } => Action::Attach,
            Self::Assign { .. } => Action::Assign,
        }
    }

    /// The evidence given as text, for the actions that take evidence.
    pub fn evidence_text(&self) -> Option<&str> {
        match self {
            Self::Block { evidence_text, .. }
            | Self::Unblock { evidence_text, .. }
            | Self::SubmitRemediation { evidence_text, .. } => evidence_text.as_deref(),
            _ => None,
        }
    }
}

/// Reads the records of `action` from `body`. `has_files` says whether files came with the
/// request (field `evidence`). The actor and ticket decide the rules that depend on them
/// (a system owner's comment visibility, a validation that must link a system). Every
/// problem is reported, each on its field.
pub fn parse_action_input(
    action: Action,
    body: &serde_json::Value,
    has_files: bool,
    actor: &Actor,
    ticket: &TicketFacts,
) -> Result<ActionInput, Vec<FieldError>> {
    let mut reader = Body::new(body);
    let context = actions::Context {
        has_files,
        actor,
        ticket,
    };
    let input = actions::read(action, &mut reader, &context);
    match input {
        Some(input) if reader.errors.is_empty() => Ok(input),
        _ if !reader.errors.is_empty() => Err(reader.errors),
        _ => Err(vec![FieldError::new(
            "body",
            "the records could not be read",
        )]),
    }
}

/// When and where a step's event took place, as its minutes print it: the examination or
/// meeting of `validate`, `assess` and `review` (`held_at`, `place`), the Regional
/// Secretary's decision (`decided_at`). Each is optional: a step held as a scheduled meeting
/// takes the meeting's, and without either the minutes print the time the step was recorded
/// and the office as the place. The time the step is recorded is printed besides, as such.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Occasion {
    /// When it took place.
    pub at: Option<DateTime<Utc>>,
    /// Where.
    pub place: Option<String>,
}

impl Occasion {
    /// The records' field that holds the time for `action`: `decided_at` for the Regional
    /// Secretary's decision, `held_at` otherwise.
    pub fn time_field(action: Action) -> &'static str {
        if action == Action::ApproveReactivation {
            schema::occasion::DECIDED_AT.name
        } else {
            schema::occasion::HELD_AT.name
        }
    }
}

/// Reads the [`Occasion`] of `action` from its body. The time must lie between
/// `received_at` (the report's arrival) and a few minutes after `now`: a meeting cannot be
/// held before the report came in, nor recorded before it happened.
pub fn read_occasion(
    action: Action,
    body: &serde_json::Value,
    now: DateTime<Utc>,
    received_at: DateTime<Utc>,
) -> Result<Occasion, Vec<FieldError>> {
    let (time, place) = match action {
        Action::Validate | Action::Assess | Action::Review => (true, true),
        Action::ApproveReactivation => (true, false),
        _ => return Ok(Occasion::default()),
    };
    let mut reader = Body::new(body);
    let field = Occasion::time_field(action);
    let at = if time {
        reader.optional_instant(field)
    } else {
        None
    };
    let place = if place {
        reader.text(&schema::occasion::PLACE)
    } else {
        None
    };
    if let Some(at) = at {
        if at > now + chrono::Duration::minutes(5) {
            reader.error(field, format!("`{field}` cannot be in the future"));
        } else if at < received_at - chrono::Duration::minutes(1) {
            reader.error(
                field,
                format!("`{field}` cannot be before the report was received"),
            );
        }
    }
    if reader.errors.is_empty() {
        Ok(Occasion { at, place })
    } else {
        Err(reader.errors)
    }
}

/// Reads a yes/no answer as a form may send it: `true`/`false`, `yes`/`no`, `ya`/`tidak`,
/// `sudah`/`belum`, `on`/`off`, `1`/`0` (letter case and spaces ignored).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "ya" | "y" | "sudah" | "on" | "1" => Some(true),
        "false" | "no" | "tidak" | "n" | "belum" | "off" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
