//! Ticket numbers stay gapless and unique under concurrent submissions (written in groups
//! of one transaction, the audit chain whole), and so do document numbers under concurrent
//! actions.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sigap_testkit::{TestApp, bodies, number, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    concurrent_submissions_get_gapless_numbers: sqlite_concurrent_submissions_get_gapless_numbers,
        postgres_concurrent_submissions_get_gapless_numbers;
    concurrent_steps_get_gapless_document_numbers:
        sqlite_concurrent_steps_get_gapless_document_numbers,
        postgres_concurrent_steps_get_gapless_document_numbers;
}

const SUBMISSIONS: u32 = 200;

async fn concurrent_submissions_get_gapless_numbers(app: TestApp) {
    let url = app.url("/api/v1/reports");
    let tasks: Vec<_> = (0..SUBMISSIONS)
        .map(|i| {
            let client = app.client.clone();
            let url = url.clone();
            let mut report = valid_report();
            report["title"] = Value::from(format!("Laporan serentak nomor {i}"));
            tokio::spawn(async move {
                read(client.post(url).json(&report).send().await.expect("POST")).await
            })
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for task in futures::future::join_all(tasks).await {
        let (status, body) = task.expect("task");
        assert_eq!(status, StatusCode::CREATED, "{body:#}");
        numbers.insert(body["ticket_number"].as_str().unwrap().to_owned());
    }
    let expected: BTreeSet<String> = (1..=SUBMISSIONS).map(number).collect();
    assert_eq!(numbers, expected);
    // Reports that arrived together were written in fewer transactions than reports, and
    // the audit chain they appended to in turn is whole.
    let groups = app.app.report_groups();
    assert_eq!(groups.members, u64::from(SUBMISSIONS), "{groups:?}");
    assert!(
        groups.commits < groups.members,
        "no report joined another's: {groups:?}"
    );
    assert!(matches!(
        app.store.verify_audit_chain().await.unwrap(),
        sigap_store::ChainStatus::Intact { .. }
    ));

    let listed = app.list_all_numbers("csirt", &[("limit", "100")]).await;
    assert_eq!(listed.len(), SUBMISSIONS as usize);
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(
        app.submit_ok(&valid_report()).await.number,
        number(SUBMISSIONS + 1)
    );
}

const TICKETS: u32 = 24;

/// Validating many tickets at once hands out BA-VAL numbers 1..N, each once.
async fn concurrent_steps_get_gapless_document_numbers(app: TestApp) {
    for _ in 0..TICKETS {
        app.submit_ok(&valid_report()).await;
    }
    let tasks: Vec<_> = (1..=TICKETS)
        .map(|seq| {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/tickets/{}/actions/validate", number(seq)));
            let token = app.token("csirt").to_owned();
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&bodies::validate(None))
                    .send()
                    .await
                    .expect("POST");
                read(response).await
            })
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for task in futures::future::join_all(tasks).await {
        let (status, ticket) = task.expect("task");
        assert_eq!(status, StatusCode::OK, "{ticket:#}");
        let docs = ticket["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 1, "{docs:#?}");
        let doc_number = docs[0]["number"].as_str().unwrap().to_owned();
        assert!(
            numbers.insert(doc_number.clone()),
            "{doc_number} handed out twice"
        );
    }
    let seqs: BTreeSet<u32> = numbers
        .iter()
        .map(|n| n.split('/').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=TICKETS).collect::<BTreeSet<_>>());
}
