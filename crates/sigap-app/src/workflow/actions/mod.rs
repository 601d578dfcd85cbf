//! Performing a workflow action: one transaction that locks the ticket, asks `sigap-core`
//! whether the caller may act and whether the records are complete, resolves what the
//! records name (the system, the original ticket, the assignee), applies the outcome,
//! records the step with its SLA, and appends to the audit log. A refusal rolls everything
//! back and is itself written to the audit log.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::{
    Action, ActionInput, Domain, FieldError, Outcome, Refusal, Role, RuleContext, TicketFacts,
    parse_action_input, permits, transition,
};
use sigap_store::{SystemRow, TicketRow, Tx};

use crate::access::{facts_of, parse_number};
use crate::auth::Caller;
use crate::documents::Previews;
use crate::evidence::{self, StoredFile, Upload};
use crate::views::TicketView;
use crate::workflow::tickets::get_ticket;
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

mod write;

use write::apply;

/// One step being done: the app, the policy in force when it began, who acts and from
/// where.
struct Doing<'a> {
    app: &'a App,
    policy: &'a Policy,
    caller: &'a Caller,
    source: Option<String>,
    /// Set for a preview: the step runs whole, its documents are rendered into this as
    /// previews, and the transaction is rolled back.
    preview: Option<&'a Previews>,
}

/// What the records name, looked up inside the transaction.
#[derive(Debug, Default)]
struct Resolved {
    system: Option<SystemRow>,
    extra: serde_json::Map<String, Value>,
    assignee_id: Option<i64>,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::NotFound => AppError::NotFound("ticket".to_owned()),
            Refusal::Forbidden { .. } => AppError::Forbidden(r.to_string()),
            Refusal::Conflict { reason, .. } => AppError::Conflict(reason),
            Refusal::Invalid(errors) => AppError::Invalid(errors),
        }
    }
}

/// Performs `action` on ticket `number` for `caller`; answers the updated ticket.
pub async fn perform_action(
    app: &App,
    caller: &Caller,
    number: &str,
    action: &str,
    body: &Value,
    uploads: &[Upload],
    source: Option<String>,
) -> AppResult<TicketView> {
    // The deadlines, the approval threshold and the documents follow the settings in force.
    let policy = app.policy().await?;
    let doing = Doing {
        app,
        policy: &policy,
        caller,
        source: source.clone(),
        preview: None,
    };
    let result = try_perform(&doing, number, action, body, uploads).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, action, e, source).await;
    }
    let shown = result?;
    get_ticket(app, caller, &shown).await
}

async fn try_perform(
    doing: &Doing<'_>,
    number: &str,
    action: &str,
    body: &Value,
    uploads: &[Upload],
) -> AppResult<String> {
    let app = doing.app;
    let action: Action = action
        .parse()
        .map_err(|_| AppError::NotFound(format!("action `{action}`")))?;
    let number = parse_number(number)?;
    let before = precheck(app, doing.caller, number.as_str(), action).await?;
    let mut files = evidence::accept(app, uploads).await?;
    let applied = match action {
        Action::Block | Action::Unblock => {
            through_adapter(app, &before, action == Action::Block, body).await?
        }
        _ => None,
    };
    let mut extra = serde_json::Map::new();
    if let Some(applied) = &applied {
        files.extend(applied.files.iter().cloned());
        extra.extend(applied.records.clone());
    }
    let done = in_transaction(doing, &number, action, body, &files, extra).await;
    if let (Err(_), Some(applied)) = (&done, applied) {
        applied.undo(app.now()).await;
    }
    done
}

/// Runs the system's blocking adapter, with proof, before the step's transaction; `None`
/// when the officer blocks by hand.
async fn through_adapter(
    app: &App,
    row: &TicketRow,
    blocking: bool,
    body: &Value,
) -> AppResult<Option<crate::workflow::blocking::Applied>> {
    let Some(system_id) = row.system_id else {
        return Ok(None);
    };
    let Some(system) = app.store.get_system(system_id).await? else {
        return Ok(None);
    };
    let Some(config) = crate::workflow::blocking::chosen(app, &system, body)? else {
        return Ok(None);
    };
    // While another ticket holds a block, the system is already suspended and stays so:
    // the adapter is left alone (the step's records name the other ticket).
    if app
        .store
        .other_block_holder(system_id, row.id)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let steps = app.store.list_step_records(row.id).await?;
    let step = crate::workflow::blocking::Step {
        row,
        system: &system,
        body,
        blocking,
        steps: &steps,
    };
    let applied = crate::workflow::blocking::apply(app, &config, &step, app.now()).await?;
    Ok(Some(applied))
}

