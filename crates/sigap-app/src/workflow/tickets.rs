//! Reading tickets as staff: one ticket with its records, and the queue with filters,
//! full-text search and keyset pagination. A system owner sees only their agency's
//! tickets; anything else answers "not found". What each reader may learn of the reporter
//! and of the blocking internals is [`crate::privacy`]'s to say.

use serde::Deserialize;
use serde_json::json;
use sigap_core::{Criticality, Role, State, allowed_actions, sees_reporter};
use sigap_store::{
    NumberMatch, StepRecordRow, TicketFilter, TicketListRow, TicketRow, search_words,
};
use utoipa::IntoParams;

use crate::access::visible_ticket;
use crate::auth::Caller;
use crate::privacy;
use crate::views::*;
use crate::{App, AppError, AppResult, from_millis, millis};

pub(crate) fn deadline(due_at: Option<i64>, now: i64) -> Option<Deadline> {
    due_at.map(|d| Deadline {
        due_at: from_millis(d),
        overdue: now > d,
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
            .map(|(id, name)| SystemRef { id, name }),
        duplicate_of: row.duplicate_of.clone(),
        assignee: row.assignee_email.clone(),
        deadline: deadline(row.due_at, millis(app.now())),
        allowed_actions: allowed_actions(&caller.actor(), &facts),
        report: report_view(&row, caller),
        timeline,
        comments,
        evidence,
        documents: crate::documents::list_for_ticket(app, caller.role, row.id).await?,
        created_at: from_millis(row.created_at),
        updated_at: from_millis(row.updated_at),
        closed_at: row.closed_at.map(from_millis),
    })
}

/// Filters and paging of the queue.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only tickets in this state.
    pub state: Option<String>,
    /// Only tickets of this agency (its code).
    pub agency: Option<String>,
    /// `high` or `low`.
    pub criticality: Option<String>,
    /// `true`: only open tickets past their step's deadline.
    pub overdue: Option<bool>,
    /// Search: a ticket number (`BCSIRT-2026-00005`, or its sequence `00005`/`5`), or words
    /// that each start a word of the title, description, proof of concept or target (never
    /// the reporter's name or contact data).
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
}

