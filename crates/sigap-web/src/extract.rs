//! Request extractors: the staff caller from a bearer token, the client's address, a
//! body that is either JSON or `multipart/form-data` (text fields plus `evidence` files),
//! and the query and path parameters of the API. Every malformed body or parameter becomes a
//! precise 4xx problem, never a 500 and never axum's plain-text rejection.

use std::net::SocketAddr;

use axum::extract::multipart::Field;
use axum::extract::{
    ConnectInfo, FromRef, FromRequest, FromRequestParts, Multipart, Path, Request,
};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sigap_app::identity::tokens::{self, Scope};
use sigap_app::{App, Caller, Upload};
use sigap_core::FieldError;
use tokio::sync::OwnedSemaphorePermit;

use crate::AppState;
use crate::error::ApiError;

/// Largest JSON body accepted, and largest text field of a multipart body.
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;
/// How long a multipart body waits for an upload slot before it is answered 503.
const UPLOAD_SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

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

/// The query parameters of an API route. A parameter that is missing or does not read as
/// its type is invalid input like any other: `422` with `errors: [{field, message}]`
/// naming it (axum's `Query` answers a plain-text `400`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = url::form_urlencoded::parse(query.as_bytes());
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(ApiQuery)
            .map_err(|e| ApiError::from(sigap_app::AppError::Invalid(vec![parameter_error(&e)])))
    }
}

/// The field error of a query string that does not deserialize: the parameter is the
/// error's path, or for a missing one the name serde quotes in its message.
fn parameter_error(e: &serde_path_to_error::Error<serde_urlencoded::de::Error>) -> FieldError {
    let cause = e.inner().to_string();
    let missing = cause
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(name) => FieldError::new(name, format!("the parameter `{name}` is required")),
        None => match e.path().to_string() {
            root if root == "." => {
                FieldError::new("query", format!("the query is not valid: {cause}"))
            }
            name => FieldError::new(
                &name,
                format!("the parameter `{name}` is not valid: {cause}"),
            ),
        },
    }
}

/// The path parameters of an API route. A parameter that does not read as its type (an id
/// that is not a number, text that is not UTF-8) names nothing there is: `404`, as an id
/// that names no row (axum's `Path` answers a plain-text `400`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) if rejection.status().is_client_error() => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no such resource: {}", rejection.body_text()),
            )),
            // A route whose parameters do not fit its extractor: a defect, logged as one.
            Err(rejection) => Err(sigap_app::AppError::Internal(rejection.body_text()).into()),
        }
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

/// A body of text fields (as a JSON object) and uploaded files, read within the staff's
/// request limit (`WebConfig::max_request_bytes`); [`PublicFormBody`] for the public
/// routes. A multipart body holds one of the upload slots (`WebConfig::max_uploads`)
/// while it is read and until the body is dropped, with its files in memory.
#[derive(Debug, Default)]
pub struct FormBody {
    pub fields: Value,
    pub files: Vec<Upload>,
    upload_slot: Option<OwnedSemaphorePermit>,
}

impl FormBody {
    /// The text fields as a request struct of `sigap_core::Given` fields (see
    /// `sigap_core::form`); only a body that is not an object fails, with 422.
    pub fn request<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        sigap_core::form::request(&self.fields)
            .map_err(|errors| ApiError::from(sigap_app::AppError::Invalid(errors)))
    }

    /// A body of `fields` and no files.
    pub fn from_fields(fields: Value) -> FormBody {
        FormBody {
            fields,
            ..FormBody::default()
        }
    }
}

/// A [`FormBody`] of the public routes (reports, the reporter's messages), read within the
/// smaller `WebConfig::max_public_request_bytes`.
#[derive(Debug, Default)]
pub struct PublicFormBody(pub FormBody);

impl<S> FromRequest<S> for FormBody
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = AppState::from_ref(state).web.max_request_bytes;
        read_body(req, state, limit).await
    }
}

impl<S> FromRequest<S> for PublicFormBody
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = AppState::from_ref(state).web.max_public_request_bytes;
        read_body(req, state, limit).await.map(PublicFormBody)
    }
}

fn too_large(detail: String) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
}

