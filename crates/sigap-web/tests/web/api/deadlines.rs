//! Deadlines that act, under an injected clock: the agency is reminded 3 days and 1 day
//! before the 7-day remediation deadline and told when it has passed; an overdue step is
//! escalated to the CSIRT lead (and, for the agency's remediation, to the agency head); a
//! working-day deadline skips the weekend and a configured holiday before it escalates;
//! each notice goes once, even with two sweeps at the same moment; the step done late keeps
//! its overdue mark. Mail reaches a real SMTP server on loopback.

use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use mail_parser::MimeHeaders;
use sigap_app::outbox::notify::MailSender;
use sigap_app::workflow::deadlines;

use crate::api::mail::{subject, to};
use sigap_core::{JobState, WorkingCalendar};
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_testkit::{Backend, TestApp, bodies, spawn_app_with, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    remediation_reminders_overdue_and_escalation:
        sqlite_remediation_reminders_overdue_and_escalation,
        postgres_remediation_reminders_overdue_and_escalation;
    escalation_waits_for_working_days: sqlite_escalation_waits_for_working_days,
        postgres_escalation_waits_for_working_days;
    follow_up_reply_and_fixed_mail: sqlite_follow_up_reply_and_fixed_mail,
        postgres_follow_up_reply_and_fixed_mail;
}

const LEAD: &str = "ketua.csirt@kominfo.batam.go.id";
const HEAD: &str = "kepala@disdik.batam.go.id";
const AGENCY: &str = "disdik@batam.go.id";
const OWNER: &str = "pj.sistem@disdik.batam.go.id";
const REPORTER: &str = "budi.santoso@example.com";

async fn app_with_lead(backend: Backend) -> Option<TestApp> {
    let independence_day = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
    spawn_app_with(backend, |start| {
        start.policy.calendar = WorkingCalendar::new([independence_day]);
        start.rules.notices.csirt_lead = vec![LEAD.to_owned()];
    })
    .await
}

fn settings(app: &TestApp, sink: &SmtpSink) -> MailSender {
    crate::api::mail::settings(app, &sink.url())
}

/// Sends every due job; answers how many went, and checks that none failed.
async fn drain(app: &TestApp, mail: &MailSender) -> usize {
    let sent = crate::api::mail::drain(app, mail).await;
    let jobs = app.store.list_jobs(None, 500).await.unwrap();
    let stuck: Vec<_> = jobs.iter().filter(|j| j.state != JobState::Done).collect();
    assert!(stuck.is_empty(), "jobs not sent: {stuck:#?}");
    sent
}

fn text(mail: &ReceivedMail) -> String {
    mail.parsed()
        .unwrap()
        .body_text(0)
        .unwrap_or_default()
        .into_owned()
}

/// Mail received since `seen`, waiting for `count` of them.
async fn new_mail(sink: &SmtpSink, seen: usize, count: usize) -> Vec<ReceivedMail> {
    let all = sink.wait_for(seen + count, Duration::from_secs(10)).await;
    assert_eq!(all.len(), seen + count, "expected {count} new mail");
    all[seen..].to_vec()
}

async fn remediation_reminders_overdue_and_escalation(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink);
    let n = app.submit_ok(&valid_report()).await.number;
    // Monday 10 August 09:00 WIB: the agency has until Monday 17 August 09:00 WIB (7
    // calendar days; the holiday does not move it).
    let t = app.drive(&n, "remediating").await;
    assert_eq!(t["deadline"]["due_at"], "2026-08-17T02:00:00Z");
    let mut seen = drain(&app, &mail).await;
    sink.wait_for(seen, Duration::from_secs(10)).await;
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0, "nothing yet");

    // Friday 08:59 WIB: still more than 3 days.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-08-14T01:59:00Z")
            .unwrap()
            .into(),
    );
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0);
    // Friday 09:00 WIB: the 3-day reminder, once.
    app.clock.advance(TimeDelta::minutes(1));
    let (a, b) = tokio::join!(deadlines::sweep(&app.app), deadlines::sweep(&app.app));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        1,
        "two sweeps at once send one reminder"
    );
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0);
    assert_eq!(drain(&app, &mail).await, 1);
    let reminder = &new_mail(&sink, seen, 1).await[0];
    seen += 1;
    assert!(
        to(reminder, AGENCY) && to(reminder, OWNER),
        "{:?}",
        reminder.rcpt_to
    );
    assert!(subject(reminder).contains(&n), "{}", subject(reminder));
    assert!(subject(reminder).starts_with("[TLP:AMBER+STRICT]"));
    assert!(
        text(reminder).contains("17 Agustus 2026"),
        "{}",
        text(reminder)
    );
    assert!(!text(reminder).contains("sqlmap"), "no proof of concept");

    // Sunday 09:00 WIB: the 1-day reminder.
    app.clock.advance(TimeDelta::days(2));
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 1);
    assert_eq!(drain(&app, &mail).await, 1);
    let reminder = &new_mail(&sink, seen, 1).await[0];
    seen += 1;
    assert!(to(reminder, AGENCY));
    assert_ne!(text(reminder), "");

    // Monday 09:00 WIB: overdue. The agency is told, the CSIRT lead and the agency head
    // hear of it; the ticket shows it.
    app.clock
        .advance(TimeDelta::days(1) - TimeDelta::seconds(1));
    assert_eq!(
        deadlines::sweep(&app.app).await.unwrap(),
        0,
        "not before the deadline"
    );
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        deadlines::sweep(&app.app).await.unwrap(),
        0,
        "not at the deadline"
    );
    assert_eq!(app.ticket("csirt", &n).await["deadline"]["overdue"], false);
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 1);
    assert_eq!(app.ticket("csirt", &n).await["deadline"]["overdue"], true);
    assert_eq!(drain(&app, &mail).await, 3);
    let overdue = new_mail(&sink, seen, 3).await;
    seen += 3;
    let agency = overdue
        .iter()
        .find(|m| to(m, AGENCY))
        .expect("overdue notice");
    assert!(to(agency, OWNER));
    let head = overdue.iter().find(|m| to(m, HEAD)).expect("agency head");
    let lead = overdue.iter().find(|m| to(m, LEAD)).expect("CSIRT lead");
    for m in [agency, head, lead] {
        assert!(subject(m).contains(&n), "{}", subject(m));
    }
    assert!(!to(lead, HEAD) && !to(head, LEAD), "separate messages");
    // Later sweeps say nothing more about this deadline.
    app.clock.advance(TimeDelta::days(2));
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0);

    // The remediation done late keeps its overdue mark in the record.
    app.act("csirt", &n, "submit_remediation", &bodies::remediation())
        .await;
    let t = app.ticket("csirt", &n).await;
    let step = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "submit_remediation")
        .expect("remediation step");
    assert_eq!(step["overdue"], true, "{step:#}");
    assert_eq!(step["due_at"], "2026-08-17T02:00:00Z");
    // Every notice is in the audit log, and the chain holds.
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let notices: Vec<_> = log
        .iter()
        .filter(|e| e.action == "deadline_notice")
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap();
            details["notice"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(notices, ["reminder_3d", "reminder_1d", "overdue"]);
    assert!(matches!(
        app.store.verify_audit_chain().await.unwrap(),
        sigap_store::ChainStatus::Intact { .. }
    ));
    assert_eq!(sink.received().len(), seen);
}

