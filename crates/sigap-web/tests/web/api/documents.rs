//! Official documents: validating a ticket issues its numbered, hashed and verifiable
//! validation minutes; the PDF is scoped like the ticket; refused actions issue nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigap_testkit::{TestApp, bodies, number, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    validation_issues_minutes: sqlite_validation_issues_minutes,
        postgres_validation_issues_minutes;
    refused_action_issues_nothing: sqlite_refused_action_issues_nothing,
        postgres_refused_action_issues_nothing;
}

/// The ticket's documents as the CSIRT lists them, oldest first.
pub(crate) async fn documents(app: &TestApp, n: &str) -> Vec<Value> {
    let (status, docs) = read(
        app.get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{n}/documents"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{docs:#}");
    docs.as_array().unwrap().clone()
}

/// What the public verification link answers as JSON for `code`.
pub(crate) async fn verified(app: &TestApp, code: &str) -> (StatusCode, Value) {
    read(
        app.client
            .get(app.url(&format!("/verify/{code}")))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub(crate) fn pdftotext(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext runs");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn validation_issues_minutes(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    app.submit_ok(&valid_report()).await;
    let first = number(1);
    app.act("csirt", &first, "validate", &bodies::validate(None))
        .await;

    let docs = documents(&app, &first).await;
    assert_eq!(docs.len(), 1, "{docs:#?}");
    let doc = &docs[0];
    assert_eq!(doc["kind"], "ba_validation");
    let doc_number = doc["number"].as_str().unwrap();
    assert!(doc_number == "000.6/1/BA/Diskominfo/2026", "{doc_number}");
    let sha256 = doc["sha256"].as_str().unwrap().to_owned();
    let id = doc["id"].as_i64().unwrap();
    let code = doc["verify_code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 24, "{code}");
    // The ticket view lists the same documents.
    let ticket = app.ticket("csirt", &first).await;
    assert_eq!(ticket["documents"], json!(docs));

    let response = app
        .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(!disposition.contains('/'), "{disposition}");
    let pdf = response.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(hex::encode(Sha256::digest(&pdf)), sha256);
    let text = pdftotext(&pdf);
    assert!(text.contains(&first), "{text}");
    assert!(text.contains("TLP:AMBER+STRICT"), "{text}");

    // Gapless per agenda: the second ticket's minutes are the Dinas's second berita acara.
    let second = number(2);
    app.act("csirt", &second, "validate", &bodies::validate(None))
        .await;
    let docs2 = documents(&app, &second).await;
    assert_eq!(docs2.len(), 1);
    assert!(
        docs2[0]["number"].as_str().unwrap() == "000.6/2/BA/Diskominfo/2026",
        "{docs2:#?}"
    );

    // Scoped like the ticket: another agency's system owner does not see it.
    let response = app
        .get(
            Some(app.token("system_owner_b")),
            &format!("/api/v1/documents/{id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Nor does the ticket's own agency's before it is told (step 6): see `owner_scope`.
    let response = app
        .get(
            Some(app.token("system_owner")),
            &format!("/api/v1/documents/{id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.get(None, &format!("/api/v1/documents/{id}")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Public verification: JSON on request, a page otherwise; unknown codes are not found.
    let (status, verified) = verified(&app, &code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["number"], doc["number"]);
    assert_eq!(verified["sha256"], json!(sha256));
    assert_eq!(verified["kind"], "ba_validation");
    let page = app.get(None, &format!("/verify/{code}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&sha256) && html.contains(doc_number),
        "{html}"
    );
    assert!(!html.contains(&first), "the page reveals nothing else");
    // A page as a reader expects it: the letterhead, the kind in words, the date as
    // documents write it, who signs, and the draft status of a server without signers.
    for expected in [
        "DINAS KOMUNIKASI DAN INFORMATIKA",
        "Berita Acara Hasil Validasi Laporan",
        "10 Agustus 2026",
        "Naskah terdaftar sebagai DRAF",
        "name=\"viewport\"",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert_eq!(verified["draft"], true);
    assert_eq!(verified["issued_on"], "10 Agustus 2026");
    assert!(verified["ticket_number"].is_null());
    assert_eq!(
        verified["signers"].as_array().unwrap().len(),
        1,
        "{verified:#}"
    );
    assert!(verified["superseded_by"].is_null());
    // An unknown code: an Indonesian page, or a problem when JSON is asked for.
    let unknown = app.get(None, "/verify/AAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(
        unknown.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = unknown.text().await.unwrap();
    assert!(html.contains("Kode verifikasi tidak dikenal"), "{html}");
    let unknown = app
        .client
        .get(app.url("/verify/AAAAAAAAAAAAAAAAAAAAAAAA"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    sigap_testkit::problem(unknown, StatusCode::NOT_FOUND).await;

    // Assessing issues the criticality minutes, citing the validation minutes.
    app.act("csirt", &first, "assess", &bodies::assess_high())
        .await;
    let docs = documents(&app, &first).await;
    assert_eq!(docs.len(), 2, "{docs:#?}");
    assert_eq!(docs[1]["kind"], "ba_criticality");
    assert!(
        docs[1]["number"].as_str().unwrap() == "000.6/3/BA/Diskominfo/2026",
        "{docs:#?}"
    );

    // The audit entry of the action names the document's hash.
    let log = app.store.list_ticket_audit(&first).await.unwrap();
    let entry = log
        .iter()
        .find(|e| e.action == "validate" && e.outcome == "ok")
        .expect("validate audited");
    assert!(entry.details.to_string().contains(&sha256));
}

async fn refused_action_issues_nothing(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    let response = app
        .action(
            app.token("csirt"),
            &n,
            "validate",
            &json!({"valid": true, "method": "ticket"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(documents(&app, &n).await.is_empty());
}
