//! Request extractors: the staff caller from a bearer token, the client's address, and a
//! body that is either JSON or `multipart/form-data` (text fields plus `evidence` files).
//! Every malformed body becomes a precise 4xx problem, never a 500.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde_json::{Map, Value};
use sigap_app::tokens::{self, Scope};
use sigap_app::{App, Caller, Upload};

use crate::AppState;
use crate::error::ApiError;

/// Largest JSON body accepted.
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// The signed-in staff member (API token), within the token's scopes: the scope a request
/// needs is [`needed_scope`] of its method and path, and the use case refuses a token
/// without it.
#[derive(Debug, Clone)]
pub struct Staff(pub Caller);

impl<S> FromRequestParts<S> for Staff
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(sigap_app::AppError::Unauthorized)?
            .to_owned();
        let needed = needed_scope(&parts.method, parts.uri.path());
        let Ok(Source(source)) = Source::from_request_parts(parts, state).await;
        let state = AppState::from_ref(state);
        Ok(Staff(
            tokens::authenticate(&state.app, &token, needed, source).await?,
        ))
    }
}

/// The scope a token needs for a request: `read` for one that changes nothing, `act` for
/// the workflow (tickets, their meetings and documents, messages to reporters), `admin`
/// for every other change (registries, users, settings, jobs, tokens).
pub fn needed_scope(method: &Method, path: &str) -> Scope {
    const WORKFLOW: [&str; 4] = [
        "/api/v1/tickets",
        "/api/v1/meetings",
        "/api/v1/documents",
        "/api/v1/reports",
    ];
    if method == Method::GET || method == Method::HEAD {
        Scope::Read
    } else if WORKFLOW.iter().any(|prefix| path.starts_with(prefix)) {
        Scope::Act
    } else {
        Scope::Admin
    }
}

/// The client's address, for the audit log and the limits of public intake: the peer's
/// address, or, when the peer is a trusted reverse proxy, the last address its
/// `X-Forwarded-For` header names.
#[derive(Debug, Clone)]
pub struct Source(pub Option<String>);

impl<S> FromRequestParts<S> for Source
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let state = AppState::from_ref(state);
        let forwarded = peer
            .filter(|p| state.web.trusted_proxies.contains(p))
            .and_then(|_| parts.headers.get("x-forwarded-for"))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse::<std::net::IpAddr>().ok());
        Ok(Source(forwarded.or(peer).map(|a| a.to_string())))
    }
}

/// A body of text fields (as a JSON object) and uploaded files.
#[derive(Debug, Default)]
pub struct FormBody {
    pub fields: Value,
    pub files: Vec<Upload>,
}

impl<S> FromRequest<S> for FormBody
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let app = AppState::from_ref(state).app;
            let multipart = Multipart::from_request(req, state).await.map_err(|e| {
                ApiError::bad_request(format!("broken multipart body: {}", e.body_text()))
            })?;
            read_multipart(multipart, &app).await
        } else if content_type.starts_with("application/json") || content_type.is_empty() {
            let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES)
                .await
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("a JSON body is at most {MAX_JSON_BYTES} bytes"),
                    )
                })?;
            Ok(FormBody {
                fields: parse_json(&bytes)?,
                files: Vec::new(),
            })
        } else {
            Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send `application/json` or `multipart/form-data`",
            ))
        }
    }
}

/// Parses a JSON object body; an empty body is an empty object.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object",
        ))
    }
}

async fn read_multipart(mut multipart: Multipart, app: &App) -> Result<FormBody, ApiError> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(status, "the request is larger than the server accepts")
        } else {
            ApiError::bad_request(format!("broken multipart body: {}", e.body_text()))
        }
    };
    let mut fields = Map::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if (name == "evidence" || name == "file") && field.file_name().is_some() {
            let file_name = field.file_name().unwrap_or("evidence").to_owned();
            let bytes = field.bytes().await.map_err(broken)?;
            if bytes.is_empty() && file_name.is_empty() {
                continue; // an empty file input of a browser form
            }
            if files.len() >= app.rules.max_files {
                return Err(ApiError::from(sigap_app::AppError::invalid(
                    "evidence",
                    format!("at most {} files per request", app.rules.max_files),
                )));
            }
            files.push(Upload {
                name: file_name,
                bytes: bytes.to_vec(),
            });
        } else {
            let text = field.text().await.map_err(broken)?;
            insert_field(&mut fields, name, text);
        }
    }
    Ok(FormBody {
        fields: Value::Object(fields),
        files,
    })
}

/// A repeated form field becomes a list (e.g. several `attendees`).
fn insert_field(fields: &mut Map<String, Value>, name: String, text: String) {
    match fields.get_mut(&name) {
        Some(Value::Array(items)) => items.push(Value::String(text)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(text)]);
        }
        None => {
            fields.insert(name, Value::String(text));
        }
    }
}
