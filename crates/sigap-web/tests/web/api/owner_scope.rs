//! When an agency learns of a report: its system owners see the ticket from the SOP's step 6
//! on (`notify_agency`); before, every read and every action of theirs answers 404, the
//! queue and the figures leave it out, and its documents stay closed. A block at step 5
//! gives them a short notice only (the system and the time, in the queue and by mail).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_notify::sink::SmtpSink;
use sigap_testkit::{TestApp, bodies, read, valid_report};

use crate::api::mail::{drain, settings, subject, to};
use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    owners_see_a_ticket_from_the_notice_on: sqlite_owners_see_a_ticket_from_the_notice_on,
        postgres_owners_see_a_ticket_from_the_notice_on;
}

/// Everything a system owner could ask of ticket `n`, each expected to answer `status`.
async fn owner_reads(app: &TestApp, n: &str, status: StatusCode, when: &str) {
    let token = app.token("system_owner");
    for path in [
        format!("/api/v1/tickets/{n}"),
        format!("/api/v1/tickets/{n}/documents"),
        format!("/api/v1/tickets/{n}/meetings"),
    ] {
        let response = app.get(Some(token), &path).await;
        assert_eq!(response.status(), status, "{when}: GET {path}");
    }
}

async fn owner_lists(app: &TestApp, n: &str) -> (bool, i64) {
    let listed = app
        .list_all_numbers("system_owner", &[])
        .await
        .contains(&n.to_owned());
    let (status, stats) = read(
        app.get(Some(app.token("system_owner")), "/api/v1/stats")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    (listed, stats["total"].as_i64().unwrap())
}

async fn owners_see_a_ticket_from_the_notice_on(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let n = app.submit_ok(&valid_report()).await.number;
    let comment = json!({"body": "Kami sudah tahu.", "visibility": "agency"});
    for state in ["queued", "assessing", "awaiting_block", "notifying"] {
        app.drive(&n, state).await;
        owner_reads(&app, &n, StatusCode::NOT_FOUND, state).await;
        assert_eq!(owner_lists(&app, &n).await, (false, 0), "{state}");
        let response = app
            .action(app.token("system_owner"), &n, "comment", &comment)
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{state}: comment");
        // The staff see it all along.
        let ticket = app.ticket("helpdesk", &n).await;
        assert_eq!(ticket["state"], state);
    }
    // The validation's minutes exist, and stay closed to the owner.
    let (_, documents) = read(
        app.get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{n}/documents"),
        )
        .await,
    )
    .await;
    let first = documents[0]["id"].as_i64().expect("a document");
    let response = app
        .get(
            Some(app.token("system_owner")),
            &format!("/api/v1/documents/{first}"),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a document by its id"
    );

    // Blocked before the notice: a short notice in the owner's queue and by mail.
    let owner = staff(
        &app,
        "pj.kedua@disdik.batam.go.id",
        "system_owner",
        Some(sigap_testkit::seed::AGENCY_A),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert_eq!(queue.status, StatusCode::OK);
    let system = app.ticket("csirt", &n).await["system"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(queue.body.contains("diblokir sementara"), "{}", queue.body);
    assert!(queue.body.contains(&system), "names the system");
    assert!(!queue.body.contains(&n), "no number, no link");
    let title = valid_report()["title"].as_str().unwrap().to_owned();
    assert!(!queue.body.contains(&title), "nothing of the report");
    // Receipt, new report, validated, high finding, and the block's notice.
    assert_eq!(drain(&app, &mail).await, 5);
    let received = sink.wait_for(5, Duration::from_secs(10)).await;
    let notices: Vec<_> = received
        .iter()
        .filter(|m| to(m, "pj.sistem@disdik.batam.go.id"))
        .collect();
    assert_eq!(notices.len(), 1, "one mail to the agency so far");
    assert!(subject(notices[0]).contains("pemblokiran sementara"));
    // Another agency's owner has no notice.
    let other = staff(
        &app,
        "pj.kedua@dinkes.batam.go.id",
        "system_owner",
        Some(sigap_testkit::seed::AGENCY_B),
    )
    .await;
    let mut browser_b = Browser::new(&app);
    browser_b.login(other, PASSWORD).await;
    let queue_b = browser_b.get("/tickets").await;
    assert!(!queue_b.body.contains("diblokir sementara"));

    // Step 6: the agency is told, and its owners see the ticket.
    app.act("csirt", &n, "notify_agency", &bodies::notify())
        .await;
    owner_reads(&app, &n, StatusCode::OK, "remediating").await;
    assert_eq!(owner_lists(&app, &n).await, (true, 1));
    let queue = browser.get("/tickets").await;
    assert!(
        !queue.body.contains("diblokir sementara"),
        "the notice gave way"
    );
    assert!(queue.body.contains(&n));
    let page = browser.get(&format!("/tickets/{n}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let response = app
        .get(
            Some(app.token("system_owner")),
            &format!("/api/v1/documents/{first}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "the minutes, now");
    let response = app
        .action(app.token("system_owner"), &n, "comment", &comment)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let b = app
        .get(
            Some(app.token("system_owner_b")),
            &format!("/api/v1/tickets/{n}"),
        )
        .await;
    assert_eq!(b.status(), StatusCode::NOT_FOUND, "another agency's owner");
    let ticket: Value = app.ticket("system_owner", &n).await;
    assert_eq!(ticket["state"], "remediating");
}
