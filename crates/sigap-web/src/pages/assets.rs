//! Static assets embedded in the binary (`include_str!`), served under `/assets/`: the one
//! stylesheet of the pages, the report form's script (the anti-spam proof of work), the live
//! CVSS score of the report and the assessment, the focus on a refused form's summary, and
//! the live countdown of a deadline within the hour. Every page works without the scripts.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

/// The stylesheet, vendored in `assets/`.
pub const STYLESHEET: &str = include_str!("../../assets/sigap.css");
/// The report form's script, in `assets/`.
pub const REPORT_SCRIPT: &str = include_str!("../../assets/report.js");
/// The focus on a refused form's summary of errors.
pub const FORMS_SCRIPT: &str = include_str!("../../assets/forms.js");
/// The live CVSS score of a form's vector (the report, the assessment).
pub const CVSS_SCRIPT: &str = include_str!("../../assets/cvss.js");
/// The live countdown of a deadline within the hour (the five-minute unblock).
pub const COUNTDOWN_SCRIPT: &str = include_str!("../../assets/countdown.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/sigap.css", get(stylesheet))
        .route("/assets/report.js", get(|| async { script(REPORT_SCRIPT) }))
        .route(
            "/assets/countdown.js",
            get(|| async { script(COUNTDOWN_SCRIPT) }),
        )
        .route("/assets/cvss.js", get(|| async { script(CVSS_SCRIPT) }))
        .route("/assets/forms.js", get(|| async { script(FORMS_SCRIPT) }))
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

/// One of the scripts, cached for an hour.
fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
