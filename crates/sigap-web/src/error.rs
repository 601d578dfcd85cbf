//! One error type for every handler, rendered as `application/problem+json` (RFC 9457):
//! `status`, `title`, `detail`, and `errors: [{field, message}]` for invalid input.
//! Internal errors are logged with a correlation id and never echo their cause. The API's
//! routes are wrapped in [`problem_errors`], so that an error answer that no handler
//! rendered (the method router's `405`) is a problem document too.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sigap_app::AppError;
use sigap_core::FieldError;
use utoipa::ToSchema;

/// A problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: u16,
    pub title: String,
    pub detail: String,
    /// For invalid input: one entry per bad field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
}

/// A field and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldErrorDoc {
    pub field: String,
    pub message: String,
}

/// What a handler answers when it fails.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "no such resource")
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let mut retry_after = None;
        let (status, detail, errors) = match e {
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "a valid `Authorization: Bearer <token>` is required".to_owned(),
                Vec::new(),
            ),
            AppError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                format!("{what} not found"),
                Vec::new(),
            ),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m, Vec::new()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m, Vec::new()),
            AppError::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                (StatusCode::UNPROCESSABLE_ENTITY, detail, errors)
            }
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m, Vec::new()),
            AppError::TooManyRequests {
                detail,
                retry_after: seconds,
            } => {
                retry_after = Some(seconds);
                (StatusCode::TOO_MANY_REQUESTS, detail, Vec::new())
            }
            AppError::Upstream(m) => (StatusCode::BAD_GATEWAY, m, Vec::new()),
            AppError::Internal(cause) => {
                let id = correlation_id();
                tracing::error!(correlation_id = %id, %cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("internal error; correlation id {id}"),
                    Vec::new(),
                )
            }
        };
        ApiError {
            status,
            detail,
            errors,
            retry_after,
        }
    }
}

/// The id of the request being answered (its `X-Request-Id`, in every log line of it), or
/// a new one outside a request.
fn correlation_id() -> String {
    crate::requests::current_id().unwrap_or_else(crate::requests::new_id)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank",
            status: self.status.as_u16(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut response = (self.status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The most of a plain error body that [`problem_errors`] reads for its `detail`.
const MAX_PLAIN_DETAIL: usize = 4096;

/// Middleware of the API's routes: an error answer (4xx, 5xx) that is not yet a problem
/// document becomes one, with the same status and headers (`Allow`, `Retry-After`). The
/// handlers and the API's extractors render their own errors; this catches what they never
/// see, such as the `405` of a method a path does not have, and any plain-text rejection of
/// an axum extractor that a handler might take directly. A client error's text becomes the
/// `detail`; a server error's text is logged with a correlation id and not echoed.
/// Whether an answer is a page: an API route that answers a browser (the verification
/// link) renders its own error page.
fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

pub async fn problem_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_problem(&response)
        || is_html(&response)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_PLAIN_DETAIL)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .unwrap_or_default();
    let detail = if status == StatusCode::METHOD_NOT_ALLOWED {
        let allowed = parts
            .headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        format!("{method} is not allowed here; the methods allowed are: {allowed}")
    } else if status.is_server_error() {
        let id = correlation_id();
        tracing::error!(correlation_id = %id, %status, body = %text, "error answer without a problem body");
        format!(
            "{}; correlation id {id}",
            status.canonical_reason().unwrap_or("error")
        )
    } else if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    let (problem, body) = ApiError::new(status, detail).into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(content_type) = problem.headers.get(header::CONTENT_TYPE) {
        parts
            .headers
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    Response::from_parts(parts, body)
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}
