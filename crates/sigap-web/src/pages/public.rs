//! The public side, for anyone without an account: the landing page (what to report, the
//! disclosure policy), the report form (SOP steps 1-2 through `intake::submit_report`) and
//! the reporter's tracking page (ticket number + tracking token), with its message form.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use sigap_app::intake::receipt::{self, FormOutcome, RECEIPT_LIFETIME, Receipt};
use sigap_app::intake::{self, Intake, ReportRequest, ReporterMessageRequest};
use sigap_app::views::{ReporterView, SubmittedReport};
use sigap_app::{AppError, Upload};
use sigap_core::{Channel, FieldError, Severity};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PublicFormBody, Source};
use crate::pages::cookies;
use crate::pages::csrf::{PublicCsrf, public_token_ok, take_token};
use crate::pages::forms::{Choice, FormField, place_errors, text_of};
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused, render, secure_cookies};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/report", get(report_form).post(submit_report))
        .route("/report/done", get(report_done))
        .route("/track", get(track_form).post(track))
        .route("/track/message", axum::routing::post(track_message))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    lang: PageLang,
    /// The template of a report by mail.
    template: &'static str,
    /// The address to write to (`SIGAP_SECURITY_CONTACT`, when it is a `mailto:`).
    address: Option<String>,
}

async fn home(State(state): State<AppState>, lang: PageLang) -> Response {
    let address = state
        .web
        .security_contact
        .strip_prefix("mailto:")
        .and_then(|a| sigap_core::Email::parse(a).ok())
        .map(|a| a.as_str().to_owned());
    let page = HomePage {
        layout: Layout::public(lang, "/", "home.title"),
        lang,
        template: sigap_app::inbox::template::TEMPLATE,
        address,
    };
    render(StatusCode::OK, &page)
}

/// A group of fields under a heading.
pub(crate) struct FieldGroup {
    pub heading: String,
    pub fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    groups: Vec<FieldGroup>,
    errors: Vec<String>,
    /// The anti-spam challenge the page's script solves before sending.
    proof: sigap_app::intake::antispam::Challenge,
}

/// The report's fields in their groups, as the public form and the help desk's entry form
/// ask for them.
pub(crate) fn report_fields(lang: PageLang, state: &AppState) -> Vec<FieldGroup> {
    let field = |name: &str, kind: &'static str| {
        FormField::new(lang, "report", name, &format!("report.{name}"), kind)
    };
    let severities = Severity::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: lang.label(s).to_owned(),
            hint: Some(
                lang.t(&format!("report.severity.{}", s.as_str()))
                    .into_owned(),
            ),
            selected: false,
        })
        .collect();
    let mut severity = field("severity", "radio").required();
    severity.choices = severities;
    let mut files = field("evidence", "files");
    files.hint = Some(lang.tf(
        "report.evidence.hint",
        &[
            ("count", state.app.rules.max_files.to_string()),
            (
                "size",
                (state.app.rules.max_file_bytes / (1024 * 1024)).to_string(),
            ),
        ],
    ));
    let languages = vec![
        ("id".to_owned(), "Bahasa Indonesia".to_owned()),
        ("en".to_owned(), "English".to_owned()),
    ];
    let credits = ["anonymous", "name", "alias"]
        .map(|c| {
            (
                c.to_owned(),
                lang.t(&format!("report.credit.{c}")).into_owned(),
            )
        })
        .to_vec();
    let group = |key: &str, fields| FieldGroup {
        heading: lang.t(key).into_owned(),
        fields,
    };
    vec![
        group(
            "report.group.reporter",
            vec![
                field("reporter_name", "text").required(),
                field("reporter_email", "email").required(),
                field("reporter_phone", "tel"),
                field("language", "select")
                    .with_choices(languages)
                    .with_value(lang.code()),
                field("credit", "select")
                    .with_choices(credits)
                    .with_value("anonymous"),
                field("credit_alias", "text"),
            ],
        ),
        group(
            "report.group.finding",
            vec![
                severity,
                field("vulnerability_type", "text").required(),
                field("target", "text").required(),
                field("title", "text"),
                field("description", "textarea"),
                field("proof_of_concept", "textarea").required(),
                field("cvss_vector", "text"),
            ],
        ),
        group(
            "report.group.evidence",
            vec![files, field("evidence_text", "textarea")],
        ),
    ]
}

