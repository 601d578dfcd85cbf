//! Blocking through an adapter: the block and unblock actions call the system's configured
//! adapter (here a webhook received by the test), keep what it changed in the step's
//! records and its captures as evidence, and refuse with 502 and no change at all when the
//! adapter fails. The adapters themselves are tested against real servers in sigap-block.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use sigap_testkit::seed::DOMAIN_A;
use sigap_testkit::{TestApp, number, problem, read, valid_report};

use crate::documents::pdftotext;

both! {
    webhook_blocks_and_unblocks: sqlite_webhook_blocks_and_unblocks,
        postgres_webhook_blocks_and_unblocks;
    failing_adapter_changes_nothing: sqlite_failing_adapter_changes_nothing,
        postgres_failing_adapter_changes_nothing;
}

/// The variable whose value signs the webhook: one the test process always has (tests may
/// not set variables); the receiver checks the signature with the same value.
const SECRET_ENV: &str = "PATH";

/// A webhook receiver that checks the signature and answers 200, or 500 while failing.
struct Receiver {
    url: String,
    calls: Arc<Mutex<Vec<Value>>>,
    fail: Arc<AtomicBool>,
}

async fn receiver() -> Receiver {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let fail = Arc::new(AtomicBool::new(false));
    let (c, f) = (calls.clone(), fail.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (calls, fail) = (c.clone(), f.clone());
            async move {
                let secret = std::env::var(SECRET_ENV).unwrap();
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(&body);
                let expected = hex::encode(mac.finalize().into_bytes());
                let given = headers["x-sigap-signature"].to_str().unwrap().to_owned();
                assert!(given.ends_with(&expected), "bad signature {given}");
                if fail.load(Ordering::SeqCst) {
                    return (AxumStatus::INTERNAL_SERVER_ERROR, "down for maintenance");
                }
                calls
                    .lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                (AxumStatus::OK, "{\"ok\":true}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, calls, fail }
}

async fn configure(app: &TestApp, url: &str) {
    let response = app
        .client
        .post(app.url("/api/v1/systems/blocking"))
        .bearer_auth(app.token("admin"))
        .json(&json!({
            "domain": DOMAIN_A,
            "adapter": "webhook",
            "params": {"url": url, "secret_env": SECRET_ENV},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

fn block(method: &str) -> Value {
    json!({"method": method, "notes": null})
}

async fn webhook_blocks_and_unblocks(app: TestApp) {
    let hook = receiver().await;
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    configure(&app, &hook.url).await;

    // By hand needs a reason once an adapter is set; another adapter's name is refused.
    let by_hand = app
        .action(app.token("domain_officer"), &n, "block", &block("manual"))
        .await;
    problem(by_hand, StatusCode::UNPROCESSABLE_ENTITY).await;
    let other = app
        .action(app.token("domain_officer"), &n, "block", &block("nginx"))
        .await;
    problem(other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(hook.calls.lock().unwrap().is_empty());

    let ticket = app
        .act("domain_officer", &n, "block", &block("webhook"))
        .await;
    assert_eq!(ticket["state"], "notifying");
    assert_eq!(ticket["blocked"], true);
    {
        let calls = hook.calls.lock().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0]["action"], "block");
        assert_eq!(calls[0]["host"], "ppdb.disdik.batam.go.id");
        assert_eq!(calls[0]["ticket"], json!(n));
    }
    let step = ticket["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        step["records"]["adapter_record"]["adapter"], "webhook",
        "{step:#}"
    );
    assert!(
        ticket["evidence"].to_string().contains("bukti-blokir.json"),
        "{ticket:#}"
    );

    app.drive(&n, "closing").await;
    let ticket = app
        .act("domain_officer", &n, "unblock", &block("webhook"))
        .await;
    assert_eq!(ticket["blocked"], false);
    let calls = hook.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["action"], "unblock");
    let step = ticket["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(step["records"]["unblock_seconds"].is_i64(), "{step:#}");

    // The unblock record says how long the unblock took against the 5-minute standard.
    let docs = ticket["documents"].as_array().unwrap();
    let record = docs.iter().find(|d| d["kind"] == "unblock_record").unwrap();
    let id = record["id"].as_i64().unwrap();
    let pdf = app
        .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
        .await
        .bytes()
        .await
        .unwrap();
    let text: String = pdftotext(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("standar SOP: 5 menit"), "{text}");
    assert!(text.contains("webhook"), "{text}");
}

async fn failing_adapter_changes_nothing(app: TestApp) {
    let hook = receiver().await;
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    configure(&app, &hook.url).await;
    let before = app.ticket("csirt", &n).await;

    hook.fail.store(true, Ordering::SeqCst);
    let refused = app
        .action(app.token("domain_officer"), &n, "block", &block("webhook"))
        .await;
    let body = problem(refused, StatusCode::BAD_GATEWAY).await;
    assert!(
        body["detail"].as_str().unwrap().contains("webhook"),
        "{body:#}"
    );
    assert_eq!(
        app.ticket("csirt", &n).await,
        before,
        "a failed adapter changes nothing"
    );

    // Unreachable: nothing listens on the configured port any more.
    configure(&app, "http://127.0.0.1:9/hook").await;
    let refused = app
        .action(app.token("domain_officer"), &n, "block", &block("webhook"))
        .await;
    problem(refused, StatusCode::BAD_GATEWAY).await;
    assert_eq!(app.ticket("csirt", &n).await, before);
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "block" && e.outcome == "refused:502")
    );

    // The officer may still block by hand, saying why.
    let by_hand = json!({"method": "manual", "notes": "server webhook mati", "evidence_text": "DNS diubah manual"});
    let ticket = app.act("domain_officer", &n, "block", &by_hand).await;
    assert_eq!(ticket["blocked"], true);
    let (status, _) = read(
        app.get(Some(app.token("csirt")), &format!("/api/v1/tickets/{n}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
