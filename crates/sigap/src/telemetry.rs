//! The log, and traces to an OpenTelemetry collector.
//!
//! Logs go to standard output at the level of `SIGAP_LOG` (default `info`), as text or,
//! with `SIGAP_LOG_FORMAT=json`, one JSON object per line. When
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the same
//! spans (a request with its method, route template and status; what runs inside it) go
//! as OTLP over HTTP (protobuf, `/v1/traces`) to that collector, in batches, through the
//! `tracing-opentelemetry` layer; the other standard `OTEL_*` variables (headers, timeout,
//! `OTEL_SERVICE_NAME`, default `sigap`) apply. Off by default: no variable, no exporter.

use std::future::Future;
use std::pin::Pin;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// What must be flushed before the process ends.
#[must_use]
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still waiting (within the exporter's timeout).
    pub fn shutdown(self) {
        if let Some(provider) = self.traces
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "the last traces were not sent to the collector");
        }
    }
}

/// Whether the log is JSON lines (nothing else is then printed to standard output).
pub fn json_logs() -> bool {
    std::env::var("SIGAP_LOG_FORMAT").is_ok_and(|f| f.trim() == "json")
}

/// Sets up the log and, when a collector is named, the traces.
pub fn init() -> anyhow::Result<Telemetry> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGAP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let format = std::env::var("SIGAP_LOG_FORMAT").unwrap_or_default();
    let fmt = tracing_subscriber::fmt::layer();
    let fmt = match format.trim() {
        "" | "text" => fmt.with_target(false).boxed(),
        "json" => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
        other => anyhow::bail!("SIGAP_LOG_FORMAT is `text` or `json`, not `{other}`"),
    };
    let provider = tracer_provider()?;
    let traces = provider.as_ref().map(|p| {
        let tracer = p.tracer("sigap");
        tracing_opentelemetry::layer().with_tracer(tracer)
    });
    // A second set-up in one process (a test) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(traces)
        .with(filter)
        .try_init();
    Ok(Telemetry { traces: provider })
}

/// The OTLP exporter when a collector is named, else `None`.
fn tracer_provider() -> anyhow::Result<Option<SdkTracerProvider>> {
    let named = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    if !named("OTEL_EXPORTER_OTLP_ENDPOINT") && !named("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        return Ok(None);
    }
    let client = Client {
        inner: reqwest::Client::builder().no_proxy().build()?,
        runtime: tokio::runtime::Handle::current(),
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_http_client(client)
        .build()
        .map_err(|e| anyhow::anyhow!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if !named("OTEL_SERVICE_NAME") {
        resource = resource.with_service_name("sigap");
    }
    let provider = SdkTracerProvider::builder()
        .with_resource(resource.build())
        .with_batch_exporter(exporter)
        .build();
    Ok(Some(provider))
}

/// The exporter's HTTP client: the tree's reqwest, its requests run on the server's
/// runtime (the batch exporter calls from a thread of its own).
#[derive(Debug)]
struct Client {
    inner: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

type Sent<'a> = Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'a>>;

impl HttpClient for Client {
    fn send_bytes<'life0, 'async_trait>(&'life0 self, request: Request<Bytes>) -> Sent<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let client = self.inner.clone();
        let sending = self.runtime.spawn(async move {
            let (parts, body) = request.into_parts();
            let url = parts.uri.to_string();
            let mut out = client.request(parts.method, url).body(body);
            for (name, value) in &parts.headers {
                out = out.header(name, value);
            }
            let answer = out.send().await?;
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            let bytes = answer.bytes().await?;
            Ok::<_, HttpError>(response.body(bytes)?)
        });
        Box::pin(async move { sending.await.map_err(|e| Box::new(e) as HttpError)? })
    }
}
