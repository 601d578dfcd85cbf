//! The signed-in staff member of a page request, read from the `sigap_session` cookie
//! through the login use case. Without a valid session a page answers a redirect to
//! `/login`; a session half-way through sign-in is sent to the step it waits for (the
//! second factor's code, or its enrolment), so that it opens no staff page before.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use sigap_app::identity::login::{self, Session, Stage};

use crate::AppState;
use crate::pages::cookies::{self, SESSION_COOKIE};

/// A staff page's caller and session.
#[derive(Debug, Clone)]
pub struct StaffSession(pub Session);

impl<S> FromRequestParts<S> for StaffSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some(value) = cookies::get(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match login::session(&state.app, &value).await {
            Ok(Some(session)) => Ok(StaffSession(session)),
            Ok(None) => Err(half_way(&state, &value).await),
            Err(e) => Err(crate::error::ApiError::from(e).into_response()),
        }
    }
}

/// Where a request whose session is not complete goes: to the second factor's step it
/// waits for, or to `/login`.
async fn half_way(state: &AppState, cookie_value: &str) -> Response {
    let waiting = [Stage::Password, Stage::Enrol];
    match login::session_at(&state.app, cookie_value, &waiting).await {
        Ok(Some(session)) if session.stage == Stage::Enrol => {
            Redirect::to("/account/totp").into_response()
        }
        Ok(Some(_)) => Redirect::to("/login/totp").into_response(),
        Ok(None) => to_login(),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// Where a request without a session goes.
pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}
