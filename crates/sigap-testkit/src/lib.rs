//! Test helpers for sigap: [`spawn_app`] boots the real application, wired as the binary
//! wires it, on `127.0.0.1:0` over a fresh SQLite or PostgreSQL database with the
//! registries seeded and one API token per role; [`TestApp`] speaks HTTP to it. Time is a
//! [`ManualClock`] that starts on Monday 2026-08-10 09:00 WIB, so deadline tests can move it.
//!
//! PostgreSQL tests need `SIGAP_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`); without it they are skipped, unless
//! `SIGAP_REQUIRE_POSTGRES=1` makes that an error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sigap_app::{App, Policy, Rules};
use sigap_core::ManualClock;
use sigap_store::{BlobStore, Store, StoreOptions};
use tokio::sync::oneshot;

pub mod backends;
pub mod bodies;
pub mod db;
pub mod lmtp;
pub mod oidc;
pub mod remote;
pub mod s3;
pub mod seed;

pub use backends::{Opened, TestStore, backend, open_store, run_on};
pub use bodies::valid_report;
pub use db::{Backend, TestDatabase, postgres_base_url};
pub use seed::Seed;

/// Where every test's clock starts: Monday 2026-08-10 09:00 WIB (02:00 UTC).
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 10, 2, 0, 0).unwrap()
}

/// A running app and a client for it. Dropping it stops the server and removes the database.
pub struct TestApp {
    pub backend: Backend,
    /// `http://127.0.0.1:<port>` (`http://csirt.batam.test:<port>` for
    /// [`spawn_public_app`]), without a trailing slash.
    pub base_url: String,
    pub client: reqwest::Client,
    /// An API token per role key of [`seed::ROLES`] (`admin`, `helpdesk`, `csirt`,
    /// `domain_officer`, `system_owner`, `system_owner_b`, `regional_secretary`, `auditor`).
    pub tokens: HashMap<&'static str, String>,
    pub clock: Arc<ManualClock>,
    pub store: Store,
    pub app: App,
    pub seed: Seed,
    /// The URL the app's store opened.
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    // Declared last: dropped after the server is told to stop.
    database: TestDatabase,
}

/// Boots the app over a fresh database of `backend`; `None` when PostgreSQL is not
/// configured (see the crate documentation).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// What a test app starts with: the rules that hold until a restart (limits, keys,
/// addresses) and the policy an admin may change (threshold, window, holidays, documents).
#[derive(Debug, Default)]
pub struct Start {
    pub rules: Rules,
    pub policy: Policy,
    /// Where the blobs are kept; `None`: the test's own directory.
    pub blobs: Option<BlobStore>,
    /// The listener the server takes, bound by the test beforehand (when something it
    /// starts first must know the server's address); `None`: a new one on a free port.
    pub listener: Option<tokio::net::TcpListener>,
}

/// [`spawn_app`] with its start changed by `configure` (threshold, window, holidays, limits).
/// `public_url` is set to the server's address after `configure` runs, unless `configure`
/// set one (e.g. an https address, for the cookie and HSTS rules of an https site).
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Start),
) -> Option<TestApp> {
    spawn_app_with_web(backend, configure, sigap_web::WebConfig::default()).await
}

/// [`spawn_app_with_web`] with the web layer's settings (body and connection limits) given.
pub async fn spawn_app_with_web(
    backend: Backend,
    configure: impl FnOnce(&mut Start),
    web: sigap_web::WebConfig,
) -> Option<TestApp> {
    spawn(backend, configure, web, None).await
}

/// The host name of [`spawn_public_app`]: a name the test client resolves to the server.
pub const PUBLIC_HOST: &str = "csirt.batam.test";

