//! What every request leaves behind: an id (the `X-Request-Id` answer header, the
//! correlation id of a server error's problem document, and a field of every log line
//! written while it runs), one access log line, and its count and duration in the
//! instance's metrics, by method, route template and status.
//!
//! The log line names the route's template (`/api/v1/tickets/{number}`), never the path or
//! the query a client sent: those may carry a tracking token or a reset link's secret, and a
//! label from the client would let it grow the metrics without bound. An id sent in
//! `X-Request-Id` is kept only from a trusted reverse proxy (nginx's `$request_id`), and only
//! when it is short and plain.

use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::AppState;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, if any.
pub(crate) fn current_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A new id: a random prefix per process and a counter.
pub(crate) fn new_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        (random >> 32) as u32 ^ std::process::id()
    });
    format!("{prefix:08x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An id a trusted proxy sent: at most 64 letters, digits, `-`, `_` or `.`.
fn forwarded_id(state: &AppState, req: &Request) -> Option<String> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    if !state.web.trusted_proxies.contains(&peer) {
        return None;
    }
    let id = req.headers().get("x-request-id")?.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (!id.is_empty() && id.len() <= 64 && id.chars().all(plain)).then(|| id.to_owned())
}

/// Gives the request its id, logs it and counts it.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = forwarded_id(&state, &req).unwrap_or_else(new_id);
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    // The span's fields follow OpenTelemetry's names for HTTP, for a trace collector.
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
    );
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(req))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.record("http.response.status_code", status);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let labels = [
        ("method", method.clone()),
        ("route", route.clone()),
        ("status", status.to_string()),
    ];
    let meter = &state.app.meter;
    meter.count("sigap_http_requests_total", &labels);
    let seconds = elapsed.as_secs_f64();
    meter.observe("sigap_http_request_duration_seconds", &labels, seconds);
    tracing::info!(
        target: "sigap::access",
        request_id = %id,
        method = %method,
        route = %route,
        status,
        duration_ms = seconds * 1000.0,
        "request"
    );
    response
}
