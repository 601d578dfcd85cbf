//! `sigap-core` is the SOP of the city CSIRT as pure data and functions: the vocabularies
//! (roles, states, actions), validated identifiers, the records each step requires, the
//! state machine that decides every transition, CVSS scoring, and the working-day calendar
//! behind every deadline; and the checks of what strangers and admins send (a report, a
//! form's fields, evidence files, the settings). It does no I/O and never reads the clock:
//! time, counts and files are parameters, so that every rule can be tested exhaustively
//! (and every parser fuzzed without a database or a network stack: see `fuzz/`).
//!
//! Everything public is re-exported at the crate root.

pub mod bssn;
pub mod calendar;
pub mod cvss;
pub mod error;
pub mod evidence;
pub mod form;
pub mod ids;
pub mod law;
pub mod meeting;
pub mod model;
pub mod overrides;
pub mod pdp;
pub mod period;
pub mod profile;
pub mod records;
pub mod replies;
pub mod report;
pub mod retention;
pub mod rights;
pub mod spbe;
pub mod time;
pub mod tlp;
pub mod transition;
pub mod turn;
pub mod weakness;
pub mod workflow;

pub use crate::calendar::{
    DeadlinePolicy, Span, WorkingCalendar, format_date_id, format_wib, month_name_en,
    month_name_id, weekday_name_en, weekday_name_id, wib,
};
pub use crate::cvss::{CvssBand, CvssScore, CvssVersion, score_vector};
pub use crate::error::{FieldError, PasswordFlaw, Problem};
pub use crate::evidence::{
    ALLOWED_MEDIA, ALLOWED_TYPES, MAX_NAME_CHARS, clean_name, is_bidi_control, sniff,
};
pub use crate::form::{Check, Fields, Given, Lenient, insert_field, is_file_part};
pub use crate::ids::{
    AgencyCode, Domain, Email, Target, TicketNumber, VulnerabilityType, optional_text,
    required_text,
};
pub use crate::meeting::{MeetingPurpose, MeetingStatus};
pub use crate::model::{
    Action, Author, Channel, Criticality, DocumentKind, JobKind, JobState, Labelled, Party,
    Recommendation, Role, Severity, State, UnknownValue, ValidationMethod, Visibility,
};
pub use crate::overrides::{
    Approval, ApprovalRequest, DocumentKindRequest, Holiday, HolidayRequest, HolidaysRequest,
    KindOverride, LetterheadChange, LetterheadRequest, MAX_HOLIDAYS, Signer, SignerRequest,
    check_holidays, check_letterhead,
};
pub use crate::period::{Period, PeriodKind, midnight as wib_midnight};
pub use crate::records::{
    ActionInput, LONG_TEXT, Meeting, Occasion, SHORT_TEXT, parse_action_input, parse_bool,
    read_occasion,
};
pub use crate::report::{
    CheckedReport, EnterReportRequest, MAX_POC, MAX_TITLE, ReportRequest, check_report,
};
pub use crate::time::{Clock, FixedClock, ManualClock};
pub use crate::tlp::{Tlp, UnknownTlp};
pub use crate::transition::{Outcome, RuleContext, documents_of, needs_approval, transition};
pub use crate::turn::{Turn, next_step, turn_of, turns};
pub use crate::weakness::WeaknessClass;
pub use crate::workflow::{
    Actor, INTAKE_ROLE, Refusal, TicketFacts, acting_role, agency_told, allowed_actions,
    block_notice, can_see, permits, roles_for, sees_blocking_internals, sees_reporter,
};
