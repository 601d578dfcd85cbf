//! The SOP as a client of `sigap-core` sees it: the permission table checked exhaustively
//! against an independent reading of `docs/workflow.md`, and whole tickets walked from report to
//! closing through the public API.

use serde_json::json;
use sigap_core::{
    Action, ActionInput, Actor, Criticality, DocumentKind, Refusal, Role, RuleContext, State,
    TicketFacts, allowed_actions, parse_action_input, permits, transition,
};

/// Who acts: every role, with the system owner both inside and outside the ticket's agency.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Staff(Role),
    OwnAgencyOwner,
    OtherAgencyOwner,
}

#[derive(Debug, PartialEq)]
enum Expect {
    Allowed,
    NotFound,
    Forbidden,
    Conflict,
}

const TICKET_AGENCY: i64 = 7;

fn everyone() -> Vec<Who> {
    let mut all: Vec<Who> = Role::ALL
        .iter()
        .filter(|r| **r != Role::SystemOwner)
        .map(|r| Who::Staff(*r))
        .collect();
    all.extend([Who::OwnAgencyOwner, Who::OtherAgencyOwner]);
    all
}

fn actor(who: Who) -> Actor {
    match who {
        Who::Staff(role) => Actor {
            user_id: 1,
            role,
            agency_id: None,
        },
        Who::OwnAgencyOwner => Actor {
            user_id: 2,
            role: Role::SystemOwner,
            agency_id: Some(TICKET_AGENCY),
        },
        Who::OtherAgencyOwner => Actor {
            user_id: 3,
            role: Role::SystemOwner,
            agency_id: Some(99),
        },
    }
}

fn ticket(state: State, blocked: bool) -> TicketFacts {
    TicketFacts {
        state,
        agency_id: Some(TICKET_AGENCY),
        system_id: Some(1),
        blocked,
        criticality: None,
        round: 1,
    }
}

/// The "roles" column of `docs/workflow.md`'s action tables, written out pair by pair.
fn role_may(action: Action, role: Role) -> bool {
    use Action as A;
    use Role as R;
    matches!(
        (action, role),
        (A::Validate, R::Csirt)
            | (A::MarkDuplicate, R::Csirt | R::Helpdesk)
            | (A::Assess, R::Csirt)
            | (A::Block, R::DomainOfficer)
            | (A::NotifyAgency, R::Csirt)
            | (A::SubmitRemediation, R::SystemOwner | R::Csirt)
            | (A::SendFollowUp, R::Csirt)
            | (A::Review, R::Csirt)
            | (A::ApproveReactivation, R::RegionalSecretary)
            | (A::Unblock, R::DomainOfficer)
            | (A::Close, R::Csirt | R::Helpdesk | R::DomainOfficer)
            | (
                A::Comment | A::Attach,
                R::Helpdesk | R::Csirt | R::DomainOfficer | R::SystemOwner | R::RegionalSecretary
            )
            | (A::Assign, R::Csirt | R::Helpdesk)
    )
}

/// The "from" column of `docs/workflow.md`'s action table, with the block conditions of
/// `unblock` and `close`.
fn state_allows(action: Action, state: State, blocked: bool) -> bool {
    use State as S;
    let open = !matches!(state, S::Closed | S::Rejected | S::Duplicate);
    match action {
        Action::Validate => state == S::Queued,
        Action::MarkDuplicate => state == S::Queued || state == S::Assessing,
        Action::Assess => state == S::Assessing,
        Action::Block => state == S::AwaitingBlock,
        Action::NotifyAgency => state == S::Notifying,
        Action::SubmitRemediation => state == S::Remediating,
        Action::SendFollowUp => state == S::FollowUp,
        Action::Review => state == S::Reviewing,
        Action::ApproveReactivation => state == S::AwaitingApproval,
        Action::Unblock => state == S::Closing && blocked,
        Action::Close => state == S::Closing && !blocked,
        Action::Comment | Action::Attach | Action::Assign => open,
    }
}

