//! `/metrics` in Prometheus' text format (`sigap_app::admin::metrics`): for loopback
//! clients, a Prometheus server with `SIGAP_METRICS_TOKEN`, or staff with an API token.
//! What a request counts is recorded by [`crate::requests`].

use std::net::IpAddr;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sigap_app::admin::metrics::Scraper;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Source;

/// The metrics in Prometheus' text format.
pub async fn render(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let loopback = source
        .0
        .as_deref()
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let scraper = match (loopback, bearer) {
        (true, _) => Scraper::Loopback,
        (false, Some(token)) => Scraper::Bearer(token),
        (false, None) => Scraper::Anonymous,
    };
    let text = sigap_app::admin::metrics::scrape(&state.app, scraper, source.0).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
