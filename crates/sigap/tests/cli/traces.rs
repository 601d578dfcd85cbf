//! Traces to an OpenTelemetry collector: `sigap serve` with `OTEL_EXPORTER_OTLP_ENDPOINT`
//! sends its request spans as OTLP over HTTP (protobuf to `/v1/traces`), and the last ones
//! when it stops. The collector here is an HTTP listener that reads the messages with the
//! OTLP protocol's own definitions (`opentelemetry-proto`), as a collector does; no
//! collector is packaged for Debian, PyPI or npm.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use prost::Message as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

type Received = Arc<Mutex<Vec<(String, ExportTraceServiceRequest)>>>;

/// A span as the test reads it: its name, its attributes as text, its service's name.
type Span = (String, Vec<(String, String)>, String);

/// Answers every request with 200 and keeps (path, decoded body).
async fn collector() -> (u16, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).await.unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).await.unwrap();
                    let message = ExportTraceServiceRequest::decode(body.as_slice()).unwrap();
                    kept.lock().unwrap().push((path, message));
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    reader.get_mut().write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

/// The spans received: (name, attributes as text, service name).
fn spans(received: &Received) -> Vec<Span> {
    let mut out = Vec::new();
    for (path, message) in received.lock().unwrap().iter() {
        assert_eq!(path, "/v1/traces");
        for resource in &message.resource_spans {
            let service = resource
                .resource
                .as_ref()
                .and_then(|r| r.attributes.iter().find(|a| a.key == "service.name"))
                .and_then(|a| a.value.as_ref())
                .and_then(|v| match &v.value {
                    Some(Any::StringValue(s)) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for scope in &resource.scope_spans {
                for span in &scope.spans {
                    assert_eq!(span.trace_id.len(), 16);
                    let attributes = span
                        .attributes
                        .iter()
                        .map(|a| {
                            let value = match a.value.as_ref().and_then(|v| v.value.clone()) {
                                Some(Any::StringValue(s)) => s,
                                Some(Any::IntValue(i)) => i.to_string(),
                                other => format!("{other:?}"),
                            };
                            (a.key.clone(), value)
                        })
                        .collect();
                    out.push((span.name.clone(), attributes, service.clone()));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_spans_reach_an_otlp_collector() {
    let (collector_port, received) = collector().await;
    let dir = super::temp_dir("traces");
    let port = super::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let listen = format!("127.0.0.1:{port}");
    let endpoint = format!("http://127.0.0.1:{collector_port}");
    let mut server = super::spawn(
        &dir,
        &["serve", "--listen", &listen],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("SIGAP_REPORTS_PER_HOUR", "0"),
            ("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF", "0"),
            ("SIGAP_PROOF", "off"),
        ],
    );
    assert!(super::wait_healthy(&base).await);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let submitted = client
        .post(format!("{base}/api/v1/reports"))
        .json(&sigap_testkit::valid_report())
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), reqwest::StatusCode::CREATED);
    let missing = client
        .get(format!("{base}/api/v1/reports/BCSIRT-2026-99999"))
        .header("X-Tracking-Token", "trk_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    // Sent in batches while it runs…
    let started = std::time::Instant::now();
    while spans(&received).is_empty() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !spans(&received).is_empty(),
        "no span reached the collector"
    );
    // …and the last ones when it stops.
    let pid = rustix::process::Pid::from_raw(server.id().unwrap() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .unwrap()
        .unwrap();
    let all = spans(&received);
    let find = |name: &str, status: &str| {
        all.iter().find(|(n, attributes, _)| {
            n == name
                && attributes
                    .iter()
                    .any(|(k, v)| k == "http.response.status_code" && v == status)
        })
    };
    let report = find("POST /api/v1/reports", "201")
        .unwrap_or_else(|| panic!("no span of the report in {all:#?}"));
    assert_eq!(report.2, "sigap");
    assert!(
        report
            .1
            .iter()
            .any(|(k, v)| k == "http.route" && v == "/api/v1/reports"),
        "{report:?}"
    );
    assert!(
        find("GET /api/v1/reports/{ticket_number}", "404").is_some(),
        "{all:#?}"
    );
    // A span names the route, never the path a client sent.
    assert!(!format!("{all:?}").contains("BCSIRT-2026-99999"));
}