fn expected(who: Who, action: Action, state: State, blocked: bool) -> Expect {
    // The agency is told at step 6 (`notify_agency`): before it, its owners see nothing.
    let told = matches!(
        state,
        State::Remediating
            | State::FollowUp
            | State::Reviewing
            | State::AwaitingApproval
            | State::Closing
            | State::Closed
    );
    let role = match who {
        Who::OtherAgencyOwner => return Expect::NotFound,
        Who::OwnAgencyOwner if !told => return Expect::NotFound,
        Who::OwnAgencyOwner => Role::SystemOwner,
        Who::Staff(role) => role,
    };
    if !role_may(action, role) {
        Expect::Forbidden
    } else if !state_allows(action, state, blocked) {
        Expect::Conflict
    } else {
        Expect::Allowed
    }
}

fn answered(actor: &Actor, ticket: &TicketFacts, action: Action) -> Expect {
    match permits(actor, ticket, action) {
        Ok(()) => Expect::Allowed,
        Err(Refusal::NotFound) => Expect::NotFound,
        Err(Refusal::Forbidden { action: a, role }) => {
            assert_eq!((a, role), (action, actor.role));
            Expect::Forbidden
        }
        Err(Refusal::Conflict {
            action: a,
            state,
            reason,
        }) => {
            assert_eq!((a, state), (action, ticket.state));
            assert!(reason.contains(&format!("`{action}`")), "{reason}");
            Expect::Conflict
        }
        Err(Refusal::Invalid(errors)) => panic!("permits never checks records: {errors:?}"),
    }
}

#[test]
fn permits_matches_the_workflow_table_for_every_state_action_and_role() {
    let mut checked = 0;
    let mut allowed = 0;
    for who in everyone() {
        let actor = actor(who);
        for &state in State::ALL {
            for blocked in [false, true] {
                let ticket = ticket(state, blocked);
                for &action in Action::ALL {
                    let want = expected(who, action, state, blocked);
                    allowed += usize::from(want == Expect::Allowed);
                    assert_eq!(
                        answered(&actor, &ticket, action),
                        want,
                        "{who:?} {action} in {state} (blocked: {blocked})"
                    );
                    checked += 1;
                }
                let listed = allowed_actions(&actor, &ticket);
                let wanted: Vec<Action> = Action::ALL
                    .iter()
                    .copied()
                    .filter(|&a| expected(who, a, state, blocked) == Expect::Allowed)
                    .collect();
                assert_eq!(listed, wanted, "{who:?} in {state} (blocked: {blocked})");
            }
        }
    }
    assert_eq!(checked, 8 * 12 * 2 * 14);
    assert!(allowed > 100, "the table allows something: {allowed}");
}

#[test]
fn admins_and_auditors_perform_no_workflow_action() {
    for role in [Role::Admin, Role::Auditor] {
        let actor = Actor {
            user_id: 1,
            role,
            agency_id: None,
        };
        for &state in State::ALL {
            assert!(allowed_actions(&actor, &ticket(state, true)).is_empty());
            assert!(allowed_actions(&actor, &ticket(state, false)).is_empty());
        }
    }
}

#[test]
fn an_unlinked_ticket_is_hidden_from_every_system_owner() {
    let unlinked = TicketFacts {
        agency_id: None,
        system_id: None,
        ..ticket(State::Queued, false)
    };
    let owner_without_agency = Actor {
        user_id: 4,
        role: Role::SystemOwner,
        agency_id: None,
    };
    assert_eq!(
        permits(&owner_without_agency, &unlinked, Action::Comment),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        permits(&actor(Who::OwnAgencyOwner), &unlinked, Action::Comment),
        Err(Refusal::NotFound)
    );
}

/// Performs one action through the public API as the web layer would: parse, then decide,
/// then apply the outcome to the facts.
fn act(
    ticket: &mut TicketFacts,
    role: Role,
    action: Action,
    body: serde_json::Value,
    ctx: &RuleContext,
) -> Vec<DocumentKind> {
    let agency_id = (role == Role::SystemOwner).then_some(TICKET_AGENCY);
    let actor = Actor {
        user_id: 1,
        role,
        agency_id,
    };
    let input: ActionInput = parse_action_input(action, &body, true, &actor, ticket)
        .unwrap_or_else(|errors| panic!("{action} refused its records: {errors:?}"));
    let outcome = transition(&actor, ticket, &input, ctx)
        .unwrap_or_else(|refusal| panic!("{action} refused: {refusal}"));
    ticket.state = outcome.to;
    ticket.blocked = outcome.blocked;
    ticket.criticality = outcome.criticality;
    ticket.round = outcome.round;
    outcome.documents
}

