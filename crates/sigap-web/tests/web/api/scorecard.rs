//! An agency's scorecard against a scenario whose numbers are known: in August 2026 the
//! Dinas Pendidikan (DISDIK) gets two cross-site scripting findings (CWE-79) on the same
//! system, one fixed in its first round (with a warning recommended and a follow-up
//! letter), one with a sanction recommended and still being fixed, a third finding blocked
//! but not yet reported to the agency, and a rejected report; the Dinas Kesehatan one
//! finding. Then the scorecard as the CSIRT reads it (every ticket), as DISDIK's system
//! owner reads it (the reports the agency has been told of), the refusals (another
//! agency's scorecard is 404 to an owner; an unknown agency, a bad period), the page with
//! its CSV tables, and the owner's menu.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, report_on};
use sigap_testkit::{TestApp, read};

use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    the_scorecard_follows_the_scenario: sqlite_the_scorecard_follows_the_scenario,
        postgres_the_scorecard_follows_the_scenario;
}

async fn submit(app: &TestApp, vulnerability_type: &str, target: &str) -> String {
    let mut body = report_on(target);
    body["vulnerability_type"] = json!(vulnerability_type);
    app.submit_ok(&body).await.number
}

async fn at(app: &TestApp, minutes: i64) {
    app.clock.advance(TimeDelta::minutes(minutes));
}

/// The scenario, from Monday 10 August 2026, 09:00 WIB.
async fn scenario(app: &TestApp) {
    let fixed = submit(app, "CWE-79", "https://ppdb.disdik.batam.go.id/cari").await;
    let again = submit(app, "CWE-79", "https://ppdb.disdik.batam.go.id/profil").await;
    let blocked = submit(app, "CWE-89", "https://ppdb.disdik.batam.go.id/nilai").await;
    let rejected = submit(app, "CWE-79", "https://ppdb.disdik.batam.go.id/lain").await;
    let other = submit(app, "CWE-79", "https://dinkes.batam.go.id/jadwal").await;
    at(app, 30).await;
    for n in [&fixed, &again, &blocked, &other] {
        app.act("csirt", n, "validate", &bodies::validate(None))
            .await;
    }
    app.act("csirt", &rejected, "validate", &bodies::reject())
        .await;
    at(app, 30).await;
    app.act("csirt", &fixed, "assess", &bodies::assess_high())
        .await;
    app.act("csirt", &blocked, "assess", &bodies::assess_high())
        .await;
    app.act("csirt", &again, "assess", &bodies::assess_low())
        .await;
    app.act("csirt", &other, "assess", &bodies::assess_low())
        .await;
    at(app, 20).await;
    app.act("domain_officer", &fixed, "block", &bodies::block_text())
        .await;
    app.act("domain_officer", &blocked, "block", &bodies::block_text())
        .await;
    at(app, 30).await;
    // A warning for the first, a sanction for the second (bodies::notify recommends a
    // warning).
    app.act("csirt", &fixed, "notify_agency", &bodies::notify())
        .await;
    let sanction = json!({
        "recommendation": "sanction",
        "summary": "Kerentanan XSS yang sama ditemukan kembali pada sistem yang sama.",
        "concerns": "Penyedia aplikasi PPDB",
    });
    app.act("csirt", &again, "notify_agency", &sanction).await;
    app.act("csirt", &other, "notify_agency", &bodies::notify())
        .await;
    at(app, 2 * 24 * 60).await; // Wednesday: within the 7 days
    app.act(
        "csirt",
        &fixed,
        "submit_remediation",
        &bodies::remediation(),
    )
    .await;
    at(app, 30).await;
    app.act("csirt", &fixed, "send_follow_up", &bodies::follow_up())
        .await;
    at(app, 30).await;
    app.act("csirt", &fixed, "review", &bodies::review(true))
        .await;
    at(app, 2).await;
    app.act("domain_officer", &fixed, "unblock", &bodies::unblock_text())
        .await;
    app.act("csirt", &fixed, "close", &bodies::close()).await;
}

