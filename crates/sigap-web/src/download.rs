//! Files answered as downloads, for the API and the pages alike: always
//! `Content-Disposition: attachment` (a browser never renders them), a file name reduced to
//! safe ASCII, and the content's SHA-256 in `X-Content-SHA256` (not for a streamed one,
//! whose hash is known only at its end). The one exception is an
//! evidence image re-encoded by sigap, shown inline as PNG.

use std::future::Future;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sigap_app::{App, AppError};

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

/// `name` reduced to safe ASCII for `Content-Disposition`.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `bytes` as a download named `name`, of type `content_type`.
pub fn attachment(
    name: &str,
    content_type: &'static str,
    sha256: &str,
    bytes: Vec<u8>,
) -> Response {
    let safe_name = safe(name);
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

/// An evidence file as a download: the stored file streamed a piece at a time with its
/// length, or the copy made for the reader, whole.
pub fn evidence(
    name: &str,
    sha256: &str,
    body: sigap_app::workflow::tickets::EvidenceBody,
) -> Response {
    use sigap_app::workflow::tickets::EvidenceBody;
    match body {
        EvidenceBody::Copy(bytes) => attachment(name, "application/octet-stream", sha256, bytes),
        EvidenceBody::Stored(stored) => {
            let mut response = attachment(name, "application/octet-stream", sha256, Vec::new());
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(stored.len));
            *response.body_mut() = Body::from_stream(stored.pieces);
            response
        }
    }
}

/// An export that hands out its file a piece at a time (`sigap-app`'s CSV of tickets, the
/// audit log's export), so that the file is streamed, never held whole.
pub(crate) trait Pieces: Send + 'static {
    /// The next piece; `None` after the last.
    fn next_piece(
        &mut self,
        app: &App,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, AppError>> + Send;
}

impl Pieces for sigap_app::exports::tabular::CsvExport {
    fn next_piece(
        &mut self,
        app: &App,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, AppError>> + Send {
        self.next_chunk(app)
    }
}

impl Pieces for sigap_app::admin::audit_export::Export {
    fn next_piece(
        &mut self,
        app: &App,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, AppError>> + Send {
        self.next_chunk(app)
    }
}

/// `pieces` as a download named `name`, streamed as they come. The export was audited
/// before; a failure after the first piece can only cut the answer short, and is logged.
pub(crate) fn streamed<P: Pieces>(
    app: App,
    pieces: P,
    name: &str,
    content_type: &'static str,
) -> Response {
    let body = futures::stream::try_unfold((app, pieces), |(app, mut pieces)| async move {
        match pieces.next_piece(&app).await {
            Ok(Some(piece)) => Ok(Some((piece, (app, pieces)))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "a streamed export stopped");
                Err(std::io::Error::other(e.to_string()))
            }
        }
    });
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", safe(name))) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (headers, Body::from_stream(body)).into_response()
}
