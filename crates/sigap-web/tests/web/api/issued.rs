//! Every document of the procedure, issued by its step and read back as a reader would
//! (pdftotext): a full high-path walk under configured document settings issues each kind
//! with its number, the ticket, the agency, the TLP label and the Indonesian date; the
//! letters carry the configured signer and copies and never the proof of concept; the
//! certificate credits the reporter's alias and the dossier lists every document. The
//! receipt is issued once, on first request; signed copies are kept beside the original.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigap_app::documents::config::{DocumentConfig, no_files};
use sigap_testkit::{Backend, TestApp, number, problem, read, valid_report};

use crate::api::documents::{documents, pdftotext, verified};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    receipt_is_issued_once_on_request: sqlite_receipt_is_issued_once_on_request,
        postgres_receipt_is_issued_once_on_request;
    signed_copies_are_kept_beside_the_original: sqlite_signed_copies_are_kept_beside_the_original,
        postgres_signed_copies_are_kept_beside_the_original;
    corrections_issue_a_new_version: sqlite_corrections_issue_a_new_version,
        postgres_corrections_issue_a_new_version;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_every_step_issues_its_documents() {
    let app = with_settings(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    every_step_issues_its_documents(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_step_issues_its_documents() {
    if let Some(app) = with_settings(Backend::Postgres).await {
        every_step_issues_its_documents(app).await;
    }
}

const SETTINGS: &str = include_str!("../../../../../docs/documents.example.toml");

async fn with_settings(backend: Backend) -> Option<TestApp> {
    sigap_testkit::spawn_app_with(backend, |start| {
        let settings = DocumentConfig::from_toml(SETTINGS, &no_files).unwrap();
        start.policy.documents = Arc::new(settings);
    })
    .await
}

/// Text without any whitespace, so that a number wrapped in a table cell still matches.
fn compact(text: &str) -> String {
    text.split_whitespace()
        .collect::<String>()
        .replace('\u{200b}', "")
}

async fn pdf_of(app: &TestApp, doc: &Value) -> Vec<u8> {
    let id = doc["id"].as_i64().unwrap();
    let response = app
        .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let pdf = response.bytes().await.unwrap().to_vec();
    assert_eq!(hex::encode(Sha256::digest(&pdf)), doc["sha256"]);
    pdf
}

async fn every_step_issues_its_documents(app: TestApp) {
    let mut report = valid_report();
    report["credit"] = json!("alias");
    report["credit_alias"] = json!("Si Pemburu Celah");
    app.submit_ok(&report).await;
    let n = number(1);
    app.drive(&n, "closed").await;

    let docs = documents(&app, &n).await;
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ba_validation",
            "ba_criticality",
            "block_record",
            "letter_notice",
            "agency_report",
            "remediation_report",
            "letter_follow_up",
            "ba_review_meeting",
            "unblock_record",
            "acknowledgement",
            "certificate",
            "dossier",
        ]
    );
    let mut texts = std::collections::BTreeMap::new();
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap();
        let text = pdftotext(&pdf_of(&app, doc).await);
        let flat = compact(&text);
        let doc_number = doc["number"].as_str().unwrap();
        assert!(
            flat.contains(&compact(doc_number)),
            "{kind}: {doc_number} in {text}"
        );
        assert!(flat.contains(&n), "{kind}: ticket number in {text}");
        assert!(flat.contains("TLP:AMBER+STRICT"), "{kind}: TLP in {text}");
        assert!(
            flat.contains("Batam,10Agustus2026"),
            "{kind}: place and date in {text}"
        );
        // The certificate thanks the reporter and the receipt acknowledges the report:
        // neither names the agency.
        if kind != "certificate" && kind != "acknowledgement" {
            assert!(
                flat.contains("DinasPendidikanKotaBatam"),
                "{kind}: agency in {text}"
            );
        }
        texts.insert(kind.to_owned(), flat);
    }
    // Letters: numbered by the configured pattern, signed by the configured head of office,
    // with the configured copies, the criticality and the deadline, and no exploit detail.
    let notice = &texts["letter_notice"];
    assert!(docs[3]["number"].as_str().unwrap() == "000.6.3/1/Diskominfo/2026");
    assert!(notice.contains("NamaKepalaDinas") && notice.contains("197001011990031001"));
    assert!(notice.contains("InspekturKotaBatam"), "tembusan: {notice}");
    assert!(notice.contains("SangatSegera"), "{notice}");
    for letter in ["letter_notice", "letter_follow_up", "agency_report"] {
        assert!(
            !texts[letter].contains("sqlmap"),
            "{letter} carries the proof of concept"
        );
        assert!(!texts[letter].contains("OR1=1"), "{letter} carries the log");
    }
    assert!(texts["letter_follow_up"].contains(&compact(docs[3]["number"].as_str().unwrap())));
    // The report to the agency is the letter's attachment and cites its number.
    assert!(texts["agency_report"].contains(&compact(docs[3]["number"].as_str().unwrap())));
    // The review minutes carry the configured "Mengetahui" signer.
    assert!(texts["ba_review_meeting"].contains("Mengetahui"));
    // The block records rest on the criticality minutes and the review minutes.
    assert!(texts["block_record"].contains(&compact(docs[1]["number"].as_str().unwrap())));
    assert!(texts["unblock_record"].contains(&compact(docs[7]["number"].as_str().unwrap())));
    // The certificate credits the alias, not the reporter's name.
    assert!(texts["certificate"].contains("SiPemburuCelah"));
    assert!(!texts["certificate"].contains("BudiSantoso"));
    // The dossier lists every other document with its hash, and the audit head.
    let dossier = &texts["dossier"];
    for doc in &docs[..docs.len() - 1] {
        assert!(
            dossier.contains(&compact(doc["number"].as_str().unwrap())),
            "{dossier}"
        );
        assert!(
            dossier.contains(doc["sha256"].as_str().unwrap()),
            "{dossier}"
        );
    }
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let close = log.iter().position(|e| e.action == "close").unwrap();
    let before_close = &log[close - 1];
    assert!(
        dossier.contains(&before_close.hash),
        "audit head in {dossier}"
    );
}

