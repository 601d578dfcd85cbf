//! The clock that watches deadlines: reminders to the agency 3 days and 1 day before the
//! 7-day remediation deadline, the overdue notice to the agency when it has passed, and the
//! escalation of any overdue step to the CSIRT lead (and, for the agency's remediation, to
//! the agency's head). Due times come from the working-day calendar when the step starts
//! (`tickets.due_at`); the step record keeps whether it was done late.
//!
//! [`sweep`] runs in the worker every minute and may run in any number of workers at once:
//! each notice is recorded in `deadline_notices` (ticket, notice, deadline) in the
//! transaction that enqueues its mail, so it is sent once; a new round starts a new deadline
//! and is watched again. When the worker was down across a reminder's window, only the
//! latest notice that still applies is sent.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sigap_core::{Role, State};
use sigap_store::{NewAuditEntry, TicketRow, Tx};

use crate::outbox::notify::{
    EscalateTo, Escalating, Lead, MailJob, MailKind, Overdue, Reminding, agency_addresses, enqueue,
    staff_with,
};
use crate::{App, AppResult, from_millis, millis};

/// Tickets looked at in one sweep, soonest deadline first; the rest wait for the next.
const BATCH: i64 = 500;

/// What the clock has to say about a ticket now, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Reminder3d,
    Reminder1d,
    Overdue,
}

impl Notice {
    fn as_str(self) -> &'static str {
        match self {
            Notice::Reminder3d => "reminder_3d",
            Notice::Reminder1d => "reminder_1d",
            Notice::Overdue => "overdue",
        }
    }

    /// The notice due at `now` for a step of `state` due at `due` (late once it has passed,
    /// as the ticket's overdue mark says).
    fn due(state: State, due: DateTime<Utc>, now: DateTime<Utc>) -> Option<Notice> {
        if now > due {
            Some(Notice::Overdue)
        } else if state != State::Remediating {
            None
        } else if now >= due - Duration::days(1) {
            Some(Notice::Reminder1d)
        } else if now >= due - Duration::days(3) {
            Some(Notice::Reminder3d)
        } else {
            None
        }
    }
}

/// Sends what the deadlines call for at the app's clock; answers how many notices were sent.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.now();
    let horizon = millis(now + Duration::days(3));
    sweep_with(
        app,
        async |tx: &mut Tx| tx.deadline_candidates(millis(now), horizon, BATCH).await,
        async |number: &str, lead: &[String]| notice_ticket(app, number, now, lead).await,
    )
    .await
}

