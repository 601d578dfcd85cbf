//! Retention on a walk, under an injected clock: two closed tickets with a reporter's file
//! and message; one under an admin's legal hold. Two years after closing the other loses
//! its reporter (name, e-mail, telephone, tracking token, their identifiers in the
//! messages) and keeps its number and documents, written in a Berita Acara Pemusnahan Data
//! that names the held ticket as left alone; lifted, the hold lets the next run take it.
//! Five years after closing the evidence files are destroyed: listed with their SHA-256,
//! no longer downloadable, their bytes swept from the blob store. Every refusal is audited.

use chrono::TimeDelta;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_app::workflow::retention;
use sigap_testkit::{TestApp, bodies, problem, read, valid_report};

use crate::api::documents::pdftotext;
use crate::api::inbox::{item, lmtp, post_as, thunderbird};
use crate::api::mail::{drain, settings};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    closed_tickets_lose_the_person_then_the_files: sqlite_retention, postgres_retention;
    a_sender_by_mail_leaves_no_trace: sqlite_retention_mail, postgres_retention_mail;
}

const NAME: &str = "Budi Santoso";
const EMAIL: &str = "budi.santoso@example.com";
const PHONE: &str = "+62 812-3456-7890";

/// A report with a file; answers the number and the tracking token.
async fn submit_with_file(app: &TestApp) -> (String, String) {
    let mut form = Form::new();
    let mut report = valid_report();
    report["credit"] = json!("name");
    for (k, v) in report.as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    let log = b"10.0.0.7 - - [12/Aug/2026:10:15:02 +0700] \"GET /cari?nisn=1' HTTP/1.1\" 500\n";
    let form = form.part("evidence", Part::bytes(log.to_vec()).file_name("akses.log"));
    let (status, body) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    (
        body["ticket_number"].as_str().unwrap().to_owned(),
        body["tracking_token"].as_str().unwrap().to_owned(),
    )
}

