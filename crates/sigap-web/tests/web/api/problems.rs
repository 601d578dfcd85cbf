//! Every error of the API is a problem document, the refusals of extractors and of the
//! router included: a query parameter that is missing or does not read (422, naming it), a
//! path parameter that names nothing (404), a body of the wrong type, media type or size
//! (400, 415, 422, 413) and a method the path does not have (405).

use reqwest::header::{ALLOW, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sigap_testkit::{TestApp, error_fields, problem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    query_parameters_that_do_not_read_are_problems:
        sqlite_query_parameters_that_do_not_read_are_problems,
        postgres_query_parameters_that_do_not_read_are_problems;
    path_parameters_that_do_not_read_are_not_found:
        sqlite_path_parameters_that_do_not_read_are_not_found,
        postgres_path_parameters_that_do_not_read_are_not_found;
    refused_bodies_are_problems: sqlite_refused_bodies_are_problems,
        postgres_refused_bodies_are_problems;
    methods_a_path_lacks_are_problems: sqlite_methods_a_path_lacks_are_problems,
        postgres_methods_a_path_lacks_are_problems;
}

/// A request with the staff token of `role` (none when `None`) and a raw body.
async fn send(
    app: &TestApp,
    method: Method,
    role: Option<&str>,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(role) = role {
        request = request.bearer_auth(app.token(role));
    }
    if let Some((content_type, bytes)) = body {
        request = request.header(CONTENT_TYPE, content_type).body(bytes);
    }
    request.send().await.unwrap()
}

async fn query_parameters_that_do_not_read_are_problems(app: TestApp) {
    let cases = [
        (None, "/api/v1/cvss", "vector"),
        (None, "/api/v1/cvss?vektor=CVSS:3.1", "vector"),
        (Some("admin"), "/api/v1/tokens?all=mungkin", "all"),
        (Some("csirt"), "/api/v1/tickets?overdue=ya", "overdue"),
        (Some("csirt"), "/api/v1/tickets?limit=sepuluh", "limit"),
    ];
    for (role, path, field) in cases {
        let refused = send(&app, Method::GET, role, path, None).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), [field], "{path}: {body:#}");
        assert!(
            body["detail"].as_str().unwrap().contains(field),
            "{path}: {body:#}"
        );
    }
}

async fn path_parameters_that_do_not_read_are_not_found(app: TestApp) {
    let cases = [
        (Method::POST, "/api/v1/users/abc/disable"),
        (Method::POST, "/api/v1/users/99999999999999999999/enable"),
        (Method::POST, "/api/v1/users/1.5/totp/reset"),
        (Method::POST, "/api/v1/users/abc/password/reset"),
        (Method::DELETE, "/api/v1/tokens/abc"),
        // Percent-encoded bytes that are not UTF-8.
        (Method::GET, "/api/v1/tickets/%FF%FE"),
        (Method::GET, "/api/v1/tickets/%C3%28/documents"),
        (Method::GET, "/verify/%FF"),
    ];
    for (method, path) in cases {
        let refused = send(&app, method.clone(), Some("admin"), path, None).await;
        let body = problem(refused, StatusCode::NOT_FOUND).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .starts_with("no such resource"),
            "{method} {path}: {body:#}"
        );
    }
}

async fn refused_bodies_are_problems(app: TestApp) {
    let agency = json!({"code": "DISPORA", "name": "Dinas Pemuda dan Olahraga"});
    let as_form = "code=DISPORA&name=Dinas".as_bytes().to_vec();
    let cases: [(&str, &str, &str, Vec<u8>, StatusCode); 7] = [
        (
            "/api/v1/agencies",
            "text/plain",
            "agencies as text",
            agency.to_string().into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/agencies",
            "application/x-www-form-urlencoded",
            "agencies as a form",
            as_form,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/agencies",
            "application/json",
            "agencies as a list",
            json!([agency]).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/agencies",
            "application/json",
            "agencies, broken JSON",
            b"{\"code\": \"DISPORA\"".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/agencies",
            "multipart/form-data; boundary=x",
            "agencies, broken multipart",
            b"--x\r\nno headers".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/settings/approval",
            "application/json",
            "approval, a text threshold",
            json!({"threshold": "sepuluh"}).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/settings/holidays",
            "application/json",
            "holidays, not a list",
            json!({"holidays": "2026-08-17"}).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (path, content_type, what, bytes, status) in cases {
        let method = if path.starts_with("/api/v1/settings") {
            Method::PUT
        } else {
            Method::POST
        };
        let refused = send(
            &app,
            method,
            Some("admin"),
            path,
            Some((content_type, bytes)),
        )
        .await;
        let body = problem(refused, status).await;
        if path.starts_with("/api/v1/settings") {
            assert!(!error_fields(&body).is_empty(), "{what}: {body:#}");
        }
    }
    // A body declared over the staff limit (64 MiB) is refused from its `Content-Length`,
    // before a byte of it is sent: a problem too.
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/v1/agencies HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
        app.token("admin")
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let read = stream.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 413"), "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );

    let listed = app.get(Some(app.token("admin")), "/api/v1/agencies").await;
    let listed: serde_json::Value = listed.json().await.unwrap();
    assert!(
        !listed.to_string().contains("DISPORA"),
        "a refused body added an agency: {listed}"
    );
}

async fn methods_a_path_lacks_are_problems(app: TestApp) {
    let cases = [
        (Method::DELETE, "/api/v1/agencies", "GET,HEAD,POST"),
        (Method::PUT, "/api/v1/cvss", "GET,HEAD"),
        (Method::POST, "/api/v1/openapi.json", "GET,HEAD"),
        (
            Method::GET,
            "/api/v1/tickets/BCSIRT-2026-00001/actions/validate",
            "POST",
        ),
    ];
    for (method, path, allowed) in cases {
        let refused = send(&app, method.clone(), Some("admin"), path, None).await;
        let allow = refused.headers().get(ALLOW).cloned();
        let body = problem(refused, StatusCode::METHOD_NOT_ALLOWED).await;
        let allow = allow.expect("405 keeps its Allow header");
        let mut allow: Vec<&str> = allow.to_str().unwrap().split(',').map(str::trim).collect();
        allow.sort_unstable();
        assert_eq!(allow.join(","), allowed, "{method} {path}");
        assert!(
            body["detail"].as_str().unwrap().contains(method.as_str()),
            "{method} {path}: {body:#}"
        );
    }
}
