//! The figures leadership reads, checked against a scenario whose numbers are known: five
//! reports in August 2026 driven through the SOP on the test clock (one validated two days
//! late, one blocked half an hour after its deadline, one rejected, one fixed only in its
//! second round, one still blocked, one never validated), then every figure of
//! `GET /api/v1/stats/dashboard`, a filter of each kind, the page and its CSV tables, and
//! the refusals (a system owner, a bad period, an unknown agency); then the monthly report
//! of that month: drafted, its narrative edited, previewed, issued, its PDF read back
//! against the same figures, verified by its code and mailed with the PDF.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, report_on};
use sigap_testkit::{TestApp, read, valid_report};

use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
        s.policy.approval_threshold = 2;
        s.rules.notices.report_recipients = vec!["kadis@kominfo.batam.go.id".to_owned()];
    });
    the_figures_follow_the_scenario: sqlite_the_figures_follow_the_scenario,
        postgres_the_figures_follow_the_scenario;
}

const HOUR: i64 = 3600;

fn report(vulnerability_type: &str, target: &str) -> Value {
    let mut body = report_on(target);
    body["vulnerability_type"] = json!(vulnerability_type);
    body
}

async fn at(app: &TestApp, minutes: i64) {
    app.clock.advance(TimeDelta::minutes(minutes));
}

/// The scenario: answers (T1 fixed in round 1 and unblocked, T2 fixed in round 2, T3
/// rejected, T5 still blocked, T6 never validated). The clock starts Monday 10 August
/// 2026, 09:00 WIB.
async fn scenario(app: &TestApp) -> [String; 5] {
    let t1 = app.submit_ok(&valid_report()).await.number;
    let t2 = app
        .submit_ok(&report("CWE-79", "https://ppdb.disdik.batam.go.id/cari"))
        .await
        .number;
    let mut by_phone = report("CWE-639", "https://ppdb.disdik.batam.go.id/unduh");
    by_phone["channel"] = json!("phone");
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.token("helpdesk"))
        .json(&by_phone)
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let t3 = body["ticket_number"].as_str().unwrap().to_owned();
    let t5 = app
        .submit_ok(&report(
            "SSRF pada pratinjau tautan",
            "https://dinkes.batam.go.id/pratinjau",
        ))
        .await
        .number;
    at(app, 60).await; // Mon 10:00
    app.act("csirt", &t1, "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &t5, "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &t3, "validate", &bodies::reject()).await;
    at(app, 60).await; // Mon 11:00
    app.act("csirt", &t1, "assess", &bodies::assess_high())
        .await;
    app.act("csirt", &t5, "assess", &bodies::assess_high())
        .await;
    at(app, 30).await; // Mon 11:30: within the hour
    app.act("domain_officer", &t1, "block", &bodies::block_text())
        .await;
    at(app, 60).await; // Mon 12:30: half an hour late
    app.act("domain_officer", &t5, "block", &bodies::block_text())
        .await;
    at(app, 60).await; // Mon 13:30
    app.act("csirt", &t1, "notify_agency", &bodies::notify())
        .await;
    app.act("csirt", &t5, "notify_agency", &bodies::notify())
        .await;
    at(app, 44 * 60 + 30).await; // Wed 12 Aug 10:00: two days late
    app.act("csirt", &t2, "validate", &bodies::validate(None))
        .await;
    at(app, 60).await;
    app.act("csirt", &t2, "assess", &bodies::assess_low()).await;
    at(app, 60).await; // Wed 12:00
    app.act("csirt", &t2, "notify_agency", &bodies::notify())
        .await;
    at(app, 25 * 60 + 30).await; // Thu 13 Aug 13:30
    app.act("csirt", &t1, "submit_remediation", &bodies::remediation())
        .await;
    at(app, 60).await;
    app.act("csirt", &t1, "send_follow_up", &bodies::follow_up())
        .await;
    at(app, 60).await; // Thu 15:30
    app.act("csirt", &t1, "review", &bodies::review(true)).await;
    at(app, 3).await;
    app.act("domain_officer", &t1, "unblock", &bodies::unblock_text())
        .await;
    at(app, 2).await;
    app.act("csirt", &t1, "close", &bodies::close()).await;
    at(app, 20 * 60 + 25).await; // Fri 14 Aug 12:00
    app.act("csirt", &t2, "submit_remediation", &bodies::remediation())
        .await;
    at(app, 60).await;
    app.act("csirt", &t2, "send_follow_up", &bodies::follow_up())
        .await;
    at(app, 60).await; // Fri 14:00: "Belum", a second round
    app.act("csirt", &t2, "review", &bodies::review(false))
        .await;
    at(app, 72 * 60).await; // Mon 17 Aug 14:00
    app.act("csirt", &t2, "submit_remediation", &bodies::remediation())
        .await;
    at(app, 60).await;
    app.act("csirt", &t2, "send_follow_up", &bodies::follow_up())
        .await;
    at(app, 60).await; // Mon 16:00
    app.act("csirt", &t2, "review", &bodies::review(true)).await;
    at(app, 2).await;
    app.act("csirt", &t2, "close", &bodies::close()).await;
    at(app, 3).await; // Mon 16:05
    let t6 = app.submit_ok(&valid_report()).await.number;
    at(app, 48 * 60 + 55).await; // Wed 19 Aug 17:00: T6 and T5 over their deadlines
    [t1, t2, t3, t5, t6]
}