/// A closed ticket whose reporter wrote, and was answered, by name.
async fn closed_ticket(app: &TestApp) -> (String, String) {
    let (n, token) = submit_with_file(app).await;
    let message = json!({"message": format!("Salam, {NAME} ({EMAIL}, {PHONE})")});
    let (status, body) = read(app.reporter_message(&n, &token, &message).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let reply = bodies::comment(&format!("Terima kasih, Sdr. {NAME}."), "reporter");
    app.act("csirt", &n, "comment", &reply).await;
    app.drive(&n, "closed").await;
    (n, token)
}

fn comments(ticket: &Value) -> String {
    ticket["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn closed_tickets_lose_the_person_then_the_files(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let (a, token_a) = closed_ticket(&app).await;
    let (b, _) = closed_ticket(&app).await;
    let documents_before = app.ticket("csirt", &a).await["documents"].clone();

    // The periods are the law section's, within 1 to 30 years.
    let law = json!({"password_min_chars": 12, "retention_contact_years": 0,
        "retention_evidence_years": 31});
    let refused = problem(
        app.put("admin", "/api/v1/settings/law", &law).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = sigap_testkit::error_fields(&refused);
    fields.sort();
    assert_eq!(
        fields,
        ["retention_contact_years", "retention_evidence_years"]
    );

    // An admin holds b, with a reason; refusals first.
    let hold = format!("/api/v1/tickets/{b}/legal-hold");
    let reason = json!({"reason": "Perkara Nomor 12/Pid.Sus/2026/PN Btm"});
    problem(
        app.put("csirt", &hold, &reason).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.put("admin", &hold, &json!({"reason": " "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let (status, held) = read(app.put("admin", &hold, &reason).await).await;
    assert_eq!(status, StatusCode::OK, "{held:#}");
    assert_eq!(
        held["legal_hold"]["reason"],
        "Perkara Nomor 12/Pid.Sus/2026/PN Btm"
    );
    problem(app.put("admin", &hold, &reason).await, StatusCode::CONFLICT).await;
    assert!(retention::sweep(&app.app).await.unwrap().is_none());

    // Two years and a day on: a loses its reporter; b is left alone, and said to be.
    app.clock.advance(TimeDelta::days(2 * 365 + 2));
    let record = retention::sweep(&app.app).await.unwrap().expect("a run");
    let line = &record.details["lines"][0];
    assert_eq!(line["class"], "reporter_contact", "{:#}", record.details);
    assert_eq!(line["tickets"], json!([a]));
    assert_eq!(record.details["held"], json!([b]));
    assert_eq!(record.details["lines"].as_array().unwrap().len(), 1);
    assert!(retention::sweep(&app.app).await.unwrap().is_none(), "once");

    let t = app.ticket("csirt", &a).await;
    assert_eq!(t["report"]["reporter_name"], "Anonim", "{:#}", t["report"]);
    assert_eq!(t["report"]["reporter_email"], "");
    assert!(t["report"]["reporter_phone"].is_null());
    assert!(t["retention"]["contact_removed_at"].is_string());
    assert_eq!(t["number"], json!(a));
    assert_eq!(t["documents"], documents_before, "the documents stay");
    let said = comments(&t);
    assert!(
        said.contains("Salam, [dihapus] ([dihapus], [dihapus])"),
        "{said}"
    );
    assert!(said.contains("Terima kasih, Sdr. [dihapus]."), "{said}");
    for gone in [NAME, EMAIL, PHONE] {
        assert!(!said.contains(gone), "{gone} in {said}");
    }
    let tracking = app.reporter_view(&a, &token_a).await;
    assert_eq!(tracking.status(), StatusCode::NOT_FOUND);
    let kept = app.ticket("csirt", &b).await;
    assert_eq!(kept["report"]["reporter_email"], EMAIL);

    // The record, for admins and auditors.
    problem(
        app.get(Some(app.token("csirt")), "/api/v1/retention/records")
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, list) = read(
        app.get(Some(app.token("auditor")), "/api/v1/retention/records")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["number"], json!(record.number));
    let pdf = app
        .get(
            Some(app.token("auditor")),
            &format!("/api/v1/retention/records/{}", record.id),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let words = pdftotext(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "BERITA ACARA PEMUSNAHAN DATA",
        &record.number,
        "DATA KONTAK PELAPOR",
        "dianonimkan",
        "2 tahun sejak tiket ditutup",
        &a,
        "Pasal 44 ayat (1) huruf a",
        "penahanan hukum",
        &b,
    ] {
        assert!(words.contains(needle), "{needle:?} missing:\n{words}");
    }
    let verified = app
        .get(None, &format!("/verify/{}", record.verify_code))
        .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let page = verified.text().await.unwrap();
    assert!(page.contains(&record.number), "{page}");

    // The hold lifted (with a reason), the next run takes b.
    let lift = format!("/api/v1/tickets/{b}/legal-hold/lift");
    let (status, _) = read(
        app.post(
            "admin",
            &lift,
            &json!({"reason": "Perkara telah inkracht."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    problem(
        app.post("admin", &lift, &json!({"reason": "lagi"})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let next = retention::sweep(&app.app).await.unwrap().expect("b's turn");
    assert_eq!(next.details["lines"][0]["tickets"], json!([b]));

    // Five years on: the files go; their rows and hashes stay.
    let file = t["evidence"][0].clone();
    let sha = file["sha256"].as_str().unwrap().to_owned();
    assert!(app.app.blobs.get(&sha).await.unwrap().is_some());
    app.clock.advance(TimeDelta::days(3 * 365 + 2));
    let destroyed = retention::sweep(&app.app)
        .await
        .unwrap()
        .expect("the files");
    let line = &destroyed.details["lines"][0];
    assert_eq!(line["class"], "evidence", "{:#}", destroyed.details);
    assert_eq!(line["tickets"], json!([a, b]));
    let t = app.ticket("csirt", &a).await;
    assert_eq!(t["evidence"][0]["sha256"], json!(sha));
    assert!(t["evidence"][0]["destroyed_at"].is_string());
    let download = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{a}/evidence/{}", file["id"]),
        )
        .await;
    let gone = problem(download, StatusCode::NOT_FOUND).await;
    assert!(
        gone["detail"].as_str().unwrap().contains("retention"),
        "{gone:#}"
    );
    sigap_app::outbox::jobs::sweep_blobs(&app.app)
        .await
        .unwrap();
    assert!(app.app.blobs.get(&sha).await.unwrap().is_none());
    let record_pdf = app.app.blobs.get(&record.pdf_sha256).await.unwrap();
    assert!(record_pdf.is_some(), "the record's PDF is kept");

    assert_eq!(
        app.audit_outcomes(&b, "legal_hold_set").await,
        ["refused:409", "ok", "refused:422", "refused:403"]
    );
    assert_eq!(
        app.audit_outcomes(&b, "legal_hold_lifted").await,
        ["refused:409", "ok"]
    );
}

/// The mail channel: the sender's message, the names of its attachments and of the evidence
/// taken from them, the acknowledgement and the mails sent to them all lose the person two
/// years after closing; five years after, the attachment keeps no bytes in the blob store.
async fn a_sender_by_mail_leaves_no_trace(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    lmtp(&app, 1 << 20).await.deliver_ok(&thunderbird()).await;
    let store = &app.app.store;
    let queued = store.list_jobs(None, 10).await.unwrap();
    assert_eq!(queued.len(), 1, "the acknowledgement is enqueued");
    let (_, list) = crate::api::inbox::inbox(&app, "helpdesk", "").await;
    let id = list[0]["id"].as_i64().unwrap();
    let (status, opened) = read(
        post_as(
            &app,
            "helpdesk",
            &format!("/api/v1/inbox/{id}/accept"),
            &json!({"reporter_name": "Rina Putri"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened:#}");
    let n = opened["ticket_number"].as_str().unwrap().to_owned();
    // Not a system of the city: the report ends rejected, its reporter told why by mail.
    app.act("csirt", &n, "validate", &bodies::reject()).await;
    drain(&app, &mail).await;
    let sender = "rina@example.com";
    let jobs = store.list_jobs(None, 100).await.unwrap();
    assert!(jobs.iter().any(|j| j.payload.contains(sender)), "mailed");
    let evidence = app.ticket("csirt", &n).await["evidence"][0].clone();
    let sha = evidence["sha256"].as_str().unwrap().to_owned();
    assert_eq!(evidence["name"], "tangkapan.png");

    app.clock.advance(TimeDelta::days(2 * 365 + 2));
    retention::sweep(&app.app).await.unwrap().expect("a run");
    let message = item(&app, id).await;
    assert!(message["from_address"].is_null(), "{message:#}");
    assert_eq!(message["envelope_from"], "");
    let file = &message["attachments"][0];
    assert_eq!(
        file["name"],
        json!(format!("lampiran-surel-{}.png", file["id"]))
    );
    let t = app.ticket("csirt", &n).await;
    let name = format!("bukti-pelapor-{}.png", t["evidence"][0]["id"]);
    assert_eq!(t["evidence"][0]["name"], json!(name));
    assert_eq!(t["report"]["reporter_email"], "");
    for job in store.list_jobs(None, 100).await.unwrap() {
        for gone in [sender, "Rina Putri"] {
            assert!(!job.payload.contains(gone), "{} {}", job.kind, job.payload);
        }
    }

    app.clock.advance(TimeDelta::days(3 * 365 + 2));
    retention::sweep(&app.app)
        .await
        .unwrap()
        .expect("the files");
    sigap_app::outbox::jobs::sweep_blobs(&app.app)
        .await
        .unwrap();
    assert!(
        app.app.blobs.get(&sha).await.unwrap().is_none(),
        "neither the evidence nor the mail's attachment keeps the bytes"
    );
}
