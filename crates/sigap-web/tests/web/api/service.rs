//! Service endpoints and the headers every response carries.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sigap_testkit::{TestApp, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    healthz_answers: sqlite_healthz_answers, postgres_healthz_answers;
    service_endpoints: sqlite_service_endpoints, postgres_service_endpoints;
    security_headers_on_every_response: sqlite_security_headers_on_every_response,
        postgres_security_headers_on_every_response;
    errors_are_documented_as_problem_json: sqlite_errors_are_documented_as_problem_json,
        postgres_errors_are_documented_as_problem_json;
    request_bodies_name_what_is_read: sqlite_request_bodies_name_what_is_read,
        postgres_request_bodies_name_what_is_read;
}

/// The document says what the server answers: every error body is
/// `application/problem+json` (as the answers' `Content-Type` says); every operation that
/// takes a bearer token documents its 401 and 403; every operation with a body documents
/// the refusals of the body (400, 408 after the body timeout, 413, 415, 422); and every
/// operation documents the 503 of the connection cap. An answer without a token confirms
/// the first two.
async fn errors_are_documented_as_problem_json(app: TestApp) {
    let (_, doc) = read(app.get(None, "/api/v1/openapi.json").await).await;
    let mut bearer_operations = 0;
    let mut body_operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                let content = response["content"].as_object();
                assert!(
                    content.is_none_or(|c| !c.contains_key("application/json")
                        || !c["application/json"].to_string().contains("Problem")),
                    "{method} {path} {status} documents a problem as application/json"
                );
            }
            let mut expected = vec!["503"];
            if operation["security"].to_string().contains("bearer") {
                bearer_operations += 1;
                expected.extend(["401", "403"]);
            }
            if operation["requestBody"].is_object() {
                body_operations += 1;
                expected.extend(["400", "408", "413", "415", "422"]);
            }
            for status in expected {
                let documented = &operation["responses"][status]["content"];
                assert!(
                    documented["application/problem+json"].is_object(),
                    "{method} {path} does not document its {status}"
                );
            }
        }
    }
    assert!(bearer_operations > 20, "{bearer_operations}");
    assert!(body_operations > 10, "{body_operations}");
    let refused = app.get(None, "/api/v1/agencies").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
}

/// The request bodies are derived from the structs the use cases read, so they name every
/// field that is read: an agency's head, a report's credit, an entered report's channel
/// (flattened with the report's fields), a document kind's signers.
async fn request_bodies_name_what_is_read(app: TestApp) {
    let (_, doc) = read(app.get(None, "/api/v1/openapi.json").await).await;
    let schemas = &doc["components"]["schemas"];
    let names = |schema: &serde_json::Value| -> Vec<String> {
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            let part = match part["$ref"].as_str() {
                Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
                None => part,
            };
            names.extend(
                part["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone()),
            );
        }
        names
    };
    for (schema, fields) in [
        (
            "AgencyRequest",
            &["code", "name", "email", "head_email"][..],
        ),
        ("SystemRequest", &["agency", "name", "domains"]),
        (
            "UserRequest",
            &["email", "name", "role", "agency", "password"],
        ),
        (
            "ReportRequest",
            &[
                "reporter_email",
                "target",
                "credit",
                "credit_alias",
                "proof_nonce",
            ],
        ),
        (
            "EnterReportRequest",
            &["channel", "reporter_email", "credit"],
        ),
        (
            "DocumentKindRequest",
            &["pattern", "signers", "acknowledged_by", "tembusan"],
        ),
        ("ApprovalRequest", &["threshold", "window_days"]),
        (
            "TokenCreateRequest",
            &["email", "scopes", "expires_in_days"],
        ),
        (
            "ScheduleMeetingRequest",
            &["purpose", "starts_at", "attendees", "place"],
        ),
        (
            "UpdateMeetingRequest",
            &["starts_at", "place", "video_url", "agency_invited"],
        ),
        ("CancelMeetingRequest", &["reason"]),
    ] {
        let named = names(&schemas[schema]);
        for field in fields {
            assert!(
                named.iter().any(|n| n == field),
                "{schema} lacks {field}: {named:?}"
            );
        }
    }
    let required = |schema: &str| schemas[schema]["required"].to_string();
    assert!(required("AgencyRequest").contains("\"code\""));
    assert!(!required("AgencyRequest").contains("head_email"));
}