#[test]
fn a_high_ticket_of_a_busy_agency_walks_the_whole_sop() {
    let mut t = TicketFacts {
        state: State::Queued,
        blocked: false,
        ..ticket(State::Queued, false)
    };
    let quiet = RuleContext::default();
    let busy = RuleContext {
        agency_valid_reports: 4,
        approval_threshold: 3,
    };
    act(
        &mut t,
        Role::Csirt,
        Action::Validate,
        json!({"valid": true, "method": "ticket", "findings": "reproduced"}),
        &quiet,
    );
    let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    act(
        &mut t,
        Role::Csirt,
        Action::Assess,
        json!({"criticality": "high", "cvss_vector": vector}),
        &quiet,
    );
    assert_eq!(
        (t.state, t.criticality),
        (State::AwaitingBlock, Some(Criticality::High))
    );
    act(
        &mut t,
        Role::DomainOfficer,
        Action::Block,
        json!({}),
        &quiet,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::NotifyAgency,
        json!({"recommendation": "none", "summary": "s"}),
        &quiet,
    );
    act(
        &mut t,
        Role::SystemOwner,
        Action::SubmitRemediation,
        json!({"summary": "patched"}),
        &quiet,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::SendFollowUp,
        json!({"content": "c"}),
        &quiet,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::Review,
        json!({"fixed": "belum", "attendees": "Budi", "notes": "n"}),
        &busy,
    );
    assert_eq!((t.state, t.round, t.blocked), (State::Remediating, 2, true));
    act(
        &mut t,
        Role::SystemOwner,
        Action::SubmitRemediation,
        json!({"summary": "patched again"}),
        &quiet,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::SendFollowUp,
        json!({"content": "c"}),
        &quiet,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::Review,
        json!({"fixed": "sudah", "attendees": "Budi", "notes": "n"}),
        &busy,
    );
    assert_eq!(t.state, State::AwaitingApproval);
    act(
        &mut t,
        Role::RegionalSecretary,
        Action::ApproveReactivation,
        json!({"approved": "ya"}),
        &quiet,
    );
    assert_eq!((t.state, t.blocked), (State::Closing, true));
    let close = json!({});
    let closer = Actor {
        user_id: 1,
        role: Role::Csirt,
        agency_id: None,
    };
    let input = parse_action_input(Action::Close, &close, false, &closer, &t).unwrap();
    assert!(matches!(
        transition(&closer, &t, &input, &quiet),
        Err(Refusal::Conflict { .. })
    ));
    act(
        &mut t,
        Role::DomainOfficer,
        Action::Unblock,
        json!({}),
        &quiet,
    );
    assert_eq!((t.state, t.blocked), (State::Closing, false));
    let documents = act(&mut t, Role::Helpdesk, Action::Close, close, &quiet);
    assert_eq!(
        (t.state, documents),
        (State::Closed, vec![DocumentKind::Dossier])
    );
    assert!(allowed_actions(&closer, &t).is_empty());
}

#[test]
fn a_low_ticket_skips_the_block_and_the_approval() {
    let mut t = ticket(State::Assessing, false);
    let busy = RuleContext {
        agency_valid_reports: 9,
        approval_threshold: 3,
    };
    act(
        &mut t,
        Role::Csirt,
        Action::Assess,
        json!({"criticality": "low", "rationale": "intranet only"}),
        &busy,
    );
    assert_eq!(t.state, State::Notifying);
    act(
        &mut t,
        Role::Csirt,
        Action::NotifyAgency,
        json!({"recommendation": "warning", "summary": "s", "concerns": "Bidang TI"}),
        &busy,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::SubmitRemediation,
        json!({"summary": "fixed on behalf"}),
        &busy,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::SendFollowUp,
        json!({"content": "c"}),
        &busy,
    );
    act(
        &mut t,
        Role::Csirt,
        Action::Review,
        json!({"fixed": true, "attendees": ["Budi"], "notes": "n"}),
        &busy,
    );
    assert_eq!((t.state, t.blocked), (State::Closing, false));
    let officer = Actor {
        user_id: 1,
        role: Role::DomainOfficer,
        agency_id: None,
    };
    assert_eq!(
        allowed_actions(&officer, &t),
        [Action::Close, Action::Comment, Action::Attach]
    );
}
