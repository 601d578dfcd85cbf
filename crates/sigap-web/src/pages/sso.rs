//! "Masuk dengan SSO": the staff sign-in through the OpenID Connect provider
//! (`identity::sso_flow`). `GET /login/sso` (a link on `/login`, not a form: the CSP's
//! `form-action 'self'` would stop a form whose answer redirects to the provider) binds
//! the attempt to the browser with the `sigap_sso` cookie (`SameSite=Lax`, so that it
//! comes back with the provider's redirect) and sends the browser to the provider.
//! `GET /login/sso/callback` checks the provider's answer but sets no session: it is a
//! cross-site navigation, after which a `SameSite=Strict` session cookie set there would
//! not be sent. It answers a page that continues by itself (meta refresh, and a button) to
//! `GET /login/sso/finish`, a same-site navigation, which opens the session as a password
//! sign-in does (or goes to the second factor's step). Refusals answer a page saying what
//! to do; an unknown person is told to ask an admin.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sigap_app::identity::sso_flow::{self, CallbackQuery, SsoRefusal};

use crate::AppState;
use crate::extract::Source;
use crate::pages::cookies::{self, SSO_COOKIE};
use crate::pages::login::start_session;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render, secure_cookies};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/sso", get(begin))
        .route("/login/sso/callback", get(callback))
        .route("/login/sso/finish", get(finish))
}

/// The page between the provider and the session, or a refusal.
#[derive(Template)]
#[template(path = "login_sso.html")]
struct SsoPage {
    layout: Layout,
    lang: PageLang,
    heading: &'static str,
    message: &'static str,
    /// Where the page continues to by itself, after a checked answer.
    continue_to: Option<&'static str>,
}

/// How long the browser binding lives: as long as an attempt.
const BINDING_SECONDS: i64 = 600;

async fn begin(State(state): State<AppState>, lang: PageLang) -> PageResult {
    let layout = Layout::public(lang, "/login", "login.title");
    let start = sso_flow::begin(&state.app).await.or_page(&layout)?;
    let mut response = Redirect::to(&start.authorize_url).into_response();
    let cookie = cookies::sso_binding(&start.binding, BINDING_SECONDS, secure_cookies(&state));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
struct CallbackParams {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    Query(params): Query<CallbackParams>,
) -> PageResult {
    let layout = Layout::public(lang, "/login", "login.title");
    let binding = cookies::get(&headers, SSO_COOKIE);
    let query = CallbackQuery {
        state: params.state,
        code: params.code,
        error: params.error,
    };
    let outcome = sso_flow::callback(&state.app, binding.as_deref(), &query, source.0)
        .await
        .or_page(&layout)?;
    Ok(match outcome {
        Ok(()) => {
            let page = SsoPage {
                layout: Layout::public(lang, "/login", "sso.continue.title"),
                lang,
                heading: "sso.continue.title",
                message: "sso.continue.lead",
                continue_to: Some("/login/sso/finish"),
            };
            render(StatusCode::OK, &page)
        }
        Err(refusal) => refused(&state, lang, refusal),
    })
}

async fn finish(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
) -> PageResult {
    let layout = Layout::public(lang, "/login", "login.title");
    let binding = cookies::get(&headers, SSO_COOKIE);
    let outcome = sso_flow::finish(&state.app, binding.as_deref(), source.0)
        .await
        .or_page(&layout)?;
    match outcome {
        Ok(signed_in) => {
            let mut response = start_session(&state, &headers, signed_in, None)
                .await
                .or_page(&layout)?;
            let cleared = cookies::sso_binding("", 0, secure_cookies(&state));
            response.headers_mut().append(header::SET_COOKIE, cleared);
            Ok(response)
        }
        Err(refusal) => Ok(refused(&state, lang, refusal)),
    }
}

/// The page of a refused sign-in; the browser binding is dropped.
fn refused(state: &AppState, lang: PageLang, refusal: SsoRefusal) -> Response {
    let message = match refusal {
        SsoRefusal::UnknownUser => "sso.refused.unknown_user",
        SsoRefusal::Disabled => "sso.refused.disabled",
        SsoRefusal::State => "sso.refused.state",
        SsoRefusal::Provider | SsoRefusal::Token => "sso.refused.token",
    };
    let page = SsoPage {
        layout: Layout::public(lang, "/login", "sso.refused.title"),
        lang,
        heading: "sso.refused.title",
        message,
        continue_to: None,
    };
    let mut response = render(StatusCode::FORBIDDEN, &page);
    let cleared = cookies::sso_binding("", 0, secure_cookies(state));
    response.headers_mut().append(header::SET_COOKIE, cleared);
    response
}
