//! The SOP as a pure function: given who acts, the ticket's facts and the checked records,
//! [`transition`] says where the ticket goes, what it holds afterwards and which official
//! documents the step issues. Callers persist the [`Outcome`]; they never decide a state
//! themselves.

use crate::model::{Criticality, DocumentKind, State};
use crate::records::ActionInput;
use crate::workflow::{Actor, Refusal, TicketFacts, permits};

/// Facts computed by the caller when the action runs, so that they are never stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleContext {
    /// Valid reports against the ticket's agency, this one included, counted when `review`
    /// runs (rejected and duplicate tickets do not count).
    pub agency_valid_reports: u32,
    /// Reactivation needs the Regional Secretary's approval when the count is above this
    /// (the SOP's "more than 3 times": default 3).
    pub approval_threshold: u32,
}

impl Default for RuleContext {
    /// No reports counted, the SOP's threshold of 3.
    fn default() -> Self {
        Self {
            agency_valid_reports: 0,
            approval_threshold: 3,
        }
    }
}

/// The result of an allowed action: the ticket's facts afterwards and the documents to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The state after the action.
    pub to: State,
    /// Whether the ticket holds a block after the action.
    pub blocked: bool,
    /// The criticality after the action.
    pub criticality: Option<Criticality>,
    /// The remediation round after the action.
    pub round: u32,
    /// The official documents the step issues, in order.
    pub documents: Vec<DocumentKind>,
    /// Whether the ticket now waits for the Regional Secretary's approval.
    pub needs_approval: bool,
}

/// The documents a step of `action` may issue, in order (the step's answers decide which,
/// e.g. a review or a refused approval issues the notice letter again for a new round; a
/// closing also issues the certificate when the reporter is credited). A block's and an
/// unblock's records come with their adapter's proof.
pub fn documents_of(action: crate::model::Action) -> &'static [DocumentKind] {
    use crate::model::Action as A;
    use DocumentKind as D;
    match action {
        A::Validate => &[D::BaValidation],
        A::Assess => &[D::BaCriticality],
        A::Block => &[D::BlockRecord],
        A::NotifyAgency => &[D::LetterNotice, D::AgencyReport],
        A::SubmitRemediation => &[D::RemediationReport],
        A::SendFollowUp => &[D::LetterFollowUp],
        A::Review => &[D::BaReviewMeeting, D::LetterNotice],
        A::ApproveReactivation => &[D::ApprovalReactivation, D::LetterNotice],
        A::Unblock => &[D::UnblockRecord],
        A::Close => &[D::Certificate, D::Dossier],
        _ => &[],
    }
}

/// Whether reactivation needs the Regional Secretary's approval: the system is blocked and
/// the agency's valid reports are more than `threshold`.
pub fn needs_approval(blocked: bool, agency_valid_reports: u32, threshold: u32) -> bool {
    blocked && agency_valid_reports > threshold
}

/// Decides the outcome of `input` on `ticket` by `actor`. Refusals come from
/// [`permits`], in its order (scope, role, state).
pub fn transition(
    actor: &Actor,
    ticket: &TicketFacts,
    input: &ActionInput,
    ctx: &RuleContext,
) -> Result<Outcome, Refusal> {
    permits(actor, ticket, input.action())?;
    let unchanged = Outcome {
        to: ticket.state,
        blocked: ticket.blocked,
        criticality: ticket.criticality,
        round: ticket.round,
        documents: Vec::new(),
        needs_approval: false,
    };
    Ok(apply(unchanged, input, ctx))
}

/// Applies an allowed action to the ticket's unchanged outcome.
fn apply(base: Outcome, input: &ActionInput, ctx: &RuleContext) -> Outcome {
    use DocumentKind as Doc;
    match *input {
        ActionInput::Validate { valid, .. } => Outcome {
            to: if valid {
                State::Assessing
            } else {
                State::Rejected
            },
            documents: vec![Doc::BaValidation],
            ..base
        },
        ActionInput::MarkDuplicate { .. } => Outcome {
            to: State::Duplicate,
            ..base
        },
        ActionInput::Assess { criticality, .. } => Outcome {
            to: match criticality {
                Criticality::High => State::AwaitingBlock,
                Criticality::Low => State::Notifying,
            },
            criticality: Some(criticality),
            documents: vec![Doc::BaCriticality],
            ..base
        },
        ActionInput::Block { .. } => Outcome {
            to: State::Notifying,
            blocked: true,
            documents: vec![Doc::BlockRecord],
            ..base
        },
        ActionInput::NotifyAgency { .. } => Outcome {
            to: State::Remediating,
            // The letter first: the report is its attachment and cites its number.
            documents: vec![Doc::LetterNotice, Doc::AgencyReport],
            ..base
        },
        ActionInput::SubmitRemediation { .. } => Outcome {
            to: State::FollowUp,
            documents: vec![Doc::RemediationReport],
            ..base
        },
        ActionInput::SendFollowUp { .. } => Outcome {
            to: State::Reviewing,
            documents: vec![Doc::LetterFollowUp],
            ..base
        },
        ActionInput::Review { fixed, .. } => review(base, fixed, ctx),
        ActionInput::ApproveReactivation { approved, .. } => reactivation(base, approved),
        ActionInput::Unblock { .. } => Outcome {
            to: State::Closing,
            blocked: false,
            documents: vec![Doc::UnblockRecord],
            ..base
        },
        ActionInput::Close { .. } => Outcome {
            to: State::Closed,
            documents: vec![Doc::Dossier],
            ..base
        },
        ActionInput::Comment { .. } | ActionInput::Attach { .. } | ActionInput::Assign { .. } => {
            base
        }
    }
}

/// The Regional Secretary's decision: approved goes to closing; refused starts a new round,
/// of which the agency is told, with its new deadline, by letter.
fn reactivation(base: Outcome, approved: bool) -> Outcome {
    if approved {
        Outcome {
            to: State::Closing,
            documents: vec![DocumentKind::ApprovalReactivation],
            ..base
        }
    } else {
        Outcome {
            to: State::Remediating,
            round: base.round.saturating_add(1),
            documents: vec![
                DocumentKind::ApprovalReactivation,
                DocumentKind::LetterNotice,
            ],
            ..base
        }
    }
}

/// Step 9's decision: not fixed starts a new remediation round (the block stays); fixed goes
/// to closing, through the Regional Secretary when the "> 3 reports" rule applies.
fn review(base: Outcome, fixed: bool, ctx: &RuleContext) -> Outcome {
    let documents = vec![DocumentKind::BaReviewMeeting];
    if !fixed {
        // A new round: the agency is told so, with its new deadline, by letter (the notice
        // letter in its form for a further round).
        let round = base.round.saturating_add(1);
        return Outcome {
            to: State::Remediating,
            round,
            documents: vec![DocumentKind::BaReviewMeeting, DocumentKind::LetterNotice],
            ..base
        };
    }
    if needs_approval(
        base.blocked,
        ctx.agency_valid_reports,
        ctx.approval_threshold,
    ) {
        Outcome {
            to: State::AwaitingApproval,
            needs_approval: true,
            documents,
            ..base
        }
    } else {
        Outcome {
            to: State::Closing,
            documents,
            ..base
        }
    }
}

#[cfg(test)]
mod tests;
