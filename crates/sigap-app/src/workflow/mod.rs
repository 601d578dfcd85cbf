//! The SOP's steps after intake, as staff work them: the actions of each step
//! ([`actions`]), blocking and unblocking with proof ([`blocking`], with the operator's
//! [`blocking_profiles`]), the meetings of steps 3, 4 and 9 ([`meetings`]), the Regional
//! Secretary's approvals ([`approvals`]), the clock that watches the deadlines
//! ([`deadlines`]), the clock of UU PDP Pasal 46 on a breach of personal data
//! ([`personal_data`]) with its notices as documents ([`pdp_notices`]), the report of a
//! high-risk incident to the sectoral CSIRT ([`sectoral_report`]; the report itself is
//! `law::sectoral_document`), the retention of a closed ticket's data with its records of
//! destruction ([`retention`]) and the legal hold that stops it ([`legal_hold`]), and the
//! staff's reading of tickets and their counts ([`tickets`], [`stats`]).

pub mod actions;
pub mod approvals;
pub mod blocking;
pub mod blocking_profiles;
pub mod deadlines;
pub mod legal_hold;
pub mod meetings;
pub mod pdp_notices;
pub mod personal_data;
pub mod queue;
pub mod retention;
pub mod saved_filters;
pub mod sectoral_report;
pub mod stats;
pub mod tickets;
