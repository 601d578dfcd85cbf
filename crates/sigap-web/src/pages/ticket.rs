//! One ticket for staff in scope (`/tickets/{ticket_number}`): where it stands in the ten
//! SOP steps (the swim-lane diagram of `swimlane`, with the current step's deadline counted
//! down; a system owner also sees the remediation deadline at the top), the report, the records of every step and round, evidence as downloads,
//! comments by visibility, and one form per allowed action posting to
//! `actions::perform_action`. A refused action re-renders the page with the message in
//! that action's form and each field error next to its field. Evidence is served only as
//! an attachment of type `application/octet-stream`, never inline.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use sigap_app::AppError;
use sigap_app::exports;
use sigap_app::identity::login::Session;
use sigap_app::views::{CommentView, TicketView, TimelineEntry};
use sigap_app::workflow::tickets;
use sigap_core::{Action, FieldError, Role, State as TicketState, Visibility};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, Source};
use crate::pages::countdown::{Countdown, countdown};
use crate::pages::csrf::staff_form;
use crate::pages::meetings::MeetingsSection;
use crate::pages::session::StaffSession;
use crate::pages::swimlane::{self, SwimlaneView};
use crate::pages::ticket_forms::{ActionForm, action_forms, complete, fill_reply, summary_score};
use crate::pages::{Layout, OrPage, PageError, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/{ticket_number}", get(show_ticket))
        .route(
            "/tickets/{ticket_number}/actions/{action}",
            post(perform_action),
        )
        .route(
            "/tickets/{ticket_number}/evidence/{id}",
            get(download_evidence),
        )
        .route(
            "/tickets/{ticket_number}/evidence/{id}/preview",
            get(preview_evidence),
        )
        .route(
            "/tickets/{ticket_number}/export/{format}",
            get(export_ticket),
        )
}

/// A step done, ready to show.
struct TimelineView {
    at: String,
    /// `at` for machines (the `datetime` of its `<time>`).
    at_iso: String,
    action: String,
    from_state: String,
    to_state: String,
    round: i64,
    actor: String,
    overdue: bool,
    records: Vec<(String, String)>,
}

struct CommentGroup {
    heading: String,
    comments: Vec<CommentView>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    ticket: TicketView,
    swimlane: SwimlaneView,
    /// The current step's deadline, counted down from now.
    deadline: Option<Countdown>,
    /// The remediation deadline, shown to the agency's system owner while it is theirs.
    remediation: Option<Countdown>,
    timeline: Vec<TimelineView>,
    comments: CommentsPage,
    forms: Vec<ActionForm>,
    /// The CVSS score of the summary, and a note on the reporter's (`summary_score`).
    score: Option<(String, Option<String>)>,
    /// The "Rapat" section: the ticket's meetings and the schedule form.
    meetings: MeetingsSection,
    /// The section on UU PDP Pasal 46.
    pdp: crate::pages::personal_data::PdpSection,
    /// The section on the report to the sectoral CSIRT.
    sectoral: crate::pages::sectoral_report::SectoralSection,
    /// The section on retention and the legal hold.
    retention: crate::pages::retention::RetentionSection,
    /// The documents the viewer may sign from sigap, and whether BSrE signs.
    signing: (Vec<i64>, bool),
    notice: Option<String>,
}

impl TicketPage {
    /// Whether the viewer may sign document `id` from sigap ("Tandatangani").
    fn may_sign(&self, id: &i64) -> bool {
        self.signing.0.contains(id)
    }
}

/// A step's records as label/value pairs (nested objects flattened as `a.b`), the names of
/// the SOP's vocabularies in words. The action itself is already the entry's heading.
/// Records kept for the adapter's undo and the proof files, left off the page.
const ADAPTER_DETAIL: &[&str] = &["adapter_record", "baseline", "proof", "probes"];

fn flatten_records(
    lang: PageLang,
    action: &str,
    prefix: &str,
    value: &Value,
    out: &mut Vec<(String, String)>,
) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, value) in map {
        let name = format!("{prefix}{key}");
        // What a blocking adapter changed and its raw captures are for the evidence files
        // and the block record, not for the page.
        if prefix.is_empty() && ADAPTER_DETAIL.contains(&key.as_str()) {
            continue;
        }
        if let Value::Object(_) = value {
            flatten_records(lang, action, &format!("{name}."), value, out);
            continue;
        }
        let text = record_text(lang, &name, value);
        if name == "action" || text.is_empty() {
            continue;
        }
        out.push((record_label(lang, action, &name), text));
    }
}

