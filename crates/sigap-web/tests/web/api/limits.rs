//! Resource limits: an image that would take over a gigabyte once decoded is never
//! decoded; connections are capped (503 beyond the cap, the health check still answers)
//! and a client that sends its headers slowly is cut off; a body over the limit is
//! refused from its `Content-Length`, a file over the per-file limit as soon as it passes
//! it; a refused report writes no file; blobs no row names are swept after the grace
//! period; reporter messages are limited per ticket and address.

use std::io::Write;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;
use sigap_app::intake::antispam::IntakeLimits;
use sigap_testkit::{TestApp, problem, read, spawn_app_with_web, valid_report};
use sigap_web::{ConnectionLimits, WebConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    a_png_that_decodes_to_a_gigabyte_is_not_decoded: sqlite_png_bomb, postgres_png_bomb;
    connections_are_capped_and_slow_headers_cut_off: sqlite_connections, postgres_connections;
    bodies_over_the_limits_are_refused_before_they_are_read:
        sqlite_body_limits, postgres_body_limits;
    a_refused_report_writes_no_file_and_orphans_are_swept:
        sqlite_refused_files, postgres_refused_files;
    reporter_messages_are_limited_per_ticket_and_address:
        sqlite_message_limit, postgres_message_limit;
    uploads_at_once_are_capped: sqlite_upload_slots, postgres_upload_slots;
}

/// A 12,000 by 12,000 PNG of 16-bit RGBA, all one colour: about a megabyte of file, 1.1 GB
/// of pixels. Written row by row, so the test never holds the pixels.
fn png_bomb() -> Vec<u8> {
    let side = 12_000_u32;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Sixteen);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0x7f_u8; side as usize * 8];
    for _ in 0..side {
        stream.write_all(&row).unwrap();
    }
    stream.finish().unwrap();
    writer.finish().unwrap();
    out
}

/// A line of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
fn memory_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

fn report_form() -> Form {
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    form
}

async fn a_png_that_decodes_to_a_gigabyte_is_not_decoded(app: TestApp) {
    let bomb = png_bomb();
    assert!(bomb.len() < 8 * 1024 * 1024, "{} bytes", bomb.len());
    let form = report_form().part("evidence", Part::bytes(bomb).file_name("bom.png"));
    let (status, submitted) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{submitted:#}");
    let number = submitted["ticket_number"].as_str().unwrap();
    let ticket = app.ticket("csirt", number).await;
    let id = ticket["evidence"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{number}/evidence/{id}/preview");

    // The peak resident memory of this process (the server runs in it) from here on.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = memory_kb("VmRSS");
    let previews = (0..2).map(|_| app.get(Some(app.token("csirt")), &path));
    let responses = futures::future::join_all(previews).await;
    let grown_mb = memory_kb("VmHWM").saturating_sub(before) / 1024;
    assert!(
        grown_mb < 300,
        "two previews of the PNG took {grown_mb} MB at their peak"
    );
    for response in responses {
        // No preview: the page shows its placeholder, the API answers 404.
        problem(response, StatusCode::NOT_FOUND).await;
    }
}

fn small_limits() -> WebConfig {
    WebConfig {
        connections: ConnectionLimits {
            header_timeout: Duration::from_millis(1500),
            max_connections: 8,
        },
        ..WebConfig::default()
    }
}

async fn healthz(app: &TestApp) -> StatusCode {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("/healthz answers")
        .status()
}

async fn connections_are_capped_and_slow_headers_cut_off(app: TestApp) {
    let app = spawn_app_with_web(app.backend, |_| {}, small_limits())
        .await
        .unwrap();
    let address = app.base_url.trim_start_matches("http://").to_owned();
    // Twelve silent connections: eight fill the cap, four wait to be answered 503.
    let mut silent = Vec::new();
    for _ in 0..12 {
        silent.push(TcpStream::connect(&address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(healthz(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    // The silent ones are closed after the header timeout; the server serves again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for mut stream in silent {
        let mut buf = [0_u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "a silent connection is closed: {read:?}"
        );
    }
    assert_eq!(healthz(&app).await, StatusCode::OK);

    // A client that sends its headers a byte at a time is cut off at the timeout.
    let mut slow = TcpStream::connect(&address).await.unwrap();
    let request =
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let started = std::time::Instant::now();
    let mut cut_off = false;
    for byte in request {
        if slow.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(3) {
            let mut buf = [0_u8; 256];
            let read = tokio::time::timeout(Duration::from_millis(500), slow.read(&mut buf)).await;
            cut_off = matches!(read, Ok(Ok(0) | Err(_)));
            break;
        }
    }
    assert!(cut_off, "the slow client still has its connection");
}

async fn bodies_over_the_limits_are_refused_before_they_are_read(app: TestApp) {
    let web = WebConfig {
        max_public_request_bytes: 2 * 1024 * 1024,
        ..WebConfig::default()
    };
    let app = spawn_app_with_web(
        app.backend,
        |start| start.rules.max_file_bytes = 1024 * 1024,
        web,
    )
    .await
    .unwrap();
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let answer = |mut stream: TcpStream| async move {
        let mut head = vec![0_u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut head))
            .await
            .expect("an answer before the body is sent")
            .unwrap();
        String::from_utf8_lossy(&head[..n]).into_owned()
    };

    // A public body announced over its limit (staff may send 64 MiB): refused unread.
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 3000000\r\n\r\n",
        )
        .await
        .unwrap();
    let head = answer(stream).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");

    // A file is given up as soon as it passes the per-file limit, though the request
    // announced is within the public limit: the answer comes with the rest unsent.
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let part =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.log\"\r\n\r\n";
    stream
        .write_all(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n\
              Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 2000000\r\n\r\n",
        )
        .await
        .unwrap();
    stream.write_all(part).await.unwrap();
    // One byte over the limit, and nothing after it: the server reads all that was sent.
    stream
        .write_all(&vec![b'a'; 1024 * 1024 + 1])
        .await
        .unwrap();
    let head = answer(stream).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("per file"), "{head}");
}

/// The files under the blob store's directory.
fn blob_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir().join("evidence"), &mut out);
    out
}

fn has_blob(app: &TestApp, bytes: &[u8]) -> bool {
    let sha = sigap_store::BlobStore::hash(bytes);
    blob_files(app)
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n == sha.as_str()))
}

