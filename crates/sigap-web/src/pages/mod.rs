//! The server-rendered web interface: the public side (landing page with the disclosure
//! policy, the report form, the reporter's tracking page) and the staff side (login, the
//! queue, one ticket with its swim-lane diagram and a form per allowed action, the Regional
//! Secretary's pending approvals, the job queue and the admin pages of the registries,
//! users and settings). Pages work without JavaScript, are
//! Indonesian by default, and are rendered by askama templates that escape every value.
//! Handlers are short: they read the request, call one use case of `sigap-app`, and render.
//!
//! Every page response carries a strict Content-Security-Policy (no inline script or
//! style); the stylesheet is embedded in the binary and served under `/assets/`.

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use sigap_core::{FieldError, Role};

use crate::AppState;
use crate::error::ApiError;

pub mod account;
pub mod admin;
pub mod admin_edit;
pub mod admin_settings;
pub mod admin_users;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod cookies;
pub mod countdown;
pub mod csrf;
pub mod dashboard;
pub mod dashboard_intake;
pub mod dashboard_tables;
pub mod documents;
pub mod enter_report;
pub mod forms;
pub mod i18n;
pub mod inbox;
pub mod jobs;
pub mod login;
pub mod meetings;
pub mod period_reports;
pub mod personal_data;
pub mod preview;
pub mod public;
pub mod queue;
pub mod queue_bulk;
pub mod queue_export;
pub mod recovery;
pub mod retention;
pub mod rfc2350;
pub mod saved_filters;
pub mod scorecard;
pub mod scorecard_tables;
pub mod sectoral_report;
pub mod session;
pub mod sso;
pub mod swimlane;
pub mod ticket;
pub mod ticket_forms;
pub mod track_rights;
pub mod two_factor;
pub mod verify;

pub use i18n::PageLang;

/// The Content-Security-Policy of every page.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// The pages and their assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(rfc2350::router())
        .merge(login::router())
        .merge(sso::router())
        .merge(recovery::router())
        .merge(preview::router())
        .merge(queue_bulk::router())
        .merge(two_factor::router())
        .merge(queue::router())
        .merge(enter_report::router())
        .merge(saved_filters::router())
        .merge(ticket::router())
        .merge(personal_data::router())
        .merge(sectoral_report::router())
        .merge(retention::router())
        .merge(track_rights::router())
        .merge(meetings::router())
        .merge(documents::router())
        .merge(approvals::router())
        .merge(dashboard::router())
        .merge(period_reports::router())
        .merge(scorecard::router())
        .merge(inbox::router())
        .merge(jobs::router())
        .merge(audit::router())
        .merge(admin::router())
        .merge(admin_users::router())
        .merge(admin_edit::router())
        .merge(account::router())
        .merge(admin_settings::router())
        .layer(axum::middleware::from_fn(page_headers))
        .merge(assets::router())
}

/// Sets the page CSP (replacing the API's stricter default) and remembers a language chosen
/// with `?lang=`.
async fn page_headers(request: Request, next: Next) -> Response {
    let chosen = i18n::query_lang(request.uri().query());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    if let Some(lang) = chosen {
        headers.append(header::SET_COOKIE, cookies::language(lang.code()));
    }
    response
}

/// Whether the site is served over https, so that cookies must be `Secure`.
pub fn secure_cookies(state: &AppState) -> bool {
    state.app.rules.public_url.starts_with("https://")
}

/// The frame every page shares: language, the path (for the language switch) and the
/// signed-in staff member, when there is one.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lang: PageLang,
    pub path: String,
    pub title: String,
    pub staff: Option<StaffBar>,
}

