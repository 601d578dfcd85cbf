//! Tests of every action's outcome: states, block hold, criticality, round, documents, and
//! the "> 3 reports" approval rule at its boundary.

use crate::model::{
    Criticality, DocumentKind as Doc, Recommendation, Role, State, ValidationMethod, Visibility,
};
use crate::records::ActionInput;
use crate::transition::{Outcome, RuleContext, needs_approval, transition};
use crate::workflow::{Actor, Refusal, TicketFacts};

fn facts(state: State, blocked: bool) -> TicketFacts {
    TicketFacts {
        state,
        agency_id: Some(7),
        system_id: Some(3),
        blocked,
        criticality: Some(Criticality::High),
        round: 1,
    }
}

fn by(role: Role) -> Actor {
    Actor {
        user_id: 1,
        role,
        agency_id: (role == Role::SystemOwner).then_some(7),
    }
}

fn run(role: Role, ticket: &TicketFacts, input: &ActionInput) -> Outcome {
    let ctx = RuleContext {
        agency_valid_reports: 1,
        approval_threshold: 3,
    };
    let outcome = transition(&by(role), ticket, input, &ctx).unwrap();
    // Every document a step issues is one `documents_of` lists for its action (the page
    // offers its preview by that list).
    for kind in &outcome.documents {
        assert!(
            crate::transition::documents_of(input.action()).contains(kind),
            "{kind:?} is not listed for {}",
            input.action()
        );
    }
    outcome
}

fn validate(valid: bool) -> ActionInput {
    ActionInput::Validate {
        valid,
        method: ValidationMethod::Ticket,
        findings: "x".into(),
        reason_for_reporter: (!valid).then(|| "x".into()),
        system: None,
        meeting: None,
    }
}

fn assess(criticality: Criticality) -> ActionInput {
    ActionInput::Assess {
        criticality,
        cvss: None,
        rationale: Some("r".into()),
        personal_data_affected: false,
        attendees: vec![],
    }
}

fn review(fixed: bool) -> ActionInput {
    ActionInput::Review {
        fixed,
        attendees: vec!["Budi".into()],
        notes: "n".into(),
    }
}

fn review_with(reports: u32, threshold: u32, blocked: bool) -> Outcome {
    let ctx = RuleContext {
        agency_valid_reports: reports,
        approval_threshold: threshold,
    };
    transition(
        &by(Role::Csirt),
        &facts(State::Reviewing, blocked),
        &review(true),
        &ctx,
    )
    .unwrap()
}

#[test]
fn validation_moves_to_assessing_or_rejected_with_its_minutes() {
    let queued = TicketFacts {
        criticality: None,
        ..facts(State::Queued, false)
    };
    let valid = run(Role::Csirt, &queued, &validate(true));
    assert_eq!(
        (valid.to, valid.documents),
        (State::Assessing, vec![Doc::BaValidation])
    );
    let invalid = run(Role::Csirt, &queued, &validate(false));
    assert_eq!(
        (invalid.to, invalid.documents),
        (State::Rejected, vec![Doc::BaValidation])
    );
}

#[test]
fn duplicates_end_without_documents() {
    let input = ActionInput::MarkDuplicate {
        of: "BCSIRT-2026-00001".parse().unwrap(),
        reason: "same".into(),
    };
    let outcome = run(Role::Helpdesk, &facts(State::Assessing, false), &input);
    assert_eq!(outcome.to, State::Duplicate);
    assert!(outcome.documents.is_empty());
}

#[test]
fn assessment_sets_the_criticality_and_routes_high_to_the_block() {
    let assessing = TicketFacts {
        criticality: None,
        ..facts(State::Assessing, false)
    };
    let high = run(Role::Csirt, &assessing, &assess(Criticality::High));
    assert_eq!(
        (high.to, high.criticality),
        (State::AwaitingBlock, Some(Criticality::High))
    );
    assert_eq!(high.documents, [Doc::BaCriticality]);
    assert!(!high.blocked);
    let low = run(Role::Csirt, &assessing, &assess(Criticality::Low));
    assert_eq!(
        (low.to, low.criticality),
        (State::Notifying, Some(Criticality::Low))
    );
}

#[test]
fn the_block_is_held_from_block_to_unblock() {
    let input = ActionInput::Block {
        method: "manual".into(),
        notes: None,
        evidence_text: Some("503".into()),
    };
    let blocked = run(
        Role::DomainOfficer,
        &facts(State::AwaitingBlock, false),
        &input,
    );
    assert_eq!(
        (blocked.to, blocked.blocked, blocked.documents),
        (State::Notifying, true, vec![Doc::BlockRecord])
    );
    let input = ActionInput::Unblock {
        method: "manual".into(),
        notes: None,
        evidence_text: Some("200".into()),
    };
    let unblocked = run(Role::DomainOfficer, &facts(State::Closing, true), &input);
    assert_eq!((unblocked.to, unblocked.blocked), (State::Closing, false));
    assert_eq!(unblocked.documents, [Doc::UnblockRecord]);
}

