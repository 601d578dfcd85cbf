//! Document pages: an issued PDF, a signed copy, the receipt of a report (for staff from
//! the ticket page, for the reporter from the tracking page), and the upload of a signed
//! copy, or the signature made from sigap by the document's configured signer. Every PDF is
//! a download (`Content-Disposition: attachment`).

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
use crate::extract::{FormBody, Source};
use crate::pages::csrf::{CSRF_FIELD, public_token_ok, tokens_match};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageError, PageLang, PageResult, csrf_refused};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}", get(download_document))
        .route("/documents/{id}/signed", post(upload_signed_copy))
        .route("/documents/{id}/sign", post(sign_document))
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

fn staff_layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
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
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
) -> PageResult {
    let layout = staff_layout(lang, &session);
    let id = id.parse::<i64>().map_err(|_| not_found(&layout))?;
    let (meta, bytes) = documents::document_pdf(&state.app, &session.caller, id)
        .await
        .or_page(&layout)?;
    Ok(pdf(&meta.number, &meta.sha256, bytes))
}

fn not_found(layout: &Layout) -> PageError {
    PageError::status(layout, StatusCode::NOT_FOUND, None)
}

/// A signed copy's PDF.
async fn download_signed_copy(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((id, copy_id)): Path<(String, String)>,
) -> PageResult {
    let layout = staff_layout(lang, &session);
    let (Ok(id), Ok(copy_id)) = (id.parse::<i64>(), copy_id.parse::<i64>()) else {
        return Err(not_found(&layout));
    };
    let (copy, number, bytes) = signed::pdf(&state.app, &session.caller, id, copy_id)
        .await
        .or_page(&layout)?;
    Ok(pdf(&format!("{number}-ttd"), &copy.sha256, bytes))
}

/// The receipt of a report, issued on first request.
async fn staff_acknowledgement(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(number): Path<String>,
) -> PageResult {
    let layout = staff_layout(lang, &session);
    let (doc, bytes) = documents::acknowledgement_for_staff(&state.app, &session.caller, &number)
        .await
        .or_page(&layout)?;
    Ok(pdf(&doc.number, &doc.sha256, bytes))
}

/// Keeps a signed copy uploaded from the ticket page, then shows the ticket again.
async fn upload_signed_copy(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = staff_layout(lang, &session);
    let mut body = body.or_page(&layout)?;
    let text = |name: &str| body.fields.get(name).and_then(|v| v.as_str());
    if !tokens_match(&session.csrf_token, text(CSRF_FIELD)) {
        return Ok(csrf_refused(layout));
    }
    let id = id.parse::<i64>().map_err(|_| not_found(&layout))?;
    if body.files.is_empty() {
        let e =
            sigap_app::AppError::invalid("file", lang.t("documents.signed.missing").into_owned());
        return Err(e).or_page(&layout);
    }
    let upload = signed::SignedCopyUpload {
        note: text("note").map(str::to_owned),
        file: body.files.remove(0),
    };
    signed::upload(&state.app, &session.caller, id, &upload)
        .await
        .or_page(&layout)?;
    Ok(back_to_ticket(text("ticket")))
}

/// The ticket page's "Tandatangani" form (URL-encoded, as a browser sends it).
#[derive(Default, Deserialize)]
struct SignForm {
    csrf_token: Option<String>,
    ticket: Option<String>,
    #[serde(default)]
    totp: String,
    nik: Option<String>,
    passphrase: Option<String>,
}

/// Signs a document from the ticket page's "Tandatangani" form, then shows the ticket.
async fn sign_document(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Source(source): Source,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SignForm>,
) -> PageResult {
    let layout = staff_layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    let id = id.parse::<i64>().map_err(|_| not_found(&layout))?;
    let given = |v: Option<String>| v.filter(|v| !v.is_empty());
    let request = sigap_app::documents::signing::SignRequest {
        totp: form.totp,
        nik: given(form.nik),
        passphrase: given(form.passphrase),
    };
    sigap_app::documents::signing::sign(&state.app, &session.caller, id, &request, source)
        .await
        .or_page(&layout)?;
    Ok(back_to_ticket(form.ticket.as_deref()))
}

/// Back to the ticket after a signed copy was kept, when the form names a well-formed
/// ticket number; else to the queue.
fn back_to_ticket(ticket: Option<&str>) -> Response {
    match ticket.map(TicketNumber::parse) {
        Some(Ok(number)) => {
            Redirect::to(&format!("/tickets/{}?signed=1", number.as_str())).into_response()
        }
        _ => Redirect::to("/tickets").into_response(),
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
    lang: PageLang,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ReceiptForm>,
) -> PageResult {
    let layout = Layout::public(lang, "/track", "track.title");
    if !public_token_ok(&headers, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    let number = form.ticket.trim().to_uppercase();
    let (doc, bytes) =
        documents::acknowledgement_for_reporter(&state.app, &number, form.token.trim())
            .await
            .or_page(&layout)?;
    Ok(pdf(&doc.number, &doc.sha256, bytes))
}
