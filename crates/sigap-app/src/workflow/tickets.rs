//! Reading tickets as staff: one ticket with its records and its evidence files (the queue
//! is [`crate::workflow::queue`]'s). A system owner sees only their agency's tickets, once
//! the agency is told; anything else answers "not found". What each reader may learn of the reporter
//! and of the blocking internals is [`crate::privacy`]'s to say.

use serde_json::json;
use sigap_core::{Role, allowed_actions, sees_reporter};
use sigap_store::{StepRecordRow, TicketRow};

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::privacy;
use crate::views::*;
use crate::{App, AppError, AppResult, from_millis, millis};

/// A step's deadline as of `now`: overdue once past; due soon in the step's last quarter
/// (started at `started_at`) or its last hour, whichever is longer.
pub(crate) fn deadline(started_at: i64, due_at: Option<i64>, now: i64) -> Option<Deadline> {
    const HOUR: i64 = 3_600_000;
    due_at.map(|d| {
        let warning = ((d - started_at) / 4).max(HOUR);
        Deadline {
            due_at: from_millis(d),
            overdue: now > d,
            due_soon: now <= d && now >= d - warning,
        }
    })
}

fn report_view(row: &TicketRow, caller: &Caller) -> ReportView {
    // A system owner needs the finding, the Regional Secretary the agency's record; neither
    // needs the reporter's personal data.
    let contact = sees_reporter(caller.role);
    ReportView {
        reporter_name: contact.then(|| row.reporter_name.clone()),
        reporter_email: contact.then(|| row.reporter_email.clone()),
        reporter_phone: if contact {
            row.reporter_phone.clone()
        } else {
            None
        },
        severity: row.severity,
        vulnerability_type: row.vulnerability_type.clone(),
        target: row.target_url.clone(),
        target_host: row.target_host.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        proof_of_concept: row.proof_of_concept.clone(),
        evidence_text: row.evidence_text.clone(),
        cvss: row
            .cvss_vector
            .clone()
            .zip(row.cvss_score)
            .map(|(vector, score)| CvssView { vector, score }),
    }
}

/// A step done, with the records a reader of `role` may see.
fn timeline_entry(role: Role, s: StepRecordRow) -> TimelineEntry {
    TimelineEntry {
        at: from_millis(s.done_at),
        records: privacy::step_records(
            role,
            s.action,
            serde_json::from_str(&s.records).unwrap_or(serde_json::Value::Null),
        ),
        action: s.action,
        from_state: s.from_state,
        to_state: s.to_state,
        round: s.round,
        actor_role: s.actor_role,
        actor_name: s.actor_name,
        due_at: s.due_at.map(from_millis),
        overdue: s.overdue,
    }
}

/// One ticket with everything the caller may see of it.
pub async fn get_ticket(app: &App, caller: &Caller, number: &str) -> AppResult<TicketView> {
    let (row, facts) = visible_ticket(app, caller, number).await?;
    let steps = app.store.list_step_records(row.id).await?;
    let comments = app.store.list_comments(row.id).await?;
    let files = app.store.list_evidence(row.id).await?;
    let evidence = privacy::visible_evidence(caller.role, files, &steps, &comments);
    let timeline = steps
        .into_iter()
        .map(|s| timeline_entry(caller.role, s))
        .collect();
    let comments = comments
        .into_iter()
        .filter(|c| privacy::comment_visible(caller.role, c.visibility))
        .map(comment_view)
        .collect();
    if sees_reporter(caller.role) {
        // The view carries the reporter's name and contact data.
        privacy::audit_read(
            app,
            Some(caller),
            &row.number,
            "read_reporter_data",
            json!({}),
        )
        .await?;
    }
    let state = facts.state;
    Ok(TicketView {
        number: row.number.clone(),
        state,
        state_label: state.label_id().to_owned(),
        sop_step: state.sop_step(),
        channel: row.channel,
        criticality: row.criticality,
        blocked: row.blocked,
        valid: row.valid,
        round: row.round,
        tlp: row.tlp,
        agency: row
            .agency_id
            .zip(row.agency_code.clone())
            .map(|(id, code)| AgencyRef {
                id,
                code,
                name: row.agency_name.clone().unwrap_or_default(),
            }),
        system: row
            .system_id
            .zip(row.system_name.clone())
            .map(|(id, name)| SystemRef {
                id,
                name,
                iiv: row.system_iiv,
                category: row.system_category.clone(),
            }),
        duplicate_of: row.duplicate_of.clone(),
        assignee: row.assignee_email.clone(),
        deadline: deadline(row.state_entered_at, row.due_at, millis(app.now())),
        allowed_actions: allowed_actions(&caller.actor(), &facts),
        report: report_view(&row, caller),
        timeline,
        comments,
        evidence,
        documents: crate::documents::list_for_ticket(app, caller.role, row.id).await?,
        personal_data: crate::workflow::personal_data::view_of(app, row.id).await?,
        sectoral_report: crate::workflow::sectoral_report::view_of(app, row.id).await?,
        retention: crate::workflow::legal_hold::view_of(app, row.id).await?,
        reporter_requests: reporter_requests(app, caller, row.id).await?,
        created_at: from_millis(row.created_at),
        updated_at: from_millis(row.updated_at),
        closed_at: row.closed_at.map(from_millis),
    })
}

