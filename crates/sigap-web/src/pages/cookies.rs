//! The cookies of the web pages: the staff session (`sigap_session`), the anti-CSRF token of
//! the public forms (`sigap_csrf`) and the chosen language (`sigap_lang`). Secret cookies
//! are `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` when the public URL is https.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::time::Duration;
use cookie::{Cookie, SameSite};

/// The staff session cookie.
pub const SESSION_COOKIE: &str = "sigap_session";
/// The public forms' anti-CSRF cookie (double-submit pattern).
pub const CSRF_COOKIE: &str = "sigap_csrf";

/// The value of the cookie `name` in the request, if present and not empty.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value for a secret cookie, living `max_age_seconds` (`0` removes it).
pub fn secret(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(secure)
        .max_age(Duration::seconds(max_age_seconds))
        .build();
    to_header(&cookie)
}

/// A `Set-Cookie` value remembering the language for a year (not a secret: no `Secure`
/// needed, and `Lax` so that it applies when a visitor arrives by a link).
pub fn language(code: &str) -> HeaderValue {
    let cookie = Cookie::build((crate::pages::i18n::LANG_COOKIE, code.to_owned()))
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(Duration::days(365))
        .build();
    to_header(&cookie)
}

fn to_header(cookie: &Cookie<'_>) -> HeaderValue {
    // Names and values are ours (ASCII letters, digits, `-` and `_`), so this cannot fail;
    // an empty value would only drop the cookie.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}
