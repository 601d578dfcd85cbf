//! The queue as a day's work: "Giliran saya" (`view=mine`) lists for each role the open
//! tickets whose next SOP step is theirs; assignment narrows the CSIRT's and the help
//! desk's, mails the new assignee, and filters the queue; the orders, the count and the
//! positional pages hold on both backends.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_notify::sink::SmtpSink;
use sigap_testkit::{TestApp, bodies, error_fields, problem, valid_report};

use crate::api::mail::{drain, settings, subject, to};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    each_role_sees_its_turn: sqlite_each_role_sees_its_turn, postgres_each_role_sees_its_turn;
}

async fn mine(app: &TestApp, role: &str) -> Vec<String> {
    app.list_all_numbers(role, &[("view", "mine")]).await
}

async fn each_role_sees_its_turn(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    let mut submitted = Vec::new();
    for _ in 0..5 {
        submitted.push(app.submit_ok(&valid_report()).await);
        app.clock.advance(chrono::TimeDelta::minutes(1));
    }
    let n: Vec<String> = submitted.iter().map(|s| s.number.clone()).collect();
    let [remediating, blocking, queued, unblocking, rejected] =
        [0, 1, 2, 3, 4].map(|i| n[i].clone());
    app.drive(&remediating, "remediating").await;
    app.drive(&blocking, "awaiting_block").await;
    app.drive(&unblocking, "closing").await;
    app.act("csirt", &rejected, "validate", &bodies::reject())
        .await;

    assert_eq!(
        mine(&app, "domain_officer").await,
        [unblocking.clone(), blocking.clone()]
    );
    assert_eq!(mine(&app, "system_owner").await, [remediating.as_str()]);
    assert_eq!(mine(&app, "system_owner_b").await, Vec::<String>::new());
    assert_eq!(mine(&app, "csirt").await, [queued.as_str()]);
    assert_eq!(mine(&app, "helpdesk").await, [queued.as_str()]);
    for role in ["regional_secretary", "auditor", "admin"] {
        assert_eq!(mine(&app, role).await, Vec::<String>::new(), "{role}");
    }

    // The help desk routes the new report to the analyst: it leaves the help desk's turn,
    // stays the analyst's, and the analyst is told by mail.
    drain(&app, &mail).await;
    let before = sink.received().len();
    let body = json!({"assignee": "csirt@kominfo.batam.go.id"});
    app.act("helpdesk", &queued, "assign", &body).await;
    assert_eq!(mine(&app, "helpdesk").await, Vec::<String>::new());
    assert_eq!(mine(&app, "csirt").await, [queued.as_str()]);
    assert_eq!(drain(&app, &mail).await, 1);
    let received = sink.wait_for(before + 1, Duration::from_secs(10)).await;
    let assigned = received.last().unwrap();
    assert!(to(assigned, "csirt@kominfo.batam.go.id"));
    assert!(
        subject(assigned).contains("Tiket ditugaskan kepada Anda"),
        "{}",
        subject(assigned)
    );
    let text = assigned
        .parsed()
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(text.contains("Ditugaskan oleh"), "{text}");
    assert!(
        !text.contains("budi.santoso"),
        "no reporter data in staff mail: {text}"
    );
    // The reporter writes: the assignee is told that they did, not what.
    let token = submitted[2].tracking_token.clone();
    let words = json!({"message": "Saya tambahkan tangkapan layar."});
    let response = app.reporter_message(&queued, &token, &words).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(drain(&app, &mail).await, 1);
    let received = sink.wait_for(before + 2, Duration::from_secs(10)).await;
    let wrote = received.last().unwrap();
    assert!(to(wrote, "csirt@kominfo.batam.go.id"));
    assert!(
        subject(wrote).contains("Pelapor menambahkan pesan"),
        "{}",
        subject(wrote)
    );
    let text = wrote.parsed().unwrap().body_text(0).unwrap().into_owned();
    assert!(!text.contains("tangkapan layar"), "not the words: {text}");
    // Never opened through the page, every ticket is new for the analyst.
    let page = app.list("csirt", &[("view", "mine")]).await;
    assert_eq!(page["items"][0]["unread"], true, "{page:#}");

    // Taking a ticket oneself sends nothing.
    app.act(
        "csirt",
        &blocking,
        "assign",
        &json!({"assignee": "csirt@kominfo.batam.go.id"}),
    )
    .await;
    assert_eq!(drain(&app, &mail).await, 0);
    let ticket = app.ticket("helpdesk", &queued).await;
    assert!(ticket["assignee"].is_string(), "{ticket:#}");

    // Assignment filters; the names show in the queue.
    let mut assigned_to_me = app.list_all_numbers("csirt", &[("assignee", "me")]).await;
    assigned_to_me.sort();
    let mut expected = vec![queued.clone(), blocking.clone()];
    expected.sort();
    assert_eq!(assigned_to_me, expected);
    assert_eq!(
        app.list_all_numbers("csirt", &[("assignee", "none")]).await,
        [rejected.clone(), unblocking.clone(), remediating.clone()]
    );
    let page = app.list("csirt", &[("assignee", "me")]).await;
    assert!(page["items"][0]["assignee"].is_string(), "{page:#}");

    // Open only, the count, and the orders.
    let page = app.list("csirt", &[]).await;
    assert_eq!(page["total"], 5);
    let page = app.list("csirt", &[("open", "true")]).await;
    assert_eq!(page["total"], 4);
    let numbers = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_deadline = app
        .list("csirt", &[("open", "true"), ("sort", "deadline")])
        .await;
    let due: Vec<&str> = by_deadline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["deadline"]["due_at"].as_str().unwrap())
        .collect();
    let mut sorted = due.clone();
    sorted.sort();
    assert_eq!(due, sorted, "nearest deadline first");
    assert_eq!(
        numbers(&by_deadline)[0],
        unblocking,
        "five minutes to unblock"
    );
    let by_criticality = app.list("csirt", &[("sort", "criticality")]).await;
    let last = numbers(&by_criticality);
    assert!(
        last[3..].contains(&queued) && last[3..].contains(&rejected),
        "not yet assessed last: {last:?}"
    );
    // Positional pages: every ticket once, in the order of the whole list.
    let first = app
        .list("csirt", &[("sort", "deadline"), ("limit", "2")])
        .await;
    assert_eq!(first["next_cursor"], "o2");
    let all = app.list("csirt", &[("sort", "deadline")]).await;
    let mut paged = numbers(&first);
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = app
            .list(
                "csirt",
                &[("sort", "deadline"), ("limit", "2"), ("cursor", &c)],
            )
            .await;
        paged.extend(numbers(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(paged, numbers(&all));

    // Due soon: the unblock's five minutes are within their last hour.
    let unblock = app.ticket("csirt", &unblocking).await;
    assert_eq!(unblock["deadline"]["due_soon"], true, "{unblock:#}");
    let fresh = app.ticket("csirt", &queued).await;
    assert_eq!(fresh["deadline"]["due_soon"], false);

    for (key, value) in [
        ("view", "semua"),
        ("sort", "judul"),
        ("assignee", "budi"),
        ("cursor", "oX"),
        ("cursor", "o-1"),
    ] {
        let url =
            reqwest::Url::parse_with_params(&app.url("/api/v1/tickets"), [(key, value)]).unwrap();
        let response = app
            .client
            .get(url)
            .bearer_auth(app.token("csirt"))
            .send()
            .await
            .unwrap();
        let p = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&p), [key], "{key}={value}");
    }
}