/// An evidence image of a ticket the caller may see, re-encoded to be shown (see
/// [`crate::evidence::reencode`]): its metadata and the PNG, or `None` when the image does
/// not decode within the limits. A file that is not an image has no preview (404). Either
/// way the file stays a download. Every preview is audited.
pub async fn evidence_preview(
    app: &App,
    caller: &Caller,
    number: &str,
    id: i64,
) -> AppResult<(EvidenceView, Option<Vec<u8>>)> {
    let (meta, ticket) = visible_evidence_file(app, caller, number, id).await?;
    if !meta.media_type.starts_with("image/") {
        return Err(AppError::NotFound("preview".to_owned()));
    }
    audit_evidence_read(app, caller, &ticket, &meta, true).await?;
    let bytes = crate::evidence::read(&app.blobs, &meta.sha256).await?;
    // Decoding is CPU work: on a blocking thread, within the render slots.
    let _slot = app
        .rules
        .render_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let png = tokio::task::spawn_blocking(move || {
        crate::evidence::reencode(&bytes, crate::evidence::PREVIEW_SIDE)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match png {
        Ok(png) => Ok((meta, Some(png))),
        Err(why) => {
            tracing::info!(ticket = number, evidence = id, %why, "no preview");
            Ok((meta, None))
        }
    }
}

/// The bytes of an evidence download: the stored file, read a piece at a time (a large
/// video is never held whole), or a copy made without its author's metadata.
#[derive(Debug)]
pub enum EvidenceBody {
    Stored(sigap_store::BlobRead),
    Copy(Vec<u8>),
}

/// An evidence file of a ticket the caller may see: its metadata and bytes. Every download
/// is audited. Readers who never learn who reported (system owners, the Regional
/// Secretary) get images without their EXIF, XMP and text metadata ([`crate::evidence::metadata`]).
pub async fn evidence_file(
    app: &App,
    caller: &Caller,
    number: &str,
    id: i64,
) -> AppResult<(EvidenceView, EvidenceBody)> {
    let (meta, ticket) = visible_evidence_file(app, caller, number, id).await?;
    audit_evidence_read(app, caller, &ticket, &meta, false).await?;
    if sees_reporter(caller.role) || !crate::evidence::metadata::alters(&meta.media_type) {
        let stored = app
            .blobs
            .open_read(&meta.sha256)
            .await?
            .ok_or_else(|| AppError::NotFound("evidence file".to_owned()))?;
        return Ok((meta, EvidenceBody::Stored(stored)));
    }
    let bytes = crate::evidence::read(&app.blobs, &meta.sha256).await?;
    let stripped = crate::evidence::metadata::strip(&meta.media_type, &bytes).ok_or_else(|| {
        AppError::NotFound("a copy of this file without its author's metadata".to_owned())
    })?;
    Ok((meta, EvidenceBody::Copy(stripped)))
}

/// The metadata of an evidence file the caller may see (as the ticket view lists it for
/// them) and its ticket's number; any other file is not found.
async fn visible_evidence_file(
    app: &App,
    caller: &Caller,
    number: &str,
    id: i64,
) -> AppResult<(EvidenceView, String)> {
    let (row, _) = visible_ticket(app, caller, number).await?;
    let files = app.store.list_evidence(row.id).await?;
    let steps = app.store.list_step_records(row.id).await?;
    let comments = app.store.list_comments(row.id).await?;
    let file = privacy::visible_evidence(caller.role, files, &steps, &comments)
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| AppError::NotFound("evidence file".to_owned()))?;
    if file.destroyed_at.is_some() {
        return Err(AppError::NotFound(
            "evidence file: destroyed at the end of its retention period".to_owned(),
        ));
    }
    Ok((file, row.number))
}

async fn audit_evidence_read(
    app: &App,
    caller: &Caller,
    number: &str,
    file: &EvidenceView,
    preview: bool,
) -> AppResult<()> {
    let details = json!({"evidence": file.id, "sha256": file.sha256, "preview": preview});
    privacy::audit_read(app, Some(caller), number, "read_evidence", details).await
}

/// The reporter's requests on ticket `ticket_id`, for those who may know the reporter.
async fn reporter_requests(
    app: &App,
    caller: &Caller,
    ticket_id: i64,
) -> AppResult<Vec<crate::views::ReporterRequestView>> {
    if !sigap_core::sees_reporter(caller.role) {
        return Ok(Vec::new());
    }
    Ok(app
        .store
        .list_reporter_requests(ticket_id)
        .await?
        .into_iter()
        .map(|r| crate::views::ReporterRequestView {
            kind_label: r
                .kind
                .parse::<sigap_core::rights::RightsRequest>()
                .map_or_else(|_| r.kind.clone(), |k| k.label_id().to_owned()),
            kind: r.kind,
            requested_at: crate::from_millis(r.requested_at),
            applied_at: r.applied_at.map(crate::from_millis),
        })
        .collect())
}
