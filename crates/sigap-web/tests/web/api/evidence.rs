//! Evidence files: downloaded only as attachments, only by staff in scope, only through the
//! ticket they belong to, byte for byte as uploaded.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sigap_testkit::bodies::PNG_BYTES;
use sigap_testkit::{TestApp, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    evidence_downloads: sqlite_evidence_downloads, postgres_evidence_downloads;
}

fn form_with(name: &str, bytes: &[u8]) -> Form {
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    form.part(
        "evidence",
        Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    )
}

async fn evidence_downloads(app: TestApp) {
    let html = b"<html><script>alert(1)</script></html>";
    let refused = app.submit_multipart(form_with("halaman.html", html)).await;
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let log = b"10.0.0.7 - - [12/Aug/2026:10:15:02 +0700] \"GET /cari?nisn=1' HTTP/1.1\" 500\n";
    let (status, first) = read(
        app.submit_multipart(form_with("bukti \"1\".png", PNG_BYTES))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first:#}");
    let (status, second) = read(app.submit_multipart(form_with("akses.log", log)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{second:#}");
    let n1 = first["ticket_number"].as_str().unwrap().to_owned();
    let n2 = second["ticket_number"].as_str().unwrap().to_owned();
    let e1 = app.ticket("csirt", &n1).await["evidence"][0].clone();
    let e2 = app.ticket("csirt", &n2).await["evidence"][0].clone();
    assert_eq!(e2["media_type"], "text/plain");
    let path = |n: &str, id: &serde_json::Value| format!("/api/v1/tickets/{n}/evidence/{id}");

    let response = app
        .get(Some(app.token("csirt")), &path(&n1, &e1["id"]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/octet-stream");
    assert!(
        header("content-disposition").starts_with("attachment"),
        "{}",
        header("content-disposition")
    );
    assert!(
        !header("content-disposition").contains("\"1\""),
        "quotes in the name are not echoed raw"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-content-sha256"), e1["sha256"].as_str().unwrap());
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG_BYTES);

    // The agency's system owner, once the agency is told (step 6).
    let response = app
        .get(Some(app.token("system_owner")), &path(&n2, &e2["id"]))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "not yet told");
    app.drive(&n2, "remediating").await;
    let response = app
        .get(Some(app.token("system_owner")), &path(&n2, &e2["id"]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), log);

    // Out of scope, through another ticket, unknown, malformed, anonymous.
    problem(
        app.get(Some(app.token("system_owner_b")), &path(&n1, &e1["id"]))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(Some(app.token("csirt")), &path(&n1, &e2["id"]))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(
            Some(app.token("csirt")),
            &path(&n1, &serde_json::json!(9999)),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{n1}/evidence/satu"),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(None, &path(&n1, &e1["id"])).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
