//! `/metrics` after a real walk: what the requests, the jobs, the mail, the documents and
//! the clock counted, what the database holds now, and who may read it.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::{TestApp, problem, valid_report};

use super::mail::{drain, settings};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    metrics_follow_a_walk: sqlite_metrics_follow_a_walk, postgres_metrics_follow_a_walk;
}

#[tokio::test]
async fn sqlite_scrapers_are_checked() {
    scrapers_are_checked(sigap_testkit::Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_scrapers_are_checked() {
    scrapers_are_checked(sigap_testkit::Backend::Postgres).await;
}

/// The samples of a scrape, by name with labels as written (`name{a="b"}`).
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').unwrap();
            (key.to_owned(), value.parse::<f64>().unwrap())
        })
        .collect()
}

async fn scrape(app: &TestApp) -> (String, BTreeMap<String, f64>) {
    let response = app.get(None, "/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"].to_str().unwrap();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = response.text().await.unwrap();
    let parsed = samples(&text);
    (text, parsed)
}

fn value(samples: &BTreeMap<String, f64>, key: &str) -> f64 {
    *samples
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {:#?}", samples.keys().collect::<Vec<_>>()))
}

async fn metrics_follow_a_walk(app: TestApp) {
    let first = app.submit_ok(&valid_report()).await;
    let second = app.submit_ok(&valid_report()).await;
    let refused = app.submit_report(&serde_json::json!({})).await;
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;

    let (text, m) = scrape(&app).await;
    let reports =
        |status: &str| format!("method=\"POST\",route=\"/api/v1/reports\",status=\"{status}\"");
    assert_eq!(
        value(
            &m,
            &format!("sigap_http_requests_total{{{}}}", reports("201"))
        ),
        2.0
    );
    assert_eq!(
        value(
            &m,
            &format!("sigap_http_requests_total{{{}}}", reports("422"))
        ),
        1.0
    );
    let count = format!(
        "sigap_http_request_duration_seconds_count{{{}}}",
        reports("201")
    );
    assert_eq!(value(&m, &count), 2.0);
    let all = format!(
        "sigap_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}}",
        reports("201")
    );
    assert_eq!(value(&m, &all), 2.0);
    assert_eq!(value(&m, "sigap_tickets{state=\"queued\"}"), 2.0);
    assert_eq!(value(&m, "sigap_tickets{state=\"closed\"}"), 0.0);
    assert_eq!(
        value(&m, "sigap_tickets_open_by_agency{agency=\"DISDIK\"}"),
        2.0,
        "{text}"
    );
    assert_eq!(value(&m, "sigap_report_group_members_total"), 2.0);
    // Each report queued the reporter's receipt and the help desk's notice.
    assert_eq!(value(&m, "sigap_jobs_queued{kind=\"mail\"}"), 4.0);
    assert_eq!(value(&m, "sigap_jobs_failed{kind=\"mail\"}"), 0.0);
    assert_eq!(value(&m, "sigap_build_info{version=\"0.1.0\"}"), 1.0);
    let expires = value(&m, "sigap_security_txt_expires_timestamp_seconds");
    assert!(
        expires > app.now().timestamp() as f64 + 300.0 * 86400.0,
        "{expires}"
    );
    assert!(value(&m, "sigap_db_pool_max") >= 1.0);
    assert!(text.contains("# TYPE sigap_http_request_duration_seconds histogram"));
    assert!(text.contains("# HELP sigap_steps_overdue "), "{text}");
    // No label carries what a client sent: not a ticket number, not the request's id.
    assert!(
        !text.contains(&first.number) && !text.contains(&refused_id),
        "{text}"
    );

    // Mail: the server is down, then up.
    let down = settings(&app, "smtp://127.0.0.1:9");
    sigap_app::worker::run_due(&app.app, Some(&down), 64)
        .await
        .unwrap();
    let (_, m) = scrape(&app).await;
    assert_eq!(value(&m, "sigap_mail_total{outcome=\"retry\"}"), 4.0);
    assert_eq!(
        value(
            &m,
            "sigap_jobs_finished_total{kind=\"mail\",outcome=\"retry\"}"
        ),
        4.0
    );
    app.clock.advance(chrono::Duration::minutes(2));
    let (_, m) = scrape(&app).await;
    assert!(value(&m, "sigap_jobs_oldest_age_seconds{kind=\"mail\"}") >= 60.0);
    let sink = SmtpSink::start().await.unwrap();
    let up = settings(&app, &sink.url());
    drain(&app, &up).await;
    sink.wait_for(4, Duration::from_secs(10)).await;

    // The first ticket to its end; the second's step runs a month over its deadline.
    app.drive(&first.number, "closed").await;
    app.drive(&second.number, "assessing").await;
    app.clock.advance(chrono::Duration::days(30));
    let (_, m) = scrape(&app).await;
    assert_eq!(value(&m, "sigap_steps_overdue"), 1.0);
    sigap_app::workflow::deadlines::sweep(&app.app)
        .await
        .unwrap();
    drain(&app, &up).await;

    sigap_app::admin::audit_log::watch(&app.app, true)
        .await
        .unwrap();
    let (text, m) = scrape(&app).await;
    assert_eq!(value(&m, "sigap_audit_chain_intact"), 1.0);
    ops_kit_names_only_these(&app, &m);
    assert_eq!(value(&m, "sigap_tickets{state=\"closed\"}"), 1.0);
    assert_eq!(
        value(&m, "sigap_tickets_open_by_agency{agency=\"DISDIK\"}"),
        1.0
    );
    assert_eq!(
        value(&m, "sigap_deadline_notices_total{notice=\"overdue\"}"),
        1.0
    );
    assert!(value(&m, "sigap_deadline_notices_total{notice=\"escalation\"}") >= 1.0);
    let sent = value(&m, "sigap_mail_total{outcome=\"sent\"}");
    assert_eq!(sent as usize, sink.received().len(), "{text}");
    assert_eq!(value(&m, "sigap_jobs_queued{kind=\"mail\"}"), 0.0);
    let rendered: f64 = m
        .iter()
        .filter(|(k, _)| k.starts_with("sigap_documents_rendered_total{"))
        .map(|(_, v)| v)
        .sum();
    let issued = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{}/documents", first.number),
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert!(
        rendered >= issued.as_array().unwrap().len() as f64 && rendered > 0.0,
        "{text}"
    );
    let timed: f64 = m
        .iter()
        .filter(|(k, _)| k.starts_with("sigap_document_render_seconds_count{"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(timed, rendered);
}

/// The alert rules and the dashboard of `docs/ops` name only metrics the server exposes
/// (`scripts/check-ops` with the names of this scrape), and their own checks pass
/// (`promtool`). Skipped without promtool unless `SIGAP_REQUIRE_VALIDATORS=1`.
fn ops_kit_names_only_these(app: &TestApp, samples: &BTreeMap<String, f64>) {
    let has_promtool = std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_promtool {
        let required = std::env::var("SIGAP_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "SIGAP_REQUIRE_VALIDATORS=1 but promtool is missing"
        );
        return;
    }
    let mut names: Vec<&str> = samples
        .keys()
        .map(|k| k.split('{').next().unwrap())
        .map(|n| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| n.strip_suffix(s))
                .unwrap_or(n)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    let list = app.data_dir().join("metric-names.txt");
    std::fs::write(&list, names.join("\n") + "\n").unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check-ops");
    let out = std::process::Command::new(script)
        .arg(&list)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/check-ops:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// From elsewhere than this machine: the metrics token or a staff token, else 401, audited.
async fn scrapers_are_checked(backend: sigap_testkit::Backend) {
    const TOKEN: &str = "prometheus-0123456789abcdef0123456789abcdef";
    let web = sigap_web::WebConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..sigap_web::WebConfig::default()
    };
    let Some(app) = sigap_testkit::spawn_app_with_web(
        backend,
        |start| {
            start.rules.metrics_token =
                Some(sigap_app::admin::metrics::MetricsToken::new(TOKEN).unwrap());
        },
        web,
    )
    .await
    else {
        return;
    };
    let from_afar = |token: Option<&str>| {
        let mut request = app
            .client
            .get(app.url("/metrics"))
            .header("X-Forwarded-For", "203.0.113.9");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    problem(from_afar(None).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    let wrong = "prometheus-0123456789abcdef0123456789abcdeX";
    problem(
        from_afar(Some(wrong)).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for token in [TOKEN, app.token("auditor")] {
        let response = from_afar(Some(token)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains("sigap_tickets{"));
    }
    assert_eq!(app.get(None, "/metrics").await.status(), StatusCode::OK);
    for (action, outcome) in [
        ("metrics_read", "refused:unauthenticated"),
        ("token_use", "refused:unknown"),
    ] {
        let entries = app
            .store
            .search_audit(&sigap_store::AuditFilter {
                action: Some(action.to_owned()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.outcome == outcome && e.source.as_deref() == Some("203.0.113.9")),
            "{entries:#?}"
        );
    }
    assert!(sigap_app::admin::metrics::MetricsToken::new("short").is_err());
}
