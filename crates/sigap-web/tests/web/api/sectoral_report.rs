//! Peraturan BSSN 1/2024 on a walk, under an injected clock: a ticket assessed high with
//! personal data on a system flagged IIV is to be reported to the sectoral CSIRT within
//! 1×24 hours (a low one on a system not flagged is not); the CSIRT lead is reminded at half
//! the period and the report escalated once it has passed, each once, over a real SMTP
//! server; the CSIRT records the sending, once; every refusal says why.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::json;
use sigap_app::workflow::sectoral_report;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::seed::{DOMAIN_A, DOMAIN_A2};
use sigap_testkit::{Backend, TestApp, bodies, problem, read, spawn_app_with, valid_report};

use crate::api::mail::{subject, to};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    high_risk_goes_upward_on_its_clock: sqlite_bssn_clock, postgres_bssn_clock;
}

const LEAD: &str = "ketua.csirt@kominfo.batam.go.id";

async fn app_with_lead(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |start| {
        start.rules.notices.csirt_lead = vec![LEAD.to_owned()];
    })
    .await
}

async fn high_risk_goes_upward_on_its_clock(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mail = crate::api::mail::settings(&app, &sink.url());
    // The law's hours for an IIV system: at most 1×24.
    let law = json!({"password_min_chars": 12, "bssn_report_hours_iiv": 25});
    let refused = problem(
        app.put("admin", "/api/v1/settings/law", &law).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        sigap_testkit::error_fields(&refused),
        ["bssn_report_hours_iiv"]
    );

    // A low finding on a system not flagged stays with the city.
    let low = app.submit_ok(&valid_report()).await.number;
    app.drive(&low, "assessing").await;
    app.act("csirt", &low, "assess", &bodies::assess_low())
        .await;
    assert!(app.ticket("csirt", &low).await["sectoral_report"].is_null());

    // The system is flagged IIV; a high finding with personal data on it goes upward.
    let system = format!("/api/v1/systems/{}", app.seed.system_a_id);
    let iiv = json!({"name": "Portal Pendidikan", "domains": [DOMAIN_A, DOMAIN_A2], "iiv": true});
    assert_eq!(
        app.put("admin", &system, &iiv).await.status(),
        StatusCode::OK
    );
    let n = app.submit_ok(&valid_report()).await.number;
    let t = app.drive(&n, "awaiting_block").await;
    let started = app.now();
    let report = &t["sectoral_report"];
    assert_eq!(
        report["reasons"],
        json!(["high", "personal_data", "iiv"]),
        "{t:#}"
    );
    assert_eq!(report["status"], "running");
    let due: chrono::DateTime<chrono::Utc> = report["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - started, TimeDelta::hours(24));
    let walked = crate::api::mail::drain(&app, &mail).await;
    let mut seen = sink.wait_for(walked, Duration::from_secs(10)).await.len();
    assert_eq!(sectoral_report::sweep(&app.app).await.unwrap(), 0);

    // Half the day: the lead is reminded, once; past it, the report is escalated.
    app.clock.advance(TimeDelta::hours(12));
    let (a, b) = tokio::join!(
        sectoral_report::sweep(&app.app),
        sectoral_report::sweep(&app.app)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    app.clock.set(due + TimeDelta::minutes(1));
    assert_eq!(sectoral_report::sweep(&app.app).await.unwrap(), 1);
    assert_eq!(sectoral_report::sweep(&app.app).await.unwrap(), 0);
    let sent = crate::api::mail::drain(&app, &mail).await;
    let all = sink.wait_for(seen + sent, Duration::from_secs(10)).await;
    let clock: Vec<_> = all[seen..]
        .iter()
        .filter(|m| subject(m).contains("CSIRT sektoral"))
        .collect();
    seen = all.len();
    assert_eq!(clock.len(), 2, "a reminder and an escalation ({seen} mail)");
    assert!(clock.iter().all(|m| to(m, LEAD) && subject(m).contains(&n)));
    // The sink keeps the order of arrival, not of sending: one of each.
    for word in ["Pengingat", "Eskalasi"] {
        let with = clock.iter().filter(|m| subject(m).contains(word)).count();
        assert_eq!(with, 1, "{word}");
    }

    // The CSIRT records the sending; refusals first.
    let path = format!("/api/v1/tickets/{n}/sectoral-report");
    let bad = problem(
        app.post("csirt", &path, &json!({"channel": "fax"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = sigap_testkit::error_fields(&bad);
    fields.sort();
    assert_eq!(
        fields,
        ["channel", "recipient", "reference", "sent_at"],
        "{bad:#}"
    );
    let body = json!({"sent_at": app.now().to_rfc3339(), "channel": "portal",
        "reference": "BSSN/2026/<b>77</b>", "recipient": "CSIRT Sektor Pemerintah Daerah"});
    problem(
        app.post("helpdesk", &path, &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let none = format!("/api/v1/tickets/{low}/sectoral-report");
    problem(app.post("csirt", &none, &body).await, StatusCode::NOT_FOUND).await;
    let (status, view) = read(app.post("csirt", &path, &body).await).await;
    assert_eq!(status, StatusCode::OK, "{view:#}");
    assert_eq!(view["status"], "late");
    assert_eq!(view["reference"], "BSSN/2026/<b>77</b>");
    assert_eq!(view["channel"], "portal");
    problem(app.post("csirt", &path, &body).await, StatusCode::CONFLICT).await;
    app.clock.advance(TimeDelta::hours(1));
    assert_eq!(sectoral_report::sweep(&app.app).await.unwrap(), 0);
    let outcomes = app.audit_outcomes(&n, "sectoral_report_sent").await;
    assert_eq!(
        outcomes,
        ["refused:409", "ok", "refused:403", "refused:422"]
    );
}