async fn stats(
    app: &TestApp,
    role: &str,
    path: &str,
    query: &[(&str, &str)],
) -> (StatusCode, Value) {
    let url = url::Url::parse_with_params(&app.url(path), query).unwrap();
    read(
        app.client
            .get(url)
            .bearer_auth(app.token(role))
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn tally(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .map_or(0, |t| t["count"].as_i64().unwrap())
}

fn step<'a>(clock: &'a Value, action: &str) -> &'a Value {
    clock["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == action)
        .unwrap_or_else(|| panic!("{action}: {clock:#}"))
}

/// done, within, median and 90th percentile (seconds) of a step.
fn times(s: &Value) -> (i64, i64, i64, i64) {
    (
        s["done"].as_i64().unwrap(),
        s["within"].as_i64().unwrap(),
        s["median_seconds"].as_i64().unwrap(),
        s["p90_seconds"].as_i64().unwrap(),
    )
}

async fn the_figures_follow_the_scenario(app: TestApp) {
    let [_t1, _t2, _t3, t5, _t6] = scenario(&app).await;
    let august = [("period", "2026-08")];
    let (status, d) = stats(
        &app,
        "regional_secretary",
        "/api/v1/stats/dashboard",
        &august,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d:#}");
    assert_eq!(
        (d["period"]["from"].as_str(), d["period"]["to"].as_str()),
        (Some("2026-08-01"), Some("2026-08-31"))
    );
    assert_eq!(d["period"]["label"], "Agustus 2026");

    let i = &d["intake"];
    let counts: Vec<i64> = ["received", "valid", "rejected", "duplicates", "pending"]
        .iter()
        .map(|k| i[k].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [5, 3, 1, 0, 1], "{i:#}");
    assert_eq!(
        (
            tally(&i["by_channel"], "web"),
            tally(&i["by_channel"], "phone"),
            tally(&i["by_channel"], "api")
        ),
        (4, 1, 0)
    );
    assert_eq!(
        i["by_class"],
        json!([
            {"key": "a03_injection", "count": 3},
            {"key": "a01_access_control", "count": 1},
            {"key": "a10_ssrf", "count": 1},
        ])
    );
    assert_eq!(
        i["by_agency"],
        json!([
            {"agency": "DISDIK", "received": 4, "valid": 2},
            {"agency": "DINKES", "received": 1, "valid": 1},
        ])
    );
    let weekly: Vec<i64> = i["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["count"].as_i64().unwrap())
        .collect();
    assert_eq!(weekly, [0, 4, 1, 0, 0]);
    assert_eq!(i["weekly"][4]["from"], "2026-08-29");
    assert_eq!(i["weekly"][4]["to"], "2026-08-31");
    assert!(
        i["heat"]
            .as_array()
            .unwrap()
            .contains(&json!({"class": "a03_injection", "agency": "DISDIK", "count": 3}))
    );

    let c = &d["clock"];
    assert_eq!(times(step(c, "validate")), (4, 3, HOUR, 49 * HOUR));
    assert_eq!(times(step(c, "assess")), (3, 3, HOUR, HOUR));
    assert_eq!(times(step(c, "block")), (2, 1, HOUR / 2, 3 * HOUR / 2));
    assert_eq!(times(step(c, "notify_agency")), (3, 3, HOUR, 2 * HOUR));
    assert_eq!(
        times(step(c, "submit_remediation")),
        (3, 3, 72 * HOUR, 72 * HOUR)
    );
    assert_eq!(times(step(c, "send_follow_up")), (3, 3, HOUR, HOUR));
    assert_eq!(times(step(c, "review")), (3, 3, HOUR, HOUR));
    assert_eq!(times(step(c, "unblock")), (1, 1, 180, 180));
    assert_eq!(step(c, "close")["done"], 2);
    // Both high findings exposed personal data; neither agency recorded its notices, and
    // the scenario's days are past their 3 × 24 hours.
    assert_eq!(
        c["personal_data"],
        json!({"breaches": 2, "met": 0, "late": 0, "overdue": 2, "running": 0})
    );
    assert_eq!(step(c, "validate")["within_share"], 0.75);
    assert_eq!(step(c, "validate")["sop_step"], 3);
    let order: Vec<&str> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "validate",
            "assess",
            "block",
            "notify_agency",
            "submit_remediation",
            "send_follow_up",
            "review",
            "unblock",
            "close"
        ]
    );
    assert_eq!(c["overdue_total"], 2);
    assert_eq!(
        (
            tally(&c["overdue_now"], "queued"),
            tally(&c["overdue_now"], "remediating")
        ),
        (1, 1)
    );

    let b = &d["blocking"];
    assert_eq!(b["blocked_now"].as_array().unwrap().len(), 1, "{b:#}");
    assert_eq!(b["blocked_now"][0]["ticket"], t5.as_str());
    assert_eq!(b["blocked_now"][0]["agency"], "DINKES");
    assert_eq!(
        b["blocked_now"][0]["seconds"],
        (9 * 24 + 4) * HOUR + HOUR / 2
    );
    assert_eq!(
        (b["blocks"].as_i64(), b["unblocks"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        b["finding_to_block"],
        json!({"count": 2, "median_seconds": HOUR / 2, "p90_seconds": 3 * HOUR / 2})
    );
    assert_eq!(
        b["fixed_to_unblock"],
        json!({"count": 1, "median_seconds": 180, "p90_seconds": 180})
    );

    let r = &d["remediation"];
    assert_eq!(
        (r["fixed"].as_i64(), r["not_fixed"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        r["rounds"],
        json!([{"key": "1", "count": 1}, {"key": "2", "count": 1}, {"key": "3+", "count": 0}])
    );
    assert_eq!(
        r["time_to_fix"],
        json!({"count": 2, "median_seconds": 74 * HOUR, "p90_seconds": 124 * HOUR})
    );
    assert_eq!(
        r["by_agency"],
        json!([{"agency": "DISDIK", "fixed": 2, "median_seconds": 74 * HOUR, "first_round": 1}])
    );

    let a = &d["approvals"];
    assert_eq!(a["threshold"], 2);
    assert_eq!(
        a["agencies"],
        json!([{"agency": "DISDIK", "name": a["agencies"][0]["name"], "valid_reports": 2, "over": false}])
    );
    assert_eq!(
        (
            a["pending"].as_i64(),
            a["approved"].as_i64(),
            a["refused"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );

    filters_narrow_the_figures(&app).await;
    counts_follow_to_the_queue(&app, &d).await;
    one_section_per_endpoint(&app, &d).await;
    refusals(&app).await;
    the_page_shows_the_same_figures(&app, &d).await;
    the_report_prints_the_same_figures(&app, &d).await;
}

/// A count opens the queue with the same filter, and the queue lists as many tickets.
async fn counts_follow_to_the_queue(app: &TestApp, d: &Value) {
    let august = [("from", "2026-08-01"), ("to", "2026-08-31")];
    let listed = |extra: &[(&'static str, &'static str)]| {
        let mut q: Vec<(&str, &str)> = august.to_vec();
        q.extend_from_slice(extra);
        async move { app.list_all_numbers("csirt", &q).await.len() as i64 }
    };
    assert_eq!(listed(&[]).await, d["intake"]["received"].as_i64().unwrap());
    assert_eq!(
        listed(&[("state", "rejected")]).await,
        d["intake"]["rejected"].as_i64().unwrap()
    );
    assert_eq!(listed(&[("channel", "phone")]).await, 1);
    assert_eq!(listed(&[("agency", "DISDIK")]).await, 4);
}

async fn filters_narrow_the_figures(app: &TestApp) {
    let (_, dinkes) = stats(
        app,
        "csirt",
        "/api/v1/stats/dashboard",
        &[("period", "2026-08"), ("agency", "DINKES")],
    )
    .await;
    assert_eq!(dinkes["filters"]["agency"], "DINKES");
    assert_eq!(dinkes["intake"]["received"], 1);
    assert_eq!(step(&dinkes["clock"], "block")["done"], 1);
    assert_eq!(dinkes["remediation"]["fixed"], 0);
    let (_, phone) = stats(
        app,
        "csirt",
        "/api/v1/stats/intake",
        &[("period", "2026-08"), ("channel", "phone")],
    )
    .await;
    assert_eq!(
        (
            phone["intake"]["received"].as_i64(),
            phone["intake"]["rejected"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let (_, high) = stats(
        app,
        "csirt",
        "/api/v1/stats/intake",
        &[("period", "2026-08"), ("criticality", "high")],
    )
    .await;
    assert_eq!(high["intake"]["received"], 2);
    let (_, days) = stats(
        app,
        "auditor",
        "/api/v1/stats/intake",
        &[("from", "2026-08-15"), ("to", "2026-08-19")],
    )
    .await;
    assert_eq!(days["intake"]["received"], 1, "only T6 from the 15th");
    let (_, july) = stats(
        app,
        "auditor",
        "/api/v1/stats/dashboard",
        &[("period", "2026-07")],
    )
    .await;
    assert_eq!(july["intake"]["received"], 0);
    assert_eq!(july["clock"]["steps"], json!([]));
    assert_eq!(july["clock"]["personal_data"]["breaches"], 0);
    assert_eq!(
        july["clock"]["overdue_total"], 2,
        "what is over its deadline now does not depend on the period"
    );
}

async fn one_section_per_endpoint(app: &TestApp, all: &Value) {
    for section in ["intake", "clock", "blocking", "remediation", "approvals"] {
        let (status, one) = stats(
            app,
            "admin",
            &format!("/api/v1/stats/{section}"),
            &[("period", "2026-08")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one[section], all[section], "{section}");
        let others = ["intake", "clock", "blocking", "remediation", "approvals"];
        assert!(
            others
                .iter()
                .filter(|s| **s != section)
                .all(|s| one.get(*s).is_none()),
            "{section}: {one:#}"
        );
    }
}

async fn refusals(app: &TestApp) {
    let (status, problem) = stats(app, "system_owner", "/api/v1/stats/dashboard", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem:#}");
    let (status, problem) = stats(
        app,
        "csirt",
        "/api/v1/stats/dashboard",
        &[("period", "2026-13")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "period");
    let (status, problem) = stats(
        app,
        "csirt",
        "/api/v1/stats/clock",
        &[("agency", "NOPE"), ("channel", "fax")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["channel", "agency"], "{problem:#}");
    let (_, audit) = stats(app, "auditor", "/api/v1/audit", &[("action", "read_stats")]).await;
    let outcomes: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert!(
        outcomes.contains(&"refused:403") && outcomes.contains(&"refused:422"),
        "{audit:#}"
    );
}

async fn the_page_shows_the_same_figures(app: &TestApp, d: &Value) {
    let lead = staff(app, "kadis@kominfo.batam.go.id", "regional_secretary", None).await;
    let mut browser = Browser::new(app);
    browser.login(lead, PASSWORD).await;
    let page = browser.get("/dashboard?period=2026-08").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Agustus 2026"));
    assert!(
        page.body.contains("<svg role=\"img\""),
        "charts drawn on the server"
    );
    assert_eq!(page.body.matches("<figure class=\"chart\">").count(), 7);
    assert!(
        !page.body.contains("<script"),
        "the dashboard needs no script"
    );
    assert!(
        page.body
            .contains("href=\"/tickets?view=all&#38;closed=true&#38;from=2026-08-01&#38;to=2026-08-31&#38;state=rejected\""),
        "a count opens its tickets: {}",
        &page.body[page.body.find("state=rejected").map_or(0, |i| i - 120)..][..200]
    );
    assert!(
        page.body
            .contains("href=\"/tickets?view=all&#38;overdue=true&#38;state=queued\"")
    );
    assert!(page.body.contains(&format!(
        "href=\"/tickets/{}\"",
        d["blocking"]["blocked_now"][0]["ticket"].as_str().unwrap()
    )));
    let csv = browser.get("/dashboard/by_agency.csv?period=2026-08").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.body,
        "\"Perangkat daerah\",\"Laporan\",\"Valid\"\r\n\"DISDIK\",\"4\",\"2\"\r\n\"DINKES\",\"1\",\"1\"\r\n"
    );
    let clock = browser
        .get("/dashboard/clock.csv?period=2026-08&lang=en")
        .await;
    assert!(clock.body.starts_with("\"SOP step\",\"Done\",\"On time\",\"Share on time\",\"Median time\",\"90th percentile\"\r\n"), "{}", clock.body);
    assert!(
        clock.body.contains(
            "\"3. Validate the report\",\"4\",\"3\",\"75.0%\",\"1 hour\",\"2 days 1 hour\"\r\n"
        ),
        "{}",
        clock.body
    );
    let missing = browser.get("/dashboard/nothing.csv?period=2026-08").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = browser.get("/dashboard?period=2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("role=\"alert\""));
    let owner = staff(
        app,
        "pse@disdik.batam.go.id",
        "system_owner",
        Some("DISDIK"),
    )
    .await;
    let mut owner_browser = Browser::new(app);
    owner_browser.login(owner, PASSWORD).await;
    let refused = owner_browser.get("/dashboard").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let home = owner_browser.get("/tickets").await;
    assert!(
        !home.body.contains("href=\"/dashboard\""),
        "system owners are not offered the dashboard"
    );
}

/// The text of a PDF with its layout kept (a table row on one line), every run of spaces
/// made one.
fn pdf_layout_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext runs");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn send(
    app: &TestApp,
    role: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.token(role));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn the_report_prints_the_same_figures(app: &TestApp, d: &Value) {
    use reqwest::Method;
    let (status, draft) = read(
        send(
            app,
            "csirt",
            Method::POST,
            "/api/v1/period-reports",
            Some(json!({"period": "2026-08"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft:#}");
    assert_eq!(
        (draft["status"].as_str(), draft["label"].as_str()),
        (Some("draft"), Some("Agustus 2026"))
    );
    assert_eq!(draft["title"], "LAPORAN BULANAN PENANGANAN INSIDEN SIBER");
    assert_eq!(draft["tlp"], "TLP:AMBER");
    let id = draft["id"].as_i64().unwrap();
    let (_, again) = read(
        send(
            app,
            "admin",
            Method::POST,
            "/api/v1/period-reports",
            Some(json!({"period": "2026-08"})),
        )
        .await,
    )
    .await;
    assert_eq!(again["id"], id, "one report per period");
    for (role, status) in [
        ("auditor", StatusCode::FORBIDDEN),
        ("system_owner", StatusCode::FORBIDDEN),
    ] {
        let response = send(
            app,
            role,
            Method::POST,
            "/api/v1/period-reports",
            Some(json!({"period": "2026-07"})),
        )
        .await;
        assert_eq!(response.status(), status, "{role}");
    }
    let bad = send(
        app,
        "csirt",
        Method::POST,
        "/api/v1/period-reports",
        Some(json!({"period": "Agustus"})),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let narrative = "Pada bulan Agustus 2026 satu sistem masih diblokir.\n\nPerangkat daerah diminta mempercepat perbaikan.";
    let path = format!("/api/v1/period-reports/{id}/narrative");
    let (status, edited) = read(
        send(
            app,
            "csirt",
            Method::PUT,
            &path,
            Some(json!({"narrative": narrative})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited:#}");
    let long = send(
        app,
        "csirt",
        Method::PUT,
        &path,
        Some(json!({"narrative": "x".repeat(8001)})),
    )
    .await;
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let preview = send(
        app,
        "regional_secretary",
        Method::GET,
        &format!("/api/v1/period-reports/{id}/pdf"),
        None,
    )
    .await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview = pdf_layout_text(&preview.bytes().await.unwrap());
    assert!(preview.contains("PRATINJAU"), "{preview}");

    // The city's signer of the report: the issued PDF is final, not a draft.
    let signer = json!({"signers": [{"position": "Kepala Dinas Komunikasi dan Informatika",
        "name": "Dr. Rudi Hartono, S.Kom., M.T.", "nip": "197501012000031001"}], "tembusan": []});
    let set = send(
        app,
        "admin",
        Method::PUT,
        "/api/v1/settings/documents/period_report",
        Some(signer),
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);
    let (status, issued) = read(
        send(
            app,
            "csirt",
            Method::POST,
            &format!("/api/v1/period-reports/{id}/issue"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{issued:#}");
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["number"], "000.6/1/LAP-CSIRT/Diskominfo/2026");
    let twice = send(
        app,
        "csirt",
        Method::POST,
        &format!("/api/v1/period-reports/{id}/issue"),
        None,
    )
    .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let fixed = send(
        app,
        "csirt",
        Method::PUT,
        &path,
        Some(json!({"narrative": "diubah"})),
    )
    .await;
    assert_eq!(
        fixed.status(),
        StatusCode::CONFLICT,
        "an issued report's narrative is fixed"
    );

    let pdf = send(
        app,
        "auditor",
        Method::GET,
        &format!("/api/v1/period-reports/{id}/pdf"),
        None,
    )
    .await;
    let pdf = pdf.bytes().await.unwrap().to_vec();
    let text = pdf_layout_text(&pdf);
    assert!(!text.contains("PRATINJAU"));
    let i = &d["intake"];
    let mut expected = vec![
        "LAPORAN BULANAN PENANGANAN INSIDEN SIBER".to_owned(),
        "Periode Agustus 2026".to_owned(),
        "Nomor: 000.6/1/LAP-CSIRT/Diskominfo/2026".to_owned(),
        "TLP:AMBER".to_owned(),
        "Pada bulan Agustus 2026 satu sistem masih diblokir.".to_owned(),
        format!("Laporan diterima {}", i["received"]),
        format!("Laporan valid {}", i["valid"]),
        format!("Laporan tidak valid {}", i["rejected"]),
        format!(
            "Tiket melewati batas waktu saat ini {}",
            d["clock"]["overdue_total"]
        ),
        "3. Validasi laporan 4 3 75,0% 1 jam 2 hari 1 jam".to_owned(),
        "7. Laporkan hasil perbaikan 3 3 100,0% 3 hari 3 hari".to_owned(),
    ];
    for a in i["by_agency"].as_array().unwrap() {
        expected.push(format!(
            "{} {} {}",
            a["agency"].as_str().unwrap(),
            a["received"],
            a["valid"]
        ));
    }
    let blocked = d["blocking"]["blocked_now"][0]["ticket"].as_str().unwrap();
    expected.push(blocked.to_owned());
    for line in &expected {
        assert!(
            text.contains(line.as_str()),
            "{line:?} missing from the report:\n{text}"
        );
    }

    let verified = app
        .client
        .get(app.url(&format!(
            "/verify/{}",
            issued["verify_code"].as_str().unwrap()
        )))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let (status, verified) = read(verified).await;
    assert_eq!(status, StatusCode::OK, "{verified:#}");
    assert_eq!(verified["number"], "000.6/1/LAP-CSIRT/Diskominfo/2026");
    assert_eq!(
        verified["sha256"].as_str().unwrap(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf))
    );

    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let mail = crate::api::mail::settings(app, &sink.url());
    crate::api::mail::drain(app, &mail).await;
    let received = sink.received();
    let report = received
        .iter()
        .find(|m| crate::api::mail::to(m, "kadis@kominfo.batam.go.id"))
        .expect("the report is mailed to its recipient");
    let subject = crate::api::mail::subject(report);
    assert!(
        subject.starts_with("[TLP:AMBER] Laporan Bulanan Penanganan Insiden Siber Agustus 2026"),
        "{subject}"
    );
    use mail_parser::MimeHeaders;
    let parsed = report.parsed().unwrap();
    let attached = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some("laporan-2026-08.pdf"))
        .expect("the PDF is attached");
    assert_eq!(
        attached.contents(),
        pdf.as_slice(),
        "the PDF mailed is the one issued"
    );
}
