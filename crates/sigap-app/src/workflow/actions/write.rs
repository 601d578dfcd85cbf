//! The writing half of a step, inside its transaction once the rules have decided: the
//! ticket's update, the step's records and row, its documents and evidence, its audit
//! entry, mail and webhooks.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::{ActionInput, Outcome, TicketFacts};
use sigap_store::{NewAuditEntry, NewComment, NewStepRecord, TicketRow, TicketUpdate, Tx};

use super::{Decided, Doing, Resolved};
use crate::evidence::{self, StoredFile};
use crate::{AppResult, millis};

/// One step inside its transaction: what was decided, on which ticket, with which files.
struct Step<'a> {
    doing: &'a Doing<'a>,
    row: &'a TicketRow,
    facts: &'a TicketFacts,
    input: &'a ActionInput,
    outcome: &'a Outcome,
    files: &'a [StoredFile],
    now: DateTime<Utc>,
}

impl Step<'_> {
    /// Whether the step moves the ticket to another state.
    fn moves(&self) -> bool {
        self.outcome.to != self.facts.state
    }
}

pub(super) async fn apply(
    tx: &mut Tx,
    doing: &Doing<'_>,
    row: &TicketRow,
    facts: &TicketFacts,
    decided: Decided<'_>,
    files: &[StoredFile],
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let Decided {
        input,
        outcome,
        mut resolved,
    } = decided;
    let step = Step {
        doing,
        row,
        facts,
        input,
        outcome,
        files,
        now,
    };
    apply_block(tx, row, facts, outcome, &mut resolved).await?;
    update_ticket(tx, &step).await?;
    let records = records_of(&step, &resolved);
    let (step_id, comment_id) = write_step(tx, &step, &resolved, &records).await?;
    if let ActionInput::Assess {
        criticality,
        personal_data_affected,
        ..
    } = input
    {
        use crate::workflow::{personal_data, sectoral_report};
        if *personal_data_affected {
            personal_data::open_on_assessment(tx, doing.policy, row, doing.caller, now).await?;
        }
        let (policy, pdp) = (doing.policy, *personal_data_affected);
        sectoral_report::open_on_assessment(tx, policy, row, *criticality, pdp, now).await?;
    }
    let fresh = fresh_row(tx, row).await?;
    let issued = crate::documents::issue(
        doing.app,
        doing.policy,
        tx,
        crate::documents::Step {
            caller: doing.caller,
            row: &fresh,
            input,
            records: &records,
            kinds: &outcome.documents,
            files,
            now,
            step_id,
            preview: doing.preview,
        },
    )
    .await?;
    evidence::record(
        tx,
        files,
        row.id,
        step_id,
        comment_id,
        Some(doing.caller.user_id),
        millis(now),
    )
    .await?;
    announce(tx, &step, &fresh, &records, &issued).await?;
    Ok(step_id)
}

/// Moves the ticket as the outcome says, with the next state's deadline counted on the
/// policy's calendar.
async fn update_ticket(tx: &mut Tx, step: &Step<'_>) -> AppResult<()> {
    let (row, facts, input, outcome) = (step.row, step.facts, step.input, step.outcome);
    let now_ms = millis(step.now);
    let moved = step.moves();
    let due_at = if moved {
        step.doing
            .app
            .rules
            .deadlines
            .due_at(&step.doing.policy.calendar, outcome.to, step.now)
            .map(millis)
    } else {
        row.due_at
    };
    tx.update_ticket(&TicketUpdate {
        id: row.id,
        state: outcome.to.as_str(),
        agency_id: facts.agency_id,
        system_id: facts.system_id,
        criticality: outcome.criticality.map(|c| c.as_str()),
        valid: match input {
            ActionInput::Validate { valid, .. } => Some(*valid),
            _ => row.valid,
        },
        blocked: outcome.blocked,
        round: i64::from(outcome.round),
        duplicate_of: match input {
            ActionInput::MarkDuplicate { of, .. } => Some(of.as_str()),
            _ => row.duplicate_of.as_deref(),
        },
        state_entered_at: if moved { now_ms } else { row.state_entered_at },
        due_at,
        now: now_ms,
        closed_at: outcome.to.is_terminal().then_some(now_ms),
    })
    .await?;
    Ok(())
}

/// The step's records as stored: its checked input, what the transaction found, the
/// documents it issues and whether it waits for an approval.
fn records_of(step: &Step<'_>, resolved: &Resolved) -> Value {
    let mut records = serde_json::to_value(step.input).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut records {
        map.extend(resolved.extra.clone());
        let documents: Vec<&str> = step.outcome.documents.iter().map(|d| d.as_str()).collect();
        map.insert("documents".into(), json!(documents));
        if step.outcome.needs_approval {
            map.insert("needs_approval".into(), json!(true));
        }
    }
    records
}

