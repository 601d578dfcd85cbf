//! "Kotak masuk" (`/inbox`): the mail to the CSIRT that waits for the help desk, newest
//! first, and one message (`/inbox/{id}`) as the desk works it: the sender and what the mail
//! server found of SPF, DKIM and DMARC, the text (never HTML: the text part, or the HTML
//! part turned into text, shown as text), the attachments (those refused say why), the
//! message as it arrived to download, and the two decisions. "Terima sebagai laporan"
//! is the report form filled with what the mail gave (its template fields, its sender, its
//! subject), with the accepted attachments to take as evidence; it opens the ticket through
//! `inbox::desk::accept` and lands on it. "Buang" asks why (spam, out of scope, a duplicate
//! of a named ticket). "Lampirkan ke tiket" attaches it to the ticket it names (or another)
//! as a message of the reporter, a comment of the agency or an internal note. What was
//! found of OpenPGP is said in words (decrypted or not, the signature's verdict and whose
//! key). Auditors and admins read; other roles are refused (403).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde_json::{Map, Value};
use sigap_app::AppError;
use sigap_app::inbox::InboxItem;
use sigap_app::inbox::attach::{self, AttachRequest};
use sigap_app::inbox::desk::{self, AcceptRequest, DiscardRequest, Show};
use sigap_app::inbox::pgp::PgpResult;
use sigap_core::{FieldError, Role};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, Source};
use crate::pages::csrf::staff_form;
use crate::pages::enter_report::report_errors;
use crate::pages::public::{FieldGroup, report_fields};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/{id}", get(show_item))
        .route("/inbox/{id}/raw", get(raw))
        .route("/inbox/{id}/accept", post(accept))
        .route("/inbox/{id}/discard", post(discard))
        .route("/inbox/{id}/attach", post(attach))
}

/// The roles that decide on received mail.
const DECIDES: &[Role] = &[Role::Helpdesk, Role::Csirt];

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    lang: PageLang,
    items: Vec<InboxItem>,
    all: bool,
    /// "Message 3 was discarded", after a discard.
    discarded: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    show: Option<String>,
    discarded: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let title = lang.t("inbox.title").into_owned();
    let layout = Layout::staff(lang, "/inbox", title, &session);
    let all = query.show.as_deref() == Some("all");
    let show = if all { Show::All } else { Show::Waiting };
    let items = desk::list(&state.app, &session.caller, show, None, source.0)
        .await
        .or_page(&layout)?;
    let page = InboxPage {
        layout,
        lang,
        items,
        all,
        discarded: query
            .discarded
            .map(|id| lang.tf("inbox.discarded", &[("id", id.to_string())])),
    };
    Ok(render(StatusCode::OK, &page))
}

/// One attachment as the accept form offers it.
struct FileChoice {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "inbox_item.html")]
struct ItemPage {
    layout: Layout,
    lang: PageLang,
    mail: InboxItem,
    csrf_token: String,
    decides: bool,
    /// The report form, filled with what the mail gave.
    groups: Vec<FieldGroup>,
    /// The accepted attachments, to take as evidence.
    files: Vec<FileChoice>,
    /// The fields the mail's template filled, named for the desk.
    read_fields: Vec<(String, String)>,
    errors: Vec<String>,
    /// The reasons a message is discarded for, with their labels.
    reasons: Vec<(String, String)>,
    status_label: String,
    reason_label: Option<String>,
    flag_labels: Vec<String>,
    /// What was found of OpenPGP, a sentence each.
    pgp_lines: Vec<String>,
    /// Encrypted and not opened: no text was read.
    sealed: bool,
    /// What a message may be attached to a ticket as, with their labels.
    attach_as: Vec<(String, String)>,
}

fn item_layout(lang: PageLang, id: i64, session: &sigap_app::identity::login::Session) -> Layout {
    let title = lang.tf("inbox.item_title", &[("id", id.to_string())]);
    Layout::staff(lang, &format!("/inbox/{id}"), title, session)
}

