//! Webhooks and the job queue: each state change reaches a receiver on loopback as JSON
//! signed with HMAC-SHA256, without the reporter's words; a receiver that is down never
//! holds up the action, its deliveries are retried with backoff; an answer that will not
//! change fails the job, which admins see with its error and put back in the queue.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use chrono::TimeDelta;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sigap_app::outbox::webhooks::WebhookTarget;
use sigap_app::workflow::blocking::OutboundPolicy;
use sigap_core::{JobKind, JobState};
use sigap_testkit::{Backend, TestApp, bodies, read, spawn_app_with, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    state_changes_are_signed_and_retried: sqlite_state_changes_are_signed_and_retried,
        postgres_state_changes_are_signed_and_retried;
    failed_jobs_are_shown_and_retried_by_admins: sqlite_failed_jobs_are_shown_and_retried_by_admins,
        postgres_failed_jobs_are_shown_and_retried_by_admins;
    a_job_whose_worker_died_is_taken_over: sqlite_a_job_whose_worker_died_is_taken_over,
        postgres_a_job_whose_worker_died_is_taken_over;
    a_receiver_on_loopback_is_refused_unless_allowed:
        sqlite_a_receiver_on_loopback_is_refused_unless_allowed,
        postgres_a_receiver_on_loopback_is_refused_unless_allowed;
}

const SECRET: &str = "webhook-kunci-rahasia";

/// A receiver on loopback that records each delivery and answers the status it is told.
#[derive(Clone)]
struct Receiver {
    url: String,
    status: Arc<Mutex<u16>>,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let status = Arc::new(Mutex::new(200_u16));
        let got: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
        let (s, g) = (status.clone(), got.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (s, g) = (s.clone(), g.clone());
                async move {
                    g.lock().unwrap().push((headers, body));
                    StatusCode::from_u16(*s.lock().unwrap()).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, status, got }
    }

    fn answer(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }

    fn deliveries(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

/// An app whose webhook is `receiver`, on loopback, which the outbound policy allows.
async fn app_with_hook(backend: Backend, receiver: &Receiver) -> Option<TestApp> {
    let targets = WebhookTarget::parse_list(&receiver.url, Some(SECRET)).unwrap();
    spawn_app_with(backend, move |start| {
        start.rules.notices.webhooks = targets;
        start.rules.blocking.outbound = OutboundPolicy::loopback();
    })
    .await
}

/// A receiver on the server's own network is reached only when the operator allows it
/// (`SIGAP_OUTBOUND_ALLOW`): by default the delivery fails for good and nothing is sent.
async fn a_receiver_on_loopback_is_refused_unless_allowed(backend: Backend) {
    let receiver = Receiver::start().await;
    let targets = WebhookTarget::parse_list(&receiver.url, Some(SECRET)).unwrap();
    let Some(app) =
        spawn_app_with(backend, move |start| start.rules.notices.webhooks = targets).await
    else {
        return;
    };
    receiver.answer(200);
    app.submit_ok(&valid_report()).await;
    assert_eq!(run(&app).await, 1);
    assert!(receiver.deliveries().is_empty(), "loopback was called");
    let failed = app
        .store
        .list_jobs(Some(JobState::Failed), 50)
        .await
        .unwrap();
    let hook = failed
        .iter()
        .find(|j| j.kind == JobKind::Webhook)
        .expect("failed job");
    let error = hook.last_error.as_deref().unwrap_or("");
    assert!(error.contains("SIGAP_OUTBOUND_ALLOW"), "{error}");
}

/// Runs every due job without a mail server; answers how many were claimed.
async fn run(app: &TestApp) -> usize {
    let mut claimed = 0;
    loop {
        let n = sigap_app::worker::run_due(&app.app, None, 64)
            .await
            .unwrap();
        if n == 0 {
            return claimed;
        }
        claimed += n;
    }
}

fn hmac_hex(body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn state_changes_are_signed_and_retried(backend: Backend) {
    let receiver = Receiver::start().await;
    let Some(app) = app_with_hook(backend, &receiver).await else {
        return;
    };
    receiver.answer(503);
    let n = app.submit_ok(&valid_report()).await.number;
    // The receiver is down: the action still goes through.
    let t = app
        .act(
            "csirt",
            &n,
            "validate",
            &bodies::validate(Some(sigap_testkit::seed::DOMAIN_A)),
        )
        .await;
    assert_eq!(t["state"], "assessing");
    assert_eq!(
        run(&app).await,
        2,
        "two webhook deliveries; the mail stays queued"
    );
    assert_eq!(receiver.deliveries().len(), 2);
    let pending = app
        .store
        .list_jobs(Some(JobState::Pending), 50)
        .await
        .unwrap();
    let hooks: Vec<_> = pending
        .iter()
        .filter(|j| j.kind == JobKind::Webhook)
        .collect();
    assert_eq!(hooks.len(), 2);
    assert!(
        hooks
            .iter()
            .all(|j| j.attempts == 1 && j.last_error.as_deref().unwrap_or("").contains("503")),
        "{hooks:#?}"
    );
    assert_eq!(
        pending.iter().filter(|j| j.kind == JobKind::Mail).count(),
        3,
        "without a mail server the mail waits: {pending:#?}"
    );
    // Not again before the backoff; then delivered.
    receiver.answer(200);
    assert_eq!(run(&app).await, 0);
    app.clock.advance(TimeDelta::minutes(1));
    assert_eq!(run(&app).await, 2);
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 4);
    let mut events = Vec::new();
    for (headers, body) in &deliveries[2..] {
        let signature = headers["x-sigap-signature"].to_str().unwrap();
        assert_eq!(
            signature,
            hmac_hex(body),
            "the signature is the body's HMAC"
        );
        assert_eq!(headers["content-type"], "application/json");
        assert!(!body.contains("sqlmap") && !body.contains("Budi"), "{body}");
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["ticket"], n.as_str());
        assert_eq!(headers["x-sigap-event"].to_str().unwrap(), event["event"]);
        events.push(event);
    }
    events.sort_by_key(|e| e["to"].as_str().unwrap_or_default().to_owned());
    assert_eq!(events[0]["event"], "ticket.state_changed");
    assert_eq!(events[0]["action"], "validate");
    assert_eq!(events[0]["from"], "queued");
    assert_eq!(events[0]["to"], "assessing");
    assert_eq!(events[0]["agency"], "DISDIK");
    assert_eq!(events[1]["event"], "ticket.created");
    assert_eq!(events[1]["to"], "queued");
    assert!(events[1]["from"].is_null());
    // A comment changes no state and sends nothing; a refused action sends nothing.
    app.act(
        "csirt",
        &n,
        "comment",
        &serde_json::json!({"body": "catatan", "visibility": "internal"}),
    )
    .await;
    let refused = app
        .action(app.token("csirt"), &n, "assess", &serde_json::json!({}))
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(run(&app).await, 0);
    assert_eq!(receiver.deliveries().len(), 4);
}

async fn failed_jobs_are_shown_and_retried_by_admins(backend: Backend) {
    let receiver = Receiver::start().await;
    let Some(app) = app_with_hook(backend, &receiver).await else {
        return;
    };
    // 404 will not change by retrying: the job fails at once.
    receiver.answer(404);
    app.submit_ok(&valid_report()).await;
    assert_eq!(run(&app).await, 1);
    let admin = app.token("admin");
    let (status, failed) = read(app.get(Some(admin), "/api/v1/jobs?state=failed").await).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["kind"], "webhook");
    assert_eq!(failed[0]["to"][0], receiver.url.as_str());
    assert!(failed[0]["last_error"].as_str().unwrap().contains("404"));
    let id = failed[0]["id"].as_i64().unwrap();

