//! `SIGAP_EMAIL_AUTO_ACCEPT=on`: a complete template mail becomes a ticket without the help
//! desk, as a public report of its sender (channel email, its file as evidence, the receipt
//! to the sender, the message marked accepted); an incomplete one, one whose sender failed
//! DMARC, and one past the sender's hourly limit wait in the inbox. On both backends.

use serde_json::Value;
use sigap_testkit::TestApp;

use crate::api::inbox::{inbox, lmtp};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.mail_in.auto_accept = true;
        s.rules.intake_limits = sigap_app::intake::antispam::IntakeLimits {
            per_hour: 20,
            without_proof_per_hour: 1,
            proof_bits: 16,
        };
    });
    complete_template_mail_becomes_a_ticket: sqlite_auto_accept, postgres_auto_accept;
}

fn template_mail(from: &str, id: &str, dmarc: &str, poc: bool) -> Vec<u8> {
    let poc = if poc {
        "Bukti konsep:\r\ncurl 'https://ppdb.batam.go.id/daftar?id=1%27'\r\n"
    } else {
        ""
    };
    format!(
        "From: {from}\r\nTo: csirt@batam.go.id\r\nMessage-ID: <{id}@example.com>\r\n\
         Authentication-Results: mx.batam.go.id; spf=pass; dkim=pass; dmarc={dmarc}\r\n\
         Subject: Laporan {id}\r\n\r\n\
         Nama: Pelapor {id}\r\nJudul: SQL injection {id}\r\nTarget: https://ppdb.batam.go.id/daftar\r\n\
         CWE: CWE-89\r\nTingkat keparahan: tinggi\r\n{poc}\
         Bukti: pesan galat basis data tampil\r\n"
    )
    .into_bytes()
}

fn by_subject<'a>(all: &'a [Value], subject: &str) -> &'a Value {
    all.iter()
        .find(|m| m["subject"] == subject)
        .unwrap_or_else(|| panic!("{subject}: {all:#?}"))
}

async fn complete_template_mail_becomes_a_ticket(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    server
        .deliver_ok(&template_mail("rina@example.com", "a1", "pass", true))
        .await;
    server
        .deliver_ok(&template_mail("sari@example.com", "a2", "pass", false))
        .await;
    server
        .deliver_ok(&template_mail("forged@example.com", "a3", "fail", true))
        .await;
    server
        .deliver_ok(&template_mail("rina@example.com", "a4", "pass", true))
        .await;
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    let all = all.as_array().unwrap().clone();
    let first = by_subject(&all, "Laporan a1");
    assert_eq!(first["status"], "accepted", "{first:#}");
    let number = first["ticket"].as_str().unwrap().to_owned();
    let ticket = app.ticket("csirt", &number).await;
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["report"]["reporter_email"], "rina@example.com");
    assert_eq!(ticket["report"]["vulnerability_type"], "CWE-89");
    // The receipt with the tracking link goes to the sender; the acknowledgement only to
    // those whose mail waits for the desk.
    let jobs = app.store.list_jobs(None, 100).await.unwrap();
    assert!(
        jobs.iter().any(
            |j| j.payload.contains("report_received") && j.payload.contains("rina@example.com")
        )
    );
    let acks: Vec<&str> = jobs
        .iter()
        .filter(|j| j.kind == sigap_core::JobKind::Inbox)
        .map(|j| j.payload.as_str())
        .collect();
    assert_eq!(acks.len(), 2, "{acks:?}");
    assert!(
        acks.iter().any(|p| p.contains("sari@example.com")),
        "{acks:?}"
    );
    assert!(
        acks.iter().any(|p| p.contains("rina@example.com")),
        "the refused a4: {acks:?}"
    );
    for (subject, why) in [
        ("Laporan a2", "no proof of concept"),
        ("Laporan a3", "DMARC failed"),
        (
            "Laporan a4",
            "one report an hour without the anti-spam check",
        ),
    ] {
        let item = by_subject(&all, subject);
        assert_eq!(item["status"], "new", "{why}: {item:#}");
        assert!(item["ticket"].is_null(), "{why}");
    }
}