/// Writes what the action is: a comment, an assignment, or a step record with its SLA;
/// answers the step record's and the comment's ids.
async fn write_step(
    tx: &mut Tx,
    step: &Step<'_>,
    resolved: &Resolved,
    records: &Value,
) -> AppResult<(Option<i64>, Option<i64>)> {
    let (row, caller) = (step.row, step.doing.caller);
    let now_ms = millis(step.now);
    Ok(match step.input {
        ActionInput::Comment { body, visibility } => {
            let id = tx
                .insert_comment(&NewComment {
                    ticket_id: row.id,
                    author_id: Some(caller.user_id),
                    author_kind: sigap_core::Author::Staff,
                    visibility: visibility.as_str(),
                    body,
                    now: now_ms,
                })
                .await?;
            (None, Some(id))
        }
        ActionInput::Assign { .. } => {
            let assignee = resolved.assignee_id.unwrap_or(caller.user_id);
            tx.set_assignee(row.id, assignee, now_ms).await?;
            (None, None)
        }
        ActionInput::Attach { .. } => (None, None),
        _ => {
            let record = NewStepRecord {
                ticket_id: row.id,
                action: step.input.action().as_str(),
                round: i64::from(step.facts.round),
                actor_id: Some(caller.user_id),
                actor_role: caller.role.as_str(),
                from_state: step.facts.state.as_str(),
                to_state: step.outcome.to.as_str(),
                records: &records.to_string(),
                started_at: row.state_entered_at,
                due_at: row.due_at,
                done_at: now_ms,
                overdue: row.due_at.is_some_and(|d| now_ms > d),
            };
            (Some(tx.insert_step_record(&record).await?), None)
        }
    })
}

/// The audit entry of the step, its mail and, when the state moved, its webhooks.
async fn announce(
    tx: &mut Tx,
    step: &Step<'_>,
    fresh: &TicketRow,
    records: &Value,
    issued: &[crate::documents::Issued],
) -> AppResult<()> {
    let (app, caller) = (step.doing.app, step.doing.caller);
    let (action, now_ms) = (step.input.action(), millis(step.now));
    let evidence: Vec<Value> = step
        .files
        .iter()
        .map(|f| json!({"name": f.name, "sha256": f.sha256}))
        .collect();
    tx.append_audit(&NewAuditEntry {
        at: now_ms,
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.as_str().to_owned(),
        ticket_number: Some(step.row.number.clone()),
        source: step.doing.source.clone(),
        outcome: "ok".to_owned(),
        details: json!({
            "from": step.facts.state.as_str(),
            "to": step.outcome.to.as_str(),
            "records": records,
            "evidence": evidence,
            "documents": issued,
        }),
    })
    .await?;
    let mut mails =
        crate::outbox::step_mail::step_mails(app, fresh, step.input, step.outcome, records).await?;
    mails.extend(crate::outbox::step_mail::assigned_mail(
        fresh, step.input, caller,
    ));
    for mail in mails {
        crate::outbox::notify::enqueue(app, tx, step.row.id, &mail, now_ms).await?;
    }
    if step.moves() {
        let change = crate::outbox::webhooks::StateChange {
            action: action.as_str(),
            from: Some(step.facts.state.as_str()),
            row: fresh,
            at: step.now,
        };
        crate::outbox::webhooks::enqueue(app, tx, &change, now_ms).await?;
    }
    Ok(())
}

/// The ticket as this transaction now sees it (the step may have linked its system).
async fn fresh_row(tx: &mut Tx, row: &TicketRow) -> AppResult<TicketRow> {
    Ok(tx
        .get_ticket(&row.number)
        .await?
        .unwrap_or_else(|| row.clone()))
}

/// Keeps the system's suspension in step with the tickets that hold a block on it: the
/// first block suspends it, the last unblock lifts it; the records say which happened.
async fn apply_block(
    tx: &mut Tx,
    row: &TicketRow,
    facts: &TicketFacts,
    outcome: &Outcome,
    resolved: &mut Resolved,
) -> AppResult<()> {
    let Some(system_id) = facts.system_id else {
        return Ok(());
    };
    if outcome.blocked == facts.blocked {
        return Ok(());
    }
    let other = tx.other_block_holder(system_id, row.id).await?;
    resolved
        .extra
        .insert("other_block_holder".into(), json!(other));
    if outcome.blocked {
        resolved
            .extra
            .insert("system_already_suspended".into(), json!(other.is_some()));
        tx.set_system_suspended(system_id, true).await?;
    } else {
        resolved
            .extra
            .insert("system_reactivated".into(), json!(other.is_none()));
        if other.is_none() {
            tx.set_system_suspended(system_id, false).await?;
        }
    }
    Ok(())
}