fn report_page(lang: PageLang, state: &AppState, csrf_token: String) -> ReportPage {
    let mut groups = report_fields(lang, state);
    for field in groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
        field.keep(&Value::Null);
    }
    ReportPage {
        layout: Layout::public(lang, "/report", "report.page_title"),
        lang,
        csrf_token,
        groups,
        errors: Vec::new(),
        proof: sigap_app::intake::antispam::issue(&state.app),
    }
}

async fn report_form(State(state): State<AppState>, lang: PageLang, csrf: PublicCsrf) -> Response {
    let page = report_page(lang, &state, csrf.token.clone());
    csrf.apply(render(StatusCode::OK, &page))
}

/// Takes the anti-CSRF field out of a form's fields and checks it against the cookie.
fn take_public_token(headers: &HeaderMap, fields: &mut Value) -> bool {
    public_token_ok(headers, take_token(fields).as_deref())
}

#[derive(Template)]
#[template(path = "report_done.html")]
struct ReportDonePage {
    layout: Layout,
    lang: PageLang,
    submitted: SubmittedReport,
}

async fn submit_report(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    body: Result<PublicFormBody, ApiError>,
) -> PageResult {
    let layout = Layout::public(lang, "/report", "report.page_title");
    let PublicFormBody(mut body) = body.or_page(&layout)?;
    if !take_public_token(&headers, &mut body.fields) {
        return Err(csrf_refused(layout).into());
    }
    let intake = Intake {
        staff: None,
        channel: Channel::Web,
        source: source.0,
    };
    let request: ReportRequest = body.request().or_page(&layout)?;
    let receipt = Receipt::new();
    match intake::submit_form_report(&state.app, &request, &body.files, intake, &receipt).await {
        Ok(FormOutcome::Opened(_)) => {
            // Post/redirect/get: the confirmation is a page of its own, which a reload
            // shows again instead of sending the form a second time.
            let mut response = Redirect::to("/report/done").into_response();
            response.headers_mut().append(
                axum::http::header::SET_COOKIE,
                cookies::secret(
                    cookies::RECEIPT_COOKIE,
                    receipt.as_str(),
                    RECEIPT_LIFETIME.num_seconds(),
                    secure_cookies(&state),
                ),
            );
            Ok(response)
        }
        Ok(FormOutcome::AlreadySent { ticket_number }) => {
            Ok(already_sent(&state, lang, &headers, ticket_number).await)
        }
        Err(AppError::Invalid(errors)) => {
            let page = refused_report(lang, &state, csrf.token.clone(), &body.fields, &errors);
            Ok(csrf.apply(render(StatusCode::UNPROCESSABLE_ENTITY, &page)))
        }
        Err(AppError::TooManyRequests { retry_after, .. }) => {
            // The form again, input kept, with the limit explained above it.
            let mut page = refused_report(lang, &state, csrf.token.clone(), &body.fields, &[]);
            page.errors.push(lang.tf(
                "report.error.too_many",
                &[("minutes", retry_after.div_ceil(60).to_string())],
            ));
            let mut response = csrf.apply(render(StatusCode::TOO_MANY_REQUESTS, &page));
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after),
            );
            Ok(response)
        }
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The receipt this browser holds, if it still shows a report.
async fn held_receipt(state: &AppState, headers: &HeaderMap) -> Option<SubmittedReport> {
    let receipt =
        cookies::get(headers, cookies::RECEIPT_COOKIE).and_then(|value| Receipt::parse(&value))?;
    receipt::show(&state.app, &receipt)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "report receipt not read");
            None
        })
}

#[derive(Template)]
#[template(path = "report_notice.html")]
struct ReportNoticePage {
    layout: Layout,
    lang: PageLang,
    heading: String,
    lead: String,
    ticket: Option<String>,
    show_receipt: bool,
}