/// The label of a record: the form field's, else a general one, else its name.
fn record_label(lang: PageLang, action: &str, name: &str) -> String {
    [format!("field.{action}.{name}"), format!("record.{name}")]
        .iter()
        .map(|key| (lang.t(key), key))
        .find(|(label, key)| label != key.as_str())
        .map(|(label, _)| label.into_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// One recorded value as people read it.
fn record_text(lang: PageLang, name: &str, value: &Value) -> String {
    let word = |text: &str| match name {
        "method" => lang.validation_method(text),
        "criticality" => lang.criticality(text),
        "recommendation" => lang.recommendation(text),
        "visibility" => lang.visibility(text),
        "documents" => lang.document(text),
        "cvss.band" => lang.cvss_band(text),
        _ => text.to_owned(),
    };
    match value {
        Value::Null | Value::Object(_) => String::new(),
        Value::Bool(true) => lang.t("common.yes").into_owned(),
        Value::Bool(false) => lang.t("common.no").into_owned(),
        Value::String(s) => word(s),
        // Decimals as the language writes them ("9,8"); whole numbers as they are.
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (None, Some(x)) => lang.decimal(x),
            _ => n.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(word).unwrap_or_else(|| i.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn timeline_view(lang: PageLang, entry: &TimelineEntry) -> TimelineView {
    let mut records = Vec::new();
    flatten_records(
        lang,
        entry.action.as_str(),
        "",
        &entry.records,
        &mut records,
    );
    TimelineView {
        at: lang.wib(&entry.at),
        at_iso: entry.at.to_rfc3339(),
        action: lang.label(entry.action).to_owned(),
        from_state: lang.label(entry.from_state).to_owned(),
        to_state: lang.label(entry.to_state).to_owned(),
        round: entry.round,
        actor: match &entry.actor_name {
            Some(name) => format!("{name} ({})", lang.role(entry.actor_role)),
            None => lang.role(entry.actor_role).to_owned(),
        },
        overdue: entry.overdue,
        records,
    }
}

/// Comments shown on one page of a ticket's thread: a long thread is paged, so that the
/// page stays a size a browser renders at once.
const COMMENTS_PER_PAGE: usize = 50;

/// One page of the thread, oldest first; page 1 holds the oldest comments.
struct CommentsPage {
    groups: Vec<CommentGroup>,
    page: usize,
    pages: usize,
    /// "Halaman 2 dari 3".
    label: String,
}

/// Page `requested` of `comments` (the newest page when none or out of range is asked).
fn comments_page(
    lang: PageLang,
    comments: &[CommentView],
    requested: Option<usize>,
) -> CommentsPage {
    let pages = comments.len().div_ceil(COMMENTS_PER_PAGE).max(1);
    let page = requested
        .filter(|p| (1..=pages).contains(p))
        .unwrap_or(pages);
    let start = (page - 1) * COMMENTS_PER_PAGE;
    let end = (start + COMMENTS_PER_PAGE).min(comments.len());
    CommentsPage {
        groups: comment_groups(lang, &comments[start..end]),
        page,
        pages,
        label: lang.tf(
            "ticket.comments_page",
            &[("page", page.to_string()), ("pages", pages.to_string())],
        ),
    }
}

fn comment_groups(lang: PageLang, comments: &[CommentView]) -> Vec<CommentGroup> {
    Visibility::ALL
        .iter()
        .map(|v| CommentGroup {
            heading: lang.label(v).to_owned(),
            comments: comments
                .iter()
                .filter(|c| c.visibility == *v)
                .cloned()
                .collect(),
        })
        .filter(|g| !g.comments.is_empty())
        .collect()
}

/// The remediation deadline for the agency's system owner, while the step is theirs.
fn remediation_countdown(
    session: &Session,
    ticket: &TicketView,
    deadline: Option<&Countdown>,
) -> Option<Countdown> {
    let owner = session.caller.role == Role::SystemOwner;
    let remediating = ticket.state == TicketState::Remediating;
    deadline.filter(|_| owner && remediating).cloned()
}

fn ticket_page(
    lang: PageLang,
    session: &Session,
    ticket: TicketView,
    meetings: MeetingsSection,
    notice: Option<String>,
    now: DateTime<Utc>,
    comments: Option<usize>,
) -> TicketPage {
    let path = format!("/tickets/{}", ticket.number);
    let title = format!("{} — {}", ticket.number, ticket.report.title);
    let deadline = ticket
        .deadline
        .as_ref()
        .map(|d| countdown(lang, now, d.due_at));
    TicketPage {
        layout: Layout::staff(lang, &path, title, session),
        lang,
        csrf_token: session.csrf_token.clone(),
        swimlane: swimlane::view(lang, &ticket, now),
        remediation: remediation_countdown(session, &ticket, deadline.as_ref()),
        deadline,
        timeline: ticket
            .timeline
            .iter()
            .map(|e| timeline_view(lang, e))
            .collect(),
        comments: comments_page(lang, &ticket.comments, comments),
        forms: action_forms(lang, session, &ticket),
        score: summary_score(lang, &ticket),
        pdp: crate::pages::personal_data::section(lang, session, &ticket, now),
        sectoral: crate::pages::sectoral_report::section(lang, session, &ticket, now),
        retention: crate::pages::retention::section(session, &ticket),
        signing: (Vec::new(), false),
        meetings,
        notice,
        ticket,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    done: Option<String>,
    /// `true` right after the ticket was entered on "Buat tiket".
    #[serde(default)]
    entered: bool,
    /// Set (`signed=1`) right after a signed copy was kept (signed from sigap or uploaded).
    signed: Option<String>,
    /// The page of the comments (1: the oldest); the newest when absent.
    comments: Option<usize>,
    /// A canned reply to fill the comment form with (`received`, …).
    reply: Option<String>,
}

async fn show_ticket(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let ticket = tickets::get_ticket(&state.app, &session.caller, &number)
        .await
        .or_page(&layout)?;
    sigap_app::workflow::queue::mark_seen(&state.app, &session.caller, &ticket.number)
        .await
        .or_page(&layout)?;
    let notice = query
        .done
        .and_then(|a| a.parse::<Action>().ok())
        .map(|a| lang.tf("ticket.done", &[("action", lang.label(a).to_owned())]))
        .or_else(|| query.entered.then(|| lang.t("ticket.entered").into_owned()))
        .or_else(|| {
            query
                .signed
                .map(|_| lang.t("documents.signed.saved").into_owned())
        });
    let meetings = crate::pages::meetings::section(&state, lang, &session.caller, &ticket).await;
    let now = state.app.now();
    let mut page = ticket_page(
        lang,
        &session,
        ticket,
        meetings,
        notice,
        now,
        query.comments,
    );
    complete(&state, lang, &session, &page.ticket, &mut page.forms)
        .await
        .or_page(&layout)?;
    let documents: Vec<i64> = page.ticket.documents.iter().map(|d| d.id).collect();
    page.signing =
        sigap_app::documents::signing::apply::signable(&state.app, &session.caller, &documents)
            .await
            .or_page(&layout)?;
    crate::pages::personal_data::fill_drafts(&state, &session, &page.ticket, &mut page.pdp)
        .await
        .or_page(&layout)?;
    if let Some(kind) = query.reply.and_then(|k| k.parse().ok()) {
        fill_reply(&state, &session, &number, kind, &mut page.forms)
            .await
            .or_page(&layout)?;
    }
    Ok(render(StatusCode::OK, &page))
}

/// The layout of a ticket's pages.
pub(crate) fn ticket_layout(lang: PageLang, session: &Session) -> Layout {
    Layout::staff(
        lang,
        "/tickets",
        lang.t("ticket.title").into_owned(),
        session,
    )
}

async fn perform_action(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path((number, action)): Path<(String, String)>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let caller = &session.caller;
    let app = &state.app;
    let result = sigap_app::workflow::actions::perform_action(
        app,
        caller,
        &number,
        &action,
        &body.fields,
        &body.files,
        source.0,
    )
    .await;
    match result {
        Ok(ticket) => {
            Ok(Redirect::to(&format!("/tickets/{}?done={action}", ticket.number)).into_response())
        }
        Err(e @ (AppError::NotFound(_) | AppError::Unauthorized | AppError::Internal(_))) => {
            Err(e).or_page(&layout)
        }
        Err(e) => refused_action(&state, lang, &session, &number, &action, &body.fields, e).await,
    }
}

/// The ticket page again, with the refusal in the action's form and the user's input kept.
pub(crate) async fn refused_action(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    number: &str,
    action: &str,
    fields: &Value,
    error: AppError,
) -> PageResult {
    let layout = ticket_layout(lang, session);
    let ticket = tickets::get_ticket(&state.app, &session.caller, number)
        .await
        .or_page(&layout)?;
    let field_errors: Vec<FieldError> = match &error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| crate::pages::forms::localized_error(lang, action, e))
            .collect(),
        _ => Vec::new(),
    };
    let problem = ApiError::from(error);
    let status = problem.status;
    let meetings = crate::pages::meetings::section(state, lang, &session.caller, &ticket).await;
    let mut page = ticket_page(lang, session, ticket, meetings, None, state.app.now(), None);
    complete(state, lang, session, &page.ticket, &mut page.forms)
        .await
        .or_page(&layout)?;
    let headline = lang.t(&format!("ticket.refused.{}", status.as_u16()));
    let message = match page.forms.iter_mut().find(|f| f.action == action) {
        Some(form) => {
            form.refused(fields, &field_errors, &headline, &problem.detail);
            None
        }
        None => Some(format!("{headline} {}", problem.detail)),
    };
    if let Some(message) = message {
        // The action is not offered now (e.g. the ticket moved on): an error page says so.
        return Err(PageError::status(&page.layout, status, Some(message)));
    }
    Ok(render(status, &page))
}

async fn download_evidence(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((number, id)): Path<(String, String)>,
) -> PageResult {
    let caller = &session.caller;
    evidence_response(lang, &session, &id, |id| async move {
        let (meta, body) = tickets::evidence_file(&state.app, caller, &number, id).await?;
        Ok(crate::download::evidence(&meta.name, &meta.sha256, body))
    })
    .await
}

/// The ticket for partners (`stix` or `misp`), as `GET /api/v1/tickets/{n}/export/…`.
async fn export_ticket(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path((number, format)): Path<(String, String)>,
) -> PageResult {
    let title = lang.t("queue.title").into_owned();
    let layout = Layout::staff(lang, "/tickets", title, &session);
    let format = exports::Format::named(&format).or_page(&layout)?;
    let export = exports::ticket(&state.app, &session.caller, &number, format, source.0)
        .await
        .or_page(&layout)?;
    Ok(crate::download::attachment(
        &export.name,
        export.media_type,
        &export.sha256,
        export.bytes,
    ))
}

/// An evidence image, re-encoded, to be shown on the ticket page.
async fn preview_evidence(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((number, id)): Path<(String, String)>,
) -> PageResult {
    let caller = &session.caller;
    evidence_response(lang, &session, &id, |id| async move {
        let (_, png) = tickets::evidence_preview(&state.app, caller, &number, id).await?;
        // An image that does not decode is shown as the placeholder, not a broken image.
        let png = png.unwrap_or_else(|| sigap_app::evidence::placeholder_png().to_vec());
        Ok(crate::download::preview(png))
    })
    .await
}

/// The answer of an evidence route: `respond` with the file's id, or the error page (404
/// for an id that is not a number).
async fn evidence_response<F, Fut>(
    lang: PageLang,
    session: &Session,
    id: &str,
    respond: F,
) -> PageResult
where
    F: FnOnce(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Response, AppError>>,
{
    let layout = ticket_layout(lang, session);
    let Ok(id) = id.parse::<i64>() else {
        return Err(PageError::status(&layout, StatusCode::NOT_FOUND, None));
    };
    respond(id).await.or_page(&layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapter_details_stay_off_the_page() {
        let mut out = Vec::new();
        let records = serde_json::json!({
            "method": "webhook",
            "adapter_record": {"adapter": "webhook", "change": {"url": "http://x/hook"}},
            "baseline": {"http": {"status": 200}},
            "probes": [{"check": "DNS"}],
            "unblock_seconds": 42
        });
        flatten_records(PageLang::Id, "unblock", "", &records, &mut out);
        assert!(
            out.iter().all(|(_, v)| !v.contains("http://x/hook")),
            "{out:?}"
        );
        assert!(
            out.iter()
                .any(|(label, v)| label.starts_with("Detik sejak") && v == "42"),
            "{out:?}"
        );
    }

    #[test]
    fn records_flatten_with_labels_and_plain_values() {
        let mut out = Vec::new();
        let records = serde_json::json!({
            "valid": true,
            "findings": "ok",
            "meeting": {"place": "Ruang rapat", "attendees": ["A", "B"]},
            "system": null
        });
        flatten_records(PageLang::Id, "validate", "", &records, &mut out);
        assert!(
            out.contains(&("Tempat rapat".to_owned(), "Ruang rapat".to_owned())),
            "{out:?}"
        );
        assert!(out.iter().any(|(_, v)| v == "A, B"));
        assert!(out.iter().any(|(_, v)| v == "Ya"));
        assert_eq!(out.len(), 4);
        let mut out = Vec::new();
        let records =
            serde_json::json!({"action": "assess", "criticality": "low", "attendees": []});
        flatten_records(PageLang::Id, "assess", "", &records, &mut out);
        assert_eq!(
            out,
            [("Tingkat kekritisan".to_owned(), "Rendah".to_owned())]
        );
    }
}
