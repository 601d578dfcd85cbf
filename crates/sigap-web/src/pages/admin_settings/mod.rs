//! The settings page (`/admin/settings`): the rules of the procedure, the deadline of each
//! step, the holidays of the working calendar, and the official documents' letterhead,
//! signers, number patterns and copies. Auditors read it; admins also change, on the page,
//! the approval threshold and its window, the holidays, the letterhead and each kind of
//! document (`sigap_app::admin::overrides`). Those changes apply to every instance from the next
//! step on; each section can be put back to the value read at start. The other settings
//! name the environment variable (or file) that sets them, read once at start.
//!
//! Forms post `application/x-www-form-urlencoded` (the letterhead form is multipart, for
//! the logo) with the session's anti-CSRF token. Text areas are read one item a line: a
//! holiday is `YYYY-MM-DD name`, a signer `position | name | rank | NIP`. A refusal shows
//! the page again with the input kept and each error next to its field.

mod law;
mod profile;
mod rows;
mod sections;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde_json::{Map, Value};
use sigap_app::AppError;
use sigap_app::admin::overrides::{
    self, ApprovalRequest, DocumentKindRequest, Effective, HolidayRequest, HolidaysRequest,
    LetterheadRequest, Section, SignerRequest,
};
use sigap_app::documents::config::DocumentConfig;
use sigap_app::identity::login::Session;
use sigap_core::{DocumentKind, FieldError, Given, Lenient, Role};
use sigap_naskah::Signer;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::admin::{Done, PostedForm, admin_field, admin_layout};
use crate::pages::csrf::{CSRF_FIELD, tokens_match};
use crate::pages::forms::FormField;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrForm, OrPage, PageError, PageLang, PageResult, csrf_refused, render};

use rows::*;
use sections::{Forms, Refused};

pub(crate) use rows::span;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/settings", get(show_settings))
        .route("/admin/settings/approval", post(set_approval))
        .route("/admin/settings/holidays", post(set_holidays))
        .route("/admin/settings/letterhead", post(set_letterhead))
        .route("/admin/settings/documents/{kind}", post(set_document_kind))
        .route("/admin/settings/replies", post(set_replies))
        .route("/admin/settings/law", post(law::set_law))
        .route("/admin/settings/profile", post(profile::set_profile))
        .route("/admin/settings/reset/{section}", post(reset))
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    layout: Layout,
    lang: PageLang,
    notice: Option<String>,
    csrf_token: String,
    /// Whether the forms are shown (admins).
    editable: bool,
    /// The forms of the sections, each with its refusal when it was the one sent.
    forms: Forms,
    rules: Vec<SettingRow>,
    approval: SectionState,
    deadlines: Vec<SettingRow>,
    holidays: Vec<HolidayRow>,
    holidays_state: SectionState,
    documents_state: SectionState,
    place: String,
    letterhead: Vec<String>,
    address: String,
    logo: bool,
    documents: Vec<DocumentRow>,
    /// The kinds issued as drafts: no signer is configured for them.
    drafts: Vec<String>,
    /// Whether documents print links (the public URL does not name this machine).
    public_url_set: bool,
    replies_state: SectionState,
    law: Vec<law::LawRow>,
    law_state: SectionState,
    profile: profile::ProfileState,
}

/// A signer as the form's line: `position | name | rank | NIP | user`, the empty tail left
/// out (`user`: the e-mail of the sigap user who signs from sigap).
fn signer_line(signer: &Signer) -> String {
    let mut parts = vec![signer.position.clone(), signer.name.clone()];
    if let Some(user) = &signer.user {
        parts.push(signer.rank.clone().unwrap_or_default());
        parts.push(signer.nip.clone().unwrap_or_default());
        parts.push(user.clone());
        return parts.join(" | ");
    }
    match (&signer.rank, &signer.nip) {
        (rank, Some(nip)) => {
            parts.push(rank.clone().unwrap_or_default());
            parts.push(nip.clone());
        }
        (Some(rank), None) => parts.push(rank.clone()),
        (None, None) => {}
    }
    parts.join(" | ")
}

