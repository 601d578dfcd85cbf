//! Resource limits: an image that would take over a gigabyte once decoded is never
//! decoded; connections are capped (503 beyond the cap, the health check still answers)
//! and a client that sends its headers slowly is cut off; a body over the limit is
//! refused from its `Content-Length`, a file over the per-file limit as soon as it passes
//! it; uploads read at once are capped.

use std::io::Write;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sigap_testkit::{TestApp, problem, read, spawn_app_with_web, valid_report};
use sigap_web::{ConnectionLimits, WebSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

both! {
    a_png_that_decodes_to_a_gigabyte_is_not_decoded: sqlite_png_bomb, postgres_png_bomb;
    connections_are_capped_and_slow_headers_cut_off: sqlite_connections, postgres_connections;
    bodies_over_the_limits_are_refused_before_they_are_read:
        sqlite_body_limits, postgres_body_limits;
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

fn small_limits() -> WebSettings {
    WebSettings {
        connections: ConnectionLimits {
            header_timeout: Duration::from_millis(1500),
            max_connections: 8,
        },
        ..WebSettings::default()
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
    let web = WebSettings {
        max_public_request_bytes: 2 * 1024 * 1024,
        ..WebSettings::default()
    };
    let app = spawn_app_with_web(app.backend, |rules| rules.max_file_bytes = 1024 * 1024, web)
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

async fn uploads_at_once_are_capped(app: TestApp) {
    let web = WebSettings {
        max_uploads: 1,
        ..WebSettings::default()
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