/// The staff member shown in the header, with the token of the sign-out form.
#[derive(Debug, Clone)]
pub struct StaffBar {
    pub name: String,
    pub role: String,
    pub csrf_token: String,
    /// Whether the navigation links the Regional Secretary's pending approvals.
    pub approvals: bool,
    /// Whether the navigation links the dashboard (every role but system owners).
    pub dashboard: bool,
    /// A system owner's own agency's scorecard, linked from the navigation.
    pub scorecard: Option<String>,
    /// Whether the navigation links the inbox of received mail (help desk, CSIRT, admins,
    /// auditors).
    pub inbox: bool,
    /// Whether the navigation links the job queue (admins and auditors).
    pub jobs: bool,
    /// Whether the navigation links the admin pages: agencies, systems, users, settings
    /// (admins and auditors).
    pub admin: bool,
    /// Whether the session is complete; a half-way one (second factor awaited) shows only
    /// the sign-out.
    pub full: bool,
    /// What the header tells: unread tickets in the caller's turn, approvals waiting, no
    /// mail server (admins).
    pub desk: sigap_app::identity::login::Desk,
    /// "3 baru" after the queue's link, when the caller's turn has unread tickets.
    pub unread: Option<String>,
}

impl Layout {
    /// A public page titled by the catalogue key `title_key`.
    pub fn public(lang: PageLang, path: &str, title_key: &str) -> Layout {
        Layout {
            lang,
            path: path.to_owned(),
            title: lang.t(title_key).into_owned(),
            staff: None,
        }
    }

    /// A staff page for the signed-in `session`.
    pub fn staff(
        lang: PageLang,
        path: &str,
        title: String,
        session: &sigap_app::identity::login::Session,
    ) -> Layout {
        Layout {
            lang,
            path: path.to_owned(),
            title,
            staff: Some(StaffBar {
                name: session.caller.name.clone(),
                role: lang.role(session.caller.role).to_owned(),
                csrf_token: session.csrf_token.clone(),
                approvals: matches!(
                    session.caller.role,
                    Role::RegionalSecretary | Role::Csirt | Role::Admin | Role::Auditor
                ),
                dashboard: sigap_app::stats::may_read(session.caller.role),
                scorecard: session
                    .caller
                    .agency_code
                    .as_deref()
                    .filter(|_| session.caller.role == Role::SystemOwner)
                    .map(|code| format!("/agencies/{}/scorecard", dashboard_tables::encode(code))),
                inbox: matches!(
                    session.caller.role,
                    Role::Helpdesk | Role::Csirt | Role::Admin | Role::Auditor
                ),
                jobs: matches!(session.caller.role, Role::Admin | Role::Auditor),
                admin: matches!(session.caller.role, Role::Admin | Role::Auditor),
                full: true,
                desk: session.desk.clone(),
                unread: (session.desk.unread > 0)
                    .then(|| lang.tf("nav.unread", &[("n", session.desk.unread.to_string())])),
            }),
        }
    }

    /// A page of a session that waits for its second factor or its enrolment: the header
    /// offers only the sign-out.
    pub fn half_way(
        lang: PageLang,
        path: &str,
        title_key: &str,
        session: &sigap_app::identity::login::Session,
    ) -> Layout {
        let mut layout = Layout::staff(lang, path, lang.t(title_key).into_owned(), session);
        if let Some(bar) = layout.staff.as_mut() {
            bar.full = false;
            bar.approvals = false;
            bar.inbox = false;
        }
        layout
    }

    /// [`Layout::staff`] or [`Layout::half_way`], as far as `session` has come.
    pub fn of_session(
        lang: PageLang,
        path: &str,
        title_key: &str,
        session: &sigap_app::identity::login::Session,
    ) -> Layout {
        if session.stage == sigap_app::identity::login::Stage::Complete {
            Layout::staff(lang, path, lang.t(title_key).into_owned(), session)
        } else {
            Layout::half_way(lang, path, title_key, session)
        }
    }
}

/// Renders `template` with `status`; a template that fails to render is a logged 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            ApiError::from(sigap_app::AppError::Internal("template".to_owned())).into_response()
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub lang: PageLang,
    pub heading: String,
    pub message: String,
    pub detail: Option<String>,
}

/// An error page for `status`, with the catalogue's heading and message for it.
pub fn error_page(layout: Layout, status: StatusCode, detail: Option<String>) -> Response {
    let lang = layout.lang;
    let key = match status.as_u16() {
        400 => "error.bad_request",
        403 => "error.forbidden",
        404 => "error.not_found",
        409 => "error.conflict",
        413 => "error.too_large",
        422 => "error.invalid",
        _ => "error.internal",
    };
    let page = ErrorPage {
        heading: lang.t(&format!("{key}.title")).into_owned(),
        message: lang.t(&format!("{key}.message")).into_owned(),
        detail,
        layout: Layout {
            title: lang.t(&format!("{key}.title")).into_owned(),
            ..layout
        },
        lang,
    };
    render(status, &page)
}

