//! The HTTP face of sigap: the JSON API under `/api/v1`, public endpoints (`/healthz`,
//! `/.well-known/security.txt`) and the OpenAPI 3.1 document generated from the handlers.
//! Handlers are short: they extract, call one use case of `sigap-app`, and answer.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use sigap_app::App;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub(crate) mod api;
pub(crate) mod connections;
pub(crate) mod download;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod metrics;
pub(crate) mod pages;
pub(crate) mod requests;

pub use connections::ConnectionLimits;

/// Settings of the web layer that the use cases do not need.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body of staff routes (multipart uploads), in bytes.
    pub max_request_bytes: usize,
    /// Largest request body of the public routes (reports, reporter messages), in bytes.
    pub max_public_request_bytes: usize,
    /// Multipart bodies read (and held in memory) at once; more wait a little, then 503.
    pub max_uploads: usize,
    /// Time for a request's body to arrive (408 after it).
    pub body_timeout: std::time::Duration,
    /// Header timeout and connection cap of [`serve`].
    pub connections: ConnectionLimits,
    /// The contact named in `security.txt` (an e-mail address or URL).
    pub security_contact: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (the last address in it);
    /// from any other peer the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Turns `true` when the server is stopping: `/readyz` answers 503 from then on, so a
    /// load balancer sends no new requests while those under way finish.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            max_request_bytes: 64 * 1024 * 1024,
            max_public_request_bytes: 25 * 1024 * 1024,
            max_uploads: 8,
            body_timeout: std::time::Duration::from_secs(60),
            connections: ConnectionLimits::default(),
            security_contact: "mailto:csirt@batam.go.id".into(),
            trusted_proxies: Vec::new(),
            stopping: tokio::sync::watch::channel(false).1,
        }
    }
}

/// The state every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    /// The slots of `WebConfig::max_uploads`.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sigap",
        description = "Handling of cyber incident and vulnerability reports by a city CSIRT, step by step as its SOP says. Errors are application/problem+json.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(error::Problem, error::FieldErrorDoc)),
    tags(
        (name = "reports", description = "Public intake and the reporter's view (tracking token)"),
        (name = "tickets", description = "Staff: the queue, tickets and workflow actions"),
        (name = "registries", description = "Agencies, electronic systems and users"),
        (name = "settings", description = "Admins: the approval rule, holidays and document settings changed while the server runs"),
        (name = "service", description = "Health, statistics and this document")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Errors are `application/problem+json`: every error answer that the handlers document with
/// the `Problem` schema is listed under that media type. Each operation also documents the
/// errors answered before or around its handler, where they can happen: the `401` and `403`
/// of the bearer token (no valid token; a token without the request's scope), the refusals
/// of the body extractors (`400`, `408`, `413`, `415`, `422`), a query parameter that does
/// not read (`422`), a path parameter that names nothing (`404`), and the `503` of a server
/// at its connection cap (`connections`), which any request can meet. A status the handler
/// documents itself keeps the handler's description.
struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                problem_media_type(operation);
                let answers = extractor_answers(operation);
                for (status, description) in answers {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem_response(description));
                }
            }
        }
    }
}

/// The error answers of an operation that come from its extractors and the server rather
/// than from its handler, as (status, description).
fn extractor_answers(
    operation: &utoipa::openapi::path::Operation,
) -> Vec<(&'static str, &'static str)> {
    use utoipa::openapi::path::ParameterIn;
    let takes = |place: ParameterIn| {
        operation.parameters.iter().flatten().any(|parameter| {
            matches!(parameter, utoipa::openapi::RefOr::T(p) if p.parameter_in == place)
        })
    };
    let mut answers = Vec::new();
    if takes_bearer(operation) {
        answers.push(("401", "no valid `Authorization: Bearer` token"));
        answers.push(("403", "the token lacks the scope the request needs"));
    }
    if operation.request_body.is_some() {
        answers.extend([
            ("400", "malformed body"),
            ("408", "the body did not arrive in time"),
            ("413", "the body is larger than the server accepts"),
            (
                "415",
                "a body that is neither `application/json` nor `multipart/form-data`",
            ),
            (
                "422",
                "the body is not a JSON object, or a field is missing or wrong",
            ),
        ]);
    }
    if takes(ParameterIn::Query) {
        answers.push((
            "422",
            "a query parameter is missing or does not read as its type",
        ));
    }
    if takes(ParameterIn::Path) {
        answers.push(("404", "no such resource"));
    }
    answers.push((
        "503",
        "the server is at its connection cap (or, for a multipart body, its uploads at once); try again after `Retry-After`",
    ));
    answers
}

/// Moves the `Problem` bodies of an operation's error answers to `application/problem+json`.
fn problem_media_type(operation: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        let is_problem = response
            .content
            .get("application/json")
            .and_then(|c| serde_json::to_string(c).ok())
            .is_some_and(|text| text.contains("#/components/schemas/Problem"));
        if is_problem && let Some(content) = response.content.shift_remove("application/json") {
            response
                .content
                .insert("application/problem+json".to_owned(), content);
        }
    }
}

fn takes_bearer(operation: &utoipa::openapi::path::Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        serde_json::to_string(requirements).is_ok_and(|text| text.contains("\"bearer\""))
    })
}

/// An error answer with a problem document.
fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// The OpenAPI document and the routes it describes.
pub fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::reports::router())
        .merge(api::tickets::router())
        .merge(api::personal_data::router())
        .merge(api::sectoral_report::router())
        .merge(api::retention::router())
        .merge(api::rights::router())
        .merge(api::documents::router())
        .merge(api::meetings::router())
        .merge(api::registry::router())
        .merge(api::credentials::router())
        .merge(api::service::router())
        .merge(api::settings::router())
        .merge(api::jobs::router())
        .merge(api::inbox::router())
        .merge(api::exports::router())
        .merge(api::stats::router())
        .merge(api::period_reports::router())
        .merge(api::audit::router())
        .merge(api::verify::router())
        .split_for_parts();
    // After the routes are merged: the modifier works on their operations.
    utoipa::Modify::modify(&ProblemResponses, &mut openapi);
    (router, openapi)
}

/// The whole application as one router, with its security headers and body limit.
pub fn router(app: App, web: WebConfig) -> Router {
    let limit = web.max_request_bytes;
    let body_timeout = web.body_timeout;
    let state = AppState {
        app,
        upload_slots: Arc::new(tokio::sync::Semaphore::new(web.max_uploads.max(1))),
        web: Arc::new(web),
    };
    let (api, openapi) = api_parts();
    let openapi = Arc::new(openapi);
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = openapi.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    // Every error answer of the API's routes is a problem document (the pages render
    // theirs as HTML; unknown paths fall back to a problem already).
    .layer(axum::middleware::from_fn(error::problem_errors))
    .route("/metrics", axum::routing::get(metrics::render))
    .merge(pages::router())
    .fallback(api::service::not_found)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        requests::track,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        pages::cookies::https_site,
    ))
    .layer(DefaultBodyLimit::max(limit))
    // A body that has not arrived within the deadline fails its extractor (408). The
    // handler itself is never cut off, so a step that has started (a block through an
    // adapter, a document render) completes and is recorded.
    .layer(RequestBodyDeadlineLayer::new(body_timeout))
    .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
    .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
    .layer(header_layer(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ))
    .layer(header_layer(header::CACHE_CONTROL, "no-store"))
    .with_state(state)
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, with client
/// addresses known (see [`connections`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    connections::serve(listener, router, limits, shutdown).await
}