async fn healthz_answers(app: TestApp) {
    let health = app.get(None, "/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");

    // Ready: the database answers with every migration applied, the blobs' directory too.
    let (status, ready) = read(app.get(None, "/readyz").await).await;
    assert_eq!(status, StatusCode::OK, "{ready:#}");
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["stopping"], false);
    for check in ["database", "migrations", "blobs"] {
        assert_eq!(ready[check], "ok", "{ready:#}");
    }
    let newest = ready["schema"]["server"].as_i64().unwrap();
    assert_eq!(ready["schema"]["database"].as_i64(), Some(newest));
    assert!(newest >= 32, "{ready:#}");

    // A database behind this version (its newest migration taken back, as a restore of an
    // old backup under a running instance would leave it): alive, but not ready.
    app.execute_sql(&format!(
        "DELETE FROM _sqlx_migrations WHERE version = {newest}"
    ))
    .await;
    let (status, ready) = read(app.get(None, "/readyz").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready:#}");
    assert_eq!(
        (ready["ready"].clone(), ready["migrations"].clone()),
        (false.into(), "failed".into()),
        "{ready:#}"
    );
    assert_eq!(ready["database"], "ok");
    assert_eq!(app.get(None, "/healthz").await.status(), StatusCode::OK);

    // The blobs' directory gone (a disk unmounted): not ready either.
    app.execute_sql(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         SELECT {newest}, 'back', TRUE, checksum, 1 FROM _sqlx_migrations WHERE version = 1"
    ))
    .await;
    let evidence = app.data_dir().join("evidence");
    std::fs::remove_dir_all(&evidence).unwrap();
    let (status, ready) = read(app.get(None, "/readyz").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready:#}");
    assert_eq!(ready["migrations"], "ok");
    assert_eq!(ready["blobs"], "failed");
    std::fs::create_dir_all(&evidence).unwrap();
    let (status, _) = read(app.get(None, "/readyz").await).await;
    assert_eq!(status, StatusCode::OK);
}

async fn service_endpoints(app: TestApp) {
    let (status, doc) = read(app.get(None, "/api/v1/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/reports",
        "/api/v1/reports/{ticket_number}",
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_number}",
        "/api/v1/tickets/{ticket_number}/actions/{action}",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "the OpenAPI document lacks {path}"
        );
    }
    assert!(doc["paths"]["/api/v1/reports"]["post"].is_object());

    let response = app.get(None, "/.well-known/security.txt").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.unwrap();
    let field = |name: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            .collect()
    };
    assert!(!field("Contact").is_empty(), "{text}");
    assert!(
        field("Contact")
            .iter()
            .any(|c| c == &format!("{}/report", app.base_url)),
        "{text}"
    );
    assert_eq!(field("Preferred-Languages"), ["id, en"], "{text}");
    let expires = field("Expires");
    assert_eq!(expires.len(), 1, "{text}");
    let expires = chrono::DateTime::parse_from_rfc3339(&expires[0])
        .expect("Expires is RFC 3339")
        .to_utc();
    assert!(
        expires > app.now() && expires <= app.now() + chrono::TimeDelta::days(366),
        "{text}"
    );
    // Without the CSIRT's OpenPGP key, no `Encryption:` and no key to fetch.
    assert!(field("Encryption").is_empty(), "{text}");
    problem(app.get(None, "/pgp-key.txt").await, StatusCode::NOT_FOUND).await;

    // Unknown paths answer a problem document.
    problem(
        app.get(None, "/api/v1/tidak-ada").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert!(
        get("content-security-policy").contains("frame-ancestors 'none'"),
        "{what}"
    );
}

async fn security_headers_on_every_response(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    let responses = [
        ("healthz", app.get(None, "/healthz").await),
        ("openapi", app.get(None, "/api/v1/openapi.json").await),
        (
            "security.txt",
            app.get(None, "/.well-known/security.txt").await,
        ),
        ("ticket", app.get_ticket(app.token("csirt"), &n).await),
        ("401", app.get(None, "/api/v1/tickets").await),
        ("404", app.get(None, "/tidak-ada").await),
        ("201", app.submit_report(&valid_report()).await),
        ("422", app.submit_report(&serde_json::json!({})).await),
    ];
    for (what, response) in responses {
        assert_security_headers(response.headers(), what);
    }
}