/// Dates a file back to `at`.
fn date_back(path: &std::path::Path, at: chrono::DateTime<chrono::Utc>) {
    let when = std::time::UNIX_EPOCH
        + Duration::from_millis(u64::try_from(at.timestamp_millis()).unwrap());
    std::fs::File::options()
        .append(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

async fn a_refused_report_writes_no_file_and_orphans_are_swept(app: TestApp) {
    let app = spawn_app_with_web(
        app.backend,
        |start| {
            start.rules.intake_limits = IntakeLimits {
                per_hour: 0,
                without_proof_per_hour: 1,
                proof_bits: 12,
            };
        },
        WebConfig::default(),
    )
    .await
    .unwrap();
    let kept = b"log pertama: GET /login 200\n".to_vec();
    let refused = b"log kedua: GET /admin 500\n".to_vec();
    let form = report_form().part("evidence", Part::bytes(kept.clone()).file_name("a.log"));
    assert_eq!(
        app.submit_multipart(form).await.status(),
        StatusCode::CREATED
    );
    let form = report_form().part("evidence", Part::bytes(refused.clone()).file_name("b.log"));
    problem(
        app.submit_multipart(form).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert!(has_blob(&app, &kept));
    assert!(
        !has_blob(&app, &refused),
        "the refused report's file was written"
    );

    // A file no row names (an action refused after it was stored) is swept once the
    // grace period has passed; a named one stays, and so does a young orphan.
    let orphan = b"tidak dirujuk".to_vec();
    app.app.blobs.put(&orphan).await.unwrap();
    let swept = sigap_app::outbox::jobs::sweep_blobs(&app.app)
        .await
        .unwrap();
    assert_eq!(swept, 0, "nothing is older than the grace period");
    let long_ago = app.now() - sigap_app::outbox::jobs::BLOB_GRACE - chrono::Duration::hours(1);
    for path in blob_files(&app) {
        date_back(&path, long_ago);
    }
    let swept = sigap_app::outbox::jobs::sweep_blobs(&app.app)
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert!(!has_blob(&app, &orphan));
    assert!(has_blob(&app, &kept));
    // A file written again is young again: the sweep leaves it to the transaction.
    app.app.blobs.put(&orphan).await.unwrap();
    let young = app.app.blobs.put(&kept).await.unwrap();
    assert_eq!(
        sigap_app::outbox::jobs::sweep_blobs(&app.app)
            .await
            .unwrap(),
        0
    );
    assert!(has_blob(&app, &orphan) && !young.is_empty());
}

async fn reporter_messages_are_limited_per_ticket_and_address(app: TestApp) {
    let web = WebConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = spawn_app_with_web(app.backend, |start| start.rules.messages_per_hour = 2, web)
        .await
        .unwrap();
    let submitted = app.submit_ok(&valid_report()).await;
    let send = |from: &'static str, text: &str| {
        app.client
            .post(app.url(&format!("/api/v1/reports/{}/messages", submitted.number)))
            .header("X-Tracking-Token", &submitted.tracking_token)
            .header("X-Forwarded-For", from)
            .json(&json!({ "message": text }))
            .send()
    };
    for n in 0..2 {
        let response = send("203.0.113.7", &format!("pesan {n}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let response = send("203.0.113.7", "pesan 3").await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    // Another address is not held up by the first one's messages.
    let response = send("198.51.100.9", "dari alamat lain").await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // The refused message is not in the thread, and the refusal is audited.
    let (_, view) = read(
        app.reporter_view(&submitted.number, &submitted.tracking_token)
            .await,
    )
    .await;
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{view:#}");
    let log = app
        .store
        .list_ticket_audit(&submitted.number)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "reporter_message" && e.outcome == "refused:429"),
        "{log:#?}"
    );
}

async fn uploads_at_once_are_capped(app: TestApp) {
    let web = WebConfig {
        max_uploads: 1,
        ..WebConfig::default()
    };
    let app = spawn_app_with_web(app.backend, |_| {}, web).await.unwrap();
    let address = app.base_url.trim_start_matches("http://").to_owned();
    // An upload under way (its body not all sent) holds the only slot.
    let mut first = TcpStream::connect(&address).await.unwrap();
    first
        .write_all(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n\
              Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 5000\r\n\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.log\"\r\n\r\nab",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let form = report_form().part(
        "evidence",
        Part::bytes(b"log\n".to_vec()).file_name("b.log"),
    );
    let response = app.submit_multipart(form).await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    // Once the first upload is gone, the slot is free again.
    drop(first);
    let form = report_form().part(
        "evidence",
        Part::bytes(b"log\n".to_vec()).file_name("b.log"),
    );
    assert_eq!(
        app.submit_multipart(form).await.status(),
        StatusCode::CREATED
    );
}
