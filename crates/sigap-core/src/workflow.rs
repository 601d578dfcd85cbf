//! Who may do what, and when: the SOP's swim lanes (roles per action), the agency scope of
//! system owners, and the states each action needs. This is the one place that answers "may
//! this user perform this action on this ticket now?"; [`mod@crate::transition`] builds on it.

use crate::error::FieldError;
use crate::model::{Action, Criticality, Role, State};

/// The user performing an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's role.
    pub role: Role,
    /// The agency a `system_owner` belongs to; `None` for the other roles.
    pub agency_id: Option<i64>,
}

/// What the workflow needs to know about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// The current state.
    pub state: State,
    /// The agency owning the linked system, once linked.
    pub agency_id: Option<i64>,
    /// The registered electronic system, once linked.
    pub system_id: Option<i64>,
    /// Whether this ticket holds a block on its system.
    pub blocked: bool,
    /// The SOP level decided at step 4.
    pub criticality: Option<Criticality>,
    /// The remediation round, from 1; each `review` = not fixed starts a new one.
    pub round: u32,
}

/// Why an action was not carried out. The web layer maps these to 404, 403, 409 and 422.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The ticket does not exist for this user (also when it is out of their scope, so that
    /// the answer reveals nothing).
    #[error("not found")]
    NotFound,
    /// The user's role may not perform the action at all.
    #[error("the role `{role}` may not perform `{action}`")]
    Forbidden {
        /// The action attempted.
        action: Action,
        /// The user's role.
        role: Role,
    },
    /// The action is not possible in the ticket's current state.
    #[error("{reason}")]
    Conflict {
        /// The action attempted.
        action: Action,
        /// The ticket's state.
        state: State,
        /// A sentence saying what the action needs, e.g. "`assess` needs state
        /// `assessing`; the ticket is `queued`".
        reason: String,
    },
    /// Records the SOP requires are missing or wrong.
    #[error("invalid records")]
    Invalid(Vec<FieldError>),
}

/// Whether `actor` may see `ticket`: a system owner only sees tickets of their own agency,
/// and only once the SOP has told the agency of them ([`agency_told`]); every other role
/// sees every ticket.
pub fn can_see(actor: &Actor, ticket: &TicketFacts) -> bool {
    match actor.role {
        Role::SystemOwner => {
            actor.agency_id.is_some()
                && actor.agency_id == ticket.agency_id
                && agency_told(ticket.state)
        }
        Role::Admin
        | Role::Helpdesk
        | Role::Csirt
        | Role::DomainOfficer
        | Role::RegionalSecretary
        | Role::Auditor => true,
    }
}

/// Whether a ticket in `state` has been reported to its agency (SOP step 6,
/// `notify_agency`, is behind it): from then on the agency's system owners see it. Before,
/// the report is the CSIRT's alone; a rejected or duplicate report never reaches the agency.
pub fn agency_told(state: State) -> bool {
    match state {
        State::Remediating
        | State::FollowUp
        | State::Reviewing
        | State::AwaitingApproval
        | State::Closing
        | State::Closed => true,
        State::Queued
        | State::Assessing
        | State::AwaitingBlock
        | State::Notifying
        | State::Rejected
        | State::Duplicate => false,
    }
}

/// Whether the ticket's agency gets a short notice that the ticket blocks its system: the
/// block (step 5) came before the report to the agency (step 6). The notice names the
/// system and the time of the block, nothing of the report.
pub fn block_notice(ticket: &TicketFacts) -> bool {
    ticket.blocked && !agency_told(ticket.state)
}

/// Whether `role` may learn who reported: the reporter's name and contact data, their
/// messages, their receipt and certificate, the names of the files they sent. The SOP's
/// reporters are residents and researchers protected by the disclosure policy, and UU PDP
/// limits personal data to its purpose: a system owner fixes the finding and the Regional
/// Secretary approves a reactivation from the agency's record; neither needs the person.
/// A reporter's message reaches them only when staff forward it as a comment of their own.
pub fn sees_reporter(role: Role) -> bool {
    match role {
        Role::SystemOwner | Role::RegionalSecretary => false,
        Role::Admin | Role::Helpdesk | Role::Csirt | Role::DomainOfficer | Role::Auditor => true,
    }
}

/// Whether `role` reads the internals of the block and unblock steps (the adapter's record,
/// the captures of DNS, HTTP and TLS, the officer's notes). A system owner reads their public
/// facts only: when the system was blocked or unblocked, and the screenshots of its pages.
pub fn sees_blocking_internals(role: Role) -> bool {
    role != Role::SystemOwner
}