/// The step itself: one transaction that decides, writes and audits.
async fn in_transaction(
    doing: &Doing<'_>,
    number: &sigap_core::TicketNumber,
    action: Action,
    body: &Value,
    files: &[StoredFile],
    extra: serde_json::Map<String, Value>,
) -> AppResult<String> {
    let (app, caller) = (doing.app, doing.caller);
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = tx
        .lock_ticket(number.as_str())
        .await?
        .ok_or(AppError::NotFound("ticket".into()))?;
    let facts = facts_of(&row)?;
    let actor = caller.actor();
    permits(&actor, &facts, action)?;
    // A step held as a scheduled meeting takes its records from the meeting.
    let meeting =
        crate::workflow::meetings::step::used_by_step(&mut tx, &row, action, body, now).await?;
    let body = meeting.as_ref().map_or(body, |m| &m.body);
    let parsed = parse_action_input(action, body, !files.is_empty(), &actor, &facts);
    let occasion = sigap_core::read_occasion(action, body, now, from_millis(row.created_at));
    let (input, occasion) = match (parsed, occasion) {
        (Ok(input), Ok(occasion)) => (input, occasion),
        (Err(mut errors), Err(more)) => {
            errors.extend(more);
            return Err(AppError::Invalid(errors));
        }
        (Err(errors), Ok(_)) | (Ok(_), Err(errors)) => return Err(AppError::Invalid(errors)),
    };
    let (mut resolved, ctx) = resolve(doing, &mut tx, &row, &facts, &input, now).await?;
    resolved.extra.extend(extra);
    // When and where the event took place, beside the records: the minutes print them.
    if let Some(at) = occasion.at {
        resolved
            .extra
            .insert(sigap_core::Occasion::time_field(action).into(), json!(at));
    }
    if let Some(place) = occasion.place {
        resolved.extra.insert("place".into(), json!(place));
    }
    if let Some(meeting) = &meeting {
        resolved.extra.extend(meeting.records.clone());
    }
    if action == Action::Unblock {
        resolved.extra.insert(
            "unblock_seconds".into(),
            json!(crate::workflow::blocking::unblock_seconds(&row, now)),
        );
    }
    let facts_for_rule = TicketFacts {
        system_id: resolved.system.as_ref().map(|s| s.id).or(facts.system_id),
        agency_id: resolved
            .system
            .as_ref()
            .map(|s| s.agency_id)
            .or(facts.agency_id),
        ..facts.clone()
    };
    let outcome = transition(&actor, &facts_for_rule, &input, &ctx)?;
    let decided = Decided {
        input: &input,
        outcome: &outcome,
        resolved,
    };
    let step_id = apply(&mut tx, doing, &row, &facts_for_rule, decided, files, now).await?;
    if doing.preview.is_some() {
        // A preview: the documents are rendered; nothing of the step stays.
        tx.rollback().await?;
        return Ok(row.number);
    }
    let ended = outcome.to.is_terminal().then_some(row.id);
    after_step(&mut tx, meeting.as_ref(), step_id, ended, now).await?;
    tx.commit().await?;
    Ok(row.number)
}

/// What a step does last in its transaction: the meeting it used is marked held; on the
/// ticket that ends (`ended`), the reporter who asked to be erased while it was open
/// (`intake::rights`) is anonymised now.
async fn after_step(
    tx: &mut Tx,
    meeting: Option<&crate::workflow::meetings::step::UsedMeeting>,
    step_id: Option<i64>,
    ended: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(meeting) = meeting {
        crate::workflow::meetings::step::mark_held(tx, meeting, step_id, millis(now)).await?;
    }
    if let Some(ticket_id) = ended
        && tx.apply_erasure(ticket_id, millis(now)).await?
    {
        tx.anonymise_reporter(ticket_id, millis(now)).await?;
    }
    Ok(())
}

/// The documents `action` with `body` would issue on the ticket `number` now, each as the
/// PDF it would be, marked as a preview: the step runs whole in a transaction that is
/// rolled back (no number is taken, no mail or record stays, nothing is stored). Refused as
/// the step itself would be (and audited so); a block or an unblock, whose adapter acts on
/// the system before the step, cannot be previewed. Files are not taken.
pub async fn preview_documents(
    app: &App,
    caller: &Caller,
    number: &str,
    action: &str,
    body: &Value,
) -> AppResult<Vec<crate::documents::PreviewDocument>> {
    let policy = app.policy().await?;
    let previews = Previews::default();
    let doing = Doing {
        app,
        policy: &policy,
        caller,
        source: None,
        preview: Some(&previews),
    };
    let result = try_preview(&doing, number, action, body).await;
    if let Err(e) = &result {
        let what = format!("preview:{action}");
        crate::audit::refused_on_ticket(app, caller, number, &what, e, None).await;
    }
    result?;
    Ok(previews.take())
}