    let (status, summary) = read(app.get(Some(admin), "/api/v1/jobs/summary").await).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(summary["failed"], 1);
    assert_eq!(
        summary["pending"], 2,
        "the two mails wait for a mail server"
    );
    assert_eq!(summary["mail_enabled"], false);

    let retry = |token: &str, id: i64| {
        app.client
            .post(app.url(&format!("/api/v1/jobs/{id}/retry")))
            .bearer_auth(token)
            .send()
    };
    let (status, _) = read(retry(app.token("csirt"), id).await.unwrap()).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, _) = read(retry(admin, 999_999).await.unwrap()).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.get_job(id).await.unwrap().unwrap().state,
        JobState::Failed,
        "refused retries change nothing"
    );
    receiver.answer(200);
    let (status, job) = read(retry(admin, id).await.unwrap()).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{job:#}");
    assert_eq!(job["state"], "pending");
    assert_eq!(job["attempts"], 0);
    let (status, _) = read(retry(admin, id).await.unwrap()).await;
    assert_eq!(
        status,
        reqwest::StatusCode::CONFLICT,
        "only a failed job is retried"
    );
    assert_eq!(run(&app).await, 1);
    assert_eq!(
        app.store.get_job(id).await.unwrap().unwrap().state,
        JobState::Done
    );
    assert_eq!(receiver.deliveries().len(), 2);
    let log = app.store.verify_audit_chain().await.unwrap();
    assert!(matches!(log, sigap_store::ChainStatus::Intact { .. }));
}

async fn a_job_whose_worker_died_is_taken_over(backend: Backend) {
    let receiver = Receiver::start().await;
    let Some(app) = app_with_hook(backend, &receiver).await else {
        return;
    };
    app.submit_ok(&valid_report()).await;
    // A worker claims the webhook job and dies before it settles (its process is gone: the
    // claim is all that is left of it).
    let now = app.now().timestamp_millis();
    let lease = now + 5 * 60 * 1000;
    let mut tx = app.store.begin().await.unwrap();
    let claimed = tx
        .claim_jobs(now, lease, 64, Some(JobKind::Mail))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    let dead = &claimed[0];
    assert_eq!(dead.attempts, 1);
    // While the lease holds, nobody else takes it.
    assert_eq!(run(&app).await, 0);
    assert!(receiver.deliveries().is_empty());
    // Once it has passed, another worker does, exactly once.
    app.clock
        .advance(TimeDelta::minutes(5) + TimeDelta::seconds(1));
    assert_eq!(run(&app).await, 1);
    assert_eq!(receiver.deliveries().len(), 1);
    let job = app.store.get_job(dead.id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.attempts), ("done", 2));
    // The dead worker's claim is fenced out: had it woken, its outcome is ignored.
    let mut tx = app.store.begin().await.unwrap();
    assert!(
        !tx.finish_job(dead.id, dead.attempts, now, "{}")
            .await
            .unwrap()
    );
    assert!(
        !tx.fail_job(dead.id, dead.attempts, "late", None)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(
        app.store.get_job(dead.id).await.unwrap().unwrap().state,
        JobState::Done
    );
}