/// The roles that may perform `action` (a system owner further limited to their agency).
/// The first is the one whose step it is in the SOP ([`acting_role`]); the others may act
/// in its place (the CSIRT records an agency's remediation on its behalf).
pub fn roles_for(action: Action) -> &'static [Role] {
    use Role::{Csirt, DomainOfficer, Helpdesk, RegionalSecretary, SystemOwner};
    match action {
        Action::Validate
        | Action::Assess
        | Action::NotifyAgency
        | Action::SendFollowUp
        | Action::Review => &[Csirt],
        Action::MarkDuplicate => &[Csirt, Helpdesk],
        Action::Assign => &[Helpdesk, Csirt],
        Action::Block | Action::Unblock => &[DomainOfficer],
        Action::SubmitRemediation => &[SystemOwner, Csirt],
        Action::ApproveReactivation => &[RegionalSecretary],
        Action::Close => &[Csirt, Helpdesk, DomainOfficer],
        Action::Comment | Action::Attach => &[
            Helpdesk,
            Csirt,
            DomainOfficer,
            SystemOwner,
            RegionalSecretary,
        ],
    }
}

/// The role whose step `action` is in the SOP: the lane the swim-lane diagram draws it in.
/// The report's arrival and its entry (steps 1 and 2) have no action and are the help
/// desk's ([`INTAKE_ROLE`]).
/// Comments, files and assignment are no step of the SOP: they are the help desk's, who
/// keeps the queue. [`roles_for`] lists this role first.
pub fn acting_role(action: Action) -> Role {
    match action {
        Action::Validate
        | Action::MarkDuplicate
        | Action::Assess
        | Action::NotifyAgency
        | Action::SendFollowUp
        | Action::Review
        | Action::Close => Role::Csirt,
        Action::Block | Action::Unblock => Role::DomainOfficer,
        Action::SubmitRemediation => Role::SystemOwner,
        Action::ApproveReactivation => Role::RegionalSecretary,
        Action::Assign | Action::Comment | Action::Attach => Role::Helpdesk,
    }
}

/// Whose the steps before any action are: receiving a report and entering it.
pub const INTAKE_ROLE: Role = Role::Helpdesk;

/// The states an action may start from.
fn states_for(action: Action) -> &'static [State] {
    use State::*;
    match action {
        Action::Validate => &[Queued],
        Action::MarkDuplicate => &[Queued, Assessing],
        Action::Assess => &[Assessing],
        Action::Block => &[AwaitingBlock],
        Action::NotifyAgency => &[Notifying],
        Action::SubmitRemediation => &[Remediating],
        Action::SendFollowUp => &[FollowUp],
        Action::Review => &[Reviewing],
        Action::ApproveReactivation => &[AwaitingApproval],
        Action::Unblock | Action::Close => &[Closing],
        Action::Comment | Action::Attach | Action::Assign => &[
            Queued,
            Assessing,
            AwaitingBlock,
            Notifying,
            Remediating,
            FollowUp,
            Reviewing,
            AwaitingApproval,
            Closing,
        ],
    }
}

/// Why the ticket's state (and block) rule out `action`, or `None` when they allow it.
fn state_conflict(action: Action, ticket: &TicketFacts) -> Option<String> {
    let allowed = states_for(action);
    if !allowed.contains(&ticket.state) {
        return Some(wrong_state_reason(action, allowed, ticket.state));
    }
    match action {
        Action::Unblock if !ticket.blocked => {
            Some("`unblock` needs a block to lift; this ticket holds none".to_owned())
        }
        Action::Close if ticket.blocked => {
            Some("`close` needs the block to be lifted first (`unblock`)".to_owned())
        }
        _ => None,
    }
}

fn wrong_state_reason(action: Action, allowed: &[State], state: State) -> String {
    if allowed.len() > 2 {
        return format!("`{action}` needs an open ticket; the ticket is `{state}`");
    }
    let names: Vec<String> = allowed.iter().map(|s| format!("`{s}`")).collect();
    format!(
        "`{action}` needs state {}; the ticket is `{state}`",
        names.join(" or ")
    )
}

/// Whether `actor` may perform `action` on `ticket` now. Checks, in this order: scope
/// ([`Refusal::NotFound`]), role ([`Refusal::Forbidden`]), then state and block
/// ([`Refusal::Conflict`]).
pub fn permits(actor: &Actor, ticket: &TicketFacts, action: Action) -> Result<(), Refusal> {
    if !can_see(actor, ticket) {
        return Err(Refusal::NotFound);
    }
    if !roles_for(action).contains(&actor.role) {
        return Err(Refusal::Forbidden {
            action,
            role: actor.role,
        });
    }
    match state_conflict(action, ticket) {
        Some(reason) => Err(Refusal::Conflict {
            action,
            state: ticket.state,
            reason,
        }),
        None => Ok(()),
    }
}

