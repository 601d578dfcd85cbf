//! The clock of UU PDP (UU 27/2022) Pasal 46 on a ticket whose finding exposed personal
//! data ([`sigap_core::pdp`]): the controller, the agency that owns the system, must notify
//! the data subjects and the authority in writing within 3×24 hours.
//!
//! - It starts in the transaction of the assessment whose minutes record "Data pribadi
//!   terdampak: Ya" ([`open_on_assessment`]), or when the CSIRT records it later with a
//!   reason ([`record_breach`]); its period is the `law` section's `pdp_notice_hours`
//!   at that moment.
//! - The agency (or the CSIRT on its behalf) records each notice with its date, channel and
//!   the notice as sent, a file sniffed like evidence ([`record_notice`]); with both, the
//!   clock stops at the later one.
//! - [`sweep`], among the worker's minute chores, reminds at a third and two thirds of the
//!   period and escalates once it has passed, each once (`deadline_notices`, as the SOP's
//!   deadlines). The agency reads the reminders once it has been told of the finding (SOP
//!   step 6); before, they go to the CSIRT lead, who must tell it first.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::pdp::{self, NoticeRecipient, PdpNotice};
use sigap_core::{Role, agency_told};
use sigap_store::{
    BlobRead, BreachNoticeRow, BreachRow, NewAuditEntry, NewBreach, NewBreachNotice, TicketRow, Tx,
};

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::evidence::Upload;
use crate::outbox::notify::{EscalateTo, MailJob, MailKind, PdpClock, agency_addresses};
use crate::views::{PersonalDataNoticeView, PersonalDataView};
use crate::workflow::deadlines::{agency_head, send_notice, sweep_with};
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

/// A clock started by the criticality minutes.
pub const FROM_ASSESSMENT: &str = "assessment";
/// A clock started by staff after the assessment, with a reason.
pub const FROM_STAFF: &str = "staff";
/// Who may record a breach after the assessment: those who assess.
const RECORD_BREACH: &[Role] = &[Role::Csirt, Role::Admin];
/// Who may record a notice: the agency's system owners, and the CSIRT on their behalf.
const RECORD_NOTICE: &[Role] = &[Role::SystemOwner, Role::Csirt, Role::Admin];
/// Clocks looked at in one sweep.
const BATCH: i64 = 200;

/// Starts the clock of `row` in the assessment's transaction (nothing when it has one).
pub(crate) async fn open_on_assessment(
    tx: &mut Tx,
    policy: &Policy,
    row: &TicketRow,
    caller: &Caller,
    now: DateTime<Utc>,
) -> AppResult<()> {
    open(tx, policy, row, caller, now, None).await.map(drop)
}

/// Starts the clock; `false` when the ticket has one already.
async fn open(
    tx: &mut Tx,
    policy: &Policy,
    row: &TicketRow,
    caller: &Caller,
    now: DateTime<Utc>,
    reason: Option<&str>,
) -> AppResult<bool> {
    let due = pdp::due_at(now, policy.law.pdp_notice_hours);
    let opened = tx
        .open_breach(&NewBreach {
            ticket_id: row.id,
            started_at: millis(now),
            due_at: millis(due),
            source: if reason.is_some() {
                FROM_STAFF
            } else {
                FROM_ASSESSMENT
            },
            reason,
            recorded_by: &caller.name,
        })
        .await?;
    // The assessment's own audit entry records the finding; a later record has its own.
    if opened && reason.is_some() {
        tx.append_audit(&entry(
            caller,
            row,
            "personal_data_breach",
            now,
            json!({"due_at": due, "hours": policy.law.pdp_notice_hours, "reason": reason}),
        ))
        .await?;
    }
    Ok(opened)
}

/// The audit entry of `caller`'s `action` on ticket `row`, outcome `ok`.
pub(crate) fn entry(
    caller: &Caller,
    row: &TicketRow,
    action: &str,
    now: DateTime<Utc>,
    details: Value,
) -> NewAuditEntry {
    NewAuditEntry {
        at: millis(now),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.to_owned(),
        ticket_number: Some(row.number.clone()),
        source: None,
        outcome: "ok".to_owned(),
        details,
    }
}

