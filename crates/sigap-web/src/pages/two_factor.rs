//! The second factor's pages. After a right password, a user with an authenticator is sent
//! to `/login/totp` (the 6-digit `code`; `/login/recovery` takes a recovery code instead),
//! and a user whose role must have one but has none to `/account/totp`, the only page such
//! a half-way session opens. `/account/totp` ("Keamanan akun") shows the enrolment: the
//! QR code as an `<img>` with a `data:` URI (the CSP's `img-src` allows it; no markup is
//! built from text), the secret as text for typing in, and the form for the first code;
//! after it, the ten recovery codes, shown this once. Every form carries the session's
//! anti-CSRF token, checked before any use case runs.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Deserialize;
use sigap_app::AppError;
use sigap_app::identity::login::SignedIn;
use sigap_app::identity::login::{self, Session, Stage};
use sigap_app::identity::two_factor::{self, Enrolled, Enrolment, Status};

use crate::AppState;
use crate::extract::Source;
use crate::pages::cookies::{self, SESSION_COOKIE};
use crate::pages::csrf::tokens_match;
use crate::pages::session::{NEXT_COOKIE, local_path, to_login};
use crate::pages::{
    Layout, OrPage, PageError, PageLang, PageResult, csrf_refused, render, secure_cookies,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/totp", get(code_form).post(check_code))
        .route("/login/recovery", get(recovery_form).post(check_recovery))
        .route("/account/totp", get(account).post(confirm))
}

/// The code step's page: the 6-digit code, or a recovery code.
#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    recovery: bool,
    refused: bool,
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    csrf_token: Option<String>,
}

/// The session behind the request's cookie when it is in one of `stages`.
pub(crate) async fn session_in(
    state: &AppState,
    headers: &HeaderMap,
    stages: &[Stage],
) -> Result<Session, PageError> {
    let Some(value) = cookies::get(headers, SESSION_COOKIE) else {
        return Err(to_login().into());
    };
    match login::session_at(&state.app, &value, stages).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(to_login().into()),
        Err(e) => Err(crate::error::ApiError::from(e).into_response().into()),
    }
}

fn code_page(lang: PageLang, session: &Session, recovery: bool, refused: bool) -> CodePage {
    let path = if recovery {
        "/login/recovery"
    } else {
        "/login/totp"
    };
    CodePage {
        layout: Layout::half_way(lang, path, "totp.code.title", session),
        lang,
        csrf_token: session.csrf_token.clone(),
        recovery,
        refused,
    }
}

async fn code_form(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> PageResult {
    show_code_page(&state, lang, &headers, false).await
}

async fn recovery_form(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> PageResult {
    show_code_page(&state, lang, &headers, true).await
}

async fn show_code_page(
    state: &AppState,
    lang: PageLang,
    headers: &HeaderMap,
    recovery: bool,
) -> PageResult {
    let session = session_in(state, headers, &[Stage::Password]).await?;
    Ok(render(
        StatusCode::OK,
        &code_page(lang, &session, recovery, false),
    ))
}

async fn check_code(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    axum::Form(form): axum::Form<CodeForm>,
) -> PageResult {
    check(&state, lang, &headers, source, form, false).await
}

async fn check_recovery(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    axum::Form(form): axum::Form<CodeForm>,
) -> PageResult {
    check(&state, lang, &headers, source, form, true).await
}

/// Checks a code (or a recovery code) of a session waiting for it; on success the browser
/// gets the complete session's new cookie and goes to the queue.
async fn check(
    state: &AppState,
    lang: PageLang,
    headers: &HeaderMap,
    source: Source,
    form: CodeForm,
    recovery: bool,
) -> PageResult {
    let session = session_in(state, headers, &[Stage::Password]).await?;
    let page = code_page(lang, &session, recovery, true);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Err(csrf_refused(page.layout).into());
    }
    let checked = if recovery {
        two_factor::verify_recovery_code(&state.app, &session, &form.code, source.0).await
    } else {
        two_factor::verify_code(&state.app, &session, &form.code, source.0).await
    };
    match checked {
        Ok(signed_in) => {
            // Back to the page a deep link asked for before the sign-in, if it did.
            let next = cookies::get(headers, NEXT_COOKIE)
                .and_then(|n| local_path(&n).map(str::to_owned))
                .unwrap_or_else(|| "/tickets".to_owned());
            let mut response = with_session(state, Redirect::to(&next).into_response(), &signed_in);
            response.headers_mut().append(
                axum::http::header::SET_COOKIE,
                cookies::secret(NEXT_COOKIE, "", 0, secure_cookies(state)),
            );
            Ok(response)
        }
        Err(AppError::Unauthorized) => Ok(render(StatusCode::UNAUTHORIZED, &page)),
        Err(e) => Err(e).or_page(&page.layout),
    }
}

/// Adds the cookie of a new session to `response`.
pub(crate) fn with_session(
    state: &AppState,
    mut response: Response,
    signed_in: &SignedIn,
) -> Response {
    let lifetime = match signed_in.session.stage {
        Stage::Complete => login::ABSOLUTE_TIMEOUT,
        Stage::Password | Stage::Enrol | Stage::Renew => login::PENDING_TIMEOUT,
    };
    let cookie = cookies::secret(
        SESSION_COOKIE,
        &signed_in.cookie_value,
        lifetime.num_seconds(),
        secure_cookies(state),
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The account security page: the second factor's state, its enrolment, or the recovery
/// codes just made.
#[derive(Template)]
#[template(path = "account_totp.html")]
struct AccountPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    /// The session may open nothing else until this enrolment is done.
    must_enrol: bool,
    /// The role must have a second factor.
    required: bool,
    /// Since when the authenticator is enrolled, in a sentence.
    enabled_since: Option<String>,
    /// How many recovery codes are left, in a sentence.
    codes_left: String,
    enrolment: Option<EnrolmentView>,
    /// The recovery codes, only on the page that follows the confirmation.
    recovery_codes: Vec<String>,
    refused: bool,
}

/// What the authenticator app needs, ready for the page.
struct EnrolmentView {
    qr_data_uri: String,
    secret: String,
}

impl EnrolmentView {
    fn of(enrolment: &Enrolment) -> Result<EnrolmentView, AppError> {
        Ok(EnrolmentView {
            qr_data_uri: qr_data_uri(&enrolment.uri)?,
            secret: grouped(&enrolment.secret),
        })
    }
}

/// The `otpauth://` URI as an SVG QR code in a `data:` URI for an `<img>`.
fn qr_data_uri(uri: &str) -> Result<String, AppError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(svg)
    ))
}