async fn receipt(app: &TestApp, n: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/reports/{n}/acknowledgement")))
        .header("x-tracking-token", token)
        .send()
        .await
        .unwrap()
}

async fn receipt_is_issued_once_on_request(app: TestApp) {
    let submitted = app.submit_ok(&valid_report()).await;
    let n = number(1);
    let wrong = receipt(&app, &n, "not-the-token").await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert!(
        documents(&app, &n).await.is_empty(),
        "a wrong token issues nothing"
    );

    let token = submitted.tracking_token.as_str();
    let first = receipt(&app, &n, token).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["content-type"], "application/pdf");
    let first = first.bytes().await.unwrap().to_vec();
    let text = pdftotext(&first);
    assert!(text.contains(&n), "{text}");
    assert!(compact(&text).contains("TANDATERIMALAPORAN"), "{text}");
    assert!(
        !text.contains("sqlmap"),
        "the receipt carries no proof of concept"
    );

    let again = receipt(&app, &n, token)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(again, first, "the receipt is issued once");
    let staff = app
        .get(
            Some(app.token("helpdesk")),
            &format!("/api/v1/tickets/{n}/acknowledgement"),
        )
        .await;
    assert_eq!(staff.status(), StatusCode::OK);
    assert_eq!(staff.bytes().await.unwrap().to_vec(), first);
    let other_agency = app
        .get(
            Some(app.token("system_owner_b")),
            &format!("/api/v1/tickets/{n}/acknowledgement"),
        )
        .await;
    assert_eq!(other_agency.status(), StatusCode::NOT_FOUND);

    let docs = documents(&app, &n).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "acknowledgement");
    assert!(docs[0]["number"].as_str().unwrap() == "000.6/1/TT/Diskominfo/2026");
    assert_eq!(
        docs[0]["sha256"],
        json!(hex::encode(Sha256::digest(&first)))
    );
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let issued: Vec<_> = log
        .iter()
        .filter(|e| e.action == "issue_document")
        .collect();
    assert_eq!(issued.len(), 1, "one audit entry for one issue");
}