/// The confirmation page of a report sent with the form: the number and the tracking
/// token, while the browser's receipt lasts; otherwise a page that says where to go.
async fn report_done(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> Response {
    let mut response = match held_receipt(&state, &headers).await {
        Some(submitted) => {
            let page = ReportDonePage {
                layout: Layout::public(lang, "/report", "report.done.title"),
                lang,
                submitted,
            };
            render(StatusCode::OK, &page)
        }
        None => {
            let page = ReportNoticePage {
                layout: Layout::public(lang, "/report", "report.gone.title"),
                lang,
                heading: lang.t("report.gone.heading").into_owned(),
                lead: lang.t("report.gone.lead").into_owned(),
                ticket: None,
                show_receipt: false,
            };
            render(StatusCode::NOT_FOUND, &page)
        }
    };
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The answer to a form sent again: which ticket it opened, and the receipt when this
/// browser still holds it.
async fn already_sent(
    state: &AppState,
    lang: PageLang,
    headers: &HeaderMap,
    ticket_number: String,
) -> Response {
    let show_receipt = held_receipt(state, headers)
        .await
        .is_some_and(|r| r.ticket_number == ticket_number);
    let page = ReportNoticePage {
        layout: Layout::public(lang, "/report", "report.sent.title"),
        lang,
        heading: lang.t("report.sent.heading").into_owned(),
        lead: lang.tf("report.sent.lead", &[("number", ticket_number.clone())]),
        ticket: Some(ticket_number),
        show_receipt,
    };
    render(StatusCode::CONFLICT, &page)
}

/// The form again, with the user's input and each error next to its field, in the page's
/// language where the catalogue has a message for the field.
fn refused_report(
    lang: PageLang,
    state: &AppState,
    csrf_token: String,
    fields: &Value,
    errors: &[FieldError],
) -> ReportPage {
    let mut page = report_page(lang, state, csrf_token);
    let errors = errors.iter().map(|e| {
        let key = format!("report.error.{}", e.field);
        let message = lang.t(&key);
        if message == key.as_str() {
            e.clone()
        } else {
            FieldError::new(e.field.clone(), message.into_owned())
        }
    });
    for field in page.groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
        field.keep(fields);
    }
    for error in errors {
        let target = page
            .groups
            .iter_mut()
            .flat_map(|g| g.fields.iter_mut())
            .find(|f| f.name == error.field);
        match target {
            Some(field) => {
                place_errors(std::slice::from_mut(field), std::slice::from_ref(&error));
            }
            None => page.errors.push(error.message),
        }
    }
    page.errors
        .insert(0, lang.t("report.error.summary").into_owned());
    page
}

#[derive(Debug, Default, Deserialize)]
struct TrackQuery {
    ticket: Option<String>,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    ticket: String,
    not_found: bool,
}

async fn track_form(lang: PageLang, csrf: PublicCsrf, Query(query): Query<TrackQuery>) -> Response {
    let page = TrackPage {
        layout: Layout::public(lang, "/track", "track.title"),
        lang,
        csrf_token: csrf.token.clone(),
        ticket: query.ticket.unwrap_or_default(),
        not_found: false,
    };
    csrf.apply(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "track_view.html")]
pub(crate) struct TrackViewPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    view: ReporterView,
    token: String,
    /// The message and the evidence files.
    fields: Vec<FormField>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TrackForm {
    ticket: String,
    token: String,
    csrf_token: Option<String>,
}

async fn track(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    csrf: PublicCsrf,
    axum::Form(form): axum::Form<TrackForm>,
) -> PageResult {
    let layout = Layout::public(lang, "/track", "track.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    let number = form.ticket.trim().to_uppercase();
    let token = form.token.trim().to_owned();
    match intake::reporter_view(&state.app, &number, &token).await {
        Ok(view) => {
            let page = track_view(lang, csrf.token.clone(), view, token, None, None);
            Ok(csrf.apply(render(StatusCode::OK, &page)))
        }
        Err(AppError::NotFound(_)) => Ok(track_not_found(lang, csrf, number)),
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The same answer for an unknown ticket and a wrong token.
pub(crate) fn track_not_found(lang: PageLang, csrf: PublicCsrf, number: String) -> Response {
    let page = TrackPage {
        layout: Layout::public(lang, "/track", "track.title"),
        lang,
        csrf_token: csrf.token.clone(),
        ticket: number,
        not_found: true,
    };
    csrf.apply(render(StatusCode::NOT_FOUND, &page))
}

pub(crate) fn track_view(
    lang: PageLang,
    csrf_token: String,
    view: ReporterView,
    token: String,
    notice: Option<String>,
    error: Option<String>,
) -> TrackViewPage {
    let field =
        |name: &str, kind| FormField::new(lang, "track", name, &format!("track.{name}"), kind);
    TrackViewPage {
        layout: Layout::public(lang, "/track", "track.title"),
        lang,
        csrf_token,
        view,
        token,
        fields: vec![field("message", "textarea"), field("evidence", "files")],
        notice,
        error,
    }
}

async fn track_message(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    body: Result<PublicFormBody, ApiError>,
) -> PageResult {
    let layout = Layout::public(lang, "/track", "track.title");
    let PublicFormBody(mut body) = body.or_page(&layout)?;
    if !take_public_token(&headers, &mut body.fields) {
        return Err(csrf_refused(layout).into());
    }
    let number = text_of(&body.fields, "ticket").unwrap_or_default();
    let token = text_of(&body.fields, "token").unwrap_or_default();
    let result = post_message(&state, &number, &token, &body.fields, &body.files, source.0).await;
    match result {
        Ok(view) => {
            let notice = Some(lang.t("track.message.sent").into_owned());
            let page = track_view(lang, csrf.token.clone(), view, token, notice, None);
            Ok(csrf.apply(render(StatusCode::OK, &page)))
        }
        Err(AppError::NotFound(_)) => Ok(track_not_found(lang, csrf, number)),
        Err(AppError::Invalid(errors)) => {
            let message = text_of(&body.fields, "message").unwrap_or_default();
            Ok(refused_message(&state, lang, csrf, (number, token), message, &errors).await)
        }
        Err(AppError::TooManyRequests { retry_after, .. }) => {
            let message = text_of(&body.fields, "message").unwrap_or_default();
            let note = lang.tf(
                "track.message.too_many",
                &[("minutes", retry_after.div_ceil(60).to_string())],
            );
            let ticket = (number, token);
            let mut response = limited_message(&state, lang, csrf, ticket, message, note).await;
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after),
            );
            Ok(response)
        }
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The tracking page again, with the message kept and the hourly limit explained.
async fn limited_message(
    state: &AppState,
    lang: PageLang,
    csrf: PublicCsrf,
    (number, token): (String, String),
    message: String,
    note: String,
) -> Response {
    let Ok(view) = intake::reporter_view(&state.app, &number, &token).await else {
        return track_not_found(lang, csrf, number);
    };
    let mut page = track_view(lang, csrf.token.clone(), view, token, None, None);
    if let Some(field) = page.fields.first_mut() {
        field.value = message;
    }
    page.error = Some(note);
    csrf.apply(render(StatusCode::TOO_MANY_REQUESTS, &page))
}

/// The tracking page again, with the message kept and the reason next to it.
async fn refused_message(
    state: &AppState,
    lang: PageLang,
    csrf: PublicCsrf,
    (number, token): (String, String),
    message: String,
    errors: &[FieldError],
) -> Response {
    let Ok(view) = intake::reporter_view(&state.app, &number, &token).await else {
        return track_not_found(lang, csrf, number);
    };
    let detail = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>();
    let mut page = track_view(lang, csrf.token.clone(), view, token, None, None);
    if let Some(field) = page.fields.first_mut() {
        field.value = message;
        field.error = Some(lang.t("track.message.empty").into_owned());
    }
    page.error = Some(detail.join("; "));
    csrf.apply(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn post_message(
    state: &AppState,
    number: &str,
    token: &str,
    fields: &Value,
    files: &[Upload],
    source: Option<String>,
) -> Result<ReporterView, AppError> {
    let request = ReporterMessageRequest {
        message: text_of(fields, "message").into(),
    };
    intake::reporter_message(&state.app, number, token, &request, files, source).await
}
