//! "Lupa kata sandi" for staff: `/login/forgot` asks for the registered address and answers
//! the same whether or not it has an account (the use case, `identity::recovery`, mails a
//! one-time link when it does); `/login/reset/{token}` shows the new-password form while
//! the link works and, once the password is set, goes to the sign-in page with a notice.
//! Both forms carry the public anti-CSRF token; a client past the sign-in throttle gets the
//! same 429 page as the sign-in.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sigap_app::AppError;
use sigap_app::identity::recovery;

use crate::AppState;
use crate::extract::Source;
use crate::pages::account::{password_hint, refused, refused_error};
use crate::pages::csrf::{PublicCsrf, public_token_ok};
use crate::pages::login::throttled;
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/forgot", get(forgot_form).post(forgot))
        .route("/login/reset/{token}", get(reset_form).post(reset))
}

#[derive(Template)]
#[template(path = "login_forgot.html")]
struct ForgotPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    /// Set once the request was taken: the page then says what happens next.
    sent: bool,
}

fn forgot_page(lang: PageLang, csrf_token: String, sent: bool) -> ForgotPage {
    ForgotPage {
        layout: Layout::public(lang, "/login/forgot", "forgot.title"),
        lang,
        csrf_token,
        sent,
    }
}

async fn forgot_form(lang: PageLang, csrf: PublicCsrf) -> Response {
    let page = forgot_page(lang, csrf.token.clone(), false);
    csrf.apply(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
    csrf_token: Option<String>,
}

async fn forgot(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    Source(source): Source,
    csrf: PublicCsrf,
    axum::Form(form): axum::Form<ForgotForm>,
) -> PageResult {
    let layout = Layout::public(lang, "/login/forgot", "forgot.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    match recovery::request(&state.app, &form.email, source).await {
        Ok(()) => {
            let page = forgot_page(lang, csrf.token.clone(), true);
            Ok(csrf.apply(render(StatusCode::OK, &page)))
        }
        Err(AppError::TooManyRequests { retry_after, .. }) => Ok(throttled(lang, retry_after)),
        Err(e) => Err(e).or_page(&layout),
    }
}

#[derive(Template)]
#[template(path = "login_reset.html")]
struct ResetPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    /// The link's token, for the form's address.
    token: String,
    /// Whether the link works; the page says so when it does not.
    works: bool,
    /// The field that was refused and why.
    error: Option<(String, String)>,
    /// The fewest characters the rules allow, and what the rules ask, in words.
    min_chars: u32,
    password_hint: String,
}

fn reset_page(lang: PageLang, csrf_token: String, token: &str, works: bool) -> ResetPage {
    let min_chars = sigap_core::law::MIN_PASSWORD_CHARS;
    ResetPage {
        layout: Layout::public(lang, &format!("/login/reset/{token}"), "reset.title"),
        lang,
        csrf_token,
        token: token.to_owned(),
        works,
        error: None,
        min_chars,
        password_hint: password_hint(lang, min_chars),
    }
}

/// `page` with the shortest password the rules in force allow (the floor when they cannot
/// be read: the check on sending applies them anyway).
async fn with_rules(state: &AppState, lang: PageLang, mut page: ResetPage) -> ResetPage {
    if let Ok(policy) = state.app.policy().await {
        page.min_chars = policy.law.password_min_chars;
        page.password_hint = password_hint(lang, page.min_chars);
    }
    page
}

/// The page for a link that does not work: 404, with the way to ask for a new one.
fn dead_link(lang: PageLang, csrf: PublicCsrf, token: &str) -> Response {
    let page = reset_page(lang, csrf.token.clone(), token, false);
    csrf.apply(render(StatusCode::NOT_FOUND, &page))
}

async fn reset_form(
    State(state): State<AppState>,
    lang: PageLang,
    csrf: PublicCsrf,
    Path(token): Path<String>,
) -> PageResult {
    let layout = Layout::public(lang, "/login/forgot", "reset.title");
    if !recovery::link_works(&state.app, &token)
        .await
        .or_page(&layout)?
    {
        return Ok(dead_link(lang, csrf, &token));
    }
    let page = with_rules(
        &state,
        lang,
        reset_page(lang, csrf.token.clone(), &token, true),
    )
    .await;
    Ok(csrf.apply(render(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
struct ResetForm {
    csrf_token: Option<String>,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn reset(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    Source(source): Source,
    csrf: PublicCsrf,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<ResetForm>,
) -> PageResult {
    let layout = Layout::public(lang, "/login/forgot", "reset.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    let mut page = with_rules(&state, lang, reset_page(lang, String::new(), &token, true)).await;
    let mut refuse = move |csrf: PublicCsrf, error: (String, String)| {
        page.csrf_token = csrf.token.clone();
        page.error = Some(error);
        csrf.apply(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    if form.new_password != form.confirm_password {
        return Ok(refuse(csrf, refused(lang, "confirm_password")));
    }
    match recovery::complete(&state.app, &token, &form.new_password, source).await {
        Ok(()) => Ok(Redirect::to("/login?reset=done").into_response()),
        Err(AppError::NotFound(_)) => Ok(dead_link(lang, csrf, &token)),
        Err(AppError::Invalid(errors)) => Ok(refuse(csrf, refused_error(lang, &errors))),
        Err(e) => Err(e).or_page(&layout),
    }
}
