//! The signed-in user's own credentials, next to "Keamanan akun": `/account/tokens` lists
//! their API tokens (scopes, expiry, last use; never the secret) with a button to revoke
//! each, and `/account/password` changes their password (the current one required; every
//! session ends, this one too, and the browser is sent to sign in again; a session whose
//! password has outlived the rules' lifetime opens this page only). Tokens are made
//! by an admin (`sigap token create`, `POST /api/v1/tokens`), not here: a token skips the
//! second factor, so making one stays a deliberate admin act. Every form is CSRF-checked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sigap_app::identity::login::{Session, Stage};
use sigap_app::identity::passwords;
use sigap_app::identity::tokens::{self, TokenView};

use crate::AppState;
use crate::extract::Source;
use crate::pages::cookies::{self, SESSION_COOKIE};
use crate::pages::csrf::tokens_match;
use crate::pages::session::StaffSession;
use crate::pages::two_factor::session_in;
use crate::pages::{
    Layout, OrForm, OrPage, PageError, PageLang, PageResult, csrf_refused, render, secure_cookies,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(token_list))
        .route("/account/tokens/{id}/revoke", post(revoke))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
}

/// One token ready to show.
struct TokenLine {
    view: TokenView,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    /// Revoked or expired: listed, without a button.
    ended: Option<String>,
}

#[derive(Template)]
#[template(path = "account_tokens.html")]
struct TokensPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    tokens: Vec<TokenLine>,
    notice: Option<String>,
}

fn token_line(lang: PageLang, view: TokenView, now: chrono::DateTime<chrono::Utc>) -> TokenLine {
    let never = lang.t("account.tokens.never").into_owned();
    let ended = if view.revoked_at.is_some() {
        Some(lang.t("account.tokens.revoked").into_owned())
    } else if view.expires_at.is_some_and(|at| at <= now) {
        Some(lang.t("account.tokens.expired").into_owned())
    } else {
        None
    };
    TokenLine {
        scopes: view
            .scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        created: lang.wib(&view.created_at),
        expires: view.expires_at.map_or(never.clone(), |at| lang.wib(&at)),
        last_used: view.last_used_at.map_or(never, |at| lang.wib(&at)),
        ended,
        view,
    }
}

async fn tokens_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    notice: Option<String>,
) -> PageResult {
    let layout = tokens_layout(lang, session);
    let views = tokens::list(&state.app, &session.caller, None, false)
        .await
        .or_page(&layout)?;
    let now = state.app.now();
    let page = TokensPage {
        layout,
        lang,
        csrf_token: session.csrf_token.clone(),
        tokens: views
            .into_iter()
            .map(|v| token_line(lang, v, now))
            .collect(),
        notice,
    };
    Ok(render(StatusCode::OK, &page))
}

fn tokens_layout(lang: PageLang, session: &Session) -> Layout {
    let title = lang.t("account.tokens.title").into_owned();
    Layout::staff(lang, "/account/tokens", title, session)
}

async fn token_list(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
) -> PageResult {
    tokens_page(&state, lang, &session, None).await
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf_token: Option<String>,
}

async fn revoke(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Source(source): Source,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<CsrfOnly>,
) -> PageResult {
    let layout = tokens_layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    tokens::revoke(&state.app, &session.caller, id, source)
        .await
        .or_page(&layout)?;
    let notice = lang.t("account.tokens.revoked_notice").into_owned();
    tokens_page(&state, lang, &session, Some(notice)).await
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    /// The field that was refused and why, in the catalogue's words.
    error: Option<(String, String)>,
    /// Whether the password has outlived its lifetime (the session opens nothing else).
    expired: bool,
    /// The fewest characters the rules in force allow, and what the rules ask, in words.
    min_chars: u32,
    password_hint: String,
}

/// What a new password must be, in words, for the rules' minimum `min`.
pub(crate) fn password_hint(lang: PageLang, min: u32) -> String {
    lang.tf(
        "account.password.hint",
        &[("min", lang.whole(min as usize))],
    )
}

/// The sessions the password page opens: complete ones, and those that must renew the
/// password first.
const PASSWORD_STAGES: &[Stage] = &[Stage::Complete, Stage::Renew];

fn password_page(
    lang: PageLang,
    session: &Session,
    error: Option<(String, String)>,
) -> PasswordPage {
    PasswordPage {
        layout: Layout::of_session(lang, "/account/password", "account.password.title", session),
        lang,
        csrf_token: session.csrf_token.clone(),
        error,
        expired: session.stage == Stage::Renew,
        min_chars: sigap_core::law::MIN_PASSWORD_CHARS,
        password_hint: password_hint(lang, sigap_core::law::MIN_PASSWORD_CHARS),
    }
}

/// The password page for `session`, with the shortest password the rules in force allow.
/// The session the password page opens: complete (with the header's counts, as every
/// staff page has them) or one that must renew the password first.
async fn password_session(state: &AppState, headers: &HeaderMap) -> Result<Session, PageError> {
    let mut session = session_in(state, headers, PASSWORD_STAGES).await?;
    if session.stage == Stage::Complete {
        match sigap_app::workflow::queue::desk(&state.app, &session.caller).await {
            Ok(desk) => session.desk = desk,
            Err(e) => tracing::warn!(error = %e, "the header's counts could not be read"),
        }
    }
    Ok(session)
}

async fn password_page_now(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    error: Option<(String, String)>,
) -> Result<PasswordPage, PageError> {
    let mut page = password_page(lang, session, error);
    let policy = state.app.policy().await.or_page(&page.layout)?;
    page.min_chars = policy.law.password_min_chars;
    page.password_hint = password_hint(lang, page.min_chars);
    Ok(page)
}

async fn password_form(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> PageResult {
    let session = password_session(&state, &headers).await?;
    let page = password_page_now(&state, lang, &session, None).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf_token: Option<String>,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    Source(source): Source,
    axum::Form(form): axum::Form<PasswordForm>,
) -> PageResult {
    let session = password_session(&state, &headers).await?;
    let layout = password_page(lang, &session, None).layout;
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    if form.new_password != form.confirm_password {
        let error = refused(lang, "confirm_password");
        let page = password_page_now(&state, lang, &session, Some(error)).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let changed = passwords::change_own(
        &state.app,
        &session,
        &form.current_password,
        &form.new_password,
        source,
    )
    .await;
    match changed.or_form(&layout)? {
        Ok(()) => {
            let cookie = cookies::secret(SESSION_COOKIE, "", 0, secure_cookies(&state));
            let mut response = Redirect::to("/login").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(errors) => {
            let error = refused_error(lang, &errors);
            let page = password_page_now(&state, lang, &session, Some(error)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// The first refused field of `errors` and its message from the catalogue: for a password
/// the rules refuse, the rule it breaks.
pub(crate) fn refused_error(lang: PageLang, errors: &[sigap_core::FieldError]) -> (String, String) {
    let Some(error) = errors.first() else {
        return refused(lang, "new_password");
    };
    match error.problem {
        sigap_core::Problem::Password(flaw) => (
            error.field.clone(),
            crate::pages::forms::password_message(lang, flaw),
        ),
        _ => refused(lang, &error.field),
    }
}

/// The refused field and its message from the catalogue.
pub(crate) fn refused(lang: PageLang, field: &str) -> (String, String) {
    (
        field.to_owned(),
        lang.t(&format!("account.password.error.{field}"))
            .into_owned(),
    )
}
