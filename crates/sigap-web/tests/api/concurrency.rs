//! Ticket numbers stay gapless and unique under concurrent submissions.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sigap_testkit::{TestApp, number, read, valid_report};

both! {
    concurrent_submissions_get_gapless_numbers: sqlite_concurrent_submissions_get_gapless_numbers,
        postgres_concurrent_submissions_get_gapless_numbers;
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

    let listed = app.list_all_numbers("csirt", &[("limit", "100")]).await;
    assert_eq!(listed.len(), SUBMISSIONS as usize);
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(
        app.submit_ok(&valid_report()).await.number,
        number(SUBMISSIONS + 1)
    );
}