/// A form line `position | name | rank | NIP | user` as the signer the use case reads.
fn signer_request(line: &str) -> SignerRequest {
    let mut parts = line.split('|').map(str::trim);
    let mut next = || Given::from(parts.next().unwrap_or(""));
    let (position, name, rank, nip, user) = (next(), next(), next(), next(), next());
    SignerRequest {
        position,
        name,
        rank,
        nip,
        user,
    }
}

/// The non-empty lines of a text area.
fn lines_of(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

fn approval_fields(lang: PageLang, effective: &Effective) -> Vec<FormField> {
    let rules = &effective.policy;
    let window = rules
        .approval_window_days
        .map(|d| d.to_string())
        .unwrap_or_default();
    vec![
        admin_field(lang, "approval", "threshold", "number")
            .required()
            .with_value(&rules.approval_threshold.to_string()),
        admin_field(lang, "approval", "window_days", "number").with_value(&window),
    ]
}

/// The canned replies, one text area per kind and language (read-only for auditors).
fn reply_fields(lang: PageLang, effective: &Effective, editable: bool) -> Vec<FormField> {
    let mut fields = Vec::new();
    for reply in &effective.replies {
        for (code, text) in [("id", &reply.id), ("en", &reply.en)] {
            let name = format!("{}.{code}", reply.kind.as_str());
            let mut field = admin_field(lang, "replies", &name, "textarea").with_value(text);
            field.label = lang.tf(
                &format!("admin.replies.{code}"),
                &[("reply", lang.label(reply.kind).to_owned())],
            );
            field.hint = None;
            if editable {
                field = field.required();
            }
            fields.push(field);
        }
    }
    fields
}

async fn set_replies(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let replies = sigap_core::replies::ReplyKind::ALL
        .iter()
        .map(|kind| sigap_core::replies::ReplyRequest {
            kind: Given(Value::String(kind.as_str().to_owned())),
            id: posted.text(&format!("{kind}.id")).into(),
            en: posted.text(&format!("{kind}.en")).into(),
        })
        .collect();
    let request = sigap_core::replies::RepliesRequest {
        replies: Lenient::Fits(replies),
    };
    let body = Value::Object(posted.fields);
    let result = sigap_app::admin::replies::set_replies(&state.app, &session.caller, &request)
        .await
        .map(drop);
    answer(&state, lang, &session, result, |errors| {
        // The check names `replies.fixed.id`; the form's field is `fixed.id`.
        let errors = errors
            .into_iter()
            .map(|e| {
                let field = e.field.trim_start_matches("replies.").to_owned();
                FieldError { field, ..e }
            })
            .collect();
        Refused::Replies(body, errors)
    })
    .await
}

fn holiday_fields(lang: PageLang, effective: &Effective) -> Vec<FormField> {
    let text = effective
        .holidays
        .iter()
        .map(|h| {
            format!("{} {}", h.date.format("%Y-%m-%d"), h.name)
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    vec![admin_field(lang, "holidays", "holidays", "textarea").with_value(&text)]
}

fn letterhead_fields(lang: PageLang, documents: &DocumentConfig) -> Vec<FormField> {
    vec![
        admin_field(lang, "letterhead", "place", "text")
            .required()
            .with_value(&documents.place),
        admin_field(lang, "letterhead", "lines", "textarea")
            .required()
            .with_value(&documents.letterhead.lines.join("\n")),
        admin_field(lang, "letterhead", "address", "text")
            .required()
            .with_value(&documents.letterhead.address),
        admin_field(lang, "letterhead", "logo", "logo"),
        admin_field(lang, "letterhead", "remove_logo", "checkbox"),
    ]
}

fn kind_fields(lang: PageLang, documents: &DocumentConfig, kind: DocumentKind) -> Vec<FormField> {
    let form = format!("kind-{}", kind.as_str());
    let field = |name: &str, kind_of: &'static str| {
        FormField::new(lang, &form, name, &format!("admin.kind.{name}"), kind_of)
    };
    let pattern = if documents.has_own_pattern(kind) {
        documents.pattern(kind).to_owned()
    } else {
        String::new()
    };
    let signers = documents
        .signers(kind)
        .unwrap_or_default()
        .iter()
        .map(signer_line)
        .collect::<Vec<_>>()
        .join("\n");
    let acknowledged = documents
        .acknowledged_by(kind)
        .map(signer_line)
        .unwrap_or_default();
    vec![
        field("pattern", "text").with_value(&pattern),
        field("signers", "textarea").with_value(&signers),
        field("acknowledged_by", "text").with_value(&acknowledged),
        field("tembusan", "textarea").with_value(&documents.tembusan(kind).join("\n")),
    ]
}

async fn settings_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    notice: Option<String>,
    refused: Option<Refused>,
) -> PageResult {
    let layout = settings_layout(lang, session);
    let effective = overrides::view(&state.app, &session.caller)
        .await
        .or_page(&layout)?;
    let documents = &effective.policy.documents;
    let editable = session.caller.role == Role::Admin;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let forms = Forms::new(lang, &effective, editable, refused.as_ref());
    let section = |s: Section| SectionState {
        changed: changed_text(lang, effective.changed(s)),
    };
    let page = SettingsPage {
        notice,
        csrf_token: session.csrf_token.clone(),
        editable,
        rules: rule_rows(lang, &state.app.rules, &effective),
        approval: section(Section::Approval),
        deadlines: deadline_rows(lang, &state.app.rules),
        holidays: effective
            .holidays
            .iter()
            .map(|h| HolidayRow {
                date: h.date.format("%Y-%m-%d").to_string(),
                name: h.name.clone(),
            })
            .collect(),
        holidays_state: section(Section::Holidays),
        documents_state: section(Section::Documents),
        place: documents.place.clone(),
        letterhead: documents.letterhead.lines.clone(),
        address: documents.letterhead.address.clone(),
        logo: documents.letterhead.logo_png.is_some(),
        documents: document_rows(lang, documents, editable, refused.as_ref()),
        drafts: DocumentKind::ALL
            .iter()
            .filter(|kind| documents.signers(**kind).is_none())
            .map(|kind| lang.label(kind).to_owned())
            .collect(),
        public_url_set: state.app.rules.document_base_url().is_some(),
        replies_state: section(Section::Replies),
        forms,
        law: law::law_rows(lang, &effective.policy.law),
        law_state: section(Section::Law),
        profile: profile::profile_state(state, lang, &effective).await,
        layout,
        lang,
    };
    Ok(render(status, &page))
}

async fn show_settings(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(done): Query<Done>,
) -> PageResult {
    let notice = done.notice(lang);
    settings_page(&state, lang, &session, notice, None).await
}

/// What a posted settings form led to: back to the page with a notice, the page again
/// with the refused form, or an error page.
async fn answer(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    result: Result<(), AppError>,
    refused: impl FnOnce(Vec<FieldError>) -> Refused,
) -> PageResult {
    match result.or_form(&settings_layout(lang, session))? {
        Ok(()) => Ok(Redirect::to("/admin/settings?done=settings_saved").into_response()),
        Err(errors) => settings_page(state, lang, session, None, Some(refused(errors))).await,
    }
}

/// The layout of the settings page.
fn settings_layout(lang: PageLang, session: &Session) -> Layout {
    admin_layout(lang, "/admin/settings", "admin.settings.title", session)
}

/// The posted form, if it carries the session's token.
fn checked_form(session: &Session, pairs: Vec<(String, String)>) -> Option<PostedForm> {
    let posted = PostedForm::new(pairs);
    posted.token_ok(session).then_some(posted)
}

/// The answer to a form without the session's token.
fn refused_token(lang: PageLang, session: &Session) -> PageError {
    PageError::from(csrf_refused(settings_layout(lang, session)))
}

async fn set_approval(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let request = ApprovalRequest {
        threshold: posted.text("threshold").into(),
        window_days: posted.text("window_days").into(),
    };
    let body = Value::Object(posted.fields);
    let result = overrides::set_approval(&state.app, &session.caller, &request)
        .await
        .map(drop);
    answer(&state, lang, &session, result, |e| {
        Refused::Approval(body, e)
    })
    .await
}

/// The holidays of the text area: a date, then the holiday's name, one a line.
fn holiday_list(text: &str) -> Vec<HolidayRequest> {
    lines_of(text)
        .into_iter()
        .map(|line| {
            let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            HolidayRequest {
                date: date.into(),
                name: name.trim().into(),
            }
        })
        .collect()
}

async fn set_holidays(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let request = HolidaysRequest {
        holidays: Lenient::Fits(holiday_list(posted.text("holidays"))),
    };
    let kept = Value::Object(posted.fields);
    let result = overrides::set_holidays(&state.app, &session.caller, &request)
        .await
        .map(drop);
    answer(&state, lang, &session, result, |e| {
        Refused::Holidays(kept, e)
    })
    .await
}

/// The text of a field of a multipart form.
fn field_text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or("")
}