/// Records, after the assessment, that the finding of ticket `number` exposed personal
/// data (`{"reason": …}`): the clock starts now. A ticket with a clock is a conflict.
pub async fn record_breach(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<PersonalDataView> {
    let result = try_record_breach(app, caller, number, body).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "personal_data_breach", e, None).await;
    }
    result
}

async fn try_record_breach(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
) -> AppResult<PersonalDataView> {
    caller.require(RECORD_BREACH, "record a personal data breach")?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let reason = pdp::read_reason(body).map_err(AppError::Invalid)?;
    let policy = app.policy().await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !open(&mut tx, &policy, &row, caller, now, Some(&reason)).await? {
        return Err(AppError::Conflict(
            "this ticket's personal data breach is recorded already; its clock runs".to_owned(),
        ));
    }
    tx.commit().await?;
    view_of(app, row.id)
        .await?
        .ok_or_else(|| AppError::Internal("the clock just started is gone".to_owned()))
}

/// Records a notice on ticket `number`'s clock: `recipient`, `notified_at`, `channel`,
/// `note` in `body`, and the notice as sent in `file` (sniffed like evidence). Each
/// recipient's notice is recorded once; a second is a conflict.
pub async fn record_notice(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
    file: Option<Upload>,
) -> AppResult<PersonalDataView> {
    let result = try_record_notice(app, caller, number, body, file).await;
    if let Err(e) = &result {
        crate::audit::refused_on_ticket(app, caller, number, "personal_data_notice", e, None).await;
    }
    result
}