/// The actions `actor` may perform on `ticket` now, in [`Action::ALL`] order.
pub fn allowed_actions(actor: &Actor, ticket: &TicketFacts) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|&action| permits(actor, ticket, action).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_action_has_a_role_whose_step_it_is() {
        for &action in Action::ALL {
            let role = acting_role(action);
            assert_eq!(roles_for(action).first(), Some(&role), "{action:?}");
            assert!(
                !matches!(role, Role::Admin | Role::Auditor),
                "{action:?} is no one's step"
            );
        }
        assert_eq!(acting_role(Action::SubmitRemediation), Role::SystemOwner);
        assert_eq!(acting_role(Action::Close), Role::Csirt);
        assert_eq!(acting_role(Action::Unblock), Role::DomainOfficer);
    }

    use super::*;

    fn ticket(state: State, blocked: bool) -> TicketFacts {
        TicketFacts {
            state,
            agency_id: Some(7),
            system_id: Some(3),
            blocked,
            criticality: None,
            round: 1,
        }
    }

    fn actor(role: Role, agency_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            role,
            agency_id,
        }
    }

    #[test]
    fn system_owners_see_only_their_own_agency() {
        let own = actor(Role::SystemOwner, Some(7));
        let other = actor(Role::SystemOwner, Some(8));
        let none = actor(Role::SystemOwner, None);
        let linked = ticket(State::Remediating, false);
        let unlinked = TicketFacts {
            agency_id: None,
            ..linked.clone()
        };
        assert!(can_see(&own, &linked));
        assert!(!can_see(&other, &linked));
        assert!(!can_see(&none, &unlinked));
        assert!(!can_see(&own, &unlinked));
        assert!(can_see(&actor(Role::Auditor, None), &unlinked));
    }

    #[test]
    fn system_owners_see_a_ticket_once_their_agency_is_told() {
        let own = actor(Role::SystemOwner, Some(7));
        let seen: Vec<State> = State::ALL
            .iter()
            .copied()
            .filter(|&s| can_see(&own, &ticket(s, false)))
            .collect();
        assert_eq!(
            seen,
            [
                State::Remediating,
                State::FollowUp,
                State::Reviewing,
                State::AwaitingApproval,
                State::Closing,
                State::Closed
            ]
        );
        for &state in State::ALL {
            let staff = actor(Role::Csirt, None);
            assert!(can_see(&staff, &ticket(state, false)), "{state:?}");
        }
        // Blocked at step 5, not yet told at step 6: a notice, not the ticket.
        let blocked = ticket(State::Notifying, true);
        assert!(!can_see(&own, &blocked));
        assert!(block_notice(&blocked));
        assert!(!block_notice(&ticket(State::Notifying, false)));
        assert!(!block_notice(&ticket(State::Remediating, true)));
        assert_eq!(
            permits(&own, &blocked, Action::Comment),
            Err(Refusal::NotFound)
        );
    }

    #[test]
    fn only_staff_who_handle_the_report_learn_who_sent_it() {
        let hidden: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| !sees_reporter(*r))
            .collect();
        assert_eq!(hidden, [Role::SystemOwner, Role::RegionalSecretary]);
        assert!(!sees_blocking_internals(Role::SystemOwner));
        assert!(sees_blocking_internals(Role::RegionalSecretary));
    }

    #[test]
    fn refusals_come_in_scope_role_state_order() {
        let other = actor(Role::SystemOwner, Some(8));
        let queued = ticket(State::Queued, false);
        assert_eq!(
            permits(&other, &queued, Action::Validate),
            Err(Refusal::NotFound)
        );
        let own = actor(Role::SystemOwner, Some(7));
        // Their own agency's ticket before it is told of it: not found either.
        assert_eq!(
            permits(&own, &queued, Action::Validate),
            Err(Refusal::NotFound)
        );
        let remediating = ticket(State::Remediating, false);
        assert_eq!(
            permits(&own, &remediating, Action::Validate),
            Err(Refusal::Forbidden {
                action: Action::Validate,
                role: Role::SystemOwner
            })
        );
        let refusal = permits(&actor(Role::Csirt, None), &queued, Action::Assess).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "`assess` needs state `assessing`; the ticket is `queued`"
        );
    }

    #[test]
    fn conflict_reasons_name_what_is_needed() {
        let officer = actor(Role::DomainOfficer, None);
        let refusal = permits(&officer, &ticket(State::Closing, true), Action::Close).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "`close` needs the block to be lifted first (`unblock`)"
        );
        let refusal =
            permits(&officer, &ticket(State::Closing, false), Action::Unblock).unwrap_err();
        assert!(matches!(
            refusal,
            Refusal::Conflict {
                state: State::Closing,
                ..
            }
        ));
        let csirt = actor(Role::Csirt, None);
        let refusal = permits(
            &csirt,
            &ticket(State::Notifying, false),
            Action::MarkDuplicate,
        )
        .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "`mark_duplicate` needs state `queued` or `assessing`; the ticket is `notifying`"
        );
        let refusal = permits(&csirt, &ticket(State::Closed, false), Action::Comment).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "`comment` needs an open ticket; the ticket is `closed`"
        );
    }

    #[test]
    fn allowed_actions_follow_action_order() {
        let csirt = actor(Role::Csirt, None);
        assert_eq!(
            allowed_actions(&csirt, &ticket(State::Queued, false)),
            [
                Action::Validate,
                Action::MarkDuplicate,
                Action::Comment,
                Action::Attach,
                Action::Assign
            ]
        );
        let officer = actor(Role::DomainOfficer, None);
        assert_eq!(
            allowed_actions(&officer, &ticket(State::Closing, true)),
            [Action::Unblock, Action::Comment, Action::Attach]
        );
        assert!(
            allowed_actions(&actor(Role::Auditor, None), &ticket(State::Queued, false)).is_empty()
        );
        assert!(allowed_actions(&csirt, &ticket(State::Closed, false)).is_empty());
    }
}
