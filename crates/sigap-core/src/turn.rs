//! Whose turn a ticket is: the SOP's next step for its state ([`next_step`]) and the role
//! whose step that is ([`turn_of`]). The staff queue's "Giliran saya" lists the tickets
//! whose turn is the caller's ([`turns`]).

use crate::model::{Action, Role, State};
use crate::workflow::acting_role;

/// The SOP step a ticket in `state` waits for; in `closing`, the unblock while the ticket
/// holds a block and the close after. `None` once the ticket has ended.
pub fn next_step(state: State, blocked: bool) -> Option<Action> {
    match state {
        State::Queued => Some(Action::Validate),
        State::Assessing => Some(Action::Assess),
        State::AwaitingBlock => Some(Action::Block),
        State::Notifying => Some(Action::NotifyAgency),
        State::Remediating => Some(Action::SubmitRemediation),
        State::FollowUp => Some(Action::SendFollowUp),
        State::Reviewing => Some(Action::Review),
        State::AwaitingApproval => Some(Action::ApproveReactivation),
        State::Closing if blocked => Some(Action::Unblock),
        State::Closing => Some(Action::Close),
        State::Closed | State::Rejected | State::Duplicate => None,
    }
}

/// The role whose step a ticket in `state` waits for.
pub fn turn_of(state: State, blocked: bool) -> Option<Role> {
    next_step(state, blocked).map(acting_role)
}

/// A state whose next step is one role's, with the block it needs (`None`: either).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    pub state: State,
    pub blocked: Option<bool>,
}

/// The states (and blocks) whose next step is `role`'s, in the SOP's order. Empty for the
/// roles that have no step (admin, auditor) and for the help desk, whose work in the queue
/// is to enter and assign reports rather than a step.
pub fn turns(role: Role) -> Vec<Turn> {
    let mut turns = Vec::new();
    for &state in State::ALL {
        let open = turn_of(state, false) == Some(role);
        let blocked = turn_of(state, true) == Some(role);
        match (open, blocked) {
            (true, true) => turns.push(Turn {
                state,
                blocked: None,
            }),
            (true, false) | (false, true) => turns.push(Turn {
                state,
                blocked: Some(blocked),
            }),
            (false, false) => {}
        }
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(state: State, blocked: Option<bool>) -> Turn {
        Turn { state, blocked }
    }

    #[test]
    fn every_open_state_is_someones_turn() {
        for &state in State::ALL {
            assert_eq!(
                next_step(state, false).is_none(),
                state.is_terminal(),
                "{state:?}"
            );
        }
        assert_eq!(turn_of(State::Closing, true), Some(Role::DomainOfficer));
        assert_eq!(turn_of(State::Closing, false), Some(Role::Csirt));
    }

    #[test]
    fn each_role_has_its_turns() {
        assert_eq!(
            turns(Role::DomainOfficer),
            [
                turn(State::AwaitingBlock, None),
                turn(State::Closing, Some(true))
            ]
        );
        assert_eq!(turns(Role::SystemOwner), [turn(State::Remediating, None)]);
        assert_eq!(
            turns(Role::RegionalSecretary),
            [turn(State::AwaitingApproval, None)]
        );
        let csirt = turns(Role::Csirt);
        assert_eq!(csirt.len(), 6, "{csirt:?}");
        assert!(csirt.contains(&turn(State::Closing, Some(false))));
        assert!(csirt.contains(&turn(State::Queued, None)));
        for role in [Role::Admin, Role::Auditor, Role::Helpdesk] {
            assert!(turns(role).is_empty(), "{role:?}");
        }
    }
}