async fn try_record_notice(
    app: &App,
    caller: &Caller,
    number: &str,
    body: &Value,
    file: Option<Upload>,
) -> AppResult<PersonalDataView> {
    caller.require(RECORD_NOTICE, "record a notice of a personal data breach")?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let breach = app
        .store
        .get_breach(row.id)
        .await?
        .ok_or_else(|| AppError::NotFound("personal data breach".to_owned()))?;
    let now = app.now();
    let read = pdp::read_notice(body, from_millis(breach.started_at), now);
    let upload = file.filter(|f| !f.bytes.is_empty());
    let (notice, upload) = match (read, upload) {
        (Ok(notice), Some(upload)) => (notice, upload),
        (read, upload) => {
            let mut errors = read.err().unwrap_or_default();
            if upload.is_none() {
                errors.push(sigap_core::FieldError::new(
                    "file",
                    "`file`, the notice as it was sent (PDF, image or text), is required",
                ));
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let stored = store_file(app, upload).await?;
    let mut tx = app.store.begin().await?;
    let recorded = tx
        .record_breach_notice(&NewBreachNotice {
            ticket_id: row.id,
            recipient: notice.recipient.as_str(),
            notified_at: millis(notice.notified_at),
            channel: notice.channel.as_str(),
            note: notice.note.as_deref(),
            sha256: &stored.sha256,
            file_name: &stored.name,
            media_type: stored.media_type,
            size: stored.size,
            recorded_by: &caller.name,
            recorded_at: millis(now),
        })
        .await?;
    if !recorded {
        return Err(AppError::Conflict(format!(
            "the notice to {} is recorded already",
            notice.recipient.label_en().to_lowercase()
        )));
    }
    let details = json!({
        "recipient": notice.recipient, "channel": notice.channel,
        "notified_at": notice.notified_at, "file": stored.name, "sha256": stored.sha256,
    });
    tx.append_audit(&entry(caller, &row, "personal_data_notice", now, details))
        .await?;
    tx.commit().await?;
    view_of(app, row.id)
        .await?
        .ok_or_else(|| AppError::Internal("the clock is gone".to_owned()))
}

/// The notice's file, checked and stored as evidence is (its errors named `file`).
async fn store_file(app: &App, upload: Upload) -> AppResult<crate::evidence::StoredFile> {
    let uploads = [upload];
    let named = |e: AppError| match e {
        AppError::Invalid(errors) => AppError::Invalid(
            errors
                .into_iter()
                .map(|e| sigap_core::FieldError::new("file", e.message))
                .collect(),
        ),
        other => other,
    };
    let checked = crate::evidence::check(app, &uploads).map_err(named)?;
    let mut stored = crate::evidence::store(app, &checked).await?;
    stored
        .pop()
        .ok_or_else(|| AppError::Internal("no file stored".to_owned()))
}

/// The file of the notice to `recipient` on ticket `number`, for those who see the
/// ticket; every download is audited.
pub async fn notice_file(
    app: &App,
    caller: &Caller,
    number: &str,
    recipient: &str,
) -> AppResult<(PersonalDataNoticeView, BlobRead)> {
    let not_found = || AppError::NotFound("notice".to_owned());
    let recipient: NoticeRecipient = recipient.parse().map_err(|_| not_found())?;
    let (row, _) = visible_ticket(app, caller, number).await?;
    let view = view_of(app, row.id).await?.ok_or_else(not_found)?;
    let notice = view
        .notices
        .into_iter()
        .find(|n| n.recipient == recipient)
        .ok_or_else(not_found)?;
    let details = json!({"recipient": recipient, "sha256": notice.sha256});
    crate::privacy::audit_read(
        app,
        Some(caller),
        &row.number,
        "read_personal_data_notice",
        details,
    )
    .await?;
    let read = app
        .blobs
        .open_read(&notice.sha256)
        .await?
        .ok_or_else(not_found)?;
    Ok((notice, read))
}

/// A ticket's clock as the ticket's readers see it.
pub(crate) async fn view_of(app: &App, ticket_id: i64) -> AppResult<Option<PersonalDataView>> {
    let Some(breach) = app.store.get_breach(ticket_id).await? else {
        return Ok(None);
    };
    let notices = app.store.list_breach_notices(ticket_id).await?;
    Ok(Some(view(&breach, notices, app.now())))
}

fn view(breach: &BreachRow, notices: Vec<BreachNoticeRow>, now: DateTime<Utc>) -> PersonalDataView {
    let due = from_millis(breach.due_at);
    let status = pdp::status(due, breach.stopped_at.map(from_millis), now);
    let missing = missing(&notices);
    PersonalDataView {
        started_at: from_millis(breach.started_at),
        due_at: due,
        source: breach.source.clone(),
        reason: breach.reason.clone(),
        recorded_by: breach.recorded_by.clone(),
        status,
        status_label: status.label_id().to_owned(),
        stopped_at: breach.stopped_at.map(from_millis),
        notices: notices
            .into_iter()
            .map(|n| PersonalDataNoticeView {
                recipient: n.recipient,
                recipient_label: n.recipient.label_id().to_owned(),
                notified_at: from_millis(n.notified_at),
                channel: n.channel,
                channel_label: n.channel.label_id().to_owned(),
                note: n.note,
                file_name: n.file_name,
                media_type: n.media_type,
                size: n.size,
                sha256: n.sha256,
                recorded_by: n.recorded_by,
                recorded_at: from_millis(n.recorded_at),
                on_time: n.notified_at <= breach.due_at,
            })
            .collect(),
        missing,
    }
}

fn missing(notices: &[BreachNoticeRow]) -> Vec<NoticeRecipient> {
    NoticeRecipient::ALL
        .iter()
        .copied()
        .filter(|r| !notices.iter().any(|n| n.recipient == *r))
        .collect()
}

/// Sends what the running clocks call for at the app's clock; answers how many notices
/// were sent.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.now();
    sweep_with(
        app,
        async |tx: &mut Tx| tx.breach_candidates(millis(now), BATCH).await,
        async |number: &str, lead: &[String]| remind(app, number, now, lead).await,
    )
    .await
}

/// One clock's notice, in one transaction: recorded, its mail enqueued, audited.
async fn remind(app: &App, number: &str, now: DateTime<Utc>, lead: &[String]) -> AppResult<bool> {
    let mut tx = app.store.begin().await?;
    let Some(row) = tx.get_ticket(number).await? else {
        return Ok(false);
    };
    let Some(breach) = tx.get_breach(row.id).await? else {
        return Ok(false);
    };
    let (started, due) = (from_millis(breach.started_at), from_millis(breach.due_at));
    let Some(notice) = PdpNotice::due(started, due, now).filter(|_| breach.stopped_at.is_none())
    else {
        return Ok(false);
    };
    if !tx
        .record_notice(row.id, notice.as_str(), breach.due_at, millis(now))
        .await?
    {
        return Ok(false);
    }
    let missing = missing(&tx.list_breach_notices(row.id).await?);
    let mails = mails(app, &row, notice, due, missing, lead).await?;
    let details = json!({"notice": notice.as_str(), "due_at": due});
    send_notice(app, tx, &row, &mails, details, now).await
}

/// The mail of a clock's notice: reminders to the agency once it has been told (to the
/// CSIRT lead before), the escalation to the CSIRT lead and the agency's head.
async fn mails(
    app: &App,
    row: &TicketRow,
    notice: PdpNotice,
    due_at: DateTime<Utc>,
    missing: Vec<NoticeRecipient>,
    lead: &[String],
) -> AppResult<Vec<MailJob>> {
    let told = agency_told(row.state);
    let system = row
        .system_name
        .clone()
        .unwrap_or_else(|| row.target_host.clone());
    let mail = |agency: Option<String>, escalate_to: Option<EscalateTo>, to: Vec<String>| {
        let kind = MailKind::PersonalDataClock(PdpClock {
            agency,
            escalate_to,
            stage: notice.as_str().to_owned(),
            system: system.clone(),
            due_at,
            missing: missing.clone(),
            agency_told: told,
        });
        let mut mail = MailJob::new(row, to, "id", kind);
        // Agencies get the CSIRT's words, never the reporter's.
        mail.title = None;
        mail
    };
    let mut mails = Vec::new();
    if told {
        let agency = row.agency_name.clone().unwrap_or_else(|| "-".to_owned());
        mails.push(mail(
            Some(agency),
            None,
            agency_addresses(app, row.agency_id).await?,
        ));
    }
    if notice == PdpNotice::Overdue || !told {
        mails.push(mail(None, Some(EscalateTo::CsirtLead), lead.to_vec()));
    }
    if notice == PdpNotice::Overdue && told {
        let head = agency_head(app, row.agency_id).await?;
        mails.push(mail(None, Some(EscalateTo::AgencyHead), head));
    }
    mails.retain(|m| !m.to.is_empty());
    Ok(mails)
}

#[cfg(test)]
mod tests {
    use sigap_core::pdp::ClockStatus;

    use super::*;

    fn notice(recipient: NoticeRecipient, at: i64) -> BreachNoticeRow {
        BreachNoticeRow {
            recipient,
            notified_at: at,
            channel: pdp::NoticeChannel::Letter,
            note: None,
            sha256: "0".repeat(64),
            file_name: "surat.pdf".to_owned(),
            media_type: "application/pdf".to_owned(),
            size: 10,
            recorded_by: "Budi".to_owned(),
            recorded_at: at,
        }
    }

    #[test]
    fn the_view_names_what_is_missing_and_what_came_late() {
        let hour = 3_600_000;
        let breach = BreachRow {
            ticket_id: 1,
            started_at: 0,
            due_at: 72 * hour,
            source: FROM_ASSESSMENT.to_owned(),
            reason: None,
            recorded_by: "Sari".to_owned(),
            stopped_at: None,
        };
        let one = vec![notice(NoticeRecipient::Authority, 10 * hour)];
        let v = view(&breach, one, from_millis(80 * hour));
        assert_eq!(v.status, ClockStatus::Overdue);
        assert_eq!(v.missing, vec![NoticeRecipient::Subjects]);
        assert!(v.notices[0].on_time);

        let stopped = BreachRow {
            stopped_at: Some(73 * hour),
            ..breach
        };
        let both = vec![
            notice(NoticeRecipient::Subjects, 73 * hour),
            notice(NoticeRecipient::Authority, 10 * hour),
        ];
        let v = view(&stopped, both, from_millis(100 * hour));
        assert_eq!(v.status, ClockStatus::Late);
        assert!(v.missing.is_empty());
        assert!(!v.notices[0].on_time);
    }
}
