//! A stopped server sends no message twice. `sigap serve` works through a backlog of 40
//! messages at five a second and is sent SIGTERM once ten have arrived: it stops taking
//! new jobs, finishes the message being handed over, records every message that went (as
//! each went, not at the end of its batch) and gives back those it had not started, due at
//! once, with their attempt not counted; it exits well inside its grace period. Started
//! again, it sends the rest at once (no lease to wait for) and nobody gets a copy twice.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::{free_port, ok, sigap, spawn, temp_dir, wait_healthy};

const REPORTS: usize = 20;
/// Each report queues its receipt to the reporter and the new-report notice to the analyst.
const MESSAGES: usize = 2 * REPORTS;

/// The mail jobs per state, and their attempts in all.
async fn mail_jobs(data: &Path) -> (Vec<(String, i64)>, i64) {
    let url = format!("sqlite://{}", data.join("sigap.db").display());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let states = sqlx::query_as(
        "SELECT state, COUNT(*) FROM jobs WHERE kind = 'mail' GROUP BY state ORDER BY state",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let attempts =
        sqlx::query_scalar("SELECT COALESCE(SUM(attempts), 0) FROM jobs WHERE kind = 'mail'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    (states, attempts)
}

fn count_of(states: &[(String, i64)], state: &str) -> i64 {
    states
        .iter()
        .find(|(s, _)| s == state)
        .map_or(0, |(_, n)| *n)
}

/// Queues the messages of [`REPORTS`] reports through a server without a mail server.
async fn queue_messages(data: &Path) {
    ok(&sigap(
        data,
        None,
        &[
            "user",
            "add",
            "--email",
            "analis@kominfo.batam.go.id",
            "--name",
            "Analis",
            "--role",
            "csirt",
        ],
    ));
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let mut server = spawn(
        data,
        &["serve"],
        &[
            ("SIGAP_LISTEN", &listen),
            ("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF", "0"),
        ],
    );
    assert!(wait_healthy(&base).await, "the server did not start");
    let client = reqwest::Client::new();
    for i in 0..REPORTS {
        let report = serde_json::json!({
            "reporter_name": format!("Pelapor {i}"),
            "reporter_email": format!("pelapor{i}@example.com"),
            "severity": "high",
            "vulnerability_type": "CWE-89",
            "target": format!("https://portal.batam.go.id/cari?laporan={i}"),
            "proof_of_concept": "' OR 1=1 --",
            "evidence_text": "HTTP/1.1 500 SQL syntax error",
        });
        let answer = client
            .post(format!("{base}/api/v1/reports"))
            .json(&report)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201, "report {i}");
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    let (states, _) = mail_jobs(data).await;
    assert_eq!(count_of(&states, "pending"), MESSAGES as i64, "{states:?}");
}

/// Each message's recipients and `Message-ID`: what makes two copies of one message.
pub(super) fn keys(sink: &sigap_notify::sink::SmtpSink) -> Vec<String> {
    sink.received()
        .iter()
        .map(|m| {
            let text = String::from_utf8_lossy(&m.data).into_owned();
            let id = text
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap_or_default()
                .to_owned();
            format!("{} {id}", m.rcpt_to.join(","))
        })
        .collect()
}

#[tokio::test]
async fn a_stopped_server_sends_no_message_twice() {
    let data = temp_dir("shutdown");
    queue_messages(&data).await;
    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let smtp = sink.url();
    let listen = format!("127.0.0.1:{}", free_port());
    let env = [
        ("SIGAP_LISTEN", listen.as_str()),
        ("SIGAP_SMTP_URL", smtp.as_str()),
        ("SIGAP_MAIL_PER_SECOND", "5"),
    ];
    let mut server = spawn(&data, &["serve"], &env);
    sink.wait_for(10, Duration::from_secs(30)).await;
    let pid = rustix::process::Pid::from_raw(i32::try_from(server.id().unwrap()).unwrap()).unwrap();
    let asked = Instant::now();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(25), server.wait())
        .await
        .expect("the server stops within its grace period")
        .unwrap();
    let took = asked.elapsed();
    assert!(status.success(), "{status:?}");
    let sent = sink.count();
    assert!(
        (10..MESSAGES).contains(&sent),
        "stopped in the middle of the backlog: {sent} sent"
    );
    let (states, attempts) = mail_jobs(&data).await;
    assert_eq!(
        count_of(&states, "done"),
        sent as i64,
        "each message that went is recorded: {states:?}"
    );
    assert_eq!(
        count_of(&states, "pending"),
        (MESSAGES - sent) as i64,
        "the rest are back in the queue: {states:?}"
    );
    assert_eq!(count_of(&states, "running"), 0, "{states:?}");
    assert_eq!(
        attempts, sent as i64,
        "an attempt counted for each message that went, none for the others"
    );
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");

    // Started again, it sends the rest at once and nothing twice.
    let mut again = spawn(&data, &["serve"], &env);
    let all = sink.wait_for(MESSAGES, Duration::from_secs(30)).await;
    assert_eq!(all.len(), MESSAGES);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let keys = keys(&sink);
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(keys.len(), MESSAGES, "no message sent twice");
    assert_eq!(unique.len(), MESSAGES, "no message sent twice: {keys:?}");
    let receipts = keys.iter().filter(|k| k.starts_with("pelapor")).count();
    assert_eq!(receipts, REPORTS, "one receipt to each reporter");
    again.start_kill().unwrap();
    again.wait().await.unwrap();
    let (states, _) = mail_jobs(&data).await;
    assert_eq!(count_of(&states, "done"), MESSAGES as i64, "{states:?}");
}

/// With `SIGAP_DRAIN_SECONDS`, a server told to stop first says so on `/readyz` (503,
/// `stopping`) while it still answers requests, so that a load balancer probing it takes
/// it out before its listener closes; then it exits.
#[tokio::test]
async fn a_stopping_server_is_not_ready_while_it_drains() {
    let data = temp_dir("drain");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let base = format!("http://{listen}");
    let mut server = spawn(
        &data,
        &["serve"],
        &[
            ("SIGAP_LISTEN", listen.as_str()),
            ("SIGAP_DRAIN_SECONDS", "3"),
        ],
    );
    assert!(wait_healthy(&base).await, "the server did not start");
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let pid = rustix::process::Pid::from_raw(i32::try_from(server.id().unwrap()).unwrap()).unwrap();
    let told = Instant::now();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["stopping"], true, "{body:#}");
    assert_eq!(body["database"], "ok", "{body:#}");
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(
        health.status(),
        200,
        "requests are still served while draining"
    );
    let status = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("the server exits after the drain")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        told.elapsed() >= Duration::from_secs(3),
        "it waited for the drain"
    );
}