/// The fields the accept form starts from: the mail's template fields, its sender, its
/// subject as the title; what the desk sent, when it sent something, over them.
fn start_fields(item: &InboxItem, sent: &Value) -> Value {
    let mut fields: Map<String, Value> = match &item.fields {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields
                .entry(key.to_owned())
                .or_insert_with(|| Value::String(value.to_owned()));
        }
    };
    put("reporter_email", item.from_address.as_deref());
    put("reporter_name", item.from_name.as_deref());
    put("title", Some(&item.subject));
    if let Value::Object(sent) = sent {
        for (k, v) in sent {
            fields.insert(k.clone(), v.clone());
        }
    }
    Value::Object(fields)
}

fn item_page(
    lang: PageLang,
    state: &AppState,
    session: &sigap_app::identity::login::Session,
    item: InboxItem,
    sent: &Value,
) -> ItemPage {
    let fields = start_fields(&item, sent);
    let mut groups = report_fields(lang, state);
    for group in &mut groups {
        // The mail's attachments are chosen below; the form takes no upload.
        group.fields.retain(|f| f.name != "evidence");
        for field in &mut group.fields {
            field.keep(&fields);
        }
    }
    groups.retain(|g| !g.fields.is_empty());
    let files = item
        .attachments
        .iter()
        .filter(|f| f.refused.is_none())
        .map(|f| FileChoice {
            id: f.id,
            label: format!("{} ({} B)", f.name, f.size),
        })
        .collect();
    // What the template gave, in the template's order.
    let read_fields = sigap_app::inbox::template::keys()
        .filter_map(|key| {
            let value = item.fields.get(key)?.as_str()?;
            let label = lang.t(&format!("report.{key}")).into_owned();
            Some((label, value.to_owned()))
        })
        .collect();
    ItemPage {
        layout: item_layout(lang, item.id, session),
        lang,
        csrf_token: session.csrf_token.clone(),
        decides: DECIDES.contains(&session.caller.role) && item.status == "new",
        groups,
        files,
        read_fields,
        errors: Vec::new(),
        reasons: labelled(lang, "inbox.reason", &desk::DISCARD_REASONS),
        status_label: lang
            .t(&format!("inbox.status.{}", item.status))
            .into_owned(),
        reason_label: item
            .discard_reason
            .as_ref()
            .map(|r| lang.t(&format!("inbox.reason.{r}")).into_owned()),
        flag_labels: item
            .flags
            .iter()
            .map(|f| lang.t(&format!("inbox.flag.{f}")).into_owned())
            .collect(),
        pgp_lines: item
            .pgp
            .as_ref()
            .map(|p| pgp_lines(lang, p))
            .unwrap_or_default(),
        sealed: item.pgp.as_ref().is_some_and(|p| p.undecryptable()),
        attach_as: labelled(lang, "inbox.attach_as", &attach::ATTACH_AS),
        mail: item,
    }
}

/// `(value, label)` of each of `values`, the label under `{prefix}.{value}`.
fn labelled(lang: PageLang, prefix: &str, values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| {
            (
                (*v).to_owned(),
                lang.t(&format!("{prefix}.{v}")).into_owned(),
            )
        })
        .collect()
}

/// What was found of OpenPGP, as sentences for the desk.
fn pgp_lines(lang: PageLang, pgp: &PgpResult) -> Vec<String> {
    let mut lines = Vec::new();
    match pgp.encryption.as_str() {
        "decrypted" => lines.push(lang.t("inbox.pgp.decrypted").into_owned()),
        "undecryptable" => lines.push(lang.tf(
            "inbox.pgp.undecryptable",
            &[("why", pgp.error.clone().unwrap_or_default())],
        )),
        _ => {}
    }
    if matches!(pgp.signature.as_str(), "good" | "bad" | "unknown_key") {
        let signer = match (&pgp.signer_user, &pgp.signer) {
            (Some(user), Some(fpr)) => format!("{user}, {fpr}"),
            (None, Some(fpr)) => fpr.clone(),
            (Some(user), None) => user.clone(),
            (None, None) => "—".to_owned(),
        };
        let key = format!("inbox.pgp.{}", pgp.signature);
        lines.push(lang.tf(&key, &[("signer", signer)]));
        if let Some(source) = &pgp.signer_key {
            lines.push(lang.t(&format!("inbox.pgp.key.{source}")).into_owned());
        }
    }
    lines
}