/// A base32 secret in groups of four, easier to type.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn account_page(lang: PageLang, session: &Session, status: &Status) -> AccountPage {
    AccountPage {
        layout: Layout::of_session(lang, "/account/totp", "totp.account.title", session),
        lang,
        csrf_token: session.csrf_token.clone(),
        must_enrol: session.stage == Stage::Enrol,
        required: status.required,
        enabled_since: status
            .enabled_at
            .map(|at| lang.tf("totp.account.enabled_since", &[("date", lang.wib(&at))])),
        codes_left: lang.tf(
            "totp.account.codes_left",
            &[("count", status.recovery_codes_left.to_string())],
        ),
        enrolment: None,
        recovery_codes: Vec::new(),
        refused: false,
    }
}

const ACCOUNT_STAGES: &[Stage] = &[Stage::Complete, Stage::Enrol];

async fn account(State(state): State<AppState>, lang: PageLang, headers: HeaderMap) -> PageResult {
    let session = session_in(&state, &headers, ACCOUNT_STAGES).await?;
    let page = enrolment_page(&state, lang, &session)
        .await
        .or_page(&Layout::public(lang, "/account/totp", "totp.account.title"))?;
    Ok(render(StatusCode::OK, &page))
}

/// The page with the user's state, and the enrolment when they have no authenticator.
async fn enrolment_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
) -> Result<AccountPage, AppError> {
    let status = two_factor::status(&state.app, &session.caller).await?;
    let mut page = account_page(lang, session, &status);
    if status.enabled_at.is_none() {
        let enrolment = two_factor::start_enrolment(&state.app, session).await?;
        page.enrolment = Some(EnrolmentView::of(&enrolment)?);
    }
    Ok(page)
}

async fn confirm(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    axum::Form(form): axum::Form<CodeForm>,
) -> PageResult {
    let session = session_in(&state, &headers, ACCOUNT_STAGES).await?;
    let layout = Layout::of_session(lang, "/account/totp", "totp.account.title", &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    match two_factor::confirm_enrolment(&state.app, &session, &form.code, source.0).await {
        Ok(enrolled) => recovery_codes_page(&state, lang, &session, enrolled).await,
        Err(AppError::Invalid(_)) => {
            let page = enrolment_page(&state, lang, &session)
                .await
                .or_page(&layout)?;
            let refused = AccountPage {
                refused: true,
                ..page
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &refused))
        }
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The recovery codes, once, under the session that continues (the new one when the
/// enrolment completed a sign-in).
async fn recovery_codes_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    enrolled: Enrolled,
) -> PageResult {
    let current = enrolled
        .signed_in
        .as_ref()
        .map_or(session, |signed_in| &signed_in.session);
    let status = two_factor::status(&state.app, &current.caller)
        .await
        .or_page(&Layout::public(lang, "/account/totp", "totp.account.title"))?;
    let page = AccountPage {
        recovery_codes: enrolled.recovery_codes,
        ..account_page(lang, current, &status)
    };
    let response = render(StatusCode::OK, &page);
    Ok(match &enrolled.signed_in {
        Some(signed_in) => with_session(state, response, signed_in),
        None => response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_data_uri() {
        let uri = qr_data_uri("otpauth://totp/BATAM-CSIRT:a%40b.id?secret=ABC").unwrap();
        let body = uri.strip_prefix("data:image/svg+xml;base64,").unwrap();
        let svg = String::from_utf8(STANDARD.decode(body).unwrap()).unwrap();
        assert!(svg.contains("<svg"));
        assert!(
            !svg.contains("a%40b.id"),
            "no text of the URI in the markup"
        );
    }

    #[test]
    fn secrets_are_shown_in_groups_of_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