async fn set_letterhead(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = settings_layout(lang, &session);
    let mut body = body.or_page(&layout)?;
    let mut fields = match body.fields.as_object_mut() {
        Some(fields) => std::mem::take(fields),
        None => Map::new(),
    };
    let token = fields.remove(CSRF_FIELD);
    if !tokens_match(&session.csrf_token, token.as_ref().and_then(Value::as_str)) {
        return Err(csrf_refused(layout).into());
    }
    let change = LetterheadRequest {
        place: field_text(&fields, "place").into(),
        lines: Given::list(&lines_of(field_text(&fields, "lines"))),
        address: field_text(&fields, "address").into(),
        remove_logo: (field_text(&fields, "remove_logo") == "true").into(),
        logo_png: Given::ABSENT,
    };
    let logo = body.files.pop().map(|upload| upload.bytes);
    let kept = Value::Object(fields);
    let result = async {
        let change = overrides::check_letterhead(&change, logo)?;
        overrides::set_letterhead(&state.app, &session.caller, change).await
    }
    .await;
    answer(&state, lang, &session, result, |e| {
        Refused::Letterhead(kept, e)
    })
    .await
}

async fn set_document_kind(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(kind): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let acknowledged = posted.text("acknowledged_by").trim();
    let request = DocumentKindRequest {
        pattern: posted.text("pattern").into(),
        signers: Lenient::Fits(
            lines_of(posted.text("signers"))
                .into_iter()
                .map(signer_request)
                .collect(),
        ),
        acknowledged_by: match acknowledged {
            "" => Lenient::Absent,
            line => Lenient::Fits(signer_request(line)),
        },
        tembusan: Given::list(&lines_of(posted.text("tembusan"))),
    };
    let kept = Value::Object(posted.fields);
    let parsed = kind
        .parse::<DocumentKind>()
        .map_err(|_| AppError::NotFound(format!("document kind `{kind}`")))
        .or_page(&settings_layout(lang, &session))?;
    let result = overrides::set_document_kind(&state.app, &session.caller, &kind, &request).await;
    answer(&state, lang, &session, result, |e| {
        Refused::Kind(parsed, kept, e)
    })
    .await
}

async fn reset(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(section): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    if checked_form(&session, pairs).is_none() {
        return Err(refused_token(lang, &session));
    }
    overrides::reset(&state.app, &session.caller, &section)
        .await
        .or_page(&settings_layout(lang, &session))?;
    Ok(Redirect::to("/admin/settings?done=settings_reset").into_response())
}

#[cfg(test)]
mod tests;
