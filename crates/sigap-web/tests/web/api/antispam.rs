//! Anti-spam of public intake: the proof-of-work challenge (one report per challenge,
//! signed, expiring, at the bits asked) and the hourly limits per client address, with and
//! without a proof. A refused report stores nothing. Also the CVSS scorer the report form
//! calls while the reporter types.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_app::intake::antispam::{IntakeLimits, solve};
use sigap_testkit::{Backend, TestApp, problem, read, spawn_app_with, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_hourly_limits_refuse_with_429_and_store_nothing:
        sqlite_hourly_limits, postgres_hourly_limits;
    a_challenge_is_good_once_unaltered_and_until_it_expires:
        sqlite_challenge_once, postgres_challenge_once;
    a_forwarded_address_counts_only_behind_a_trusted_proxy:
        sqlite_forwarded_address, postgres_forwarded_address;
    the_cvss_scorer_answers_score_and_band:
        sqlite_cvss_scorer, postgres_cvss_scorer;
}

async fn app_with(backend: Backend, per_hour: u32, without_proof: u32) -> Option<TestApp> {
    spawn_app_with(backend, |start| {
        start.rules.intake_limits = IntakeLimits {
            per_hour,
            without_proof_per_hour: without_proof,
            proof_bits: 12,
        };
    })
    .await
}

/// A fresh challenge, solved: the report's two proof fields.
async fn proof(app: &TestApp) -> (String, String) {
    let (status, body) = read(app.get(None, "/api/v1/reports/challenge").await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenge = body["challenge"].as_str().unwrap().to_owned();
    let bits = u8::try_from(body["bits"].as_u64().unwrap()).unwrap();
    assert_eq!(bits, 12, "the bits of the rules");
    let nonce = solve(&challenge, bits);
    (challenge, nonce)
}

fn with_proof(challenge: &str, nonce: &str) -> Value {
    let mut report = valid_report();
    report["proof_challenge"] = json!(challenge);
    report["proof_nonce"] = json!(nonce);
    report
}

async fn ticket_count(app: &TestApp) -> usize {
    app.list_all_numbers("csirt", &[]).await.len()
}

async fn the_hourly_limits_refuse_with_429_and_store_nothing(backend: Backend) {
    let Some(app) = app_with(backend, 3, 2).await else {
        return;
    };
    for _ in 0..2 {
        app.submit_ok(&valid_report()).await;
    }
    let refused = app.submit_report(&valid_report()).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=3600).contains(&retry_after),
        "until the next hour: {retry_after}"
    );
    let body = problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("at most 2 an hour"),
        "{body}"
    );
    assert_eq!(
        ticket_count(&app).await,
        2,
        "the refused report is not stored"
    );

    // Reports with a proof have their own, larger allowance.
    for _ in 0..3 {
        let (challenge, nonce) = proof(&app).await;
        app.submit_ok(&with_proof(&challenge, &nonce)).await;
    }
    let (challenge, nonce) = proof(&app).await;
    let refused = app.submit_report(&with_proof(&challenge, &nonce)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ticket_count(&app).await, 5);
    // The refused report did not spend its challenge: next hour it is still good.
    app.clock.advance(chrono::TimeDelta::hours(1));
    app.submit_ok(&with_proof(&challenge, &nonce)).await;
    app.submit_ok(&valid_report()).await;
    assert_eq!(ticket_count(&app).await, 7);
}

async fn a_challenge_is_good_once_unaltered_and_until_it_expires(backend: Backend) {
    let Some(app) = app_with(backend, 0, 0).await else {
        return;
    };
    let refused_on_nonce = |body: Value| {
        let fields = sigap_testkit::error_fields(&body);
        assert_eq!(fields, ["proof_nonce"], "{body}");
    };
    let (challenge, nonce) = proof(&app).await;
    app.submit_ok(&with_proof(&challenge, &nonce)).await;
    let again = app.submit_report(&with_proof(&challenge, &nonce)).await;
    refused_on_nonce(problem(again, StatusCode::UNPROCESSABLE_ENTITY).await);

    let (challenge, nonce) = proof(&app).await;
    // A nonce that does not reach the bits.
    let weak = (0..)
        .map(|n: u32| n.to_string())
        .find(|n| !sigap_app::intake::antispam::solves(&challenge, n, 12))
        .unwrap();
    let response = app.submit_report(&with_proof(&challenge, &weak)).await;
    refused_on_nonce(problem(response, StatusCode::UNPROCESSABLE_ENTITY).await);
    // Fewer bits written into the challenge break its signature.
    let parts: Vec<&str> = challenge.split('.').collect();
    let easier = format!("{}.{}.{}.1.{}", parts[0], parts[1], parts[2], parts[4]);
    let response = app
        .submit_report(&with_proof(&easier, &solve(&easier, 1)))
        .await;
    refused_on_nonce(problem(response, StatusCode::UNPROCESSABLE_ENTITY).await);
    // A nonce without a challenge.
    let mut report = valid_report();
    report["proof_nonce"] = json!("1");
    let response = app.submit_report(&report).await;
    refused_on_nonce(problem(response, StatusCode::UNPROCESSABLE_ENTITY).await);
    // Two hours and a minute later the challenge has expired.
    app.clock.advance(chrono::TimeDelta::minutes(121));
    let response = app.submit_report(&with_proof(&challenge, &nonce)).await;
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    refused_on_nonce(body.clone());
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(
        ticket_count(&app).await,
        1,
        "only the first report is stored"
    );
}

async fn a_forwarded_address_counts_only_behind_a_trusted_proxy(backend: Backend) {
    let Some(app) = app_with(backend, 0, 1).await else {
        return;
    };
    // The test server trusts no proxy: the header is ignored and both requests come from
    // the same peer.
    let send = |address: &'static str| {
        app.client
            .post(app.url("/api/v1/reports"))
            .header("x-forwarded-for", address)
            .json(&valid_report())
            .send()
    };
    assert_eq!(
        send("203.0.113.7").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        send("198.51.100.9").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn the_cvss_scorer_answers_score_and_band(backend: Backend) {
    let Some(app) = app_with(backend, 0, 0).await else {
        return;
    };
    let (status, body) = read(
        app.get(
            None,
            "/api/v1/cvss?vector=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "3.1");
    assert_eq!(body["score"], 9.8);
    assert_eq!(body["band"], "critical");
    let (status, body) = read(
        app.get(
            None,
            "/api/v1/cvss?vector=CVSS%3A4.0%2FAV%3AN%2FAC%3AL%2FAT%3AN%2FPR%3AN%2FUI%3AN%2FVC%3AL%2FVI%3AN%2FVA%3AN%2FSC%3AN%2FSI%3AN%2FSA%3AN",
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "4.0");
    assert_eq!(body["band"], "medium", "{body}");
    let incomplete = app.get(None, "/api/v1/cvss?vector=CVSS:3.1/AV:N").await;
    let body = problem(incomplete, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(sigap_testkit::error_fields(&body), ["cvss_vector"]);
}
