//! The help desk attaches a waiting message to a ticket by hand: a reply whose sender
//! could not be trusted (the reporter's address, with DMARC failing at the mail server)
//! waits unverified with the ticket it names; after checking, the desk attaches it as the
//! reporter's message (its file as evidence), and a stranger's new mail as an internal note
//! of another ticket, which a system owner never reads. Refusals: a system owner (403, in
//! the audit log), an unknown `as` or ticket (422), a second decision (409). On both
//! backends, delivered over LMTP by Python's smtplib.

use data_encoding::BASE64_MIME;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, number, read, valid_report};

use crate::api::inbox::{inbox, item, lmtp, png, post_as};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    the_desk_attaches_a_message_to_a_ticket: sqlite_the_desk_attaches_a_message_to_a_ticket,
        postgres_the_desk_attaches_a_message_to_a_ticket;
}

const REPORTER: &str = "budi.santoso@example.com";

fn mail(from: &str, subject: &str, dmarc: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: csirt@batam.go.id\r\nSubject: {subject}\r\n\
         Message-ID: <{}-{}@example.com>\r\n\
         Authentication-Results: mx.batam.go.id; spf=pass; dkim=none; dmarc={dmarc}\r\n\
         Content-Type: multipart/mixed; boundary=a1\r\n\r\n--a1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--a1\r\n\
         Content-Type: image/png; name=layar.png\r\nContent-Disposition: attachment; filename=layar.png\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--a1--\r\n",
        text.len(),
        from.len(),
        BASE64_MIME.encode(&png())
    )
    .into_bytes()
}

/// The inbox item whose text holds `text`.
async fn find(app: &TestApp, text: &str) -> Value {
    let (_, all) = inbox(app, "helpdesk", "?show=all").await;
    let found = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"].as_str().unwrap_or("").contains(text))
        .unwrap_or_else(|| panic!("{text}: {all:#}"))
        .clone();
    item(app, found["id"].as_i64().unwrap()).await
}

async fn attach(app: &TestApp, role: &str, id: i64, body: Value) -> (StatusCode, Value) {
    read(post_as(app, role, &format!("/api/v1/inbox/{id}/attach"), &body).await).await
}

async fn the_desk_attaches_a_message_to_a_ticket(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    app.submit_ok(&valid_report()).await;
    app.submit_ok(&sigap_testkit::bodies::report_on(
        "https://ppdb.disdik.batam.go.id/pengumuman",
    ))
    .await;
    let (n, n2) = (number(1), number(2));
    // The agency's system owner reads the second ticket once the agency is told.
    app.drive(&n2, "remediating").await;

    // The reporter's address, but the mail server found the domain failing DMARC.
    let doubtful = mail(
        REPORTER,
        &format!("Re: [{n}] Laporan diterima"),
        "fail",
        "Saya menulis dari ponsel, ini bukti tambahan.",
    );
    server.deliver_ok(&doubtful).await;
    let waiting = find(&app, "bukti tambahan").await;
    assert_eq!(
        (&waiting["kind"], &waiting["status"], &waiting["ticket"]),
        (&json!("unverified"), &json!("new"), &json!(n.as_str()))
    );
    let id = waiting["id"].as_i64().unwrap();
    let before = app.ticket("csirt", &n).await["comments"]
        .as_array()
        .unwrap()
        .len();

    // Refused: a system owner (audited), an unknown `as`, a ticket that does not exist.
    let (status, _) = attach(&app, "system_owner", id, json!({"as": "reporter"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let log = app.store.list_audit(0, 1000).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "attach_mail" && e.outcome == "refused:403")
    );
    let (status, problem) = attach(&app, "helpdesk", id, json!({"as": "boss"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem:#}");
    let (status, problem) = attach(
        &app,
        "helpdesk",
        id,
        json!({"as": "reporter", "ticket": "BCSIRT-2099-99999"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem:#}");
    assert_eq!(find(&app, "bukti tambahan").await["status"], "new");

    // Attached as the reporter's message, to the ticket it names.
    let (status, done) = attach(&app, "helpdesk", id, json!({"as": "reporter"})).await;
    assert_eq!(status, StatusCode::OK, "{done:#}");
    assert_eq!(
        (&done["status"], &done["ticket"]),
        (&json!("posted"), &json!(n.as_str()))
    );
    let ticket = app.ticket("csirt", &n).await;
    let comments = ticket["comments"].as_array().unwrap();
    assert_eq!(comments.len(), before + 1);
    let posted = comments
        .iter()
        .find(|c| c["body"] == "Saya menulis dari ponsel, ini bukti tambahan.")
        .unwrap_or_else(|| panic!("{comments:#?}"));
    assert_eq!(
        (&posted["author_kind"], &posted["visibility"]),
        (&json!("reporter"), &json!("reporter"))
    );
    assert!(
        ticket["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "layar.png"),
        "{ticket:#}"
    );
    // Once.
    let (status, _) = attach(&app, "csirt", id, json!({"as": "agency"})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // A stranger's new mail, attached by the CSIRT as an internal note of the second ticket.
    server
        .deliver_ok(&mail(
            "peneliti@example.org",
            "Informasi tambahan",
            "pass",
            "Server yang sama juga membuka port 3306.",
        ))
        .await;
    let note = find(&app, "port 3306").await;
    assert_eq!(note["ticket"], Value::Null);
    let body = json!({"as": "internal", "ticket": n2.to_lowercase()});
    let (status, done) = attach(&app, "csirt", note["id"].as_i64().unwrap(), body).await;
    assert_eq!(status, StatusCode::OK, "{done:#}");
    assert_eq!(done["ticket"], n2.as_str());
    let internal = app.ticket("csirt", &n2).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"].as_str().unwrap_or("").contains("port 3306"))
        .cloned()
        .unwrap();
    assert_eq!(internal["visibility"], "internal");
    assert!(
        internal["body"]
            .as_str()
            .unwrap()
            .starts_with("[Surel dari peneliti@example.org]")
    );
    let owner = app.ticket("system_owner", &n2).await;
    assert!(!owner.to_string().contains("port 3306"), "{owner:#}");
    let log = app.store.list_audit(0, 1000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "attach_mail" && e.outcome == "ok")
            .count(),
        2
    );
}
