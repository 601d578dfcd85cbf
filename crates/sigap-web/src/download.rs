//! Files answered as downloads, for the API and the pages alike: always
//! `Content-Disposition: attachment` (a browser never renders them), a file name reduced to
//! safe ASCII, and the content's SHA-256 in `X-Content-SHA256`. The one exception is an
//! evidence image re-encoded by sigap, shown inline as PNG.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A PNG that sigap wrote itself (a re-encoded evidence image), to be shown inline; kept
/// in the browser's private cache only.
pub fn preview(png: Vec<u8>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"preview.png\""),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=600"),
    );
    (headers, png).into_response()
}

/// `bytes` as a download named `name`, of type `content_type`.
pub fn attachment(
    name: &str,
    content_type: &'static str,
    sha256: &str,
    bytes: Vec<u8>,
) -> Response {
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(sha256) {
        headers.insert(HeaderName::from_static("x-content-sha256"), value);
    }
    (headers, bytes).into_response()
}
