//! `SIGAP_LOG_FORMAT=json`: a real `sigap serve` walks a report from the public form to
//! closed, with a reporter reading their ticket by the tracking token, a staff member
//! signing in with a password, mail going out and API tokens on every staff call. Every
//! line it wrote is a JSON object; each request has one access line with its id (the one
//! its `X-Request-Id` and a problem document show); and no line holds a secret of the walk:
//! not the tracking token, a password, an API token, a session or anti-CSRF cookie, nor
//! the reporter's e-mail address, name or telephone number.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::remote::Remote;
use sigap_testkit::{Backend, TestDatabase, seed};

const KEY: &str = "6c6f6773206f6620746865207465737420736572766572206f66207369676170";

/// The registries, users and tokens, written through the use cases under the server's key.
async fn seed_registries(url: &str, data: &Path) -> seed::Seed {
    let store = sigap_store::Store::open(url, &sigap_store::StoreOptions::default())
        .await
        .unwrap();
    let rules = sigap_app::Rules {
        secret_key: sigap_app::identity::totp::SecretKey::from_hex(KEY).unwrap(),
        ..sigap_app::Rules::default()
    };
    #[allow(clippy::disallowed_methods)] // the server runs on the real clock
    let clock = Arc::new(sigap_core::ManualClock::new(chrono::Utc::now()));
    let blobs = sigap_store::BlobStore::new(data.join("evidence")).unwrap();
    let app = sigap_app::App::new(store, blobs, rules, sigap_app::Policy::default(), clock);
    let seeded = seed::seed(&app).await;
    app.store.close().await;
    seeded
}

/// A new password for `email`, set with `sigap user reset-password`.
fn password_of(data: &Path, url: &str, email: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["user", "reset-password", "--email", email])
        .env("SIGAP_DATA_DIR", data)
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_DATABASE_URL", url)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    printed
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("{printed}{}", String::from_utf8_lossy(&out.stderr)))
        .to_owned()
}

fn cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}

/// Signs in on `/login` as a browser does; answers the secrets it saw (the password, the
/// anti-CSRF token and cookie, the session cookie).
async fn sign_in(base: &str, email: &str, password: &str) -> Vec<String> {
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(format!("{base}/login")).send().await.unwrap();
    let csrf_cookie = cookie(&page, "sigap_csrf");
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .append_pair("password", password)
        .append_pair("csrf_token", &token)
        .finish();
    let signed_in = browser
        .post(format!("{base}/login"))
        .header("Cookie", format!("sigap_csrf={csrf_cookie}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert!(
        signed_in.status().is_redirection(),
        "{}",
        signed_in.status()
    );
    let session = cookie(&signed_in, "sigap_session");
    let queue = browser
        .get(format!("{base}/tickets"))
        .header("Cookie", format!("sigap_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    vec![password.to_owned(), token, csrf_cookie, session]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_hold_one_line_per_request_and_no_secret() {
    let db = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let data = db.dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let sink = SmtpSink::start().await.unwrap();
    let port = super::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = data.join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .arg("serve")
        .env("SIGAP_DATA_DIR", &data)
        .env("SIGAP_DATABASE_URL", &db.url)
        .env("SIGAP_LISTEN", format!("127.0.0.1:{port}"))
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_SMTP_URL", sink.url())
        .env("SIGAP_PUBLIC_URL", &base)
        .env("SIGAP_REPORTS_PER_HOUR", "0")
        .env("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF", "0")
        .env("SIGAP_TOTP_REQUIRED_ROLES", "none")
        .env("SIGAP_PROOF", "off")
        .env(
            "SIGAP_LOG",
            "debug,sqlx=warn,hyper=info,h2=info,lettre=info",
        )
        .env("SIGAP_LOG_FORMAT", "json")
        .env_remove("SIGAP_SECRET_KEY_FILE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(out.try_clone().unwrap()))
        .stderr(std::process::Stdio::from(out))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    assert!(
        super::wait_healthy(&base).await,
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let seeded = seed_registries(&db.url, &data).await;
    let mut secrets: Vec<String> = seeded.tokens.values().cloned().collect();
    let front = Remote::new(&base, seeded.tokens.clone());

    // The reporter: a report, then their view of it by the tracking token (once also with
    // the token in a query string, where a careless log would print it).
    let report = sigap_testkit::valid_report();
    for field in ["reporter_email", "reporter_name", "reporter_phone"] {
        secrets.push(report[field].as_str().unwrap().to_owned());
    }
    let answer = front
        .client
        .post(format!("{base}/api/v1/reports"))
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let submitted: Value = answer.json().await.unwrap();
    let number = submitted["ticket_number"].as_str().unwrap().to_owned();
    let tracking = submitted["tracking_token"].as_str().unwrap().to_owned();
    secrets.push(tracking.clone());
    for path in [
        format!("/api/v1/reports/{number}"),
        format!("/api/v1/reports/{number}?tracking_token={tracking}"),
    ] {
        let view = front
            .client
            .get(format!("{base}{path}"))
            .header("X-Tracking-Token", &tracking)
            .send()
            .await
            .unwrap();
        assert_eq!(view.status(), StatusCode::OK, "{path}");
    }
    // A refusal: its problem document names the request's id.
    let missing = front
        .client
        .get(format!("{base}/api/v1/tickets/BCSIRT-2026-99999"))
        .bearer_auth(&seeded.tokens["csirt"])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing_id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    // Staff: a password sign-in, then the walk to the end through the API.
    let email = seed::ROLES.iter().find(|r| r.0 == "helpdesk").unwrap().1;
    let password = password_of(&data, &db.url, email);
    secrets.extend(sign_in(&base, email, &password).await);
    front.drive(&number, "closed").await;
    // The receipt, the help desk's notice and the steps' mail, sent by the worker.
    let started = Instant::now();
    while sink.received().len() < 3 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        sink.received().len() >= 3,
        "the worker sent {}",
        sink.received().len()
    );

    let pid = rustix::process::Pid::from_raw(server.id().unwrap() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .unwrap()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    check_log(&text, &secrets, &missing_id);
}

/// Every line is JSON; the access lines carry a request id, a route template and a status;
/// the refusal's id is on its access line; no secret is anywhere.
fn check_log(text: &str, secrets: &[String], missing_id: &str) {
    let mut access = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            entry["timestamp"].is_string() && entry["level"].is_string(),
            "{line}"
        );
        if entry["target"] == "sigap::access" {
            access += 1;
            let id = entry["request_id"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{line}");
            assert!(
                entry["route"]
                    .as_str()
                    .is_some_and(|r| r.starts_with('/') || r == "unmatched"),
                "{line}"
            );
            assert!(entry["status"].as_u64().is_some(), "{line}");
        }
    }
    // healthz, the report, its two views, the refusal, the sign-in (3), the walk (19).
    assert!(access >= 27, "{access} access lines in\n{text}");
    let refusal = text
        .lines()
        .find(|l| l.contains(missing_id) && l.contains("sigap::access"))
        .unwrap_or_else(|| panic!("no access line of {missing_id}"));
    assert!(refusal.contains("\"status\":404"), "{refusal}");
    assert!(
        refusal.contains("/api/v1/tickets/{ticket_number}"),
        "{refusal}"
    );
    for secret in secrets {
        assert!(secret.len() >= 8, "{secret}");
        if let Some(line) = text.lines().find(|l| l.contains(secret.as_str())) {
            panic!("a secret of the walk is in the log: {line}");
        }
    }
}
