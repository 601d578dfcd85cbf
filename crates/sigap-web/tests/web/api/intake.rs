//! Intake validation (SOP steps 1-2): every malformed or incomplete report is refused with a
//! precise problem document, and nothing is stored: the next valid report is still 00001.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_testkit::bodies::{EXE_BYTES, PNG_BYTES, ZIP_BYTES};
use sigap_testkit::{TestApp, error_fields, number, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    invalid_reports_store_nothing: sqlite_invalid_reports_store_nothing,
        postgres_invalid_reports_store_nothing;
    malformed_bodies_store_nothing: sqlite_malformed_bodies_store_nothing,
        postgres_malformed_bodies_store_nothing;
    evidence_files_are_checked: sqlite_evidence_files_are_checked, postgres_evidence_files_are_checked;
    staff_enter_reports_from_other_channels: sqlite_staff_enter_reports_from_other_channels,
        postgres_staff_enter_reports_from_other_channels;
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn with(changes: Value) -> Value {
    let mut report = valid_report();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            report.as_object_mut().unwrap().remove(k);
        } else {
            report[k] = v.clone();
        }
    }
    report
}

/// The form fields of the valid report, for multipart requests.
fn report_form() -> Form {
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        if k != "evidence_text" {
            form = form.text(k.clone(), v.as_str().unwrap().to_owned());
        }
    }
    form
}

/// Asserts nothing was stored, then that the next report gets number 00001.
async fn assert_nothing_stored(app: &TestApp) {
    let page = app.list("csirt", &[]).await;
    assert_eq!(
        page["items"],
        json!([]),
        "a refused report left a ticket behind"
    );
    let (_, stats) = read(app.get(Some(app.token("csirt")), "/api/v1/stats").await).await;
    assert_eq!(stats["total"], 0);
    assert_eq!(
        app.submit_ok(&valid_report()).await.number,
        number(1),
        "a refused report used up a number"
    );
}

