//! Static assets embedded in the binary (`include_str!`), served under `/assets/`: the one
//! stylesheet of the pages and the report form's script (the anti-spam proof of work and the
//! live CVSS score). Every page works without the script.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

/// The stylesheet, vendored in `assets/`.
pub const STYLESHEET: &str = include_str!("../../assets/sigap.css");
/// The report form's script, in `assets/`.
pub const REPORT_SCRIPT: &str = include_str!("../../assets/report.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/sigap.css", get(stylesheet))
        .route("/assets/report.js", get(report_script))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn report_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REPORT_SCRIPT,
    )
}