async fn try_preview(
    doing: &Doing<'_>,
    number: &str,
    action: &str,
    body: &Value,
) -> AppResult<String> {
    let action: Action = action
        .parse()
        .map_err(|_| AppError::NotFound(format!("action `{action}`")))?;
    let number = parse_number(number)?;
    precheck(doing.app, doing.caller, number.as_str(), action).await?;
    if matches!(action, Action::Block | Action::Unblock) {
        return Err(AppError::Conflict(
            "a block or an unblock cannot be previewed: its adapter acts on the system".into(),
        ));
    }
    in_transaction(doing, &number, action, body, &[], serde_json::Map::new()).await
}

/// Refuses early, before any upload is stored, when the caller may not act at all. The
/// transaction checks again under its lock; this only spares the disk.
async fn precheck(
    app: &App,
    caller: &Caller,
    number: &str,
    action: Action,
) -> AppResult<TicketRow> {
    let row = app
        .store
        .get_ticket(number)
        .await?
        .ok_or(AppError::NotFound("ticket".into()))?;
    permits(&caller.actor(), &facts_of(&row)?, action)?;
    Ok(row)
}

async fn resolve(
    doing: &Doing<'_>,
    tx: &mut Tx,
    row: &TicketRow,
    facts: &TicketFacts,
    input: &ActionInput,
    now: DateTime<Utc>,
) -> AppResult<(Resolved, RuleContext)> {
    let mut resolved = Resolved::default();
    let mut ctx = RuleContext {
        approval_threshold: doing.policy.approval_threshold,
        ..RuleContext::default()
    };
    match input {
        ActionInput::Validate {
            valid: true,
            system: Some(system),
            ..
        } => {
            let found = find_system(tx, system).await?;
            crate::workflow::blocking::check_covers(doing.app, &found, &row.target_host, "system")
                .await?;
            resolved.system = Some(found);
        }
        ActionInput::MarkDuplicate { of, .. } => {
            check_original(tx, &row.number, of.as_str()).await?
        }
        ActionInput::Review { .. } => {
            let since = doing.policy.approval_window_start(now).map_or(0, millis);
            let count = match facts.agency_id {
                Some(agency) => tx.count_valid_reports(agency, since).await?,
                None => 0,
            };
            ctx.agency_valid_reports = u32::try_from(count).unwrap_or(u32::MAX);
            resolved
                .extra
                .insert("agency_valid_reports".into(), json!(count));
            resolved
                .extra
                .insert("approval_threshold".into(), json!(ctx.approval_threshold));
        }
        ActionInput::Assign { assignee } => {
            let user = tx.find_user(&assignee.trim().to_lowercase()).await?;
            let staff = user.filter(|u| {
                !u.disabled && matches!(u.role, Role::Csirt | Role::Helpdesk | Role::DomainOfficer)
            });
            let user = staff.ok_or_else(|| {
                AppError::invalid(
                    "assignee",
                    "no active help desk, CSIRT or domain officer user has this e-mail",
                )
            })?;
            resolved.assignee_id = Some(user.id);
        }
        _ => {}
    }
    Ok((resolved, ctx))
}

/// A duplicate must name another ticket that exists.
async fn check_original(tx: &mut Tx, number: &str, of: &str) -> AppResult<()> {
    if of == number || tx.get_ticket(of).await?.is_none() {
        return Err(AppError::invalid(
            "of",
            format!("`{of}` is not another existing ticket"),
        ));
    }
    Ok(())
}

/// The registered system named by its id or one of its domains.
async fn find_system(tx: &mut Tx, given: &str) -> AppResult<SystemRow> {
    let found = match given.trim().parse::<i64>() {
        Ok(id) => tx.get_system(id).await?,
        Err(_) => match Domain::parse(given) {
            Ok(domain) => tx.find_system_by_domain(domain.as_str()).await?,
            Err(_) => None,
        },
    };
    let system = found.ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new(
            "system",
            format!("no registered electronic system has the id or domain `{given}`"),
        )])
    })?;
    let agency_disabled = tx
        .list_agencies(Some(system.agency_id))
        .await?
        .first()
        .is_some_and(|a| a.disabled);
    if system.disabled || agency_disabled {
        return Err(AppError::Invalid(vec![
            FieldError::new(
                "system",
                format!(
                    "the electronic system `{}` is out of service (disabled by an admin): \
                     name the system that serves the target now",
                    system.name
                ),
            )
            .of_kind(sigap_core::Problem::OutOfService),
        ]));
    }
    Ok(system)
}

/// What the rules decided for a step: its records, the outcome, and what they name.
struct Decided<'a> {
    input: &'a ActionInput,
    outcome: &'a Outcome,
    resolved: Resolved,
}

/// Roles that may act on tickets at all (for the pages that list actions).
pub const ACTING_ROLES: &[Role] = &[
    Role::Helpdesk,
    Role::Csirt,
    Role::DomainOfficer,
    Role::SystemOwner,
    Role::RegionalSecretary,
];
