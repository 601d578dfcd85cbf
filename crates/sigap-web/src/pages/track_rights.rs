//! The reporter's rights on the tracking page (`#data-pribadi`): download what sigap holds
//! about them (JSON, or PDF with `format=pdf`), correct their contact details, ask to be erased. The ticket number and
//! the tracking token come with each form, as with the message form; a wrong one answers the
//! tracking page's "not found".

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sigap_app::AppError;
use sigap_app::intake::{self, rights};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PublicFormBody, Source};
use crate::pages::csrf::{PublicCsrf, public_token_ok, take_token};
use crate::pages::forms::text_of;
use crate::pages::public::{track_not_found, track_view};
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/track/data", post(download))
        .route("/track/contact", post(correct))
        .route("/track/erasure", post(erase))
}

/// The form's ticket number and token, after its CSRF token.
fn ticket_of(
    lang: PageLang,
    headers: &HeaderMap,
    body: Result<PublicFormBody, ApiError>,
) -> Result<(String, String, serde_json::Value), crate::pages::PageError> {
    let layout = Layout::public(lang, "/track", "track.title");
    let PublicFormBody(mut body) = body.or_page(&layout)?;
    if !public_token_ok(headers, take_token(&mut body.fields).as_deref()) {
        return Err(csrf_refused(layout).into());
    }
    let number = text_of(&body.fields, "ticket")
        .unwrap_or_default()
        .trim()
        .to_uppercase();
    let token = text_of(&body.fields, "token").unwrap_or_default();
    Ok((number, token, body.fields))
}

async fn download(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    body: Result<PublicFormBody, ApiError>,
) -> PageResult {
    let (number, token, fields) = ticket_of(lang, &headers, body)?;
    let pdf = text_of(&fields, "format").as_deref() == Some("pdf");
    let file = if pdf {
        intake::rights_pdf::export_pdf(&state.app, &number, &token, source.0).await
    } else {
        rights::export_file(&state.app, &number, &token, source.0).await
    };
    let media = if pdf {
        "application/pdf"
    } else {
        "application/json"
    };
    match file {
        Ok(file) => Ok(crate::download::attachment(
            &file.name,
            media,
            &file.sha256,
            file.bytes,
        )),
        Err(AppError::NotFound(_)) => Ok(track_not_found(lang, csrf, number)),
        Err(e) => Err(e).or_page(&Layout::public(lang, "/track", "track.title")),
    }
}

async fn correct(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    body: Result<PublicFormBody, ApiError>,
) -> PageResult {
    let (number, token, fields) = ticket_of(lang, &headers, body)?;
    let result = rights::correct(&state.app, &number, &token, &fields, source.0).await;
    let (notice, error) = match result {
        Ok(_) => (Some(lang.t("track.rights.corrected").into_owned()), None),
        Err(AppError::NotFound(_)) => return Ok(track_not_found(lang, csrf, number)),
        Err(AppError::Invalid(errors)) => {
            let said: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
            (None, Some(said.join("; ")))
        }
        Err(e) => return Err(e).or_page(&Layout::public(lang, "/track", "track.title")),
    };
    again(&state, lang, csrf, (number, token), notice, error).await
}

async fn erase(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    source: Source,
    csrf: PublicCsrf,
    body: Result<PublicFormBody, ApiError>,
) -> PageResult {
    let (number, token, fields) = ticket_of(lang, &headers, body)?;
    if text_of(&fields, "confirm").as_deref() != Some("yes") {
        let error = Some(lang.t("track.rights.confirm_needed").into_owned());
        return again(&state, lang, csrf, (number, token), None, error).await;
    }
    match rights::erase(&state.app, &number, &token, source.0).await {
        Ok(done) if done.applied => {
            let layout = Layout::public(lang, "/track", "track.title");
            let page = crate::pages::ErrorPage {
                layout,
                lang,
                heading: lang.t("track.rights.erased.heading").into_owned(),
                message: lang.t("track.rights.erased").into_owned(),
                detail: None,
            };
            Ok(csrf.apply(render(StatusCode::OK, &page)))
        }
        Ok(_) => {
            let notice = Some(lang.t("track.rights.erasure_recorded").into_owned());
            again(&state, lang, csrf, (number, token), notice, None).await
        }
        Err(AppError::NotFound(_)) => Ok(track_not_found(lang, csrf, number)),
        Err(e) => Err(e).or_page(&Layout::public(lang, "/track", "track.title")),
    }
}

/// The tracking page again, with what happened.
async fn again(
    state: &AppState,
    lang: PageLang,
    csrf: PublicCsrf,
    (number, token): (String, String),
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    match intake::reporter_view(&state.app, &number, &token).await {
        Ok(view) => {
            let page = track_view(lang, csrf.token.clone(), view, token, notice, error);
            Ok(csrf.apply(render(StatusCode::OK, &page)))
        }
        Err(AppError::NotFound(_)) => Ok(track_not_found(lang, csrf, number)),
        Err(e) => Err(e).or_page(&Layout::public(lang, "/track", "track.title")),
    }
}