/// The page for a refused or failed use case. Details of internal errors stay in the log.
fn app_error_page(layout: Layout, error: sigap_app::AppError) -> Response {
    if matches!(error, sigap_app::AppError::Unauthorized) {
        return session::to_login();
    }
    let lang = layout.lang;
    // The fields a refusal names, which an Indonesian page can say in its own words.
    let fields = match &error {
        sigap_app::AppError::Invalid(errors) if !readable_detail(lang) => {
            let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            Some(lang.tf("error.invalid.fields", &[("fields", names.join(", "))]))
        }
        _ => None,
    };
    let problem = ApiError::from(error);
    let detail = match problem.status.as_u16() {
        404 => None,
        _ => Some(problem.detail),
    };
    let detail = detail.filter(|_| readable_detail(lang)).or(fields);
    error_page(layout, problem.status, detail)
}

/// Whether a use case's own words may be shown below the page's message: they are written
/// in English for the API's clients and the log, so an Indonesian page shows only the
/// catalogue's message for the status (every word a person reads there is Indonesian).
fn readable_detail(lang: PageLang) -> bool {
    lang == PageLang::En
}

/// A page handler that could not answer its page: the error page in the layout of the page
/// that failed (or the way to the sign-in page when the session has ended). A handler
/// returns [`PageResult`] and turns a use case's error into it with [`OrPage::or_page`],
/// so that `?` ends it.
#[derive(Debug)]
pub struct PageError(Box<Response>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Response> for PageError {
    fn from(page: Response) -> PageError {
        PageError(Box::new(page))
    }
}

/// What a page handler answers: its page, or the page that says why not.
pub type PageResult = Result<Response, PageError>;

/// Turns a failed use case (or a body that could not be read) into its [`PageError`].
pub trait OrPage<T> {
    fn or_page(self, layout: &Layout) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, sigap_app::AppError> {
    fn or_page(self, layout: &Layout) -> Result<T, PageError> {
        self.map_err(|e| PageError::from(app_error_page(layout.clone(), e)))
    }
}

impl<T> OrPage<T> for Result<T, ApiError> {
    fn or_page(self, layout: &Layout) -> Result<T, PageError> {
        self.map_err(|e| PageError::from(body_error_page(layout.clone(), e)))
    }
}

/// Splits a use case's refusal of a form's fields, which the page shows beside the fields
/// it re-renders, from every other error, which is the error page: `Ok(Err(errors))` for
/// [`sigap_app::AppError::Invalid`].
pub trait OrForm<T> {
    fn or_form(self, layout: &Layout) -> Result<Result<T, Vec<FieldError>>, PageError>;
}

impl<T> OrForm<T> for Result<T, sigap_app::AppError> {
    fn or_form(self, layout: &Layout) -> Result<Result<T, Vec<FieldError>>, PageError> {
        match self {
            Ok(value) => Ok(Ok(value)),
            Err(sigap_app::AppError::Invalid(errors)) => Ok(Err(errors)),
            Err(e) => Err(PageError::from(app_error_page(layout.clone(), e))),
        }
    }
}

impl PageError {
    /// The error page for a request that cannot be answered as asked, with `status`.
    pub fn status(layout: &Layout, status: StatusCode, detail: Option<String>) -> PageError {
        PageError::from(error_page(layout.clone(), status, detail))
    }
}

/// The page for a body that could not be read (broken multipart, too large).
fn body_error_page(layout: Layout, error: ApiError) -> Response {
    let detail = Some(error.detail).filter(|_| readable_detail(layout.lang));
    error_page(layout, error.status, detail)
}

/// The page for a form whose anti-CSRF token is missing or wrong: nothing was done.
pub fn csrf_refused(layout: Layout) -> Response {
    let lang = layout.lang;
    error_page(
        layout,
        StatusCode::FORBIDDEN,
        Some(lang.t("error.csrf").into_owned()),
    )
}