async fn escalation_waits_for_working_days(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink);
    // Friday 14 August 15:00 WIB; the weekend and Monday 17 August (a holiday) are not
    // working days: validation is due Tuesday 15:00 WIB.
    app.clock.advance(TimeDelta::days(4) + TimeDelta::hours(6));
    let n = app.submit_ok(&valid_report()).await.number;
    let seen = drain(&app, &mail).await;
    sink.wait_for(seen, Duration::from_secs(10)).await;
    assert_eq!(
        app.ticket("csirt", &n).await["deadline"]["due_at"],
        "2026-08-18T08:00:00Z"
    );
    // Saturday, Sunday and the holiday pass without a word.
    for _ in 0..3 {
        app.clock.advance(TimeDelta::days(1));
        assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0);
    }
    // Tuesday 15:00 WIB, the deadline itself: not yet; a minute later the CSIRT lead hears
    // of it, nobody else.
    app.clock.advance(TimeDelta::days(1));
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 0);
    app.clock.advance(TimeDelta::minutes(1));
    assert_eq!(deadlines::sweep(&app.app).await.unwrap(), 1);
    assert_eq!(drain(&app, &mail).await, 1);
    let escalation = &new_mail(&sink, seen, 1).await[0];
    assert_eq!(escalation.rcpt_to, vec![LEAD.to_owned()]);
    assert!(subject(escalation).contains(&n));
    // Validated late, the ticket moves on; the next step has a deadline of its own, watched
    // again.
    app.act(
        "csirt",
        &n,
        "validate",
        &bodies::validate(Some(sigap_testkit::seed::DOMAIN_A)),
    )
    .await;
    let t = app.ticket("csirt", &n).await;
    assert_eq!(t["deadline"]["overdue"], false);
    app.clock.advance(TimeDelta::days(2));
    assert_eq!(
        deadlines::sweep(&app.app).await.unwrap(),
        1,
        "assessment overdue"
    );
}

async fn follow_up_reply_and_fixed_mail(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink);
    let n = app.submit_ok(&valid_report()).await.number;
    app.act(
        "csirt",
        &n,
        "comment",
        &serde_json::json!({"body": "Terima kasih, mohon kirim tangkapan layar tambahan.", "visibility": "reporter"}),
    )
    .await;
    app.act(
        "csirt",
        &n,
        "comment",
        &serde_json::json!({"body": "catatan internal", "visibility": "internal"}),
    )
    .await;
    app.drive(&n, "reviewing").await;
    app.act("csirt", &n, "review", &bodies::review(true)).await;
    drain(&app, &mail).await;
    let all = sink.received();
    let reply = all
        .iter()
        .find(|m| to(m, REPORTER) && text(m).contains("tangkapan layar tambahan"))
        .expect("the CSIRT's reply reaches the reporter");
    assert!(subject(reply).contains(&n));
    assert!(
        !all.iter().any(|m| text(m).contains("catatan internal")),
        "internal comments are not mailed"
    );
    let follow_up = all
        .iter()
        .filter(|m| to(m, AGENCY))
        .find(|m| subject(m).contains("Surat tindak lanjut"))
        .expect("the follow-up letter reaches the agency");
    let parsed = follow_up.parsed().unwrap();
    let pdf = parsed
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
        .expect("the follow-up letter is attached");
    assert!(pdf.contents().starts_with(b"%PDF"));
    assert!(
        all.iter()
            .filter(|m| to(m, REPORTER))
            .any(|m| subject(m).to_lowercase().contains("diperbaiki")),
        "the reporter hears that it was fixed: {:?}",
        all.iter()
            .filter(|m| to(m, REPORTER))
            .map(subject)
            .collect::<Vec<_>>()
    );
}
