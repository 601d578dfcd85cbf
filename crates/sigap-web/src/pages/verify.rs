//! The page of a document's verification link (`/verify/{code}`, routed with the API so
//! that the same address answers JSON when asked): the office's letterhead, the kind in
//! words, the number, the date of issue, who signs, whether it was a draft or has been
//! replaced, and the SHA-256 of the issued PDF and of its signed copies; the ticket's
//! number only to signed-in staff who may see the ticket. An unknown code answers an
//! Indonesian page with 404.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sigap_app::documents::VerifiedDocument;
use sigap_app::identity::login::{self, Session};

use crate::AppState;
use crate::pages::cookies::{self, SESSION_COOKIE};
use crate::pages::{Layout, PAGE_CSP, PageLang, render};

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    lang: PageLang,
    letterhead: Vec<String>,
    address: String,
    doc: Option<VerifiedDocument>,
}

/// The signed-in staff member of the request, if its session cookie is complete.
pub async fn viewer(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let value = cookies::get(headers, SESSION_COOKIE)?;
    login::session(&state.app, &value).await.ok().flatten()
}

/// The page for `doc` (`None`: the code is unknown, 404).
pub async fn page(
    state: &AppState,
    lang: PageLang,
    session: Option<&Session>,
    code: &str,
    doc: Option<VerifiedDocument>,
) -> Response {
    let path = format!("/verify/{code}");
    let layout = match session {
        Some(session) => Layout::staff(lang, &path, lang.t("verify.title").into_owned(), session),
        None => Layout::public(lang, &path, "verify.title"),
    };
    // When the settings cannot be read, the page carries the default letterhead.
    let letterhead = match state.app.policy().await {
        Ok(policy) => policy.documents.letterhead.clone(),
        Err(_) => sigap_app::documents::config::DocumentConfig::default().letterhead,
    };
    let status = if doc.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = VerifyPage {
        layout,
        lang,
        letterhead: letterhead.lines,
        address: letterhead.address,
        doc,
    };
    let mut response = render(status, &page);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}