async fn upload(
    app: &TestApp,
    role: &str,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("note", "ditandatangani secara elektronik (BSrE)")
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/api/v1/documents/{id}/signed")))
        .bearer_auth(app.token(role))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn signed_copies_are_kept_beside_the_original(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.act(
        "csirt",
        &n,
        "validate",
        &sigap_testkit::bodies::validate(None),
    )
    .await;
    let doc = documents(&app, &n).await.remove(0);
    let id = doc["id"].as_i64().unwrap();
    let original = pdf_of(&app, &doc).await;
    let mut signed = original.clone();
    signed.extend_from_slice(b"\n% signature appended by the signing service\n");

    // Refusals change nothing.
    let not_pdf = upload(
        &app,
        "helpdesk",
        id,
        "x.pdf",
        b"<html>bukan pdf</html>".to_vec(),
    )
    .await;
    problem(not_pdf, StatusCode::UNPROCESSABLE_ENTITY).await;
    let same = upload(&app, "helpdesk", id, "x.pdf", original.clone()).await;
    problem(same, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The agency is not told of the report yet: its owner does not find the document.
    let owner = upload(&app, "system_owner", id, "x.pdf", signed.clone()).await;
    problem(owner, StatusCode::NOT_FOUND).await;
    let other = upload(&app, "system_owner_b", id, "x.pdf", signed.clone()).await;
    problem(other, StatusCode::NOT_FOUND).await;
    assert_eq!(documents(&app, &n).await[0]["signed_copies"], json!([]));

    let (status, copy) = read(upload(&app, "helpdesk", id, "ttd.pdf", signed.clone()).await).await;
    assert_eq!(status, StatusCode::CREATED, "{copy:#}");
    let signed_sha = hex::encode(Sha256::digest(&signed));
    assert_eq!(copy["sha256"], json!(signed_sha));
    let again = upload(&app, "helpdesk", id, "ttd.pdf", signed.clone()).await;
    problem(again, StatusCode::CONFLICT).await;

    let listed = documents(&app, &n).await.remove(0);
    assert_eq!(
        listed["sha256"], doc["sha256"],
        "the original stays as issued"
    );
    assert_eq!(listed["signed_copies"].as_array().unwrap().len(), 1);
    let copy_id = copy["id"].as_i64().unwrap();
    let response = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/documents/{id}/signed/{copy_id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(response.bytes().await.unwrap().to_vec(), signed);

    let code = doc["verify_code"].as_str().unwrap();
    let (status, verified) = verified(&app, code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["signed_sha256"], json!([signed_sha]));
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let entry = log
        .iter()
        .find(|e| e.action == "upload_signed_copy")
        .unwrap();
    let details = entry.details.to_string();
    assert!(details.contains(&signed_sha) && details.contains(doc["sha256"].as_str().unwrap()));
}

async fn corrections_issue_a_new_version(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.act(
        "csirt",
        &n,
        "validate",
        &sigap_testkit::bodies::validate(None),
    )
    .await;
    let old = documents(&app, &n).await.remove(0);
    let id = old["id"].as_i64().unwrap();
    let path = format!("/api/v1/documents/{id}/reissue");
    let post = |role: &str, body: Value| {
        app.client
            .post(app.url(&path))
            .bearer_auth(app.token(role))
            .json(&body)
            .send()
    };
    problem(
        post("csirt", json!({"reason": "  "})).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        post("helpdesk", json!({"reason": "salah ketik"}))
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post("system_owner_b", json!({"reason": "x"}))
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(documents(&app, &n).await.len(), 1, "refusals issue nothing");

    let (status, new) = read(
        post("csirt", json!({"reason": "Nama anggota tim salah ketik"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{new:#}");
    assert_eq!(new["kind"], "ba_validation");
    assert_eq!(new["replaces_id"], json!(id));
    assert!(new["number"] == "000.6/2/BA/Diskominfo/2026", "{new:#}");
    assert_ne!(new["verify_code"], old["verify_code"]);
    let text = compact(&pdftotext(&pdf_of(&app, &new).await));
    assert!(
        text.contains(&compact(old["number"].as_str().unwrap())),
        "{text}"
    );
    assert!(text.contains("perbaikan"), "{text}");
    // The original stays as issued and can still be verified; only the newest is corrected.
    let docs = documents(&app, &n).await;
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["sha256"], old["sha256"]);
    // Its verification says it was replaced, and by which number.
    let code = old["verify_code"].as_str().unwrap();
    let (status, verified) = verified(&app, code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["superseded_by"], new["number"], "{verified:#}");
    let page = app
        .get(None, &format!("/verify/{code}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("telah diganti oleh naskah perbaikan Nomor")
            && page.contains(new["number"].as_str().unwrap()),
        "{page}"
    );
    problem(
        post("csirt", json!({"reason": "lagi"})).await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let entry = log.iter().find(|e| e.action == "reissue_document").unwrap();
    assert!(entry.details.to_string().contains("salah ketik"));
}
