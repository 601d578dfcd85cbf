//! Blocking through an adapter: the block and unblock actions call the system's configured
//! adapter (here a webhook received by the test, named by a profile of the operator's
//! blocking file), keep what it changed in the step's records and its captures as evidence,
//! and refuse with 502 and no change at all when the adapter fails. The web and the API
//! choose a profile and may set only harmless values: a command, a file, an address or a
//! secret name is refused and audited. The captures photograph the registered system (its
//! front page, or a confirmed `proof_url` on its domains), never the reporter's URL and
//! never an address the outbound policy refuses. The adapters themselves are tested against
//! real servers in sigap-block.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use sigap_app::workflow::blocking::OutboundPolicy;
use sigap_app::workflow::blocking_profiles::BlockingProfiles;
use sigap_block::AdapterConfig;
use sigap_block::proof::{ProofOptions, Resolver};
use sigap_testkit::bodies::report_on;
use sigap_testkit::seed::DOMAIN_A;
use sigap_testkit::{
    Backend, TestApp, error_fields, number, problem, read, spawn_app_with, valid_report,
};

use crate::api::documents::pdftotext;

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    webhook_blocks_and_unblocks: sqlite_webhook_blocks_and_unblocks,
        postgres_webhook_blocks_and_unblocks;
    failing_adapter_changes_nothing: sqlite_failing_adapter_changes_nothing,
        postgres_failing_adapter_changes_nothing;
    no_command_file_or_secret_from_the_web: sqlite_no_command_file_or_secret_from_the_web,
        postgres_no_command_file_or_secret_from_the_web;
    the_proof_is_of_the_registered_system: sqlite_the_proof_is_of_the_registered_system,
        postgres_the_proof_is_of_the_registered_system;
    inward_addresses_are_never_fetched: sqlite_inward_addresses_are_never_fetched,
        postgres_inward_addresses_are_never_fetched;
}

/// The key that signs the webhook, given to the profile as the operator's environment would.
const SECRET: &str = "rahasia-webhook-uji";

/// A webhook receiver that checks the signature and answers 200, or 500 while failing.
struct Receiver {
    url: String,
    calls: Arc<Mutex<Vec<Value>>>,
    fail: Arc<AtomicBool>,
}

async fn receiver() -> Receiver {
    receiver_at("127.0.0.1").await
}

