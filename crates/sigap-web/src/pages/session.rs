//! The signed-in staff member of a page request, read from the `sigap_session` cookie
//! through the login use case. Without a valid session a page answers a redirect to
//! `/login`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use sigap_app::login::{self, Session};

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
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::error::ApiError::from(e).into_response()),
        }
    }
}

/// Where a request without a session goes.
pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}
