//! Prometheus metrics at `/metrics`: request counts by status class and total request time,
//! kept in atomics by a middleware, open tickets by state read from the database, and the
//! worker's last check of the audit chain.
//! Served to loopback clients, or to staff with a bearer token.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Source;

/// Counters shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros_total: AtomicU64,
}

impl Metrics {
    fn record(&self, status: StatusCode, started: Instant) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.micros_total.fetch_add(micros, Ordering::Relaxed);
    }
}

/// Counts every request and the time it took.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.record(response.status(), started);
    response
}

/// The metrics in Prometheus' text format.
pub async fn render(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let loopback = source
        .0
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback());
    if !loopback {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(sigap_app::AppError::Unauthorized)?;
        sigap_app::identity::tokens::authenticate_token(&state.app, token).await?;
    }
    let mut out = String::from("# TYPE sigap_http_requests_total counter\n");
    for (i, counter) in state.metrics.by_class.iter().enumerate() {
        let n = counter.load(Ordering::Relaxed);
        out.push_str(&format!(
            "sigap_http_requests_total{{class=\"{}xx\"}} {n}\n",
            i + 1
        ));
    }
    let seconds = state.metrics.micros_total.load(Ordering::Relaxed) as f64 / 1e6;
    out.push_str(&format!("# TYPE sigap_http_request_seconds_total counter\nsigap_http_request_seconds_total {seconds}\n"));
    out.push_str("# TYPE sigap_tickets gauge\n");
    let counts = sigap_app::workflow::stats::tickets_by_state(&state.app).await?;
    for c in counts {
        out.push_str(&format!(
            "sigap_tickets{{state=\"{}\"}} {}\n",
            c.key.unwrap_or_default(),
            c.count
        ));
    }
    // The worker's last check of the audit chain; an alert rule fires on
    // `sigap_audit_chain_intact == 0`, or when the check's time stops moving.
    if let Some(check) = sigap_app::admin::audit_log::last_check_for_metrics(&state.app).await? {
        out.push_str(&format!(
            "# TYPE sigap_audit_chain_intact gauge\nsigap_audit_chain_intact {}\n\
             # TYPE sigap_audit_chain_checked_entries gauge\nsigap_audit_chain_checked_entries {}\n\
             # TYPE sigap_audit_chain_checked_timestamp_seconds gauge\n\
             sigap_audit_chain_checked_timestamp_seconds {}\n",
            u8::from(check.intact),
            check.checked_seq,
            check.checked_at.timestamp()
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}
