//! Staff sign-in and sign-out pages. `POST /login` takes `email`, `password` and the
//! anti-CSRF field, calls the login use case and, on success, sets a new session cookie and
//! redirects to the page a deep link asked for (`next`, carried from `/login?next=`, a
//! checked local path) or the queue, or to the second factor's code step (`/login/totp`,
//! which returns to `next` after it) or its enrolment (`/account/totp`) when the session
//! must pass one first. Every refusal (unknown
//! address, wrong password, locked address) answers the same page and message.
//! `POST /logout` ends the session, also a half-way one, and goes on to the provider's
//! sign-out when the session was opened through it. "Lupa kata sandi" is `recovery`, "Masuk
//! dengan SSO" is `sso`. A right password of a role that must sign in through the provider
//! (`SIGAP_PASSWORD_ROLES`) is refused with a message pointing to SSO.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sigap_app::AppError;
use sigap_app::identity::login::{self, Stage};
use sigap_app::identity::sso;

use crate::AppState;
use crate::extract::Source;
use crate::pages::cookies::{self, SESSION_COOKIE};
use crate::pages::csrf::{PublicCsrf, public_token_ok, tokens_match};
use crate::pages::session::{NEXT_COOKIE, local_path, to_login};
use crate::pages::two_factor::with_session;
use crate::pages::{
    Layout, OrPage, PageLang, PageResult, csrf_refused, error_page, render, secure_cookies,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(sign_in))
        .route("/logout", post(sign_out))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    email: String,
    refused: bool,
    /// The page to return to once signed in (a checked local path), or empty.
    next: String,
    /// Right after a new password was set with a "Lupa kata sandi" link.
    reset_done: bool,
    /// A provider is set: the page offers "Masuk dengan SSO".
    sso: bool,
    /// The password was refused because the role must sign in through the provider.
    sso_only: bool,
}

fn login_page(
    state: &AppState,
    lang: PageLang,
    csrf_token: String,
    email: String,
    refused: bool,
) -> LoginPage {
    LoginPage {
        sso: state.app.rules.sso.is_some(),
        sso_only: false,
        layout: Layout::public(lang, "/login", "login.title"),
        lang,
        csrf_token,
        email,
        refused,
        next: String::new(),
        reset_done: false,
    }
}

/// `?next=` of the sign-in page: where a deep link was going.
#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// `done` after a new password was set with a link.
    reset: Option<String>,
}

/// The page to return to, when `next` names one this site may return to.
fn checked_next(next: Option<&str>) -> Option<String> {
    next.and_then(local_path).map(str::to_owned)
}

async fn login_form(
    State(state): State<AppState>,
    lang: PageLang,
    csrf: PublicCsrf,
    Query(query): Query<NextQuery>,
) -> Response {
    let mut page = login_page(&state, lang, csrf.token.clone(), String::new(), false);
    page.next = checked_next(query.next.as_deref()).unwrap_or_default();
    page.reset_done = query.reset.as_deref() == Some("done");
    csrf.apply(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    csrf_token: Option<String>,
    /// The page to return to, as the sign-in page carried it.
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    axum::Form(form): axum::Form<LoginForm>,
) -> PageResult {
    let layout = Layout::public(lang, "/login", "login.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    let next = checked_next(form.next.as_deref());
    match login::login(&state.app, &form.email, &form.password, source.0).await {
        Ok(signed_in) => start_session(&state, &headers, signed_in, next)
            .await
            .or_page(&layout),
        Err(AppError::Unauthorized) => {
            let mut page = login_page(&state, lang, csrf.token.clone(), form.email, true);
            page.next = next.unwrap_or_default();
            Ok(csrf.apply(render(StatusCode::UNAUTHORIZED, &page)))
        }
        Err(AppError::Forbidden(reason)) if reason == login::PASSWORD_NOT_ALLOWED => {
            let mut page = login_page(&state, lang, csrf.token.clone(), form.email, false);
            page.sso_only = true;
            Ok(csrf.apply(render(StatusCode::FORBIDDEN, &page)))
        }
        Err(AppError::TooManyRequests { retry_after, .. }) => Ok(throttled(lang, retry_after)),
        Err(e) => Err(e).or_page(&layout),
    }
}

/// Voids the browser's previous session, if any, sets the new session's cookie and goes to
/// the page asked for (`next`) or the queue, or to the step the session waits for; the
/// second factor's step returns to `next` after it (the `sigap_next` cookie carries it).
pub(crate) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    signed_in: login::SignedIn,
    next: Option<String>,
) -> Result<Response, AppError> {
    if let Some(old) = cookies::get(headers, SESSION_COOKIE) {
        login::discard(&state.app, &old).await?;
    }
    let to = match signed_in.session.stage {
        Stage::Complete => next.as_deref().unwrap_or("/tickets"),
        Stage::Password => "/login/totp",
        Stage::Enrol => "/account/totp",
        Stage::Renew => "/account/password",
    };
    let mut response = with_session(state, Redirect::to(to).into_response(), &signed_in);
    if let (Stage::Password, Some(next)) = (signed_in.session.stage, &next) {
        let cookie = cookies::secret(NEXT_COOKIE, next, 600, secure_cookies(state));
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The answer to a client past the sign-in throttle: `429` with `Retry-After`.
pub(crate) fn throttled(lang: PageLang, retry_after: u64) -> Response {
    let minutes = retry_after.div_ceil(60).to_string();
    let detail = lang.tf("login.throttled", &[("minutes", minutes)]);
    let layout = Layout::public(lang, "/login", "login.title");
    let mut response = error_page(layout, StatusCode::TOO_MANY_REQUESTS, Some(detail));
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf_token: Option<String>,
}

async fn sign_out(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    axum::Form(form): axum::Form<LogoutForm>,
) -> PageResult {
    let Some(value) = cookies::get(&headers, SESSION_COOKIE) else {
        return Ok(to_login());
    };
    let all = [Stage::Complete, Stage::Password, Stage::Enrol, Stage::Renew];
    let found = login::session_at(&state.app, &value, &all)
        .await
        .or_page(&Layout::public(lang, "/logout", "login.title"))?;
    let Some(session) = found else {
        return Ok(to_login());
    };
    let layout = Layout::half_way(lang, "/logout", "login.title", &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    // Read before the session ends: the provider's sign-out needs its ID token.
    let provider_logout =
        sso::logout_url(&state.app, &session.id_hash, session.caller.user_id).await;
    login::logout(&state.app, &session, source.0)
        .await
        .or_page(&layout)?;
    let cookie = cookies::secret(SESSION_COOKIE, "", 0, secure_cookies(&state));
    let to = match provider_logout {
        Ok(Some(url)) => url,
        Ok(None) => "/login".to_owned(),
        Err(e) => {
            tracing::warn!(error = %e, "the provider's sign-out could not be prepared");
            "/login".to_owned()
        }
    };
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}
