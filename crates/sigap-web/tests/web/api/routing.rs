//! Routing a report to the agency whose system's domain covers the target, and linking an
//! unmatched ticket at validation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::bodies;
use sigap_testkit::seed::{AGENCY_A, AGENCY_B, DOMAIN_B, UNREGISTERED_HOST};
use sigap_testkit::{TestApp, error_fields, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    reports_are_routed_by_domain: sqlite_reports_are_routed_by_domain, postgres_reports_are_routed_by_domain;
    unmatched_reports_are_linked_at_validation: sqlite_unmatched_reports_are_linked_at_validation,
        postgres_unmatched_reports_are_linked_at_validation;
}

fn on(target: &str) -> Value {
    let mut report = valid_report();
    report["target"] = json!(target);
    report
}

async fn reports_are_routed_by_domain(app: TestApp) {
    let cases = [
        (
            "https://ppdb.disdik.batam.go.id/pendaftaran",
            Some(AGENCY_A),
            "ppdb.disdik.batam.go.id",
        ),
        ("disdik.batam.go.id", Some(AGENCY_A), "disdik.batam.go.id"),
        (
            "www.sekolah.batam.go.id/login?next=/",
            Some(AGENCY_A),
            "www.sekolah.batam.go.id",
        ),
        (
            "HTTPS://API.V2.SIK.DINKES.BATAM.GO.ID:8443/",
            Some(AGENCY_B),
            "api.v2.sik.dinkes.batam.go.id",
        ),
        // A name that merely ends with a registered domain is not covered by it.
        (
            "https://evildisdik.batam.go.id/",
            None,
            "evildisdik.batam.go.id",
        ),
        ("https://batam.go.id/", None, "batam.go.id"),
    ];
    for (target, agency, host) in cases {
        let n = app.submit_ok(&on(target)).await.number;
        let t = app.ticket("csirt", &n).await;
        assert_eq!(t["report"]["target_host"], host, "{target}");
        match agency {
            Some(code) => {
                assert_eq!(t["agency"]["code"], code, "{target}");
                // Its agency's owners see it once the agency is told (step 6), not now.
                let owner = if code == AGENCY_A {
                    "system_owner"
                } else {
                    "system_owner_b"
                };
                problem(
                    app.get_ticket(app.token(owner), &n).await,
                    StatusCode::NOT_FOUND,
                )
                .await;
            }
            None => {
                assert_eq!(t["agency"], Value::Null, "{target}");
                assert_eq!(t["system"], Value::Null, "{target}");
                problem(
                    app.get_ticket(app.token("system_owner"), &n).await,
                    StatusCode::NOT_FOUND,
                )
                .await;
            }
        }
    }
    let t = app.ticket("csirt", &sigap_testkit::number(3)).await;
    assert_eq!(
        t["report"]["target"],
        "https://www.sekolah.batam.go.id/login?next=/"
    );
}

async fn unmatched_reports_are_linked_at_validation(app: TestApp) {
    let n = app
        .submit_ok(&on(&format!("https://{UNREGISTERED_HOST}/katalog?judul=1")))
        .await
        .number;
    let t = app.ticket("csirt", &n).await;
    assert_eq!(t["agency"], Value::Null);
    problem(
        app.get_ticket(app.token("system_owner_b"), &n).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let before = app.ticket("csirt", &n).await;
    let p = problem(
        app.action(app.token("csirt"), &n, "validate", &bodies::validate(None))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["system"]);
    let unknown = bodies::validate(Some("tidak-terdaftar.batam.go.id"));
    let p = problem(
        app.action(app.token("csirt"), &n, "validate", &unknown)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["system"]);
    let p = problem(
        app.action(
            app.token("csirt"),
            &n,
            "validate",
            &bodies::validate(Some("987654")),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["system"]);
    // A registered system whose domains do not cover the reported host is refused too: the
    // proof of a block photographs the system, so a ticket never names another machine.
    let p = problem(
        app.action(
            app.token("csirt"),
            &n,
            "validate",
            &bodies::validate(Some(DOMAIN_B)),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["system"]);
    assert!(p.to_string().contains("is not covered"), "{p:#}");
    assert_eq!(app.ticket("csirt", &n).await, before);

    // The admin registers the library's system for agency B; linked by its domain, agency
    // Linked to B's system, the ticket is B's.
    let (status, library) = read(
        app.client
            .post(app.url("/api/v1/systems"))
            .bearer_auth(app.token("admin"))
            .json(&json!({"agency": AGENCY_B, "name": "Perpustakaan digital", "domains": [UNREGISTERED_HOST]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{library:#}");
    let t = app
        .act(
            "csirt",
            &n,
            "validate",
            &bodies::validate(Some(UNREGISTERED_HOST)),
        )
        .await;
    assert_eq!(t["state"], "assessing");
    assert_eq!(t["agency"]["code"], AGENCY_B);
    assert_eq!(t["system"]["id"], library["id"]);
    // B's system owner sees the ticket once B is told of it (step 6).
    problem(
        app.get_ticket(app.token("system_owner_b"), &n).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    app.drive(&n, "remediating").await;
    assert_eq!(
        app.ticket("system_owner_b", &n).await["state"],
        "remediating"
    );
    problem(
        app.get_ticket(app.token("system_owner"), &n).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.list_all_numbers("system_owner_b", &[]).await,
        [n.as_str()]
    );

    // Linked by id: agency A's system by id is refused for the library's host, the
    // library's system is accepted.
    let m = app
        .submit_ok(&on(&format!("{UNREGISTERED_HOST}/")))
        .await
        .number;
    let wrong = bodies::validate(Some(&app.seed.system_a_id.to_string()));
    let p = problem(
        app.action(app.token("csirt"), &m, "validate", &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["system"]);
    let by_id = bodies::validate(Some(&library["id"].to_string()));
    let t = app.act("csirt", &m, "validate", &by_id).await;
    assert_eq!(t["agency"]["code"], AGENCY_B);

    // An invalid report needs no system and stays unlinked (the library's host is now
    // registered, so another unregistered host).
    let r = app.submit_ok(&on("arsip.batam.go.id/")).await.number;
    let t = app.act("csirt", &r, "validate", &bodies::reject()).await;
    assert_eq!(t["state"], "rejected");
    assert_eq!(t["agency"], Value::Null);
}
