//! Document pages: an issued PDF, a signed copy, the receipt of a report (for staff from
//! the ticket page, for the reporter from the tracking page), and the upload of a signed
//! copy. Every PDF is a download (`Content-Disposition: attachment`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sigap_app::documents::{self, signed};
use sigap_core::TicketNumber;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::csrf::{CSRF_FIELD, public_token_ok, tokens_match};
use crate::pages::session::StaffSession;
use crate::pages::{Lang, Layout, app_error_page, body_error_page, csrf_refused, error_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}", get(download_document))
        .route("/documents/{id}/signed", post(upload_signed_copy))
        .route(
            "/documents/{id}/signed/{copy_id}",
            get(download_signed_copy),
        )
        .route(
            "/tickets/{ticket_number}/acknowledgement",
            get(staff_acknowledgement),
        )
        .route("/track/acknowledgement", post(reporter_acknowledgement))
}

fn pdf(name: &str, sha256: &str, bytes: Vec<u8>) -> Response {
    crate::download::attachment(&format!("{name}.pdf"), "application/pdf", sha256, bytes)
}

fn staff_layout(lang: Lang, session: &sigap_app::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/tickets",
        lang.t("ticket.title").into_owned(),
        session,
    )
}

/// An issued document's PDF, for a signed-in staff member who may see its ticket.
async fn download_document(
    State(state): State<AppState>,
    lang: Lang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
) -> Response {
    let layout = staff_layout(lang, &session);
    let Ok(id) = id.parse::<i64>() else {
        return error_page(layout, StatusCode::NOT_FOUND, None);
    };
    match documents::document_pdf(&state.app, &session.caller, id).await {
        Ok((meta, bytes)) => pdf(&meta.number, &meta.sha256, bytes),
        Err(e) => app_error_page(layout, e),
    }
}

/// A signed copy's PDF.
async fn download_signed_copy(
    State(state): State<AppState>,
    lang: Lang,
    StaffSession(session): StaffSession,
    Path((id, copy_id)): Path<(String, String)>,
) -> Response {
    let layout = staff_layout(lang, &session);
    let (Ok(id), Ok(copy_id)) = (id.parse::<i64>(), copy_id.parse::<i64>()) else {
        return error_page(layout, StatusCode::NOT_FOUND, None);
    };
    match signed::pdf(&state.app, &session.caller, id, copy_id).await {
        Ok((copy, number, bytes)) => pdf(&format!("{number}-ttd"), &copy.sha256, bytes),
        Err(e) => app_error_page(layout, e),
    }
}

/// The receipt of a report, issued on first request.
async fn staff_acknowledgement(
    State(state): State<AppState>,
    lang: Lang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
) -> Response {
    let layout = staff_layout(lang, &session);
    match documents::acknowledgement_for_staff(&state.app, &session.caller, &number).await {
        Ok((doc, bytes)) => pdf(&doc.number, &doc.sha256, bytes),
        Err(e) => app_error_page(layout, e),
    }
}

/// Keeps a signed copy uploaded from the ticket page, then shows the ticket again.
async fn upload_signed_copy(
    State(state): State<AppState>,
    lang: Lang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> Response {
    let layout = staff_layout(lang, &session);
    let mut body = match body {
        Ok(body) => body,
        Err(e) => return body_error_page(layout, e),
    };
    let text = |name: &str| body.fields.get(name).and_then(|v| v.as_str());
    if !tokens_match(&session.csrf_token, text(CSRF_FIELD)) {
        return csrf_refused(layout);
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(layout, StatusCode::NOT_FOUND, None);
    };
    if body.files.is_empty() {
        let e =
            sigap_app::AppError::invalid("file", lang.t("documents.signed.missing").into_owned());
        return app_error_page(layout, e);
    }
    let upload = signed::SignedCopyUpload {
        note: text("note").map(str::to_owned),
        file: body.files.remove(0),
    };
    match signed::upload(&state.app, &session.caller, id, &upload).await {
        // Back to the ticket only when the form names a well-formed ticket number.
        Ok(_) => match text("ticket").map(TicketNumber::parse) {
            Some(Ok(number)) => {
                Redirect::to(&format!("/tickets/{}?signed=1", number.as_str())).into_response()
            }
            _ => Redirect::to("/tickets").into_response(),
        },
        Err(e) => app_error_page(layout, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReceiptForm {
    ticket: String,
    token: String,
    csrf_token: Option<String>,
}

/// The reporter's receipt, from the tracking page (number and token as hidden fields).
async fn reporter_acknowledgement(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ReceiptForm>,
) -> Response {
    let layout = Layout::public(lang, "/track", "track.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return csrf_refused(layout);
    }
    let number = form.ticket.trim().to_uppercase();
    match documents::acknowledgement_for_reporter(&state.app, &number, form.token.trim()).await {
        Ok((doc, bytes)) => pdf(&doc.number, &doc.sha256, bytes),
        Err(e) => app_error_page(layout, e),
    }
}