/// A receiver on the loopback address `ip` (Linux answers on all of 127.0.0.0/8).
async fn receiver_at(ip: &str) -> Receiver {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let fail = Arc::new(AtomicBool::new(false));
    let (c, f) = (calls.clone(), fail.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (calls, fail) = (c.clone(), f.clone());
            async move {
                let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
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
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, calls, fail }
}

/// A webhook adapter posting to `url`, as the operator's blocking file would define it.
fn webhook_profile(url: &str) -> AdapterConfig {
    let params: BTreeMap<String, String> = [
        ("url".to_owned(), url.to_owned()),
        (
            "secret_env".to_owned(),
            "SIGAP_ADAPTER_TEST_HOOK".to_owned(),
        ),
    ]
    .into();
    AdapterConfig::parse("webhook", &params, &|_| Some(SECRET.to_owned())).unwrap()
}

/// An app with the profiles `hook` (the receiver) and `hook-down` (127.0.0.1:9, where
/// nothing listens), the outbound policy `outbound`, and `proof` as the capture options.
async fn app_with_profiles(
    backend: Backend,
    hook: &Receiver,
    outbound: OutboundPolicy,
    proof: Option<ProofOptions>,
) -> Option<TestApp> {
    let profiles = BlockingProfiles::from_configs([
        ("hook".to_owned(), webhook_profile(&hook.url)),
        (
            "hook-down".to_owned(),
            webhook_profile("http://127.0.0.1:9/hook"),
        ),
    ]);
    spawn_app_with(backend, move |start| {
        start.rules.blocking.profiles = profiles;
        start.rules.blocking.proof = proof;
        start.rules.blocking.outbound = outbound;
    })
    .await
}

async fn set_blocking(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/systems/blocking"))
        .bearer_auth(app.token("admin"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn configure(app: &TestApp, profile: &str) {
    let response = set_blocking(app, &json!({"domain": DOMAIN_A, "profile": profile})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

fn block(method: &str) -> Value {
    json!({"method": method, "notes": null})
}

async fn webhook_blocks_and_unblocks(backend: Backend) {
    let hook = receiver().await;
    let Some(app) = app_with_profiles(backend, &hook, OutboundPolicy::loopback(), None).await
    else {
        return;
    };
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    configure(&app, "hook").await;

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

async fn failing_adapter_changes_nothing(backend: Backend) {
    let hook = receiver().await;
    let Some(app) = app_with_profiles(backend, &hook, OutboundPolicy::loopback(), None).await
    else {
        return;
    };
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    configure(&app, "hook").await;
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
    configure(&app, "hook-down").await;
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

/// Commands, files, addresses and secret names are the operator's: the API refuses each
/// with 422 naming it, audits the refusal, and leaves the system's setting as it was.
async fn no_command_file_or_secret_from_the_web(backend: Backend) {
    let hook = receiver().await;
    let Some(app) = app_with_profiles(backend, &hook, OutboundPolicy::loopback(), None).await
    else {
        return;
    };
    let cases = [
        (
            json!({"domain": DOMAIN_A, "adapter": "nginx", "params": {"test_command": "sh -c id"}}),
            "params.test_command",
        ),
        (
            json!({"domain": DOMAIN_A, "adapter": "nginx", "params": {"map_file": "/etc/passwd"}}),
            "params.map_file",
        ),
        (
            json!({"domain": DOMAIN_A, "adapter": "webhook", "params": {"secret_env": "SIGAP_SECRET_KEY"}}),
            "params.secret_env",
        ),
        (
            json!({"domain": DOMAIN_A, "profile": "hook", "params": {"url": "http://169.254.169.254/"}}),
            "params.url",
        ),
        (json!({"domain": DOMAIN_A, "adapter": "webhook"}), "adapter"),
        (
            json!({"domain": DOMAIN_A, "profile": "tidak-ada"}),
            "profile",
        ),
        (
            json!({"domain": DOMAIN_A, "profile": "hook", "params": {"zone": "batam.go.id"}}),
            "params.zone",
        ),
    ];
    for (body, field) in &cases {
        let refused = problem(
            set_blocking(&app, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&refused), [*field], "{body}: {refused:#}");
    }
    let (_, systems) = read(app.get(Some(app.token("admin")), "/api/v1/systems").await).await;
    let system_a = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(app.seed.system_a_id))
        .unwrap();
    assert_eq!(system_a["blocking_adapter"], "manual", "{system_a:#}");
    let log = app.store.list_audit(0, 1000).await.unwrap();
    let refused: Vec<_> = log
        .iter()
        .filter(|e| e.action == "system_set_blocking" && e.outcome != "ok")
        .collect();
    assert_eq!(refused.len(), cases.len(), "{log:#?}");
    assert!(
        refused.iter().all(|e| e.outcome.starts_with("refused")),
        "{refused:#?}"
    );

    // A profile with a harmless value is accepted and shown; `manual` clears it.
    let chosen = set_blocking(
        &app,
        &json!({"domain": DOMAIN_A, "profile": "hook", "params": {"timeout_secs": 3}}),
    )
    .await;
    assert_eq!(chosen.status(), StatusCode::NO_CONTENT);
    let (_, systems) = read(app.get(Some(app.token("admin")), "/api/v1/systems").await).await;
    assert!(systems.to_string().contains("\"webhook\""), "{systems:#}");
    let cleared = set_blocking(&app, &json!({"domain": DOMAIN_A, "adapter": "manual"})).await;
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
}

/// Capture options for a test: no DNS server answers, the capture connects to `address`,
/// no screenshot.
fn proof_options(address: &str) -> ProofOptions {
    ProofOptions {
        resolver: Resolver::At(SocketAddr::from(([127, 0, 0, 1], 9))),
        connect_to: Some(address.parse().unwrap()),
        timeout: Duration::from_millis(300),
        chromium: Some("/nonexistent/chromium".into()),
        ..ProofOptions::default()
    }
}

/// The last step's records of a ticket view.
fn last_records(ticket: &Value) -> Value {
    ticket["timeline"].as_array().unwrap().last().unwrap()["records"].clone()
}

/// The proof photographs the system's front page (not the reporter's path and query), or a
/// `proof_url` the officer confirms on the system's own domains; anything else is 422 and
/// changes nothing.
async fn the_proof_is_of_the_registered_system(backend: Backend) {
    let hook = receiver().await;
    let proof = Some(proof_options("127.0.0.1"));
    let Some(app) = app_with_profiles(backend, &hook, OutboundPolicy::loopback(), proof).await
    else {
        return;
    };
    let report = report_on("http://ppdb.disdik.batam.go.id/pendaftaran/cari?nisn=1&token=abc");
    app.submit_ok(&report).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    configure(&app, "hook").await;
    let before = app.ticket("csirt", &n).await;
    for (proof_url, why) in [
        ("http://127.0.0.1:8080/", "an address"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://dinkes.batam.go.id/", "another agency's system"),
        ("https://user:pw@ppdb.disdik.batam.go.id/", "credentials"),
    ] {
        let mut body = block("hook");
        body["proof_url"] = json!(proof_url);
        let refused = problem(
            app.action(app.token("domain_officer"), &n, "block", &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&refused), ["proof_url"], "{why}: {refused:#}");
    }
    assert_eq!(app.ticket("csirt", &n).await, before);
    assert!(hook.calls.lock().unwrap().is_empty(), "no adapter call");

    let mut confirmed = block("hook");
    confirmed["proof_url"] = json!("http://www.disdik.batam.go.id/pengumuman");
    let ticket = app.act("domain_officer", &n, "block", &confirmed).await;
    assert_eq!(ticket["blocked"], true);
    let records = last_records(&ticket);
    assert_eq!(
        records["proof"]["url"], "http://www.disdik.batam.go.id/pengumuman",
        "{records:#}"
    );

    app.drive(&n, "closing").await;
    let ticket = app
        .act("domain_officer", &n, "unblock", &block("webhook"))
        .await;
    let records = last_records(&ticket);
    assert_eq!(
        records["proof"]["url"], "http://ppdb.disdik.batam.go.id/",
        "the front page, without the reporter's path and query: {records:#}"
    );
}

/// An address the outbound policy refuses is never connected to: a capture that would
/// reach 127.0.0.1 records the refusal instead, and an adapter whose server is there fails
/// with 502 and changes nothing.
async fn inward_addresses_are_never_fetched(backend: Backend) {
    let hook = receiver_at("127.0.0.2").await;
    let only_the_hook = OutboundPolicy::parse("127.0.0.2/32").unwrap();
    let proof = Some(proof_options("127.0.0.1"));
    let Some(app) = app_with_profiles(backend, &hook, only_the_hook, proof).await else {
        return;
    };
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "awaiting_block").await;
    let before = app.ticket("csirt", &n).await;

    configure(&app, "hook-down").await;
    let refused = problem(
        app.action(app.token("domain_officer"), &n, "block", &block("webhook"))
            .await,
        StatusCode::BAD_GATEWAY,
    )
    .await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("SIGAP_OUTBOUND_ALLOW"), "{detail}");
    assert_eq!(app.ticket("csirt", &n).await, before);

    configure(&app, "hook").await;
    let ticket = app
        .act("domain_officer", &n, "block", &block("webhook"))
        .await;
    assert_eq!(ticket["blocked"], true);
    assert_eq!(hook.calls.lock().unwrap().len(), 1);
    let proof = &last_records(&ticket)["proof"];
    let error = proof["http"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("127.0.0.1") && error.contains("SIGAP_OUTBOUND_ALLOW"),
        "{proof:#}"
    );
    assert!(proof["http"]["status"].is_null(), "{proof:#}");
    assert_eq!(proof["screenshot"]["outcome"], "not_possible", "{proof:#}");
}