/// A clock's sweep: the numbers of the tickets that may call for a notice, read by
/// `candidates` in a transaction of their own, then each ticket's notice sent by `notice`
/// (one transaction a ticket, told who the CSIRT lead is); answers how many were sent.
/// The SOP's deadlines, UU PDP's and BSSN's clocks share it.
pub(crate) async fn sweep_with(
    app: &App,
    candidates: impl AsyncFnOnce(&mut Tx) -> Result<Vec<String>, sigap_store::StoreError>,
    notice: impl AsyncFn(&str, &[String]) -> AppResult<bool>,
) -> AppResult<usize> {
    let numbers = {
        let mut tx = app.store.begin().await?;
        let numbers = candidates(&mut tx).await?;
        tx.commit().await?;
        numbers
    };
    if numbers.is_empty() {
        return Ok(0);
    }
    let lead = csirt_lead(app).await?;
    let mut sent = 0;
    for number in numbers {
        if notice(&number, &lead).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Who escalations go to: the configured CSIRT lead, or else the CSIRT team.
pub(crate) async fn csirt_lead(app: &App) -> AppResult<Vec<String>> {
    if app.rules.notices.csirt_lead.is_empty() {
        staff_with(app, &[Role::Csirt]).await
    } else {
        Ok(app.rules.notices.csirt_lead.clone())
    }
}

/// The addresses of the head of agency `agency_id`, if it has one.
pub(crate) async fn agency_head(app: &App, agency_id: Option<i64>) -> AppResult<Vec<String>> {
    Ok(match agency_id {
        Some(id) => app
            .store
            .list_agencies(Some(id))
            .await?
            .into_iter()
            .filter_map(|a| a.head_email)
            .collect(),
        None => Vec::new(),
    })
}

/// One ticket's notice, in one transaction: recorded, its mail enqueued, audited.
async fn notice_ticket(
    app: &App,
    number: &str,
    now: DateTime<Utc>,
    lead: &[String],
) -> AppResult<bool> {
    let mut tx = app.store.begin().await?;
    let Some(row) = tx.get_ticket(number).await? else {
        return Ok(false);
    };
    let (Some(due_ms), state) = (row.due_at, row.state) else {
        return Ok(false);
    };
    if state.is_terminal() {
        return Ok(false);
    }
    let due = from_millis(due_ms);
    let Some(notice) = Notice::due(state, due, now) else {
        return Ok(false);
    };
    let now_ms = millis(now);
    if !tx
        .record_notice(row.id, notice.as_str(), due_ms, now_ms)
        .await?
    {
        return Ok(false);
    }
    let mails = mails(app, &row, state, notice, due, lead).await?;
    let details = json!({"notice": notice.as_str(), "state": state.as_str(), "due_at": due});
    send_notice(app, tx, &row, &mails, details, now).await
}

/// The end of a clock's notice once it is recorded in `tx`: its mails enqueued, the notice
/// audited as the system's (`details` and the recipients), the transaction committed.
pub(crate) async fn send_notice(
    app: &App,
    mut tx: Tx,
    row: &TicketRow,
    mails: &[MailJob],
    mut details: Value,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let now_ms = millis(now);
    for mail in mails {
        enqueue(app, &mut tx, row.id, mail, now_ms).await?;
    }
    let notice = details["notice"].as_str().unwrap_or("other").to_owned();
    details["to"] = json!(mails.iter().flat_map(|m| m.to.iter()).collect::<Vec<_>>());
    tx.append_audit(&NewAuditEntry {
        at: now_ms,
        actor: "sigap".to_owned(),
        role: "system".to_owned(),
        action: "deadline_notice".to_owned(),
        ticket_number: Some(row.number.clone()),
        source: None,
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    tx.commit().await?;
    app.meter
        .count("sigap_deadline_notices_total", &[("notice", notice)]);
    let escalations = mails
        .iter()
        .filter(|m| matches!(m.kind, MailKind::OverdueEscalation(_)))
        .count();
    for _ in 0..escalations {
        let escalation = [("notice", "escalation".to_owned())];
        app.meter.count("sigap_deadline_notices_total", &escalation);
    }
    Ok(true)
}

/// The mail of a notice: reminders and the overdue notice to the agency (its official
/// address and system owners), escalations to the CSIRT lead and the agency head.
async fn mails(
    app: &App,
    row: &TicketRow,
    state: State,
    notice: Notice,
    due_at: DateTime<Utc>,
    lead: &[String],
) -> AppResult<Vec<MailJob>> {
    let agency = row.agency_name.clone().unwrap_or_else(|| "-".to_owned());
    let system = row
        .system_name
        .clone()
        .unwrap_or_else(|| row.target_host.clone());
    let to_agency = |kind| {
        let mut mail = MailJob::new(row, Vec::new(), "id", kind);
        // Agencies get the CSIRT's words, never the reporter's.
        mail.title = None;
        mail
    };
    let mut mails = Vec::new();
    match notice {
        Notice::Reminder3d | Notice::Reminder1d => {
            let mut mail = to_agency(MailKind::RemediationReminder(Reminding {
                agency,
                system,
                lead: if notice == Notice::Reminder3d {
                    Lead::ThreeDays
                } else {
                    Lead::OneDay
                },
                due_at,
            }));
            mail.to = agency_addresses(app, row.agency_id).await?;
            mails.push(mail);
        }
        Notice::Overdue => {
            let escalation = |to: EscalateTo, addresses: Vec<String>| {
                let mut mail = MailJob::new(
                    row,
                    addresses,
                    "id",
                    MailKind::OverdueEscalation(Escalating {
                        escalate_to: to,
                        state,
                        due_at,
                    }),
                );
                mail.title = None;
                mail
            };
            if state == State::Remediating {
                let mut mail = to_agency(MailKind::RemediationOverdue(Overdue {
                    agency,
                    system,
                    due_at,
                }));
                mail.to = agency_addresses(app, row.agency_id).await?;
                mails.push(mail);
                let head = agency_head(app, row.agency_id).await?;
                mails.push(escalation(EscalateTo::AgencyHead, head));
            }
            mails.push(escalation(EscalateTo::CsirtLead, lead.to_vec()));
        }
    }
    mails.retain(|m| !m.to.is_empty());
    Ok(mails)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_notice_due_follows_the_windows() {
        let due = Utc.with_ymd_and_hms(2026, 8, 17, 9, 0, 0).unwrap();
        let at = |d: i64, h: i64| due - Duration::days(d) - Duration::hours(h);
        let remediating = |now| Notice::due(State::Remediating, due, now);
        assert_eq!(remediating(at(3, 1)), None);
        assert_eq!(remediating(at(3, 0)), Some(Notice::Reminder3d));
        assert_eq!(remediating(at(1, 1)), Some(Notice::Reminder3d));
        assert_eq!(remediating(at(1, 0)), Some(Notice::Reminder1d));
        assert_eq!(remediating(due), Some(Notice::Reminder1d));
        let late = due + Duration::seconds(1);
        assert_eq!(remediating(late), Some(Notice::Overdue));
        assert_eq!(Notice::due(State::Queued, due, at(1, 0)), None);
        assert_eq!(Notice::due(State::Queued, due, due), None);
        assert_eq!(Notice::due(State::Queued, due, late), Some(Notice::Overdue));
    }
}