/// The frame of a message's routes: the inbox's layout and the message's id (a path that
/// is no number is a missing message).
fn frame(
    lang: PageLang,
    session: &sigap_app::identity::login::Session,
    id: &str,
) -> Result<(Layout, i64), crate::pages::PageError> {
    let layout = Layout::staff(lang, "/inbox", lang.t("inbox.title").into_owned(), session);
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("message".into()))
        .or_page(&layout)?;
    Ok((layout, id))
}

async fn show_item(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
) -> PageResult {
    let (layout, id) = frame(lang, &session, &id)?;
    let item = desk::show(&state.app, &session.caller, id, source.0)
        .await
        .or_page(&layout)?;
    let page = item_page(lang, &state, &session, item, &Value::Null);
    Ok(render(StatusCode::OK, &page))
}

async fn raw(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
) -> PageResult {
    let (layout, id) = frame(lang, &session, &id)?;
    let raw = desk::raw(&state.app, &session.caller, id, source.0)
        .await
        .or_page(&layout)?;
    Ok(crate::download::attachment(
        &raw.name,
        "message/rfc822",
        &raw.sha256,
        raw.bytes,
    ))
}

async fn accept(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let (layout, id, body) = posted(lang, &session, &id, body)?;
    let caller = &session.caller;
    let accepted = match AcceptRequest::from_fields(&body.fields) {
        Ok(request) => desk::accept(&state.app, caller, id, &request, source.0).await,
        Err(e) => Err(e),
    };
    match accepted {
        Ok(ticket) => Ok(
            Redirect::to(&format!("/tickets/{}?entered=true", ticket.ticket_number))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let item = desk::show(&state.app, caller, id, None)
                .await
                .or_page(&layout)?;
            let page = refused(lang, &state, &session, item, &body.fields, &errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The message again with the desk's input and each error at its field.
fn refused(
    lang: PageLang,
    state: &AppState,
    session: &sigap_app::identity::login::Session,
    item: InboxItem,
    sent: &Value,
    errors: &[FieldError],
) -> ItemPage {
    let mut page = item_page(lang, state, session, item, sent);
    page.errors = report_errors(lang, &mut page.groups, errors);
    page
}

/// What a posted decision starts from: the page frame, the message's id, and the body
/// with its anti-CSRF token checked.
fn posted(
    lang: PageLang,
    session: &sigap_app::identity::login::Session,
    id: &str,
    body: Result<FormBody, ApiError>,
) -> Result<(Layout, i64, FormBody), crate::pages::PageError> {
    let (layout, id) = frame(lang, session, id)?;
    let body = staff_form(session, &layout, body)?;
    Ok((layout, id, body))
}

async fn attach(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let (layout, id, body) = posted(lang, &session, &id, body)?;
    let request: AttachRequest = sigap_core::form::request(&body.fields)
        .map_err(AppError::Invalid)
        .or_page(&layout)?;
    let attached = attach::attach(&state.app, &session.caller, id, &request, source.0).await;
    let to = |item: &InboxItem| match &item.ticket {
        Some(n) => format!("/tickets/{n}"),
        None => format!("/inbox/{}", item.id),
    };
    decided(&state, lang, &session, (layout, id), attached, to).await
}

async fn discard(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let (layout, id, body) = posted(lang, &session, &id, body)?;
    let request: DiscardRequest = sigap_core::form::request(&body.fields)
        .map_err(AppError::Invalid)
        .or_page(&layout)?;
    let discarded = desk::discard(&state.app, &session.caller, id, &request, source.0).await;
    let to = |item: &InboxItem| format!("/inbox?discarded={}", item.id);
    decided(&state, lang, &session, (layout, id), discarded, to).await
}

/// Where a decision lands: the page `to` names for the decided message, or the message
/// again with the errors of its form.
async fn decided(
    state: &AppState,
    lang: PageLang,
    session: &sigap_app::identity::login::Session,
    (layout, id): (Layout, i64),
    result: Result<InboxItem, AppError>,
    to: impl FnOnce(&InboxItem) -> String,
) -> PageResult {
    match result {
        Ok(item) => Ok(Redirect::to(&to(&item)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let item = desk::show(&state.app, &session.caller, id, None)
                .await
                .or_page(&layout)?;
            let mut page = item_page(lang, state, session, item, &Value::Null);
            page.errors = errors.iter().map(|e| e.message.clone()).collect();
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e).or_page(&layout),
    }
}