/// The queue within the caller's scope, newest first.
pub async fn list_tickets(app: &App, caller: &Caller, q: &ListQuery) -> AppResult<TicketPage> {
    let mut errors = Vec::new();
    let mut filter = TicketFilter {
        limit: q.limit.unwrap_or(20),
        ..TicketFilter::default()
    };
    if !(1..=100).contains(&filter.limit) {
        errors.push(sigap_core::FieldError::new(
            "limit",
            "`limit` is between 1 and 100",
        ));
    }
    if let Some(state) = &q.state {
        match state.parse::<State>() {
            Ok(s) => filter.state = Some(s),
            Err(e) => errors.push(sigap_core::FieldError::new("state", e.to_string())),
        }
    }
    if let Some(c) = &q.criticality {
        match c.parse::<Criticality>() {
            Ok(c) => filter.criticality = Some(c),
            Err(e) => errors.push(sigap_core::FieldError::new("criticality", e.to_string())),
        }
    }
    if let Some(cursor) = &q.cursor {
        match cursor.parse::<i64>() {
            Ok(id) => filter.before_id = Some(id),
            Err(_) => errors.push(sigap_core::FieldError::new(
                "cursor",
                "`cursor` is not one this server gave",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    filter.agency_id = caller.scope();
    if let Some(code) = &q.agency {
        let agency = app.store.find_agency(&code.trim().to_uppercase()).await?;
        let Some(agency) = agency.filter(|a| filter.agency_id.is_none_or(|own| own == a.id)) else {
            return Ok(TicketPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        filter.agency_id = Some(agency.id);
    }
    let now = millis(app.now());
    if q.overdue == Some(true) {
        filter.overdue_at = Some(now);
    }
    let rows = search(app, filter.clone(), q.q.as_deref()).await?;
    let next_cursor = (rows.len() as i64 == filter.limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| summary(r, now))
        .collect::<AppResult<_>>()?;
    Ok(TicketPage { items, next_cursor })
}

/// The queue's rows for the search `query` within `filter`: the ticket it numbers and the
/// tickets its words find, newest first, at most `filter.limit`.
async fn search(
    app: &App,
    filter: TicketFilter,
    query: Option<&str>,
) -> AppResult<Vec<TicketListRow>> {
    let query = query.map(str::trim).unwrap_or("");
    let words = search_words(query);
    if words.is_empty() {
        return Ok(app.store.list_tickets(&filter).await?);
    }
    let number = number_match(query);
    // A whole number is an exact match only; a sequence alone is also a word's start.
    let exact = matches!(number, Some(NumberMatch::Exact(_)));
    let mut searches = Vec::new();
    if let Some(number) = number {
        searches.push(TicketFilter {
            number: Some(number),
            ..filter.clone()
        });
    }
    if !exact {
        searches.push(TicketFilter {
            words,
            ..filter.clone()
        });
    }
    let mut rows: Vec<TicketListRow> = Vec::new();
    for search in &searches {
        rows.extend(app.store.list_tickets(search).await?);
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    rows.dedup_by_key(|r| r.id);
    rows.truncate(usize::try_from(filter.limit).unwrap_or(20));
    Ok(rows)
}

/// The ticket number a search names: a whole number (`bcsirt-2026-00005`, any case), or a
/// sequence number alone (`00005`, `5`).
fn number_match(query: &str) -> Option<NumberMatch> {
    // `prefix-year-seq`, the sequence with or without its zeros.
    let parts: Vec<&str> = query.split('-').collect();
    if let [prefix, year, seq] = parts.as_slice() {
        let digits = |t: &str, most: usize| {
            !t.is_empty() && t.len() <= most && t.bytes().all(|b| b.is_ascii_digit())
        };
        let prefix_ok = sigap_core::TicketNumber::check_prefix(&prefix.to_uppercase()).is_ok();
        if prefix_ok && year.len() == 4 && digits(year, 4) && digits(seq, 9) {
            let (year, seq) = (year.parse().ok()?, seq.parse().ok()?);
            let number = sigap_core::TicketNumber::new(prefix, year, seq);
            return Some(NumberMatch::Exact(number.to_string()));
        }
    }
    let digits = query.len() <= 9 && !query.is_empty() && query.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| query.parse::<i64>().ok())
        .flatten()
        .filter(|n| *n > 0)
        .map(NumberMatch::Sequence)
}

pub(crate) fn summary(r: TicketListRow, now: i64) -> AppResult<TicketSummary> {
    let state = r.state;
    Ok(TicketSummary {
        number: r.number,
        state,
        state_label: state.label_id().to_owned(),
        title: r.title,
        severity: r.severity,
        criticality: r.criticality,
        blocked: r.blocked,
        agency: r.agency_code,
        system: r.system_name,
        target_host: r.target_host,
        deadline: deadline(r.due_at, now),
        created_at: from_millis(r.created_at),
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

/// An evidence file of a ticket the caller may see: its metadata and bytes. Every download
/// is audited. Readers who never learn who reported (system owners, the Regional
/// Secretary) get images without their EXIF, XMP and text metadata ([`crate::evidence::metadata`]).
pub async fn evidence_file(
    app: &App,
    caller: &Caller,
    number: &str,
    id: i64,
) -> AppResult<(EvidenceView, Vec<u8>)> {
    let (meta, ticket) = visible_evidence_file(app, caller, number, id).await?;
    audit_evidence_read(app, caller, &ticket, &meta, false).await?;
    let bytes = crate::evidence::read(&app.blobs, &meta.sha256).await?;
    if sees_reporter(caller.role) {
        return Ok((meta, bytes));
    }
    let stripped = crate::evidence::metadata::strip(&meta.media_type, &bytes).ok_or_else(|| {
        AppError::NotFound("a copy of this file without its author's metadata".to_owned())
    })?;
    Ok((meta, stripped))
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
