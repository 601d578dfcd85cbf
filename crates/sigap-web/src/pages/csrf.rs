//! Anti-CSRF tokens for every POST form, compared in constant time.
//!
//! - Staff forms carry the session's own token (random, stored with the session).
//! - Public forms (report, tracking, login) have no session: they use the double-submit
//!   pattern. The page sets a random token in the `HttpOnly`, `SameSite=Strict` cookie
//!   `sigap_csrf` and repeats it in a hidden field; a POST must bring both, equal. A foreign
//!   site can make a browser send the cookie on no cross-site POST (`SameSite=Strict`) and
//!   cannot read it to fill the field.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::pages::cookies::{self, CSRF_COOKIE};

/// The name of the hidden field in every form.
pub const CSRF_FIELD: &str = "csrf_token";

/// How long a public form's token lives (a report may take a while to write).
const PUBLIC_TOKEN_SECONDS: i64 = 12 * 60 * 60;

/// Whether `submitted` is `expected`: both non-empty and equal, compared in constant time.
pub fn tokens_match(expected: &str, submitted: Option<&str>) -> bool {
    let Some(submitted) = submitted else {
        return false;
    };
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

/// Whether a public form's submitted token equals the one in its cookie.
pub fn public_token_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    cookies::get(headers, CSRF_COOKIE).is_some_and(|cookie| tokens_match(&cookie, submitted))
}

/// Takes the anti-CSRF field out of a form's fields (so that the use case never sees it)
/// and answers its value.
pub fn take_token(fields: &mut serde_json::Value) -> Option<String> {
    fields
        .as_object_mut()
        .and_then(|m| m.remove(CSRF_FIELD))
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Whether a staff form's fields carry the session's anti-CSRF token (taken out of them).
pub fn staff_token_ok(session_token: &str, fields: &mut serde_json::Value) -> bool {
    tokens_match(session_token, take_token(fields).as_deref())
}

/// The token a public form page embeds: the browser's current one, or a new one that the
/// response sets.
#[derive(Debug, Clone)]
pub struct PublicCsrf {
    pub token: String,
    set_cookie: Option<HeaderValue>,
}

impl PublicCsrf {
    /// Adds the cookie to `response` when the token is new.
    pub fn apply(self, mut response: Response) -> Response {
        if let Some(value) = self.set_cookie {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

impl<S> FromRequestParts<S> for PublicCsrf
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = cookies::get(&parts.headers, CSRF_COOKIE).filter(|v| well_formed(v));
        Ok(match current {
            Some(token) => PublicCsrf {
                token,
                set_cookie: None,
            },
            None => {
                let token = sigap_app::auth::new_secret("");
                let secure = crate::pages::secure_cookies(&AppState::from_ref(state));
                let set_cookie = cookies::secret(CSRF_COOKIE, &token, PUBLIC_TOKEN_SECONDS, secure);
                PublicCsrf {
                    token,
                    set_cookie: Some(set_cookie),
                }
            }
        })
    }
}

/// A token this server could have made: 43 URL-safe base64 characters (256 bits).
fn well_formed(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The body of a staff form, its anti-CSRF token checked and taken out; a body that cannot
/// be read or a token that does not match is the error page of `layout`.
pub(crate) fn staff_form(
    session: &sigap_app::identity::login::Session,
    layout: &crate::pages::Layout,
    body: Result<crate::extract::FormBody, crate::error::ApiError>,
) -> Result<crate::extract::FormBody, crate::pages::PageError> {
    use crate::pages::OrPage;
    let mut body = body.or_page(layout)?;
    if !staff_token_ok(&session.csrf_token, &mut body.fields) {
        return Err(crate::pages::csrf_refused(layout.clone()).into());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_equal_non_empty_tokens_match() {
        assert!(tokens_match("abc", Some("abc")));
        assert!(!tokens_match("abc", Some("abd")));
        assert!(!tokens_match("abc", Some("")));
        assert!(!tokens_match("abc", None));
        assert!(!tokens_match("", Some("")));
    }

    #[test]
    fn server_tokens_are_well_formed() {
        assert!(well_formed(&sigap_app::auth::new_secret("")));
        assert!(!well_formed("short"));
    }
}
