//! The mail a step causes ([`step_mails`]): to the reporter when their report is judged,
//! fixed or closed or when the CSIRT replies; to the domain officers when a high finding is
//! live or a block must be lifted; to the agency when its system is blocked before it is
//! told, with the notice and follow-up letters; to the Regional Secretary when approval is
//! needed; and to a staff member a ticket is assigned to ([`assigned_mail`]).

use chrono::{DateTime, Utc};
use sigap_core::{Criticality, DocumentKind, Role};
use sigap_store::TicketRow;

use crate::outbox::notify::{MailJob, MailKind, agency_addresses, staff_with};
use crate::{App, AppError, AppResult, from_millis};

/// The mail a step sends: to the reporter when their report is judged or closed, to the
/// domain officers when a high finding is live or a block must be lifted, to the agency
/// with the notice letter, and to the Regional Secretary when approval is needed.
pub(crate) async fn step_mails(
    app: &App,
    row: &TicketRow,
    input: &sigap_core::ActionInput,
    outcome: &sigap_core::Outcome,
    records: &serde_json::Value,
) -> AppResult<Vec<MailJob>> {
    let about = About::of(app, row);
    let mut mails = Vec::new();
    mails.extend(reporter_mail(row, input));
    mails.extend(action_mail(app, row, input, &about).await?);
    if outcome.needs_approval {
        let to = staff_with(app, &[Role::RegionalSecretary]).await?;
        let valid_reports = records
            .get("agency_valid_reports")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        let kind = MailKind::ApprovalRequested {
            agency: about.agency.clone(),
            system: about.system.clone(),
            valid_reports,
            due_at: about.due_at,
        };
        mails.push(MailJob::new(row, to, "id", kind));
    }
    let unblocking = matches!(input, sigap_core::ActionInput::Unblock { .. });
    if outcome.to == sigap_core::State::Closing && row.blocked && !unblocking {
        let to = staff_with(app, &[Role::DomainOfficer]).await?;
        let kind = MailKind::UnblockRequested {
            system: about.system,
            due_at: about.due_at,
        };
        mails.push(MailJob::new(row, to, "id", kind));
    }
    Ok(mails)
}

/// What a step's mail says of its ticket: the deadline in force, the system and the agency
/// by name.
struct About {
    due_at: DateTime<Utc>,
    system: String,
    agency: String,
}

impl About {
    fn of(app: &App, row: &TicketRow) -> About {
        About {
            due_at: row.due_at.map_or_else(|| app.now(), from_millis),
            system: row
                .system_name
                .clone()
                .unwrap_or_else(|| row.target_host.clone()),
            agency: row.agency_name.clone().unwrap_or_else(|| "-".to_owned()),
        }
    }
}

/// The mail to the staff member a ticket is assigned to, unless they took it themselves.
pub(crate) fn assigned_mail(
    row: &TicketRow,
    input: &sigap_core::ActionInput,
    caller: &crate::auth::Caller,
) -> Option<MailJob> {
    let sigap_core::ActionInput::Assign { assignee } = input else {
        return None;
    };
    if assignee.eq_ignore_ascii_case(&caller.email) {
        return None;
    }
    let kind = MailKind::Assigned {
        by: caller.name.clone(),
        state: row.state,
    };
    Some(MailJob::new(row, vec![assignee.clone()], "id", kind))
}

/// The reporter's mail of a step: their report judged, fixed or closed, or a reply.
fn reporter_mail(row: &TicketRow, input: &sigap_core::ActionInput) -> Option<MailJob> {
    use sigap_core::ActionInput as A;
    let kind = match input {
        A::Validate { valid: true, .. } => MailKind::ReportValidated,
        A::Validate {
            valid: false,
            findings,
            reason_for_reporter,
            ..
        } => MailKind::ReportRejected {
            // The findings are the CSIRT's; the reporter reads the reason given for them
            // (a record from before the field was kept has only the findings).
            reason: reason_for_reporter
                .clone()
                .unwrap_or_else(|| findings.clone()),
        },
        A::Close { .. } => MailKind::TicketClosed,
        A::Review { fixed: true, .. } => MailKind::VulnerabilityFixed,
        A::Comment {
            body,
            visibility: sigap_core::Visibility::Reporter,
        } => MailKind::CsirtReply { body: body.clone() },
        _ => return None,
    };
    Some(MailJob::new(
        row,
        vec![row.reporter_email.clone()],
        &row.language,
        kind,
    ))
}

/// The staff's or the agency's mail of a step: the follow-up and notice letters to the
/// agency, a high finding to the domain officers.
async fn action_mail(
    app: &App,
    row: &TicketRow,
    input: &sigap_core::ActionInput,
    about: &About,
) -> AppResult<Option<MailJob>> {
    use sigap_core::ActionInput as A;
    let mail = match input {
        A::SendFollowUp { .. } => {
            let to = agency_addresses(app, row.agency_id).await?;
            let kind = MailKind::FollowUpLetter {
                agency: about.agency.clone(),
                system: about.system.clone(),
            };
            letter(
                MailJob::new(row, to, "id", kind),
                DocumentKind::LetterFollowUp,
            )
        }
        A::Assess {
            criticality: Criticality::High,
            ..
        } => {
            let to = staff_with(app, &[Role::DomainOfficer]).await?;
            let kind = MailKind::HighFinding {
                system: about.system.clone(),
                due_at: about.due_at,
            };
            MailJob::new(row, to, "id", kind)
        }
        // Step 5 before step 6: the agency learns of the block, not of the report.
        A::Block { .. } => {
            let to = agency_addresses(app, row.agency_id).await?;
            let kind = MailKind::SystemBlocked {
                agency: about.agency.clone(),
                system: about.system.clone(),
                at: app.now(),
            };
            MailJob {
                title: None,
                ..MailJob::new(row, to, "id", kind)
            }
        }
        A::NotifyAgency { recommendation, .. } => {
            let to = agency_addresses(app, row.agency_id).await?;
            let criticality = row.criticality.ok_or_else(|| {
                AppError::Internal("the agency is told before the assessment".into())
            })?;
            let kind = MailKind::AgencyNotice {
                agency: about.agency.clone(),
                system: about.system.clone(),
                criticality,
                recommendation: *recommendation,
                due_at: about.due_at,
            };
            letter(
                MailJob::new(row, to, "id", kind),
                DocumentKind::LetterNotice,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(mail))
}

/// A mail to an agency: the CSIRT's letter attached, never the reporter's words.
fn letter(mut mail: MailJob, kind: DocumentKind) -> MailJob {
    mail.title = None;
    mail.attach = Some(kind);
    mail
}
