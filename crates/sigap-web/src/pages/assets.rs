//! Static assets embedded in the binary (`include_str!`), served under `/assets/`: the one
//! stylesheet of the pages. There is no script: every page works without JavaScript.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

/// The stylesheet, vendored in `assets/`.
pub const STYLESHEET: &str = include_str!("../../assets/sigap.css");

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/sigap.css", get(stylesheet))
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
