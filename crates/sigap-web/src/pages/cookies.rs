//! The cookies of the web pages: the staff session (`sigap_session`), the anti-CSRF token of
//! the public forms (`sigap_csrf`), the receipt of a report just sent (`sigap_receipt`), the
//! browser binding of a sign-in through the provider (`sigap_sso`) and the chosen language
//! (`sigap_lang`). Secret cookies are `HttpOnly`, `SameSite=Strict` (`Lax` for `sigap_sso`),
//! `Path=/`, and `Secure` when the public URL is https.
//!
//! On an https site the secret cookies travel as `__Host-sigap_session` and
//! `__Host-sigap_csrf` ([`https_site`]): a browser accepts such a cookie only from this
//! host over https, so a sibling subdomain or a plain-http answer cannot plant one, and
//! the unprefixed names are then ignored. The handlers use the plain names; the prefix is
//! added and removed at this one place. The same layer sends HSTS.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use cookie::time::Duration;
use cookie::{Cookie, SameSite};

/// The staff session cookie.
pub const SESSION_COOKIE: &str = "sigap_session";
/// The public forms' anti-CSRF cookie (double-submit pattern).
pub const CSRF_COOKIE: &str = "sigap_csrf";
/// The receipt of a report just sent with the public form (`/report/done`).
pub const RECEIPT_COOKIE: &str = "sigap_receipt";
/// The browser binding of a sign-in through the OpenID Connect provider (`pages::sso`).
pub const SSO_COOKIE: &str = "sigap_sso";

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

/// A `Set-Cookie` value for the browser binding of a sign-in through the provider: secret
/// like the others but `SameSite=Lax`, since it must come back with the provider's
/// redirect, a cross-site navigation.
pub fn sso_binding(value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((SSO_COOKIE, value.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
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

/// The prefix that binds a cookie to this host and https.
const HOST_PREFIX: &str = "__Host-";
/// The cookies that carry secrets and take the prefix on an https site.
const SECRET_COOKIES: [&str; 5] = [
    SESSION_COOKIE,
    CSRF_COOKIE,
    RECEIPT_COOKIE,
    SSO_COOKIE,
    crate::pages::session::NEXT_COOKIE,
];
/// HSTS: a year, this host only (the city's other hosts are not ours to bind).
const HSTS: &str = "max-age=31536000";

/// On an https site: believes secret cookies only in their `__Host-` form, sends them in
/// that form, and adds `Strict-Transport-Security`. On an http site it does nothing.
pub async fn https_site(
    State(state): State<crate::AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !crate::pages::secure_cookies(&state) {
        return next.run(request).await;
    }
    unprefix_request_cookies(request.headers_mut());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    prefix_set_cookies(headers);
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    response
}

/// Drops the secret cookies sent without the prefix and strips it from those sent with.
fn unprefix_request_cookies(headers: &mut HeaderMap) {
    let kept: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            match name.strip_prefix(HOST_PREFIX) {
                Some(plain) if SECRET_COOKIES.contains(&plain) => {
                    Some(pair[HOST_PREFIX.len()..].to_owned())
                }
                _ if SECRET_COOKIES.contains(&name) => None,
                _ => Some(pair.to_owned()),
            }
        })
        .collect();
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&kept.join("; ")) {
        headers.insert(header::COOKIE, value);
    }
}

/// Gives the secret cookies that a response sets their prefix.
fn prefix_set_cookies(headers: &mut HeaderMap) {
    let values: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    headers.remove(header::SET_COOKIE);
    for value in values {
        let text = value.to_str().unwrap_or("");
        let secret = SECRET_COOKIES
            .iter()
            .any(|name| text.starts_with(&format!("{name}=")));
        let value = if secret {
            HeaderValue::from_str(&format!("{HOST_PREFIX}{text}")).unwrap_or(value)
        } else {
            value
        };
        headers.append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_prefixed_secret_cookies_are_believed_on_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static(
                "sigap_session=planted; __Host-sigap_csrf=ours; sigap_lang=en",
            ),
        );
        unprefix_request_cookies(&mut headers);
        assert_eq!(get(&headers, SESSION_COOKIE), None);
        assert_eq!(get(&headers, CSRF_COOKIE).as_deref(), Some("ours"));
        assert_eq!(get(&headers, "sigap_lang").as_deref(), Some("en"));
    }
}
