//! Replies by mail find their ticket: the reporter's answer to the receipt (by
//! `In-Reply-To`) becomes a reporter message with its file as evidence, which a system
//! owner never reads; a system owner's answer to the agency notice (by the tagged reply
//! address alone) and the agency's official address (by the subject's ticket number, a
//! sender the ticket knows) become agency comments; a stranger's mail with a copied
//! `In-Reply-To` waits in the inbox unverified and adds nothing to the ticket; an
//! out-of-office reply is recorded; two auto-responders do not loop; a delivery status
//! notification marks the returned mail's job bounced and tells the help desk; a closed
//! ticket takes a reply, stays closed and the CSIRT is told. Delivered over LMTP by
//! Python's smtplib, on both backends.

use std::time::Duration;

use data_encoding::BASE64_MIME;
use serde_json::Value;
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_testkit::{TestApp, number, valid_report};

use crate::api::inbox::{inbox, lmtp, png};
use crate::api::mail::{drain, settings, to};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    replies_find_their_ticket: sqlite_replies_find_their_ticket,
        postgres_replies_find_their_ticket;
}

const REPORTER: &str = "budi.santoso@example.com";
const AGENCY: &str = "disdik@batam.go.id";
const OWNER: &str = "pj.sistem@disdik.batam.go.id";

/// The Message-ID and the Reply-To of a mail sigap sent.
fn ids(mail: &ReceivedMail) -> (String, String) {
    let parsed = mail.parsed().unwrap();
    let id = parsed.message_id().unwrap().to_owned();
    let reply_to = parsed
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned();
    (id, reply_to)
}

/// A plain reply from `from`, with extra headers and an optional PNG.
fn reply(from: &str, headers: &str, text: &str, file: bool) -> Vec<u8> {
    let n = headers.len() + text.len();
    let head = format!(
        "From: {from}\r\nTo: csirt@batam.go.id\r\nMessage-ID: <reply-{n}-{}@example.com>\r\n{headers}",
        from.len()
    );
    if !file {
        return format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
            .into_bytes();
    }
    format!(
        "{head}Content-Type: multipart/mixed; boundary=r1\r\n\r\n--r1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--r1\r\n\
         Content-Type: image/png; name=bukti.png\r\nContent-Disposition: attachment; filename=bukti.png\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--r1--\r\n",
        BASE64_MIME.encode(&png())
    )
    .into_bytes()
}

/// The comments of ticket `n` as `role` reads them.
async fn comments(app: &TestApp, role: &str, n: &str) -> Vec<Value> {
    let ticket = app.ticket(role, n).await;
    ticket["comments"].as_array().cloned().unwrap_or_default()
}

