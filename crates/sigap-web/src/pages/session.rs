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
            return Err(to_login_from(parts));
        };
        match login::session(&state.app, &value).await {
            Ok(Some(mut session)) => {
                // The header's counts; a page still opens when they cannot be read.
                match sigap_app::workflow::queue::desk(&state.app, &session.caller).await {
                    Ok(desk) => session.desk = desk,
                    Err(e) => tracing::warn!(error = %e, "the header's counts could not be read"),
                }
                Ok(StaffSession(session))
            }
            Ok(None) => Err(half_way(&state, &value, parts).await),
            Err(e) => Err(crate::error::ApiError::from(e).into_response()),
        }
    }
}

/// Where a request whose session is not complete goes: to the second factor's step it
/// waits for, to the password page when the password has outlived its lifetime, or to
/// `/login`.
async fn half_way(state: &AppState, cookie_value: &str, parts: &Parts) -> Response {
    let waiting = [Stage::Password, Stage::Enrol, Stage::Renew];
    match login::session_at(&state.app, cookie_value, &waiting).await {
        Ok(Some(session)) if session.stage == Stage::Enrol => {
            Redirect::to("/account/totp").into_response()
        }
        Ok(Some(session)) if session.stage == Stage::Renew => {
            Redirect::to("/account/password").into_response()
        }
        Ok(Some(_)) => Redirect::to("/login/totp").into_response(),
        Ok(None) => to_login_from(parts),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// Where a request without a session goes.
pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// Where a page request without a session goes: to `/login`, which returns to the page
/// asked for (a `GET` of a local path) once the staff member has signed in.
pub fn to_login_from(parts: &Parts) -> Response {
    let asked = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    // The queue is where a sign-in goes anyway.
    match local_path(asked).filter(|path| *path != "/tickets") {
        Some(path) if parts.method == axum::http::Method::GET => {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
        _ => to_login(),
    }
}

/// The cookie that carries the page to return to through the second factor's step.
pub const NEXT_COOKIE: &str = "sigap_next";

/// `text` when it is a path of this site that a sign-in may return to: it starts with one
/// `/` (not `//` nor `/\`, which browsers read as another host), has no scheme, control
/// character, space or backslash, is not a sign-in page itself and is at most 1,024 bytes.
pub fn local_path(text: &str) -> Option<&str> {
    let plain = text.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let ok = plain
        && text.len() <= 1024
        && text.starts_with('/')
        && !text.starts_with("//")
        && !["/login", "/logout", "/account/totp"].iter().any(|page| {
            text == *page
                || text.starts_with(&format!("{page}/"))
                || text.starts_with(&format!("{page}?"))
        });
    ok.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_pages_are_returned_to() {
        for good in [
            "/tickets/BCSIRT-2026-00005",
            "/tickets?state=queued&q=sqli",
            "/approvals",
        ] {
            assert_eq!(local_path(good), Some(good));
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "tickets",
            "",
            "/tickets/ x",
            "/tickets/\u{7f}",
            "/login",
            "/login?next=/tickets",
            "/login/totp",
            "/logout",
            "/account/totp",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(1024))), None);
    }
}
