//! Peraturan BSSN 1/2024, the report itself, on a walk: the CSIRT prepares the report of a
//! high-risk ticket as a document (the reporter's contact when they agreed to be named,
//! "Anonim" otherwise; description, chronology, impact, handling) with its STIX 2.1
//! bundle, named in the PDF by its SHA-256 and valid for OASIS's validator; prepared again
//! it replaces the one before; once the sending is recorded it is closed. The document
//! names the reporter: the agency's system owner never reads it. Every refusal is audited.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigap_testkit::{TestApp, problem, read, valid_report};

use crate::api::documents::pdftotext;
use crate::api::exports::{STIX_CHECK, check, validators};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_report_goes_with_its_bundle: sqlite_bssn_report_document,
        postgres_bssn_report_document;
}

async fn pdf(app: &TestApp, role: &str, id: &Value) -> String {
    let response = app
        .get(Some(app.token(role)), &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = pdftotext(&response.bytes().await.unwrap());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn the_report_goes_with_its_bundle(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let mut named = valid_report();
    named["credit"] = json!("name");
    let n = app.submit_ok(&named).await.number;
    let anonymous = app.submit_ok(&valid_report()).await.number;
    let waiting = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    app.drive(&anonymous, "awaiting_block").await;
    let path = |n: &str| format!("/api/v1/tickets/{n}/sectoral-report/document");
    let bundle_path = |n: &str| format!("/api/v1/tickets/{n}/sectoral-report/bundle");

    // Refusals, each audited: a help desk, a ticket not of high risk, a bad field.
    problem(
        app.post("helpdesk", &path(&n), &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post("csirt", &path(&waiting), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let long = json!({"addressee": "x".repeat(301)});
    let bad = problem(
        app.post("csirt", &path(&n), &long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(sigap_testkit::error_fields(&bad), ["addressee"]);
    problem(
        app.get(Some(app.token("csirt")), &bundle_path(&n)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Prepared: a numbered report, and the bundle it names.
    let (status, first) = read(app.post("csirt", &path(&n), &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{first:#}");
    assert_eq!(first["kind"], "sectoral_report");
    assert!(
        first["number"].as_str().unwrap().contains("/LAP/"),
        "{first:#}"
    );
    let t = app.ticket("csirt", &n).await;
    let sha = t["sectoral_report"]["bundle_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.get(Some(app.token("csirt")), &bundle_path(&n)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/stix+json;version=2.1"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
    let bundle: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(bundle["type"], "bundle");
    let text = String::from_utf8_lossy(&bytes);
    for secret in ["Budi Santoso", "budi.santoso@example.com", "sqlmap"] {
        assert!(!text.contains(secret), "{secret} in the bundle");
    }
    if let Some(python) = validators() {
        check(&python, STIX_CHECK, &bytes);
    }

    let words = pdf(&app, "csirt", &first["id"]).await;
    let solid: String = words.split_whitespace().collect();
    assert!(
        solid.contains(&sha),
        "the bundle's SHA-256 missing:\n{words}"
    );
    for needle in [
        "LAPORAN INSIDEN SIBER KEPADA CSIRT SEKTORAL",
        "Peraturan Badan Siber dan Sandi Negara Nomor 1 Tahun 2024",
        "Ketua CSIRT Sektor Pemerintah Daerah",
        "Budi Santoso",
        "Surel: budi.santoso@example.com",
        "Telepon: +62 812-3456-7890",
        "Jenis kerentanan: CWE-89",
        "Sistem Elektronik diblokir sementara sejak",
        "Laporan dan Surat Pemberitahuan disampaikan kepada",
        "KRONOLOGI",
        "Tingkat kekritisan dinilai",
        "Data pribadi terdampak",
        "Laporan divalidasi oleh BATAM-CSIRT pada",
        "Gov-CSIRT Indonesia",
        &format!("{n}.stix.json"),
    ] {
        assert!(words.contains(needle), "{needle:?} missing:\n{words}");
    }

    // The agency's system owner reads neither the report nor that it names the reporter.
    let owner = app.ticket("system_owner", &n).await;
    let kinds: Vec<&str> = owner["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"sectoral_report"), "{kinds:?}");
    let id = &first["id"];
    problem(
        app.get(
            Some(app.token("system_owner")),
            &format!("/api/v1/documents/{id}"),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Prepared again with the team's words: it replaces the first, which it cites.
    app.clock.advance(chrono::TimeDelta::minutes(30));
    let own = json!({"impact": "Layanan <b>PPDB</b> terganggu.\n\nSekitar 12.400 pendaftar.",
        "handling": "Tim memantau log akses."});
    let (status, second) = read(app.post("csirt", &path(&n), &own).await).await;
    assert_eq!(status, StatusCode::CREATED, "{second:#}");
    assert_eq!(second["replaces_id"], first["id"]);
    let words = pdf(&app, "csirt", &second["id"]).await;
    let first_number = first["number"].as_str().unwrap();
    for needle in [
        "Layanan <b>PPDB</b> terganggu.",
        "Sekitar 12.400 pendaftar.",
        "Tim memantau log akses.",
        first_number,
    ] {
        assert!(words.contains(needle), "{needle:?} missing:\n{words}");
    }
    let now_sha = app.ticket("csirt", &n).await["sectoral_report"]["bundle_sha256"].clone();
    assert_ne!(now_sha, json!(sha), "a new bundle goes with the new report");

    // A reporter who did not agree to be named is "Anonim" to the sectoral CSIRT.
    let (status, doc) = read(app.post("admin", &path(&anonymous), &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{doc:#}");
    let words = pdf(&app, "csirt", &doc["id"]).await;
    assert!(words.contains("Anonim"), "{words}");
    assert!(!words.contains("budi.santoso@example.com"), "{words}");

    // Once the sending is recorded, what was sent stays as it was.
    let sent = json!({"sent_at": app.now().to_rfc3339(), "channel": "email",
        "reference": "BSSN/2026/12", "recipient": "CSIRT Sektor Pemerintah Daerah"});
    let recorded = app
        .post(
            "csirt",
            &format!("/api/v1/tickets/{n}/sectoral-report"),
            &sent,
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    problem(
        app.post("csirt", &path(&n), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        app.audit_outcomes(&n, "sectoral_report_issue").await,
        ["refused:409", "refused:422", "refused:403"]
    );
    assert_eq!(
        app.audit_outcomes(&waiting, "sectoral_report_issue").await,
        ["refused:404"]
    );
    assert_eq!(
        app.audit_outcomes(&n, "sectoral_bundle").await,
        ["ok", "refused:404"]
    );
}