async fn invalid_reports_store_nothing(app: TestApp) {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({}),
            vec![
                "evidence",
                "proof_of_concept",
                "reporter_email",
                "reporter_name",
                "severity",
                "target",
                "vulnerability_type",
            ],
        ),
        (
            with(json!({"reporter_name": null, "proof_of_concept": "  "})),
            vec!["proof_of_concept", "reporter_name"],
        ),
        (
            with(json!({"reporter_name": 42, "severity": true})),
            vec!["reporter_name", "severity"],
        ),
        (
            with(json!({"target": ["https://ppdb.disdik.batam.go.id"]})),
            vec!["target"],
        ),
        (with(json!({"severity": "darurat"})), vec!["severity"]),
        (
            with(json!({"cvss_vector": "CVSS:3.1/AV:N/AC:Z/PR:N"})),
            vec!["cvss_vector"],
        ),
        (
            with(json!({"cvss_vector": "bukan vektor"})),
            vec!["cvss_vector"],
        ),
        (
            with(json!({"reporter_email": "budi-at-example"})),
            vec!["reporter_email"],
        ),
        (
            with(json!({"target": "ftp://ppdb.disdik.batam.go.id/"})),
            vec!["target"],
        ),
        (
            with(json!({"target": "https://localhost/"})),
            vec!["target"],
        ),
        // Addresses that would make the server photograph its own network.
        (
            with(json!({"target": "http://127.0.0.1:8080/admin"})),
            vec!["target"],
        ),
        (
            with(json!({"target": "http://169.254.169.254/latest/meta-data/"})),
            vec!["target"],
        ),
        (with(json!({"target": "http://[::1]/"})), vec!["target"]),
        (
            with(json!({"target": "https://ppdb.disdik.batam.go.id:6379/"})),
            vec!["target"],
        ),
        (with(json!({"target": "ppdb disdik"})), vec!["target"]),
        (with(json!({"evidence_text": null})), vec!["evidence"]),
        (with(json!({"evidence_text": ""})), vec!["evidence"]),
        (
            with(json!({"vulnerability_type": ""})),
            vec!["vulnerability_type"],
        ),
        (with(json!({"language": "fr"})), vec!["language"]),
    ];
    for (report, fields) in cases {
        let p = problem(
            app.submit_report(&report).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let expected: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        assert_eq!(sorted(error_fields(&p)), expected, "{report:#}\n{p:#}");
        for error in p["errors"].as_array().unwrap() {
            assert!(
                error["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{error}"
            );
        }
    }
    // A JSON value that is not an object.
    let response = app
        .client
        .post(app.url("/api/v1/reports"))
        .json(&json!(["laporan"]))
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_nothing_stored(&app).await;
}

async fn malformed_bodies_store_nothing(app: TestApp) {
    let post = |content_type: &str, body: Vec<u8>| {
        app.client
            .post(app.url("/api/v1/reports"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let p = problem(
        post(
            "application/json",
            b"{\"reporter_name\": \"Budi\",".to_vec(),
        )
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("JSON"), "{p:#}");
    problem(
        post("application/json", b"\xff\xfe{}".to_vec())
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;

    // Larger than the 2 MiB a JSON body may have.
    let mut big = valid_report();
    big["description"] = json!("A".repeat(2 * 1024 * 1024 + 1024));
    let body = serde_json::to_vec(&big).unwrap();
    problem(
        post("application/json", body).await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    problem(
        post("text/plain", b"laporan".to_vec()).await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    // Broken multipart: no boundary, garbage, a body cut in the middle of a part.
    problem(
        post("multipart/form-data", b"--x\r\n".to_vec())
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        post(
            "multipart/form-data; boundary=XyZ",
            b"ini bukan multipart".to_vec(),
        )
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let cut = b"--XyZ\r\nContent-Disposition: form-data; name=\"reporter_name\"\r\n\r\nBudi\r\n--XyZ\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.png\"\r\n\r\n\x89PNG".to_vec();
    problem(
        post("multipart/form-data; boundary=XyZ", cut)
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_nothing_stored(&app).await;
}

async fn evidence_files_are_checked(app: TestApp) {
    for (name, bytes) in [
        ("laporan.exe", EXE_BYTES),
        ("bukti.zip", ZIP_BYTES),
        ("tangkapan.png", ZIP_BYTES),
    ] {
        let form = report_form().part("evidence", Part::bytes(bytes.to_vec()).file_name(name));
        let p = problem(
            app.submit_multipart(form).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&p), ["evidence"], "{name}: {p:#}");
    }
    // An empty file, and no evidence at all.
    let form = report_form().part("evidence", Part::bytes(Vec::new()).file_name("kosong.png"));
    assert_eq!(
        error_fields(
            &problem(
                app.submit_multipart(form).await,
                StatusCode::UNPROCESSABLE_ENTITY
            )
            .await
        ),
        ["evidence"]
    );
    let p = problem(
        app.submit_multipart(report_form()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["evidence"]);
    // More files than allowed (10), and a file larger than allowed (10 MiB).
    let mut form = report_form();
    for i in 0..11 {
        form = form.part(
            "evidence",
            Part::bytes(PNG_BYTES.to_vec()).file_name(format!("bukti-{i}.png")),
        );
    }
    assert_eq!(
        error_fields(
            &problem(
                app.submit_multipart(form).await,
                StatusCode::UNPROCESSABLE_ENTITY
            )
            .await
        ),
        ["evidence"]
    );
    let mut huge = PNG_BYTES.to_vec();
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let form = report_form().part("evidence", Part::bytes(huge).file_name("besar.png"));
    problem(
        app.submit_multipart(form).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_nothing_stored(&app).await;

    // The same report with a real screenshot and a log is accepted, files and all.
    let form = report_form()
        .part(
            "evidence",
            Part::bytes(PNG_BYTES.to_vec()).file_name("C:\\Users\\budi\\tangkapan layar.png"),
        )
        .part(
            "evidence",
            Part::bytes(b"GET /pendaftaran/cari?nisn=1%27 HTTP/1.1\n".to_vec())
                .file_name("akses.log"),
        );
    let (status, body) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    assert_eq!(body["ticket_number"], number(2));
    let t = app.ticket("csirt", &number(2)).await;
    let files: Vec<(&str, &str)> = t["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap(),
                e["media_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("tangkapan layar.png", "image/png"),
            ("akses.log", "text/plain")
        ]
    );
    assert_eq!(t["report"]["evidence_text"], Value::Null);
}

async fn staff_enter_reports_from_other_channels(app: TestApp) {
    let mut phoned = valid_report();
    phoned["channel"] = json!("phone");
    let post = |role: &str| {
        app.client
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(app.token(role))
            .json(&phoned)
            .send()
    };
    for role in ["system_owner", "domain_officer", "auditor", "admin"] {
        problem(post(role).await.unwrap(), StatusCode::FORBIDDEN).await;
    }
    let anonymous = app
        .client
        .post(app.url("/api/v1/tickets"))
        .json(&phoned)
        .send()
        .await
        .unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let (status, body) = read(post("helpdesk").await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    assert_eq!(body["ticket_number"], number(1));
    assert_eq!(app.ticket("csirt", &number(1)).await["channel"], "phone");

    let mut no_channel = valid_report();
    no_channel["channel"] = json!("merpati");
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.token("csirt"))
        .json(&no_channel)
        .send()
        .await;
    assert_eq!(
        error_fields(&problem(response.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await),
        ["channel"]
    );
    assert_eq!(app.submit_ok(&valid_report()).await.number, number(2));
}