/// Reads a JSON or multipart body of at most `limit` bytes. A `Content-Length` over the
/// limit is refused before a byte of the body is read.
async fn read_body<S>(req: Request, state: &S, limit: usize) -> Result<FormBody, ApiError>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared.filter(|l| *l > limit as u64) {
        return Err(too_large(format!(
            "the request is {length} bytes; the limit is {limit} bytes"
        )));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let app_state = AppState::from_ref(state);
        let slot = upload_slot(&app_state).await?;
        let multipart = Multipart::from_request(req, state).await.map_err(|e| {
            ApiError::bad_request(format!("broken multipart body: {}", e.body_text()))
        })?;
        let mut body = read_multipart(multipart, &app_state.app, limit).await?;
        body.upload_slot = Some(slot);
        Ok(body)
    } else if content_type.starts_with("application/json") || content_type.is_empty() {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES.min(limit))
            .await
            .map_err(|e| {
                if timed_out(&e) {
                    late_body()
                } else {
                    too_large(format!("a JSON body is at most {MAX_JSON_BYTES} bytes"))
                }
            })?;
        Ok(FormBody::from_fields(parse_json(&bytes)?))
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send `application/json` or `multipart/form-data`",
        ))
    }
}

/// One of the slots of `WebConfig::max_uploads`, waited for a little: a burst of uploads
/// queues briefly, a flood is answered 503 instead of holding every file in memory at once.
async fn upload_slot(state: &AppState) -> Result<OwnedSemaphorePermit, ApiError> {
    let wait = tokio::time::timeout(UPLOAD_SLOT_WAIT, state.upload_slots.clone().acquire_owned());
    match wait.await {
        Ok(Ok(permit)) => Ok(permit),
        _ => {
            let mut busy = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many uploads at once; send it again in a moment",
            );
            busy.retry_after = Some(5);
            Err(busy)
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

/// Reads the fields and files of a multipart body chunk by chunk: a file is given up as
/// soon as it passes the per-file limit, a text field past [`MAX_JSON_BYTES`], and the
/// whole past `limit`, so no more than the limit plus a chunk is ever held for one of them.
async fn read_multipart(
    mut multipart: Multipart,
    app: &App,
    limit: usize,
) -> Result<FormBody, ApiError> {
    let mut fields = Map::new();
    let mut files = Vec::new();
    let mut total = 0_usize;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if sigap_core::is_file_part(&name, field.file_name()) {
            let file_name = field.file_name().unwrap_or("evidence").to_owned();
            let max = app.rules.max_file_bytes;
            let bytes = read_field(&mut field, max, limit, &mut total)
                .await?
                .map_err(|read| {
                    too_large(format!(
                        "file `{}` is more than {read} bytes; the limit is {max} bytes per file",
                        sigap_app::evidence::clean_name(&file_name)
                    ))
                })?;
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
                bytes,
            });
        } else {
            let bytes = read_field(&mut field, MAX_JSON_BYTES, limit, &mut total)
                .await?
                .map_err(|_| {
                    too_large(format!("the field `{name}` is over {MAX_JSON_BYTES} bytes"))
                })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                ApiError::bad_request(format!("the field `{name}` is not UTF-8 text"))
            })?;
            sigap_core::insert_field(&mut fields, name, text);
        }
    }
    Ok(FormBody {
        fields: Value::Object(fields),
        files,
        upload_slot: None,
    })
}

/// Whether a body error is the deadline of `WebConfig::body_timeout` (the router's
/// `RequestBodyDeadlineLayer`), somewhere in its chain of causes.
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn late_body() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "the body did not arrive in time; send it again",
    )
}

fn broken(e: axum::extract::multipart::MultipartError) -> ApiError {
    let status = e.status();
    if timed_out(&e) {
        late_body()
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large("the request is larger than the server accepts".to_owned())
    } else {
        ApiError::bad_request(format!("broken multipart body: {}", e.body_text()))
    }
}

/// The bytes of one field, read chunk by chunk; `Ok(Err(read))` when it passed `max` (after
/// `read` bytes), and a 413 when the request's fields together passed `limit`.
async fn read_field(
    field: &mut Field<'_>,
    max: usize,
    limit: usize,
    total: &mut usize,
) -> Result<Result<Vec<u8>, usize>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(broken)? {
        *total += chunk.len();
        if *total > limit {
            return Err(too_large(format!(
                "the request is over {limit} bytes, the limit"
            )));
        }
        if bytes.len() + chunk.len() > max {
            return Ok(Err(bytes.len() + chunk.len()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Ok(bytes))
}
