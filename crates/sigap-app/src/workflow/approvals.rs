//! The Regional Secretary's desk: the tickets waiting in `awaiting_approval` under the
//! "> 3 reports" rule, each with what the rule counted when the internal meeting ran (the
//! agency's valid reports and the threshold, from the `review` step's records) and the
//! agency's other tickets, so that the decision is taken with the history at hand. The
//! Secretary reads it to decide; the CSIRT, the administrators and the auditors read it to
//! follow up. A system owner is answered "not found", as for every page outside their scope.

use chrono::{DateTime, Utc};
use sigap_core::{Role, State};
use sigap_store::{StepRecordRow, TicketFilter, TicketListRow};

use crate::auth::Caller;
use crate::views::{AgencyRef, PendingApproval, TicketSummary};
use crate::workflow::queue::summary;
use crate::workflow::tickets::deadline;
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

/// How many of an agency's other tickets the history shows, newest first.
const HISTORY_LIMIT: i64 = 50;

/// Whether the caller may read the pending approvals. A system owner learns nothing.
fn may_read(caller: &Caller) -> AppResult<()> {
    match caller.role {
        Role::RegionalSecretary | Role::Csirt | Role::Admin | Role::Auditor => Ok(()),
        Role::SystemOwner => Err(AppError::NotFound("page".to_owned())),
        Role::Helpdesk | Role::DomainOfficer => Err(AppError::Forbidden(
            "only the Regional Secretary, the CSIRT, administrators and auditors read the \
             pending approvals"
                .to_owned(),
        )),
    }
}

/// The tickets waiting for the Regional Secretary's approval, oldest first.
pub async fn pending_approvals(app: &App, caller: &Caller) -> AppResult<Vec<PendingApproval>> {
    may_read(caller)?;
    let policy = app.policy().await?;
    let filter = TicketFilter {
        state: Some(State::AwaitingApproval),
        limit: 100,
        ..TicketFilter::default()
    };
    let mut rows = app.store.list_tickets(&filter).await?;
    rows.reverse();
    let mut pending = Vec::with_capacity(rows.len());
    for row in rows {
        pending.push(pending_approval(app, &policy, row).await?);
    }
    Ok(pending)
}

async fn pending_approval(
    app: &App,
    policy: &Policy,
    row: TicketListRow,
) -> AppResult<PendingApproval> {
    let now = millis(app.now());
    let steps = app.store.list_step_records(row.id).await?;
    let counted = last_count(&steps);
    let agency = match &row.agency_code {
        Some(code) => app.store.find_agency(code).await?,
        None => None,
    };
    let history = match &agency {
        Some(agency) => agency_history(app, agency.id, &row.number, now).await?,
        None => Vec::new(),
    };
    Ok(PendingApproval {
        number: row.number,
        title: row.title,
        agency: agency.map(|a| AgencyRef {
            id: a.id,
            code: a.code,
            name: a.name,
        }),
        system: row.system_name,
        agency_valid_reports: counted.map(|c| c.reports),
        threshold: counted.map_or(i64::from(policy.approval_threshold), |c| c.threshold),
        reviewed_at: counted.map(|c| c.at),
        deadline: deadline(row.state_entered_at, row.due_at, now),
        history,
    })
}

/// What the rule counted at the last internal meeting.
#[derive(Debug, Clone, Copy)]
struct Counted {
    reports: i64,
    threshold: i64,
    at: DateTime<Utc>,
}

fn last_count(steps: &[StepRecordRow]) -> Option<Counted> {
    let review = steps
        .iter()
        .rev()
        .find(|s| s.action == sigap_core::Action::Review)?;
    let records: serde_json::Value = serde_json::from_str(&review.records).ok()?;
    Some(Counted {
        reports: records.get("agency_valid_reports")?.as_i64()?,
        threshold: records.get("approval_threshold")?.as_i64()?,
        at: from_millis(review.done_at),
    })
}

/// The agency's other tickets, newest first.
async fn agency_history(
    app: &App,
    agency_id: i64,
    except: &str,
    now: i64,
) -> AppResult<Vec<TicketSummary>> {
    let filter = TicketFilter {
        agency_id: Some(agency_id),
        limit: HISTORY_LIMIT,
        ..TicketFilter::default()
    };
    app.store
        .list_tickets(&filter)
        .await?
        .into_iter()
        .filter(|r| r.number != except)
        .map(|r| summary(r, now))
        .collect()
}