#[test]
fn the_middle_steps_issue_their_documents() {
    let notify = ActionInput::NotifyAgency {
        recommendation: Recommendation::None,
        summary: "s".into(),
        concerns: None,
        concerns_party: crate::model::Party::Asn,
    };
    let outcome = run(Role::Csirt, &facts(State::Notifying, true), &notify);
    assert_eq!(
        (outcome.to, outcome.documents),
        (
            State::Remediating,
            vec![Doc::LetterNotice, Doc::AgencyReport]
        )
    );
    assert!(outcome.blocked, "the block stays through notification");
    let remediation = ActionInput::SubmitRemediation {
        summary: "s".into(),
        evidence_text: None,
        on_behalf: false,
    };
    let outcome = run(
        Role::SystemOwner,
        &facts(State::Remediating, true),
        &remediation,
    );
    assert_eq!(
        (outcome.to, outcome.documents),
        (State::FollowUp, vec![Doc::RemediationReport])
    );
    let follow_up = ActionInput::SendFollowUp {
        content: "c".into(),
    };
    let outcome = run(Role::Csirt, &facts(State::FollowUp, true), &follow_up);
    assert_eq!(
        (outcome.to, outcome.documents),
        (State::Reviewing, vec![Doc::LetterFollowUp])
    );
}

#[test]
fn not_fixed_starts_a_new_round_and_keeps_the_block() {
    let ticket = TicketFacts {
        round: 2,
        ..facts(State::Reviewing, true)
    };
    let outcome = run(Role::Csirt, &ticket, &review(false));
    assert_eq!(
        (outcome.to, outcome.round, outcome.blocked),
        (State::Remediating, 3, true)
    );
    // The minutes, and the letter that asks the agency for the new round.
    assert_eq!(outcome.documents, [Doc::BaReviewMeeting, Doc::LetterNotice]);
    assert!(!outcome.needs_approval);
}

#[test]
fn approval_is_needed_only_above_the_threshold_and_only_when_blocked() {
    let at_threshold = review_with(3, 3, true);
    assert_eq!(
        (at_threshold.to, at_threshold.needs_approval),
        (State::Closing, false)
    );
    let above = review_with(4, 3, true);
    assert_eq!(
        (above.to, above.needs_approval),
        (State::AwaitingApproval, true)
    );
    assert_eq!(above.documents, [Doc::BaReviewMeeting]);
    let not_blocked = review_with(10, 3, false);
    assert_eq!(
        (not_blocked.to, not_blocked.needs_approval),
        (State::Closing, false)
    );
    assert_eq!(review_with(5, 5, true).to, State::Closing);
    assert_eq!(review_with(6, 5, true).to, State::AwaitingApproval);
    assert!(needs_approval(true, 4, 3));
    assert!(!needs_approval(true, 3, 3));
    assert!(!needs_approval(false, 4, 3));
}

#[test]
fn the_regional_secretary_approves_to_closing_or_sends_back_to_remediation() {
    let ticket = facts(State::AwaitingApproval, true);
    let yes = ActionInput::ApproveReactivation {
        approved: true,
        notes: String::new(),
    };
    let outcome = run(Role::RegionalSecretary, &ticket, &yes);
    assert_eq!(
        (outcome.to, outcome.round, outcome.blocked),
        (State::Closing, 1, true)
    );
    assert_eq!(outcome.documents, [Doc::ApprovalReactivation]);
    let no = ActionInput::ApproveReactivation {
        approved: false,
        notes: "not yet".into(),
    };
    let outcome = run(Role::RegionalSecretary, &ticket, &no);
    assert_eq!(
        (outcome.to, outcome.round, outcome.blocked),
        (State::Remediating, 2, true)
    );
    assert_eq!(
        outcome.documents,
        [Doc::ApprovalReactivation, Doc::LetterNotice]
    );
}

#[test]
fn close_comes_after_unblock() {
    let close = ActionInput::Close { notes: None };
    let refusal = transition(
        &by(Role::Csirt),
        &facts(State::Closing, true),
        &close,
        &RuleContext::default(),
    );
    assert!(matches!(
        refusal,
        Err(Refusal::Conflict {
            state: State::Closing,
            ..
        })
    ));
    let outcome = run(Role::Helpdesk, &facts(State::Closing, false), &close);
    assert_eq!(
        (outcome.to, outcome.documents),
        (State::Closed, vec![Doc::Dossier])
    );
}

#[test]
fn comments_attachments_and_assignments_change_nothing() {
    let ticket = TicketFacts {
        round: 2,
        ..facts(State::Remediating, true)
    };
    let unchanged = Outcome {
        to: State::Remediating,
        blocked: true,
        criticality: Some(Criticality::High),
        round: 2,
        documents: vec![],
        needs_approval: false,
    };
    let inputs = [
        ActionInput::Comment {
            body: "b".into(),
            visibility: Visibility::Internal,
        },
        ActionInput::Attach { note: None },
        ActionInput::Assign {
            assignee: "a@b.go.id".into(),
        },
    ];
    for input in &inputs {
        assert_eq!(run(Role::Csirt, &ticket, input), unchanged, "{input:?}");
    }
}

#[test]
fn refusals_come_from_permits_in_the_same_order() {
    let other_owner = Actor {
        user_id: 2,
        role: Role::SystemOwner,
        agency_id: Some(8),
    };
    let ctx = RuleContext::default();
    let ticket = facts(State::Queued, false);
    assert_eq!(
        transition(&other_owner, &ticket, &validate(true), &ctx),
        Err(Refusal::NotFound)
    );
    let refusal = transition(&by(Role::Helpdesk), &ticket, &validate(true), &ctx);
    assert!(matches!(
        refusal,
        Err(Refusal::Forbidden {
            role: Role::Helpdesk,
            ..
        })
    ));
    let refusal = transition(
        &by(Role::Csirt),
        &facts(State::Assessing, false),
        &validate(true),
        &ctx,
    );
    assert!(matches!(
        refusal,
        Err(Refusal::Conflict {
            state: State::Assessing,
            ..
        })
    ));
}
