//! The meetings a step may be held in (SOP steps 3, 4 and 9): what a meeting is for and where
//! it stands. Both are closed vocabularies, stored and sent by their snake_case names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{
    Action, Choice, Labelled, Role, State, UnknownValue, stored_as_text, vocabulary,
};

vocabulary! {
    // The labels are the meeting's title (the calendar event's summary, the page's heading).
    /// What a meeting is for; each belongs to one state of the ticket and one action.
    #[derive(ToSchema)]
    #[schema(as = Purpose)]
    pub enum MeetingPurpose {
        /// Step 3, the validation held as a meeting (ticket `queued`).
        Validation => "validation", "Rapat validasi laporan", "Report validation meeting";
        /// Step 4, the criticality assessment (ticket `assessing`).
        Assessment => "assessment", "Rapat penilaian tingkat kekritisan",
            "Criticality assessment meeting";
        /// Step 9, the internal meeting on the follow-up results (ticket `reviewing`).
        Review => "review", "Rapat internal pembahasan hasil tindak lanjut",
            "Internal meeting on the follow-up results";
    }
}

impl MeetingPurpose {
    /// The state the ticket is in while a meeting of this purpose can be scheduled.
    pub fn state(self) -> State {
        match self {
            Self::Validation => State::Queued,
            Self::Assessment => State::Assessing,
            Self::Review => State::Reviewing,
        }
    }

    /// The purpose that fits a ticket in `state`, if any.
    pub fn for_state(state: State) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.state() == state)
    }

    /// The step that records a meeting of this purpose.
    pub fn action(self) -> Action {
        match self {
            Self::Validation => Action::Validate,
            Self::Assessment => Action::Assess,
            Self::Review => Action::Review,
        }
    }

    /// The purpose whose meeting `action` records, if any.
    pub fn for_action(action: Action) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.action() == action)
    }

    /// The roles that may schedule, change and cancel meetings of this purpose.
    pub fn managers(self) -> &'static [Role] {
        match self {
            Self::Validation => &[Role::Csirt, Role::Admin, Role::Helpdesk],
            Self::Assessment | Self::Review => &[Role::Csirt, Role::Admin],
        }
    }
}

vocabulary! {
    /// Where a meeting stands. Only a scheduled meeting can change, be cancelled or be
    /// recorded by its step, which marks it held.
    pub enum MeetingStatus {
        /// Planned; the invitation went out.
        Scheduled => "scheduled", "Terjadwal", "Scheduled";
        /// Called off, with its reason; the cancellation went out.
        Cancelled => "cancelled", "Dibatalkan", "Cancelled";
        /// Recorded by its step.
        Held => "held", "Telah dilaksanakan", "Held";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_belongs_to_one_state_and_one_step() {
        for &purpose in MeetingPurpose::ALL {
            assert_eq!(MeetingPurpose::for_state(purpose.state()), Some(purpose));
            assert_eq!(MeetingPurpose::for_action(purpose.action()), Some(purpose));
            assert!(purpose.managers().contains(&Role::Csirt));
        }
        assert_eq!(MeetingPurpose::for_state(State::Closed), None);
        assert_eq!(MeetingPurpose::for_action(Action::Close), None);
        assert!(!MeetingPurpose::Review.managers().contains(&Role::Helpdesk));
    }

    #[test]
    fn names_are_the_stored_words() {
        assert_eq!(
            MeetingPurpose::NAMES,
            ["validation", "assessment", "review"]
        );
        assert_eq!(MeetingStatus::NAMES, ["scheduled", "cancelled", "held"]);
        assert!("planned".parse::<MeetingStatus>().is_err());
        assert_eq!(
            " Review ".parse::<MeetingPurpose>(),
            Ok(MeetingPurpose::Review)
        );
    }
}