async fn card(
    app: &TestApp,
    role: &str,
    code: &str,
    query: &[(&str, &str)],
) -> (StatusCode, Value) {
    let path = app.url(&format!("/api/v1/agencies/{code}/scorecard"));
    let url = url::Url::parse_with_params(&path, query).unwrap();
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

fn counts(list: &Value) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_owned(),
                t["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn owned(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

async fn the_scorecard_follows_the_scenario(app: TestApp) {
    scenario(&app).await;
    let august = [("period", "2026-08")];

    // The CSIRT reads every ticket of the agency.
    let (status, c) = card(&app, "csirt", "DISDIK", &august).await;
    assert_eq!(status, StatusCode::OK, "{c:#}");
    assert_eq!(c["agency"]["code"], "DISDIK");
    assert_eq!(c["period"]["key"], "2026-08");
    assert_eq!(c["told_only"], false);
    assert_eq!(
        c["findings"]["total"], 3,
        "the rejected report is no finding: {c:#}"
    );
    assert_eq!(
        counts(&c["findings"]["by_criticality"]),
        owned(&[("high", 2), ("low", 1), ("unassessed", 0)])
    );
    assert_eq!(c["findings"]["by_system"][0]["system"], "Portal Pendidikan");
    assert_eq!(c["findings"]["by_system"][0]["findings"], 3);
    assert_eq!(c["findings"]["by_system"][0]["high"], 2);
    assert_eq!(
        counts(&c["findings"]["by_class"]),
        owned(&[("a03_injection", 3)]),
        "CWE-79 and CWE-89 are both OWASP's injection"
    );
    let repeats = c["repeats"].as_array().unwrap();
    assert_eq!(repeats.len(), 1, "{c:#}");
    assert_eq!(repeats[0]["system"], "Portal Pendidikan");
    assert_eq!(repeats[0]["weakness"], "CWE-79");
    assert_eq!(repeats[0]["class"], "a03_injection");
    assert_eq!(
        (
            repeats[0]["in_period"].as_i64(),
            repeats[0]["total"].as_i64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(repeats[0]["first"], "2026-08-10");
    let r = &c["remediation"];
    assert_eq!(r["deadline_days"], 7);
    assert_eq!(
        (r["submitted"].as_i64(), r["within_deadline"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["within_share"], 1.0);
    assert_eq!(
        (r["fixed"].as_i64(), r["not_fixed"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        counts(&r["rounds"]),
        owned(&[("1", 1), ("2", 0), ("3+", 0)])
    );
    // From the notice (Mon 10:50) to "Sudah" (Wed 11:50): two days and an hour.
    assert_eq!(r["time_to_fix"]["median_seconds"], 2 * 86_400 + 3_600);
    assert_eq!(
        c["letters"],
        json!({"notices": 2, "follow_ups": 1, "warnings": 1, "sanctions": 1}),
        "the Dinas Kesehatan's notice is not DISDIK's"
    );
    let blocked = c["blocked_now"].as_array().unwrap();
    assert_eq!(blocked.len(), 1, "{c:#}");
    assert_eq!(blocked[0]["system"], "Portal Pendidikan");
    assert_eq!(
        c["rule"],
        json!({"threshold": 3, "window_days": null, "since": null, "valid_reports": 3, "over": false})
    );

    // DISDIK's system owner: the reports the agency has been told of only; the blocked
    // finding not yet reported to it is left out everywhere.
    let (status, o) = card(&app, "system_owner", "DISDIK", &august).await;
    assert_eq!(status, StatusCode::OK, "{o:#}");
    assert_eq!(o["told_only"], true);
    assert_eq!(o["findings"]["total"], 2);
    assert_eq!(
        counts(&o["findings"]["by_criticality"]),
        owned(&[("high", 1), ("low", 1), ("unassessed", 0)])
    );
    assert_eq!(o["repeats"], c["repeats"]);
    assert_eq!(o["letters"], c["letters"]);
    assert_eq!(o["blocked_now"], json!([]));
    assert_eq!(o["rule"]["valid_reports"], 2);

    // The default period is this year; another period counts nothing.
    let (_, year) = card(&app, "auditor", "DISDIK", &[]).await;
    assert_eq!(year["period"]["key"], "2026");
    assert_eq!(year["findings"]["total"], 3);
    let (_, july) = card(&app, "auditor", "DISDIK", &[("period", "2026-07")]).await;
    assert_eq!(july["findings"]["total"], 0);
    assert_eq!(july["repeats"], json!([]));
    assert_eq!(
        july["blocked_now"].as_array().unwrap().len(),
        1,
        "blocked now is now"
    );
    let (_, dinkes) = card(&app, "csirt", "DINKES", &august).await;
    assert_eq!(dinkes["findings"]["total"], 1);
    assert_eq!(dinkes["letters"]["warnings"], 1);
    assert_eq!(dinkes["repeats"], json!([]));

    the_queue_filters_by_class(&app).await;
    refusals(&app).await;
    the_page_shows_the_same_figures(&app).await;
}

/// Every report of the scenario is OWASP's injection (CWE-79, CWE-89): the queue and the
/// dashboard's class count agree, and the count links to that queue.
async fn the_queue_filters_by_class(app: &TestApp) {
    let injection = app
        .list_all_numbers("csirt", &[("class", "a03_injection")])
        .await;
    assert_eq!(injection.len(), 5, "{injection:?}");
    let none = app
        .list_all_numbers("csirt", &[("class", "a01_access_control")])
        .await;
    assert!(none.is_empty(), "{none:?}");
    let owners = app
        .list_all_numbers("system_owner", &[("class", "a03_injection")])
        .await;
    assert_eq!(owners.len(), 2, "the owner's scope holds: {owners:?}");
    let response = app
        .get(Some(app.token("csirt")), "/api/v1/tickets?class=a11_nope")
        .await;
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "class", "{problem:#}");
    let url =
        url::Url::parse_with_params(&app.url("/api/v1/stats/intake"), &[("period", "2026-08")])
            .unwrap();
    let (_, intake) = read(
        app.client
            .get(url)
            .bearer_auth(app.token("csirt"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        counts(&intake["intake"]["by_class"]),
        owned(&[("a03_injection", 5)])
    );
}

async fn refusals(app: &TestApp) {
    let (status, problem) = card(app, "system_owner", "DINKES", &[]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agency's: {problem:#}"
    );
    let (status, _) = card(app, "system_owner_b", "DISDIK", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = card(app, "csirt", "NOPE", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = card(app, "csirt", "DISDIK", &[("period", "2026-13")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "period");
    let url = app.url("/api/v1/audit?action=read_scorecard");
    let (_, audit) = read(
        app.client
            .get(url)
            .bearer_auth(app.token("auditor"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let outcomes: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "refused:404").count(),
        3,
        "{audit:#}"
    );
    assert!(outcomes.contains(&"refused:422"), "{audit:#}");
}

async fn the_page_shows_the_same_figures(app: &TestApp) {
    let lead = staff(app, "kadis@kominfo.batam.go.id", "regional_secretary", None).await;
    let mut browser = Browser::new(app);
    browser.login(lead, PASSWORD).await;
    let page = browser
        .get("/agencies/DISDIK/scorecard?period=2026-08")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("DISDIK — Dinas Pendidikan Kota Batam"));
    assert!(page.body.contains("Agustus 2026"));
    assert!(page.body.contains("Temuan berulang"));
    assert!(page.body.contains("Rekomendasi sanksi"));
    assert!(page.body.contains("<svg role=\"img\""), "the class chart");
    assert!(!page.body.contains("<script"));
    assert!(
        page.body.contains(
            "href=\"/tickets?view=all&#38;closed=true&#38;from=2026-08-01&#38;to=2026-08-31&#38;agency=DISDIK&#38;criticality=high\""
        ),
        "a count opens its tickets"
    );
    let csv = browser
        .get("/agencies/DISDIK/scorecard/repeats.csv?period=2026-08")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.body,
        "\"Sistem elektronik\",\"Kerentanan (CWE)\",\"Kelas kerentanan (OWASP Top 10)\",\"Pada periode ini\",\"Seluruhnya\",\"Pertama\",\"Terakhir\"\r\n\
         \"Portal Pendidikan\",\"CWE-79\",\"A03 Injeksi\",\"2\",\"2\",\"10 Agustus 2026\",\"10 Agustus 2026\"\r\n"
    );
    let missing = browser
        .get("/agencies/DISDIK/scorecard/nothing.csv?period=2026-08")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The dashboard links each agency to its scorecard.
    let dashboard = browser.get("/dashboard?period=2026-08").await;
    assert!(
        dashboard.body.contains(
            "href=\"/tickets?view=all&#38;closed=true&#38;from=2026-08-01&#38;to=2026-08-31&#38;class=a03_injection\""
        ),
        "the class count opens its tickets"
    );
    let by_class = browser
        .get("/tickets?view=all&closed=true&from=2026-08-01&to=2026-08-31&class=a03_injection")
        .await;
    assert_eq!(by_class.status, StatusCode::OK);
    assert!(
        by_class
            .body
            .contains("<option value=\"a03_injection\" selected>")
    );
    assert!(
        dashboard
            .body
            .contains("href=\"/agencies/DISDIK/scorecard?period=2026-08\""),
        "the dashboard links the scorecard"
    );

    let owner = staff(
        app,
        "pse@disdik.batam.go.id",
        "system_owner",
        Some("DISDIK"),
    )
    .await;
    let mut owner_browser = Browser::new(app);
    owner_browser.login(owner, PASSWORD).await;
    let queue = owner_browser.get("/tickets").await;
    assert!(
        queue.body.contains("href=\"/agencies/DISDIK/scorecard\""),
        "the owner's menu links their scorecard"
    );
    let own = owner_browser
        .get("/agencies/DISDIK/scorecard?period=2026-08")
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body
            .contains("telah disampaikan kepada perangkat daerah")
    );
    let other = owner_browser.get("/agencies/DINKES/scorecard").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let other_csv = owner_browser
        .get("/agencies/DINKES/scorecard/repeats.csv")
        .await;
    assert_eq!(other_csv.status, StatusCode::NOT_FOUND);
}
