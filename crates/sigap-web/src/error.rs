//! One error type for every handler, rendered as `application/problem+json` (RFC 9457):
//! `status`, `title`, `detail`, and `errors: [{field, message}]` for invalid input.
//! Internal errors are logged with a correlation id and never echo their cause.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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

fn correlation_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
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
