//! Who reported stays with the reporter and the staff who handle the report: a system owner
//! walks a ticket from report to close and no answer, document, mail or search of theirs
//! carries the reporter's name, address, phone, alias or the names of their files; the
//! Regional Secretary neither; `credit = anonymous` keeps the name out of every document;
//! every read of the reporter's data and of evidence files is audited; and a receipt that
//! could not be sent keeps no tracking token in the job table.

use std::time::Duration;

use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_testkit::bodies;
use sigap_testkit::{TestApp, read, valid_report};

use crate::api::documents::pdftotext;
use crate::api::mail::{drain, settings, to};
use sigap_core::JobState;

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    owners_never_learn_who_reported: sqlite_owners_never_learn_who_reported,
        postgres_owners_never_learn_who_reported;
    anonymous_credit_keeps_the_name_out_of_every_document:
        sqlite_anonymous_credit_keeps_the_name_out_of_every_document,
        postgres_anonymous_credit_keeps_the_name_out_of_every_document;
    reads_of_personal_data_are_audited: sqlite_reads_of_personal_data_are_audited,
        postgres_reads_of_personal_data_are_audited;
    a_receipt_that_fails_for_good_keeps_no_token:
        sqlite_a_receipt_that_fails_for_good_keeps_no_token,
        postgres_a_receipt_that_fails_for_good_keeps_no_token;
    owners_get_images_without_their_author_metadata:
        sqlite_owners_get_images_without_their_author_metadata,
        postgres_owners_get_images_without_their_author_metadata;
}

const NAME: &str = "Kartika Pramudyawardhani";
const EMAIL: &str = "kartika.pramudya@example.net";
const PHONE: &str = "+62 813-7731-0042";
const ALIAS: &str = "Penjaga Sunyi Batam";
const FILE_NAME: &str = "kartika-pramudyawardhani-tangkapan.png";
/// What gives the reporter away, lower case: every part of name, address, phone and alias.
const TELLTALES: &[&str] = &["kartika", "pramudya", "813-7731", "penjaga sunyi"];
/// Agency A's official address and its system owner's.
const AGENCY_MAIL: &[&str] = &["disdik@batam.go.id", "pj.sistem@disdik.batam.go.id"];

fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for telltale in TELLTALES {
        assert!(
            !lower.contains(telltale),
            "{what} gives the reporter away (`{telltale}`):\n{text}"
        );
    }
}

fn report(credit: &str) -> Value {
    let mut report = valid_report();
    report["reporter_name"] = json!(NAME);
    report["reporter_email"] = json!(EMAIL);
    report["reporter_phone"] = json!(PHONE);
    report["credit"] = json!(credit);
    if credit == "alias" {
        report["credit_alias"] = json!(ALIAS);
    }
    report
}

