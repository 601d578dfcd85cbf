//! The preview of a step's documents (`POST /tickets/{n}/preview/{action}?document=kind`):
//! the action's form sent to this address instead of the action's runs the step whole in a
//! transaction that is rolled back (`workflow::actions::preview_documents`) and answers the
//! chosen document as the PDF it would be, marked "PRATINJAU", as a download. A refusal
//! shows the ticket page with the form's errors, as the step itself would.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use sigap_app::AppError;
use sigap_core::DocumentKind;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::FormBody;
use crate::pages::csrf::staff_form;
use crate::pages::session::StaffSession;
use crate::pages::ticket::{refused_action, ticket_layout};
use crate::pages::{OrPage, PageError, PageLang, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/tickets/{ticket_number}/preview/{action}", post(preview))
}

#[derive(Debug, Deserialize)]
struct PreviewQuery {
    /// The kind of document to show (`letter_notice`, …).
    document: String,
}

async fn preview(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path((number, action)): Path<(String, String)>,
    Query(query): Query<PreviewQuery>,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = ticket_layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let Ok(kind) = query.document.parse::<DocumentKind>() else {
        return Err(AppError::NotFound("document kind".to_owned())).or_page(&layout);
    };
    let caller = &session.caller;
    let result = sigap_app::workflow::actions::preview_documents(
        &state.app,
        caller,
        &number,
        &action,
        &body.fields,
    )
    .await;
    let documents = match result {
        Ok(documents) => documents,
        Err(e @ (AppError::NotFound(_) | AppError::Unauthorized | AppError::Internal(_))) => {
            return Err(e).or_page(&layout);
        }
        Err(e) => {
            return refused_action(&state, lang, &session, &number, &action, &body.fields, e).await;
        }
    };
    let Some(document) = documents.into_iter().find(|d| d.kind == kind) else {
        let detail = lang.tf(
            "preview.not_issued",
            &[("document", lang.label(kind).to_owned())],
        );
        return Err(PageError::status(
            &layout,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(detail),
        ));
    };
    let name = format!("PRATINJAU-{}-{}.pdf", kind.as_str(), number);
    Ok(crate::download::attachment(
        &name,
        "application/pdf",
        &document.sha256,
        document.pdf,
    ))
}
