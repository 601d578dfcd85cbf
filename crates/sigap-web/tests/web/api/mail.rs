//! Mail through the job table to a real SMTP server (the test kit's sink on loopback): the
//! messages of a walk reach the right people with the right subjects and the notice letter
//! attached; the receipt's tracking token leaves the database once sent; a failed delivery
//! is retried with backoff; two workers send each job exactly once.

use std::sync::Arc;
use std::time::Duration;

use mail_parser::MimeHeaders;
use sigap_app::outbox::notify::MailSender;
use sigap_core::JobState;
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_notify::{PublicUrl, SmtpMailer, SmtpOptions};
use sigap_testkit::{TestApp, number, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    a_walk_mails_every_party: sqlite_a_walk_mails_every_party,
        postgres_a_walk_mails_every_party;
    failed_mail_is_retried: sqlite_failed_mail_is_retried, postgres_failed_mail_is_retried;
    two_workers_send_each_job_once: sqlite_two_workers_send_each_job_once,
        postgres_two_workers_send_each_job_once;
}

pub(crate) fn settings(app: &TestApp, smtp_url: &str) -> MailSender {
    let mailer = SmtpMailer::from_url(
        smtp_url,
        "BATAM-CSIRT <csirt@batam.go.id>",
        SmtpOptions::default(),
    )
    .unwrap();
    MailSender {
        mailer: Arc::new(mailer),
        public: PublicUrl::parse(&app.base_url).unwrap(),
    }
}

/// Runs the worker until no job is due.
pub(crate) async fn drain(app: &TestApp, mail: &MailSender) -> usize {
    let mut sent = 0;
    loop {
        let claimed = sigap_app::worker::run_due(&app.app, Some(mail), 64)
            .await
            .unwrap();
        if claimed == 0 {
            return sent;
        }
        sent += claimed;
    }
}

pub(crate) fn to(mail: &ReceivedMail, address: &str) -> bool {
    mail.rcpt_to.iter().any(|r| r == address)
}

pub(crate) fn subject(mail: &ReceivedMail) -> String {
    mail.parsed()
        .unwrap()
        .subject()
        .unwrap_or_default()
        .to_owned()
}

async fn a_walk_mails_every_party(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let submitted = app.submit_ok(&valid_report()).await;
    let n = number(1);
    assert_eq!(drain(&app, &mail).await, 2);
    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let receipt = received
        .iter()
        .find(|m| to(m, "budi.santoso@example.com"))
        .expect("receipt");
    assert!(subject(receipt).contains(&n), "{}", subject(receipt));
    let raw = String::from_utf8_lossy(&receipt.data).into_owned();
    assert!(
        raw.contains(&submitted.tracking_token),
        "the receipt carries the tracking token"
    );
    let desk = received
        .iter()
        .find(|m| to(m, "csirt@kominfo.batam.go.id"))
        .expect("new-report mail");
    assert!(
        to(desk, "helpdesk@kominfo.batam.go.id"),
        "{:?}",
        desk.rcpt_to
    );
    // Once sent, the token is no longer in the database.
    for job in app.store.list_jobs(None, 10).await.unwrap() {
        assert_eq!(job.state, JobState::Done);
        assert!(
            !job.payload.contains(&submitted.tracking_token),
            "{}",
            job.payload
        );
    }

    app.drive(&n, "remediating").await;
    drain(&app, &mail).await;
    let received = sink.received();
    let officer = received
        .iter()
        .find(|m| to(m, "pejabat.domain@kominfo.batam.go.id"))
        .expect("high finding mail");
    assert!(subject(officer).contains(&n));
    // The block (step 5) came first: the agency had a short notice of it, with the system
    // and no word of the report.
    let blocked = received
        .iter()
        .find(|m| to(m, "disdik@batam.go.id") && subject(m).contains("pemblokiran sementara"))
        .expect("block notice to the agency");
    assert!(to(blocked, "pj.sistem@disdik.batam.go.id"));
    let parsed = blocked.parsed().unwrap();
    let text = parsed.body_text(0).unwrap().into_owned();
    let title = valid_report()["title"].as_str().unwrap().to_owned();
    assert!(!text.contains(&title) && !text.contains("sqlmap"), "{text}");
    assert!(!subject(blocked).contains(&title), "{}", subject(blocked));
    assert!(text.contains("Diblokir sejak"), "{text}");
    assert_eq!(parsed.attachments().count(), 0);
    let notice = received
        .iter()
        .find(|m| to(m, "disdik@batam.go.id") && m.parsed().unwrap().attachments().count() > 0)
        .expect("agency notice");
    assert!(
        to(notice, "pj.sistem@disdik.batam.go.id"),
        "system owners get it: {:?}",
        notice.rcpt_to
    );
    assert!(
        subject(notice).starts_with("[TLP:AMBER+STRICT]"),
        "{}",
        subject(notice)
    );
    let parsed = notice.parsed().unwrap();
    let pdf = parsed
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
        .expect("the notice letter is attached");
    assert!(pdf.contents().starts_with(b"%PDF"));
    let raw = String::from_utf8_lossy(&notice.data).into_owned();
    assert!(
        !raw.contains("sqlmap"),
        "no proof of concept in mail to the agency"
    );
    let validated = received
        .iter()
        .filter(|m| to(m, "budi.santoso@example.com"))
        .count();
    assert_eq!(validated, 2, "receipt and validation result");

    let (status, jobs) = read(app.get(Some(app.token("admin")), "/api/v1/jobs").await).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        jobs.as_array()
            .unwrap()
            .iter()
            .all(|j| j["state"] == "done"),
        "{jobs:#}"
    );
    let (status, _) = read(app.get(Some(app.token("csirt")), "/api/v1/jobs").await).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
}

async fn failed_mail_is_retried(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    // Nothing listens on the discard port: the delivery fails and is put back.
    let down = settings(&app, "smtp://127.0.0.1:9");
    assert_eq!(
        sigap_app::worker::run_due(&app.app, Some(&down), 64)
            .await
            .unwrap(),
        2
    );
    let jobs = app.store.list_jobs(None, 10).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.state == JobState::Pending && j.attempts == 1 && j.last_error.is_some()),
        "{jobs:#?}"
    );
    // Not due again before its backoff.
    let sink = SmtpSink::start().await.unwrap();
    let up = settings(&app, &sink.url());
    assert_eq!(
        sigap_app::worker::run_due(&app.app, Some(&up), 64)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(drain(&app, &up).await, 2);
    sink.wait_for(2, Duration::from_secs(10)).await;
    let jobs = app.store.list_jobs(Some(JobState::Done), 10).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.attempts == 2));
}

async fn two_workers_send_each_job_once(app: TestApp) {
    for _ in 0..20 {
        app.submit_ok(&valid_report()).await;
    }
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let (a, b) = tokio::join!(drain(&app, &mail), drain(&app, &mail));
    assert_eq!(a + b, 40, "every job claimed once ({a} + {b})");
    let received = sink.wait_for(40, Duration::from_secs(20)).await;
    assert_eq!(received.len(), 40);
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| {
            m.parsed()
                .unwrap()
                .message_id()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "no job sent twice");
}
