//! Saving and deleting one's queue filters (`/tickets/filters`): plain forms on the queue
//! page, with the anti-CSRF token; each answers with the queue again (303).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use serde::Deserialize;
use sigap_app::workflow::saved_filters;

use crate::AppState;
use crate::pages::csrf::tokens_match;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, csrf_refused};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/filters", post(save))
        .route("/tickets/filters/{id}/delete", post(delete))
}

#[derive(Debug, Deserialize)]
struct SaveForm {
    csrf_token: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

#[derive(Debug, Deserialize)]
struct DeleteForm {
    csrf_token: Option<String>,
}

fn layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/tickets",
        lang.t("queue.title").into_owned(),
        session,
    )
}

async fn save(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(form): axum::Form<SaveForm>,
) -> PageResult {
    let layout = layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    saved_filters::save(&state.app, &session.caller, &form.name, &form.query)
        .await
        .or_page(&layout)?;
    let query = saved_filters::clean_query(&form.query);
    Ok(Redirect::to(&format!("/tickets?{query}")).into_response())
}

async fn delete(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<DeleteForm>,
) -> PageResult {
    let layout = layout(lang, &session);
    if !tokens_match(&session.csrf_token, form.csrf_token.as_deref()) {
        return Ok(csrf_refused(layout));
    }
    saved_filters::delete(&state.app, &session.caller, id)
        .await
        .or_page(&layout)?;
    Ok(Redirect::to("/tickets").into_response())
}