/// A small picture that decodes, so that its preview is drawn.
fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(4, 4, |x, _| image::Rgb([40 * x as u8, 0, 200]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

/// The report as multipart, with a screenshot whose file name is the reporter's.
fn report_with_file(credit: &str) -> Form {
    let mut form = Form::new();
    for (k, v) in report(credit).as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    form.part("evidence", Part::bytes(png()).file_name(FILE_NAME))
}

/// Submits the report with its file; answers the number and the tracking token.
async fn submit_with_file(app: &TestApp, credit: &str) -> (String, String) {
    let (status, body) = read(app.submit_multipart(report_with_file(credit)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    (
        body["ticket_number"].as_str().unwrap().to_owned(),
        body["tracking_token"].as_str().unwrap().to_owned(),
    )
}

async fn get_text(app: &TestApp, role: &str, path: &str) -> (StatusCode, String) {
    let response = app.get(Some(app.token(role)), path).await;
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn get_pdf_text(app: &TestApp, role: &str, path: &str) -> (StatusCode, String) {
    let response = app.get(Some(app.token(role)), path).await;
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (status, pdftotext(&bytes))
}

/// Every part of a mail as a person reads it: headers, text, HTML, and the PDFs' text.
fn mail_text(mail: &ReceivedMail) -> String {
    let parsed = mail.parsed().unwrap();
    let mut text = String::from_utf8_lossy(&mail.data).into_owned();
    for i in 0..parsed.text_body_count() {
        text.push_str(&parsed.body_text(i).unwrap_or_default());
    }
    for i in 0..parsed.html_body_count() {
        text.push_str(&parsed.body_html(i).unwrap_or_default());
    }
    for attachment in parsed.attachments() {
        text.push_str(attachment.attachment_name().unwrap_or_default());
        if attachment.contents().starts_with(b"%PDF") {
            text.push_str(&pdftotext(attachment.contents()));
        }
    }
    text
}

/// The report's walk with the reporter's data in every place it can be: their file, a
/// message of theirs, a reply to them, the receipt; the system owner reports the fix.
async fn walk_with_reporter(app: &TestApp, n: &str, token: &str) {
    let message = json!({"message": format!("Salam, {NAME} ({EMAIL}, {PHONE})")});
    let (status, body) = read(app.reporter_message(n, token, &message).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let reply = bodies::comment(&format!("Terima kasih, Sdr. {NAME}."), "reporter");
    app.act("csirt", n, "comment", &reply).await;
    let (status, _) = get_text(
        app,
        "csirt",
        &format!("/api/v1/tickets/{n}/acknowledgement"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "staff issue the receipt");
    // What the agency must know of the reporter's message, forwarded by the CSIRT.
    let forwarded = bodies::comment(
        "Pelapor menambahkan: parameter nisn juga rentan pada halaman cetak.",
        "agency",
    );
    app.act("csirt", n, "comment", &forwarded).await;
    app.drive(n, "remediating").await;
    app.act(
        "system_owner",
        n,
        "submit_remediation",
        &bodies::remediation(),
    )
    .await;
    app.drive(n, "closed").await;
}

/// Everything the system owner reads of the ticket through the API.
async fn assert_owner_api_clean(app: &TestApp, n: &str) {
    let (status, ticket) = get_text(app, "system_owner", &format!("/api/v1/tickets/{n}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_clean("the ticket", &ticket);
    let ticket: Value = serde_json::from_str(&ticket).unwrap();
    let comments = ticket["comments"].as_array().unwrap();
    assert_eq!(
        comments.len(),
        1,
        "only the forwarded comment: {comments:#?}"
    );
    assert_eq!(comments[0]["visibility"], "agency");
    for entry in ticket["timeline"].as_array().unwrap() {
        if let Some(word) = match entry["action"].as_str().unwrap() {
            "block" => Some("diblokir"),
            "unblock" => Some("dibuka kembali"),
            _ => None,
        } {
            let records = entry["records"].as_object().unwrap();
            assert_eq!(records["status"], word, "{entry:#}");
            let mut keys: Vec<&str> = records.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["documents", "status"],
                "public facts only: {entry:#}"
            );
        }
    }
    for file in ticket["evidence"].as_array().unwrap() {
        let response = app
            .get(
                Some(app.token("system_owner")),
                &format!("/api/v1/tickets/{n}/evidence/{}", file["id"]),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert_clean("an evidence file's name", disposition);
    }
    assert!(!ticket["evidence"].as_array().unwrap().is_empty());
    let (_, list) = get_text(app, "system_owner", "/api/v1/tickets").await;
    assert!(list.contains(n), "{list}");
    assert_clean("the queue", &list);
    for query in [
        "Kartika",
        "pramudya",
        "Penjaga",
        "kartika.pramudya@example.net",
    ] {
        let found = app.list("system_owner", &[("q", query)]).await;
        assert_eq!(found["items"], json!([]), "`q={query}` found {found:#}");
    }
    let found = app.list("system_owner", &[("q", "nisn")]).await;
    assert_eq!(found["items"][0]["number"], n, "search works for owners");
}

/// The documents the system owner may read, and the two that name the reporter refused.
async fn assert_owner_documents_clean(app: &TestApp, n: &str) {
    let (status, list) = get_text(
        app,
        "system_owner",
        &format!("/api/v1/tickets/{n}/documents"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_clean("the documents list", &list);
    let list: Value = serde_json::from_str(&list).unwrap();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"dossier"), "{kinds:?}");
    assert!(!kinds.contains(&"acknowledgement") && !kinds.contains(&"certificate"));
    for doc in list.as_array().unwrap() {
        let (status, text) = get_pdf_text(
            app,
            "system_owner",
            &format!("/api/v1/documents/{}", doc["id"]),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(text.contains(n), "{text}");
        assert_clean(doc["kind"].as_str().unwrap(), &text);
    }
    let (status, _) = get_text(
        app,
        "system_owner",
        &format!("/api/v1/tickets/{n}/acknowledgement"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the receipt is not the owner's"
    );
    let all = app.ticket("csirt", n).await;
    for doc in all["documents"].as_array().unwrap() {
        if matches!(
            doc["kind"].as_str(),
            Some("acknowledgement" | "certificate")
        ) {
            let path = format!("/api/v1/documents/{}", doc["id"]);
            let (status, _) = get_text(app, "system_owner", &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{doc:#}");
        }
    }
}

async fn owners_never_learn_who_reported(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let (n, token) = submit_with_file(&app, "alias").await;
    walk_with_reporter(&app, &n, &token).await;
    drain(&app, &mail).await;

    assert_owner_api_clean(&app, &n).await;
    assert_owner_documents_clean(&app, &n).await;
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    let agency_mail: Vec<&ReceivedMail> = received
        .iter()
        .filter(|m| AGENCY_MAIL.iter().any(|a| to(m, a)))
        .collect();
    assert!(!agency_mail.is_empty(), "the agency was written to");
    for m in agency_mail {
        assert_clean("a mail to the agency", &mail_text(m));
    }

    // The Regional Secretary approves from the agency's record, not the reporter's person.
    let (status, ticket) =
        get_text(&app, "regional_secretary", &format!("/api/v1/tickets/{n}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_clean("the Regional Secretary's ticket", &ticket);
    let path = format!("/api/v1/tickets/{n}/acknowledgement");
    let (status, _) = get_text(&app, "regional_secretary", &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Staff who handle the report still know who sent it.
    let csirt = app.ticket("csirt", &n).await;
    assert_eq!(csirt["report"]["reporter_name"], NAME);
    assert!(csirt["evidence"].to_string().contains(FILE_NAME));
    let refusals = app.store.list_ticket_audit(&n).await.unwrap();
    assert!(
        refusals
            .iter()
            .any(|e| e.action == "read_receipt" && e.outcome == "refused:403"),
        "the refused receipt is audited"
    );
}

async fn anonymous_credit_keeps_the_name_out_of_every_document(app: TestApp) {
    let n = app.submit_ok(&report("anonymous")).await.number;
    app.drive(&n, "closed").await;
    let (status, receipt) = get_pdf_text(
        &app,
        "csirt",
        &format!("/api/v1/tickets/{n}/acknowledgement"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_clean("the receipt", &receipt);
    assert!(receipt.contains("Anonim"), "{receipt}");
    let docs = app.ticket("csirt", &n).await["documents"].clone();
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"dossier") && kinds.contains(&"acknowledgement"));
    assert!(!kinds.contains(&"certificate"), "no certificate: {kinds:?}");
    for doc in docs.as_array().unwrap() {
        let (status, text) =
            get_pdf_text(&app, "csirt", &format!("/api/v1/documents/{}", doc["id"])).await;
        assert_eq!(status, StatusCode::OK);
        assert_clean(doc["kind"].as_str().unwrap(), &text);
    }
}

fn reads(log: &[sigap_store::AuditEntry], action: &str, role: &str) -> Vec<Value> {
    log.iter()
        .filter(|e| e.action == action && e.role == role && e.outcome == "ok")
        .map(|e| serde_json::from_str(&e.details).unwrap())
        .collect()
}

async fn reads_of_personal_data_are_audited(app: TestApp) {
    let (n, token) = submit_with_file(&app, "name").await;
    let ticket = app.ticket("csirt", &n).await;
    let file = ticket["evidence"][0]["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/tickets/{n}/acknowledgement"),
        format!("/api/v1/tickets/{n}/acknowledgement"),
        format!("/api/v1/tickets/{n}/evidence/{file}"),
        format!("/api/v1/tickets/{n}/evidence/{file}/preview"),
        format!("/api/v1/tickets/{n}/evidence/{file}"),
    ] {
        let (status, _) = get_text(&app, "csirt", &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let response = app
        .client
        .get(app.url(&format!("/api/v1/reports/{n}/acknowledgement")))
        .header("X-Tracking-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let log = app.store.list_ticket_audit(&n).await.unwrap();
    assert_eq!(reads(&log, "read_reporter_data", "csirt").len(), 1);
    let receipts = reads(&log, "read_receipt", "csirt");
    assert_eq!(receipts.len(), 2, "every download, not the first alone");
    assert_eq!(receipts[0]["document"]["kind"], "acknowledgement");
    assert_eq!(reads(&log, "read_receipt", "reporter").len(), 1);
    let files: Vec<(i64, bool)> = reads(&log, "read_evidence", "csirt")
        .iter()
        .map(|d| {
            (
                d["evidence"].as_i64().unwrap(),
                d["preview"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(files, [(file, false), (file, true), (file, false)]);

    // The agency told, its owner reads the ticket and the file.
    app.drive(&n, "remediating").await;
    app.ticket("system_owner", &n).await;
    let path = format!("/api/v1/tickets/{n}/evidence/{file}");
    let (status, _) = get_text(&app, "system_owner", &path).await;
    assert_eq!(status, StatusCode::OK);
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    assert!(
        reads(&log, "read_reporter_data", "system_owner").is_empty(),
        "the owner's view holds no personal data"
    );
    assert_eq!(reads(&log, "read_evidence", "system_owner").len(), 1);
}

async fn a_receipt_that_fails_for_good_keeps_no_token(app: TestApp) {
    let submitted = app.submit_ok(&valid_report()).await;
    // Nothing listens on the discard port: every attempt fails until the last.
    let down = settings(&app, "smtp://127.0.0.1:9");
    for _ in 0..8 {
        sigap_app::worker::run_due(&app.app, Some(&down), 64)
            .await
            .unwrap();
        app.clock.advance(chrono::Duration::hours(2));
    }
    let jobs = app.store.list_jobs(None, 10).await.unwrap();
    assert_eq!(jobs.len(), 2);
    for job in &jobs {
        assert_eq!(job.state, JobState::Failed, "{job:#?}");
        assert!(
            !job.payload.contains(&submitted.tracking_token),
            "a failed job keeps the token: {}",
            job.payload
        );
    }

    // An admin's retry sends the receipt, with the tracking link and without the token.
    let sink = SmtpSink::start().await.unwrap();
    let up = settings(&app, &sink.url());
    for job in &jobs {
        let response = app
            .client
            .post(app.url(&format!("/api/v1/jobs/{}/retry", job.id)))
            .bearer_auth(app.token("admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    drain(&app, &up).await;
    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let receipt = received
        .iter()
        .find(|m| to(m, "budi.santoso@example.com"))
        .expect("the receipt goes");
    let text = mail_text(receipt);
    assert!(text.contains(&submitted.number), "{text}");
    assert!(!text.contains(&submitted.tracking_token));
}

/// A phone's photograph: a JPEG whose EXIF names its owner and where it was taken.
fn jpeg_with_exif() -> Vec<u8> {
    let picture =
        image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([x as u8 * 15, y as u8 * 15, 90]));
    let mut clean = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut clean)
        .encode_image(&picture)
        .unwrap();
    let exif = format!("Exif\0\0Artist={NAME}\0GPSLatitude=1.0452N\0");
    let mut tagged = clean[..2].to_vec();
    tagged.extend_from_slice(&[0xff, 0xe1]);
    tagged.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    tagged.extend_from_slice(exif.as_bytes());
    tagged.extend_from_slice(&clean[2..]);
    tagged
}

async fn owners_get_images_without_their_author_metadata(app: TestApp) {
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    let form = form.part(
        "evidence",
        Part::bytes(jpeg_with_exif()).file_name("foto.jpg"),
    );
    let (status, body) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let n = body["ticket_number"].as_str().unwrap().to_owned();
    app.drive(&n, "remediating").await;
    let ticket = app.ticket("system_owner", &n).await;
    let file = ticket["evidence"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{n}/evidence/{file}");
    let download = |role: &'static str| {
        let request = app.get(Some(app.token(role)), &path);
        async move {
            let response = request.await;
            assert_eq!(response.status(), StatusCode::OK);
            response.bytes().await.unwrap().to_vec()
        }
    };
    let staff = download("csirt").await;
    assert_eq!(
        staff,
        jpeg_with_exif(),
        "the CSIRT gets the evidence as it came"
    );
    for role in ["system_owner", "regional_secretary"] {
        let bytes = download(role).await;
        assert_clean(
            &format!("the {role}'s copy of the photograph"),
            &String::from_utf8_lossy(&bytes),
        );
        assert!(!String::from_utf8_lossy(&bytes).contains("GPS"));
        let seen = image::load_from_memory(&bytes).expect("still a picture");
        assert_eq!((seen.width(), seen.height()), (16, 16));
    }
}
