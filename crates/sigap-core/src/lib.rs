//! `sigap-core` is the SOP of the city CSIRT as pure data and functions: the vocabularies
//! (roles, states, actions), validated identifiers, the records each step requires, the
//! state machine that decides every transition, CVSS scoring, and the working-day calendar
//! behind every deadline. It does no I/O and never reads the clock: time, counts and files
//! are parameters, so that every rule can be tested exhaustively.
//!
//! Everything public is re-exported at the crate root.

pub mod calendar;
pub mod cvss;
pub mod error;
pub mod ids;
pub mod model;
pub mod records;
pub mod time;
pub mod tlp;
pub mod transition;
pub mod workflow;

pub use crate::calendar::{
    DeadlinePolicy, Span, WorkingCalendar, format_date_id, format_wib, month_name_id,
    weekday_name_id, wib,
};
pub use crate::cvss::{CvssBand, CvssScore, CvssVersion, score_vector};
pub use crate::error::FieldError;
pub use crate::ids::{
    AgencyCode, Domain, Email, Target, TicketNumber, VulnerabilityType, optional_text,
    required_text,
};
pub use crate::model::{
    Action, Channel, Criticality, DocumentKind, Recommendation, Role, Severity, State,
    UnknownValue, ValidationMethod, Visibility,
};
pub use crate::records::{
    ActionInput, LONG_TEXT, Meeting, SHORT_TEXT, parse_action_input, parse_bool,
};
pub use crate::time::{Clock, FixedClock, ManualClock};
pub use crate::tlp::{Tlp, UnknownTlp};
pub use crate::transition::{Outcome, RuleContext, needs_approval, transition};
pub use crate::workflow::{
    Actor, Refusal, TicketFacts, allowed_actions, can_see, permits, roles_for,
    sees_blocking_internals, sees_reporter,
};