/// [`spawn_app_with`] as the public reaches it: the public URL is
/// `http://csirt.batam.test:<port>` ([`PUBLIC_HOST`]), not a loopback address, so that
/// documents and mail print their links; the test client resolves that name to the server.
pub async fn spawn_public_app(
    backend: Backend,
    configure: impl FnOnce(&mut Start),
) -> Option<TestApp> {
    spawn(
        backend,
        configure,
        sigap_web::WebConfig::default(),
        Some(PUBLIC_HOST),
    )
    .await
}

async fn spawn(
    backend: Backend,
    configure: impl FnOnce(&mut Start),
    web: sigap_web::WebConfig,
    public_host: Option<&str>,
) -> Option<TestApp> {
    let database = TestDatabase::create(backend).await?;
    let store = Store::open(&database.url, &StoreOptions::default())
        .await
        .expect("open the store");
    let clock = Arc::new(ManualClock::new(start_time()));
    let mut start = Start::default();
    start.rules.blocking.profiles = test_profiles();
    let default_url = start.rules.public_url.clone();
    configure(&mut start);
    let Start {
        mut rules,
        policy,
        blobs,
        listener,
    } = start;
    let listener = match listener {
        Some(listener) => listener,
        None => tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port"),
    };
    let address = listener.local_addr().expect("local address");
    let base_url = match public_host {
        Some(host) => format!("http://{host}:{}", address.port()),
        None => format!("http://{address}"),
    };
    let blobs = match blobs {
        Some(blobs) => blobs,
        None => BlobStore::new(database.dir.join("evidence")).expect("evidence directory"),
    };
    if rules.public_url == default_url {
        rules.public_url = base_url.clone();
    }
    let app = App::new(store, blobs, rules, policy, clock.clone());
    // The app's store: it seals the audit chain with the app's key.
    let store = app.store.clone();
    let seed = seed::seed(&app).await;
    let limits = web.connections;
    let router = sigap_web::router(app.clone(), web);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let stopped = async move {
            let _ = rx.await;
        };
        if let Err(e) = sigap_web::serve(listener, router, limits, stopped).await {
            eprintln!("test server stopped: {e}");
        }
    });
    let mut client = reqwest::Client::builder().no_proxy();
    if let Some(host) = public_host {
        client = client.resolve(host, address);
    }
    let client = client.build().expect("HTTP client");
    Some(TestApp {
        backend,
        base_url,
        client,
        tokens: seed.tokens.clone(),
        clock,
        store,
        app,
        seed,
        database_url: database.url.clone(),
        shutdown: Some(tx),
        database,
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The blocking profiles every test app has, as an operator's blocking file would define
/// them: `webhook-uji` (a webhook to an address no test reaches) and `nginx-uji` (a map
/// file no test writes). Tests that block through an adapter set their own.
pub fn test_profiles() -> sigap_app::workflow::blocking_profiles::BlockingProfiles {
    let parse = |adapter: &str, pairs: &[(&str, &str)]| {
        let params = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        sigap_block::AdapterConfig::parse(adapter, &params, &|_| Some("rahasia-uji".to_owned()))
            .expect("a test profile")
    };
    sigap_app::workflow::blocking_profiles::BlockingProfiles::from_configs([
        (
            "webhook-uji".to_owned(),
            parse(
                "webhook",
                &[
                    ("url", "https://blokir.batam.go.id/hook"),
                    ("secret_env", "SIGAP_ADAPTER_BLOCK_HOOK"),
                ],
            ),
        ),
        (
            "nginx-uji".to_owned(),
            parse("nginx", &[("map_file", "/nonexistent/sigap/blocked.map")]),
        ),
    ])
}

/// A submitted report: its number and the reporter's tracking token.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub number: String,
    pub tracking_token: String,
}

impl TestApp {
    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The app's current time (the test's clock).
    pub fn now(&self) -> DateTime<Utc> {
        use sigap_core::Clock;
        self.clock.now()
    }

    /// The API token of a role key; panics on an unknown key.
    pub fn token(&self, role: &str) -> &str {
        self.tokens
            .get(role)
            .unwrap_or_else(|| panic!("no token for role key `{role}`"))
    }

    /// The directory of this test's database and files.
    pub fn data_dir(&self) -> &PathBuf {
        &self.database.dir
    }

    /// `GET path` with an optional bearer token.
    pub async fn get(&self, token: Option<&str>, path: &str) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("GET")
    }

    /// The body of `GET path` as `role`, which must answer `200 OK` (a download).
    pub async fn download(&self, role: &str, path: &str) -> Vec<u8> {
        let response = self.get(Some(self.token(role)), path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path} as {role}");
        response.bytes().await.expect("the body").to_vec()
    }

    /// A request as `role` (its bearer token) with an optional JSON body.
    pub async fn send(
        &self,
        role: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(self.token(role));
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    /// `POST path` as `role` with a JSON body.
    pub async fn post(&self, role: &str, path: &str, body: &Value) -> Response {
        self.send(role, reqwest::Method::POST, path, Some(body))
            .await
    }

    /// `PUT path` as `role` with a JSON body.
    pub async fn put(&self, role: &str, path: &str, body: &Value) -> Response {
        self.send(role, reqwest::Method::PUT, path, Some(body))
            .await
    }

    /// The outcomes (`ok`, `refused:409`, …) of ticket `number`'s audit entries of
    /// `action`, newest first.
    pub async fn audit_outcomes(&self, number: &str, action: &str) -> Vec<String> {
        self.store
            .search_audit(&sigap_store::AuditFilter {
                ticket_number: Some(number.to_owned()),
                action: Some(action.to_owned()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.outcome)
            .collect()
    }

    /// `POST /api/v1/reports` with a JSON body.
    pub async fn submit_report(&self, report: &Value) -> Response {
        self.client
            .post(self.url("/api/v1/reports"))
            .json(report)
            .send()
            .await
            .expect("POST report")
    }

    /// `POST /api/v1/reports` as `multipart/form-data`.
    pub async fn submit_multipart(&self, form: reqwest::multipart::Form) -> Response {
        self.client
            .post(self.url("/api/v1/reports"))
            .multipart(form)
            .send()
            .await
            .expect("POST report")
    }

    /// Submits `report` and asserts `201`.
    pub async fn submit_ok(&self, report: &Value) -> Submitted {
        let response = self.submit_report(report).await;
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "submit: {body:#}");
        Submitted {
            number: body["ticket_number"]
                .as_str()
                .expect("ticket_number")
                .to_owned(),
            tracking_token: body["tracking_token"]
                .as_str()
                .expect("tracking_token")
                .to_owned(),
        }
    }

    /// `POST /api/v1/tickets/{number}/actions/{action}` with a JSON body and a raw token.
    pub async fn action(&self, token: &str, number: &str, action: &str, body: &Value) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/tickets/{number}/actions/{action}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST action")
    }

    /// The same action as `multipart/form-data`.
    pub async fn action_multipart(
        &self,
        token: &str,
        number: &str,
        action: &str,
        form: reqwest::multipart::Form,
    ) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/tickets/{number}/actions/{action}")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("POST action")
    }

    /// Performs an action as the role key `role`, asserts `200` and answers the ticket.
    pub async fn act(&self, role: &str, number: &str, action: &str, body: &Value) -> Value {
        let response = self.action(self.token(role), number, action, body).await;
        let (status, json) = read(response).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{role} {action} on {number}: {json:#}"
        );
        json
    }

    /// `GET /api/v1/tickets/{number}` with a raw token.
    pub async fn get_ticket(&self, token: &str, number: &str) -> Response {
        self.get(Some(token), &format!("/api/v1/tickets/{number}"))
            .await
    }

    /// The ticket as the role key `role` sees it; asserts `200`.
    pub async fn ticket(&self, role: &str, number: &str) -> Value {
        let (status, json) = read(self.get_ticket(self.token(role), number).await).await;
        assert_eq!(status, StatusCode::OK, "{role} GET {number}: {json:#}");
        json
    }

    /// `GET /api/v1/tickets` with query parameters, as the role key `role`; asserts `200`.
    pub async fn list(&self, role: &str, query: &[(&str, &str)]) -> Value {
        let url =
            url::Url::parse_with_params(&self.url("/api/v1/tickets"), query).expect("list URL");
        let response = self
            .client
            .get(url)
            .bearer_auth(self.token(role))
            .send()
            .await
            .expect("GET tickets");
        let (status, json) = read(response).await;
        assert_eq!(status, StatusCode::OK, "list {query:?}: {json:#}");
        json
    }

    /// Every ticket number the role key `role` can list with `query`, following cursors.
    pub async fn list_all_numbers(&self, role: &str, query: &[(&str, &str)]) -> Vec<String> {
        let mut numbers = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(c) = &cursor {
                q.push(("cursor", c));
            }
            let page = self.list(role, &q).await;
            numbers.extend(
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|t| t["number"].as_str().unwrap().to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return numbers,
            }
        }
    }

    /// The reporter's view with a tracking token.
    pub async fn reporter_view(&self, number: &str, tracking_token: &str) -> Response {
        self.client
            .get(self.url(&format!("/api/v1/reports/{number}")))
            .header("X-Tracking-Token", tracking_token)
            .send()
            .await
            .expect("GET reporter view")
    }

    /// The reporter posts a message with a tracking token.
    pub async fn reporter_message(
        &self,
        number: &str,
        tracking_token: &str,
        body: &Value,
    ) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/reports/{number}/messages")))
            .header("X-Tracking-Token", tracking_token)
            .json(body)
            .send()
            .await
            .expect("POST reporter message")
    }

    /// Drives a ticket along the high path with standard records until it is in `state`
    /// (or closed): validate (linking agency A's system when unlinked), assess high, block,
    /// notify, remediation (by the CSIRT on the agency's behalf), follow-up, review fixed,
    /// approval when asked, unblock, close. Answers the ticket as the CSIRT sees it.
    pub async fn drive(&self, number: &str, state: &str) -> Value {
        loop {
            let ticket = self.ticket("csirt", number).await;
            let current = ticket["state"].as_str().unwrap();
            if current == state || current == "closed" {
                assert_eq!(current, state, "{number} cannot reach `{state}`");
                return ticket;
            }
            let (role, action, body) = bodies::next_step(&ticket)
                .unwrap_or_else(|| panic!("{number} is `{current}`; it cannot reach `{state}`"));
            self.act(role, number, action, &body).await;
        }
    }

    /// Runs raw SQL on the test database over a connection of its own (for tampering with
    /// what the app must never let a user change).
    pub async fn execute_sql(&self, sql: &str) {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let path = self.database_url.trim_start_matches("sqlite://");
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .busy_timeout(std::time::Duration::from_secs(10));
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .expect("connect to SQLite");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("raw SQL");
                conn.close().await.expect("close");
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("raw SQL");
                conn.close().await.expect("close");
            }
        }
    }
}

/// The status and JSON body of a response (`Null` when the body is not JSON).
pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts that `response` is a problem document with `status` and answers its body.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    let got = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.expect("response body");
    assert_eq!(got, status, "body: {text}");
    assert_eq!(content_type, "application/problem+json", "body: {text}");
    let body: Value = serde_json::from_str(&text).expect("problem body is JSON");
    assert_eq!(body["status"], Value::from(status.as_u16()), "{body:#}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body:#}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body:#}"
    );
    body
}

/// The field names of a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The names in a ticket's `allowed_actions`.
pub fn allowed(ticket: &Value) -> Vec<String> {
    ticket["allowed_actions"]
        .as_array()
        .expect("allowed_actions")
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// The ticket number with sequence `seq` in 2026.
pub fn number(seq: u32) -> String {
    format!("BCSIRT-2026-{seq:05}")
}