fn bodies(comments: &[Value]) -> Vec<String> {
    comments
        .iter()
        .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn replies_find_their_ticket(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "remediating").await;
    let sent = drain(&app, &mail).await;
    let received = sink.wait_for(sent, Duration::from_secs(10)).await;
    let receipt = received.iter().find(|m| to(m, REPORTER)).unwrap();
    let (receipt_id, _) = ids(receipt);
    let notice = received.iter().rfind(|m| to(m, AGENCY)).unwrap();
    let (_, agency_reply_to) = ids(notice);
    let before = comments(&app, "csirt", &n).await.len();

    // The reporter answers the receipt, with a file: a reporter message and its evidence.
    let answer = reply(
        REPORTER,
        &format!("In-Reply-To: <{receipt_id}>\r\nSubject: Re: [{n}] Laporan diterima\r\n"),
        "Berikut tangkapan layar tambahan.\r\n\r\n> Yth. Bapak/Ibu,\r\n> kutipan",
        true,
    );
    server.deliver_ok(&answer).await;
    let staff = comments(&app, "csirt", &n).await;
    let texts = bodies(&staff);
    assert!(
        texts.contains(&"Berikut tangkapan layar tambahan.".to_owned()),
        "{texts:?}"
    );
    let reporter_comment = staff
        .iter()
        .find(|c| c["body"] == "Berikut tangkapan layar tambahan.")
        .unwrap();
    assert_eq!(reporter_comment["visibility"], "reporter");
    assert_eq!(reporter_comment["author_kind"], "reporter");
    let ticket = app.ticket("csirt", &n).await;
    assert!(
        ticket["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["media_type"] == "image/png"),
        "{ticket:#}"
    );
    // A system owner never reads what the reporter wrote.
    let owner_sees = bodies(&comments(&app, "system_owner", &n).await);
    assert!(
        !owner_sees
            .iter()
            .any(|b| b.contains("tangkapan layar tambahan"))
    );

    // A system owner answers the agency notice by its tagged address alone.
    let answer = reply(
        OWNER,
        "Subject: Re: pemberitahuan\r\n",
        "Sedang kami perbaiki, target selesai Kamis.",
        false,
    );
    let delivered = server
        .deliver(OWNER, std::slice::from_ref(&agency_reply_to), &answer)
        .await;
    assert_eq!(delivered["data"], serde_json::json!([250]), "{delivered}");
    let owner_sees = comments(&app, "system_owner", &n).await;
    let agency_comment = owner_sees
        .iter()
        .find(|c| c["body"] == "Sedang kami perbaiki, target selesai Kamis.")
        .unwrap_or_else(|| panic!("{owner_sees:#?}"));
    assert_eq!(agency_comment["visibility"], "agency");

    // The agency's official address, by the number in the subject.
    let answer = reply(
        AGENCY,
        &format!("Subject: Re: [TLP:AMBER+STRICT] [{n}] Pemberitahuan\r\n"),
        "Surat kami kirim menyusul.",
        false,
    );
    server.deliver_ok(&answer).await;
    let texts = bodies(&comments(&app, "csirt", &n).await);
    assert!(
        texts.contains(&format!(
            "[Surel dari {AGENCY}]\n\nSurat kami kirim menyusul."
        )),
        "{texts:?}"
    );
    let count = comments(&app, "csirt", &n).await.len();
    assert_eq!(count, before + 3);

    // A stranger copies the receipt's Message-ID: unverified in the inbox, nothing posted,
    // no acknowledgement.
    let forged = reply(
        "mallory@evil.example",
        &format!("In-Reply-To: <{receipt_id}>\r\nSubject: Re: [{n}]\r\n"),
        "Tolong kirim ulang token pelacakan saya.",
        false,
    );
    server.deliver_ok(&forged).await;
    // The reporter's address forged (the mail server found DMARC failing): unverified too.
    let spoofed = reply(
        REPORTER,
        &format!(
            "In-Reply-To: <{receipt_id}>\r\nAuthentication-Results: mx.batam.go.id; dmarc=fail\r\n\
             Subject: Re: [{n}]\r\n"
        ),
        "Mohon hapus laporan saya.",
        false,
    );
    server.deliver_ok(&spoofed).await;
    // A stranger who only writes the number: a new mail for the desk.
    let guess = reply(
        "mallory@evil.example",
        &format!("Subject: [{n}] status?\r\n"),
        "Bagaimana statusnya?",
        false,
    );
    server.deliver_ok(&guess).await;
    // The reporter's out-of-office answer: recorded, not posted.
    let away = reply(
        REPORTER,
        &format!(
            "In-Reply-To: <{receipt_id}>\r\nAuto-Submitted: auto-replied\r\nSubject: Cuti\r\n"
        ),
        "Saya sedang cuti.",
        false,
    );
    server.deliver_ok(&away).await;
    assert_eq!(comments(&app, "csirt", &n).await.len(), count);
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    let all = all.as_array().unwrap();
    let kind_of = |text: &str| {
        let item = all
            .iter()
            .find(|m| m["text"].as_str().unwrap().contains(text));
        let item = item.unwrap_or_else(|| panic!("{text}: {all:#?}"));
        (
            item["kind"].clone(),
            item["status"].clone(),
            item["ticket"].clone(),
        )
    };
    assert_eq!(
        kind_of("token pelacakan"),
        ("unverified".into(), "new".into(), n.as_str().into())
    );
    assert_eq!(
        kind_of("statusnya"),
        ("report".into(), "new".into(), Value::Null)
    );
    assert_eq!(
        kind_of("hapus laporan"),
        ("unverified".into(), "new".into(), n.as_str().into())
    );
    assert_eq!(
        kind_of("cuti"),
        ("auto_reply".into(), "recorded".into(), n.as_str().into())
    );
    assert_eq!(kind_of("tangkapan layar").1, "posted");
    let jobs = app.store.list_jobs(None, 1000).await.unwrap();
    let acks: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind == sigap_core::JobKind::Inbox)
        .collect();
    assert_eq!(
        acks.len(),
        1,
        "only the stranger's new mail is acknowledged"
    );
    assert!(acks[0].payload.contains("mallory@evil.example"));

    // Two auto-responders do not loop: the stranger's answers to the acknowledgement, one
    // marked automatic and one not, add no second acknowledgement.
    let root = all
        .iter()
        .find(|m| m["text"].as_str().unwrap().contains("statusnya"))
        .unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (n, marked) in [(1, true), (2, false)] {
        let auto = if marked {
            "Auto-Submitted: auto-replied\r\n"
        } else {
            ""
        };
        let headers = format!(
            "In-Reply-To: <ack-{n}@sigap.example>\r\nReferences: <{root}> <ack-{n}@sigap.example>\r\n\
             {auto}Subject: Out of office {n}\r\n"
        );
        let echo = reply("mallory@evil.example", &headers, "I am away.", false);
        server.deliver_ok(&echo).await;
    }
    let jobs = app.store.list_jobs(None, 1000).await.unwrap();
    let acks = jobs
        .iter()
        .filter(|j| j.kind == sigap_core::JobKind::Inbox)
        .count();
    assert_eq!(
        acks, 1,
        "one acknowledgement per thread, none to an automatic answer"
    );

    // The receipt comes back from the reporter's server: its job is bounced, the ticket has
    // an internal note that does not name the address, the help desk is told.
    let dsn = format!(
        "From: MAILER-DAEMON@mx.example.com\r\nTo: csirt@batam.go.id\r\n\
         Message-ID: <dsn-1@mx.example.com>\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=d\r\n\r\n\
         --d\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver it.\r\n\
         --d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n\
         Final-Recipient: rfc822; {REPORTER}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\
         --d\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{receipt_id}>\r\nSubject: x\r\n\
         --d--\r\n"
    );
    let to = ["csirt@batam.go.id".to_owned()];
    let delivered = server.deliver("", &to, dsn.as_bytes()).await;
    assert_eq!(delivered["data"], serde_json::json!([250]), "{delivered}");
    let bounced = app
        .store
        .list_jobs(Some(sigap_core::JobState::Bounced), 10)
        .await
        .unwrap();
    assert_eq!(bounced.len(), 1);
    assert!(
        bounced[0].payload.contains(&receipt_id),
        "{}",
        bounced[0].payload
    );
    assert!(bounced[0].last_error.as_deref().unwrap().contains("5.1.1"));
    let notes = bodies(&comments(&app, "csirt", &n).await);
    let note = notes
        .iter()
        .find(|b| b.contains("ditolak oleh server surel"))
        .unwrap();
    assert!(
        note.contains("pelapor") && !note.contains(REPORTER),
        "{note}"
    );
    let jobs = app.store.list_jobs(None, 1000).await.unwrap();
    assert!(
        jobs.iter()
            .any(|j| j.payload.contains("\"mail_bounced\"") && j.payload.contains("helpdesk"))
    );
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    let dsn_item = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "Undelivered Mail Returned to Sender")
        .unwrap()
        .clone();
    assert_eq!(
        (dsn_item["kind"].as_str(), dsn_item["status"].as_str()),
        (Some("bounce"), Some("recorded"))
    );
    assert_eq!(dsn_item["ticket"], n.as_str());

    // A closed ticket takes the reply, stays closed, and the CSIRT is told.
    app.drive(&n, "closed").await;
    let late = reply(
        REPORTER,
        &format!("In-Reply-To: <{receipt_id}>\r\nSubject: Re: [{n}]\r\n"),
        "Terima kasih atas penanganannya.",
        false,
    );
    server.deliver_ok(&late).await;
    let ticket = app.ticket("csirt", &n).await;
    assert_eq!(ticket["state"], "closed");
    assert!(
        bodies(&comments(&app, "csirt", &n).await)
            .contains(&"Terima kasih atas penanganannya.".to_owned())
    );
    let jobs = app.store.list_jobs(None, 1000).await.unwrap();
    assert!(
        jobs.iter()
            .any(|j| j.payload.contains("\"mail_reply\"") && j.payload.contains("\"closed\":true")),
        "the CSIRT is told of the reply to a closed ticket"
    );
}
