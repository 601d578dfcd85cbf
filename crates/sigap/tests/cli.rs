//! The command line as an operator uses it: registries, tokens, the audit chain (and its
//! tampering), backup and restore, `serve --demo` answering `/healthz`, and `sigap worker`
//! sending the mail that `serve` queued, a message kept once by a server killed before it
//! could commit it (`cli/mail_kill.rs`), a server stopped in the middle of a backlog of
//! mail that sends no message twice (`cli/shutdown.rs`), two instances behind nginx on
//! PostgreSQL and S3 (`cli/cluster.rs`), an installation moved from SQLite to PostgreSQL
//! (`cli/copy.rs`), backup and restore on PostgreSQL with files in S3 (`cli/backup_pg.rs`),
//! the systemd unit (`cli/deploy.rs`), JSON logs of a walk without a secret in them
//! (`cli/logs.rs`), request spans sent to an OTLP collector (`cli/traces.rs`), `sigap doctor`
//! on a deployment (`cli/doctor.rs`), single sign-on's command and settings (`cli/sso.rs`).
//! On SQLite, and on PostgreSQL when
//! `SIGAP_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use sigap_testkit::{Backend, TestDatabase};

#[path = "cli/backup_pg.rs"]
mod backup_pg;
#[path = "cli/cluster.rs"]
mod cluster;
#[path = "cli/copy.rs"]
mod copy;
#[path = "cli/deploy.rs"]
mod deploy;
#[path = "cli/doctor.rs"]
mod doctor;
#[path = "cli/logs.rs"]
mod logs;
#[path = "cli/mail_kill.rs"]
mod mail_kill;
#[path = "cli/shutdown.rs"]
mod shutdown;
#[path = "cli/sso.rs"]
mod sso;
#[path = "cli/traces.rs"]
mod traces;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sigap-cli-{tag}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(1);
    h.finish()
}

/// Runs `sigap ARGS` against a data dir (and database URL, if any).
fn sigap(data: &Path, db: Option<&str>, args: &[&str]) -> Output {
    sigap_with_key(data, db, None, args)
}

/// `sigap` with `SIGAP_SECRET_KEY` set, or else reading a key file: on SQLite the data
/// directory's own, on PostgreSQL (which refuses that one) the operator's shared key file
/// `shared.key` beside it, given with `SIGAP_SECRET_KEY_FILE`.
fn sigap_with_key(data: &Path, db: Option<&str>, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = sigap_bare(data, db);
    cmd.args(args);
    if let Some(key) = key {
        cmd.env("SIGAP_SECRET_KEY", key);
    } else if db.is_some() {
        let shared = data.join("shared.key");
        if !shared.exists() {
            std::fs::create_dir_all(data).unwrap();
            std::fs::write(&shared, format!("{}\n", "5a".repeat(32))).unwrap();
        }
        cmd.env("SIGAP_SECRET_KEY_FILE", shared);
    }
    cmd.output().unwrap()
}

/// `sigap` over a data dir (and database URL), with no key given.
fn sigap_bare(data: &Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigap"));
    cmd.env("SIGAP_DATA_DIR", data)
        .env_remove("SIGAP_DATABASE_URL")
        .env_remove("SIGAP_SECRET_KEY")
        .env_remove("SIGAP_SECRET_KEY_FILE")
        .env_remove("SIGAP_BLOB_URL")
        .stdin(Stdio::null());
    if let Some(url) = db {
        cmd.env("SIGAP_DATABASE_URL", url);
    }
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "succeeded but should not: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err}"
    );
    err
}

fn registries_and_tokens(data: &Path, db: Option<&str>) {
    ok(&sigap(
        data,
        db,
        &[
            "agency",
            "add",
            "--code",
            "DISKOMINFO",
            "--name",
            "Dinas Komunikasi dan Informatika",
            "--email",
            "diskominfo@batam.go.id",
        ],
    ));
    let dup = fails(&sigap(
        data,
        db,
        &["agency", "add", "--code", "diskominfo", "--name", "Lagi"],
    ));
    assert!(
        dup.contains("DISKOMINFO") && dup.contains("already registered"),
        "{dup}"
    );
    let sys = ok(&sigap(
        data,
        db,
        &[
            "system",
            "add",
            "--agency",
            "DISKOMINFO",
            "--name",
            "Portal",
            "--domain",
            "portal.batam.go.id",
        ],
    ));
    assert!(sys.contains("portal.batam.go.id"), "{sys}");
    let bad = fails(&sigap(
        data,
        db,
        &[
            "system",
            "add",
            "--agency",
            "NOPE",
            "--name",
            "X",
            "--domain",
            "x.batam.go.id",
        ],
    ));
    assert!(bad.contains("agency"), "{bad}");
    let user = ok(&sigap(
        data,
        db,
        &[
            "user",
            "add",
            "--email",
            "a@batam.go.id",
            "--name",
            "Analis",
            "--role",
            "csirt",
        ],
    ));
    assert!(user.contains("password: "), "{user}");
    let owner = fails(&sigap(
        data,
        db,
        &[
            "user",
            "add",
            "--email",
            "o@batam.go.id",
            "--name",
            "O",
            "--role",
            "system_owner",
        ],
    ));
    assert!(owner.contains("agency"), "{owner}");
    let token = ok(&sigap(
        data,
        db,
        &["token", "create", "--email", "a@batam.go.id"],
    ));
    assert!(token.trim().starts_with("sgp_"), "{token}");
    let disabled = ok(&sigap(
        data,
        db,
        &["user", "disable", "--email", "A@batam.go.id"],
    ));
    assert!(disabled.contains("a@batam.go.id disabled"), "{disabled}");
    let unknown = fails(&sigap(
        data,
        db,
        &["user", "disable", "--email", "siapa@batam.go.id"],
    ));
    assert!(unknown.contains("no user"), "{unknown}");
    let enabled = ok(&sigap(
        data,
        db,
        &["user", "enable", "--email", "a@batam.go.id"],
    ));
    assert!(enabled.contains("a@batam.go.id enabled"), "{enabled}");
    ok(&sigap(
        data,
        db,
        &[
            "system",
            "set-blocking",
            "--domain",
            "portal.batam.go.id",
            "--adapter",
            "manual",
        ],
    ));
    fails(&sigap(
        data,
        db,
        &[
            "system",
            "set-blocking",
            "--domain",
            "portal.batam.go.id",
            "--adapter",
            "dnsmagic",
        ],
    ));
    // Seven changes, and the three refusals of the registries (the system of an unknown
    // agency, the owner without an agency, the unknown user), sealed with the key file.
    let verify = ok(&sigap(data, db, &["audit", "verify"]));
    assert!(
        verify.contains("intact") && verify.contains("10 entries"),
        "{verify}"
    );
    let nothing = ok(&sigap(data, db, &["audit", "seal"]));
    assert!(nothing.contains("nothing to seal"), "{nothing}");
    // Under another key the chain does not verify, and neither the server nor the worker
    // starts on it; nothing is appended.
    let other = "22".repeat(32);
    let refused = fails(&sigap_with_key(
        data,
        db,
        Some(&other),
        &["audit", "verify"],
    ));
    assert!(refused.contains("SIGAP_SECRET_KEY"), "{refused}");
    for args in [&["serve", "--listen", "127.0.0.1:0"][..], &["worker"]] {
        let out = sigap_with_key(data, db, Some(&other), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started under another key");
        assert!(err.contains("sealed under the key"), "{args:?}: {err}");
    }
    let verify = ok(&sigap(data, db, &["audit", "verify"]));
    assert!(verify.contains("10 entries"), "{verify}");
}

sigap_testkit::on_both_backends! {
    sigap_testkit::TestDatabase::create;
    registries_tokens_and_audit: sqlite_registries_tokens_and_audit,
        postgres_registries_tokens_and_audit;
}

/// The registries, the tokens and the audit log through the command line; on SQLite the
/// database is the data directory's own, as an operator's first run makes it.
async fn registries_tokens_and_audit(db: TestDatabase) {
    let url = (db.backend == Backend::Postgres).then_some(db.url.as_str());
    if let Some(url) = url {
        // On PostgreSQL no instance makes a key of its own: it is told what to set, and
        // makes no key file.
        let out = sigap_bare(&db.dir, Some(url))
            .args(["agency", "add", "--code", "X1", "--name", "X"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started without a shared key");
        assert!(
            err.contains("SIGAP_SECRET_KEY") && err.contains("same key on every instance"),
            "{err}"
        );
        assert!(!db.dir.join("secret.key").exists());
    }
    registries_and_tokens(&db.dir, url);
}

#[tokio::test]
async fn audit_verify_names_the_altered_entry() {
    let data = temp_dir("tamper");
    ok(&sigap(
        &data,
        None,
        &["agency", "add", "--code", "A1", "--name", "Satu"],
    ));
    ok(&sigap(
        &data,
        None,
        &["agency", "add", "--code", "A2", "--name", "Dua"],
    ));
    ok(&sigap(
        &data,
        None,
        &["agency", "add", "--code", "A3", "--name", "Tiga"],
    ));
    ok(&sigap(&data, None, &["audit", "verify"]));
    let url = format!("sqlite://{}", data.join("sigap.db").display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let err = fails(&sigap(&data, None, &["audit", "verify"]));
    assert!(err.contains("entry 2") && err.contains("altered"), "{err}");
}

#[test]
fn backup_and_restore_bring_back_the_data() {
    let data = temp_dir("backup");
    ok(&sigap(
        &data,
        None,
        &[
            "agency",
            "add",
            "--code",
            "DINKES",
            "--name",
            "Dinas Kesehatan",
        ],
    ));
    let out = data.join("copy.db");
    ok(&sigap(
        &data,
        None,
        &["backup", "--out", out.to_str().unwrap()],
    ));
    fails(&sigap(
        &data,
        None,
        &["backup", "--out", out.to_str().unwrap()],
    ));
    ok(&sigap(
        &data,
        None,
        &[
            "agency",
            "add",
            "--code",
            "DISDIK",
            "--name",
            "Dinas Pendidikan",
        ],
    ));
    ok(&sigap(&data, None, &["restore", out.to_str().unwrap()]));
    // DISDIK was added after the backup: it is gone, and can be added again.
    ok(&sigap(
        &data,
        None,
        &[
            "agency",
            "add",
            "--code",
            "DISDIK",
            "--name",
            "Dinas Pendidikan",
        ],
    ));
    fails(&sigap(
        &data,
        None,
        &[
            "agency",
            "add",
            "--code",
            "DINKES",
            "--name",
            "Dinas Kesehatan",
        ],
    ));
    ok(&sigap(&data, None, &["audit", "verify"]));
}

#[test]
fn bad_settings_are_one_line_errors() {
    let data = temp_dir("bad");
    let out = Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["audit", "verify"])
        .env("SIGAP_DATABASE_URL", "mysql://nope")
        .env("SIGAP_DATA_DIR", &data)
        .output()
        .unwrap();
    let err = fails(&out);
    assert!(
        err.contains("sqlite://") && err.contains("postgres://"),
        "{err}"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(base: &str) -> bool {
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Starts `serve --demo`, waits for health, stops it, and answers its standard output.
async fn serve_demo(data: &Path) -> String {
    let port = free_port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["serve", "--demo"])
        .env("SIGAP_DATA_DIR", data)
        .env("SIGAP_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("SIGAP_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        wait_healthy(&base).await,
        "the demo server did not become healthy"
    );
    let agencies = reqwest::get(format!("{base}/api/v1/agencies"))
        .await
        .unwrap();
    assert_eq!(agencies.status(), 401);
    child.start_kill().unwrap();
    let out = child.wait_with_output().await.unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn serve_demo_loads_once_and_prints_the_accounts() {
    let data = temp_dir("demo");
    let first = serve_demo(&data).await;
    assert!(first.contains("demo data loaded"), "{first}");
    for role in [
        "admin",
        "helpdesk",
        "csirt",
        "domain_officer",
        "system_owner",
        "regional_secretary",
        "auditor",
    ] {
        assert!(first.contains(role), "no {role} account printed: {first}");
    }
    let second = serve_demo(&data).await;
    assert!(second.contains("already loaded"), "{second}");
    let verify = ok(&sigap(&data, None, &["audit", "verify"]));
    assert!(verify.contains("intact"), "{verify}");
}

/// Spawns `sigap ARGS` over `data` with `env`, killed when dropped.
fn spawn(data: &Path, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(args)
        .env("SIGAP_DATA_DIR", data)
        .env_remove("SIGAP_DATABASE_URL")
        .env_remove("SIGAP_SMTP_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn the_worker_sends_the_mail_serve_queued() {
    let data = temp_dir("worker");
    ok(&sigap(
        &data,
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
    // `serve` without a mail server takes a report and queues its mail.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = spawn(&data, &["serve"], &[("SIGAP_LISTEN", &listen)]);
    let base = format!("http://{listen}");
    assert!(
        wait_healthy(&base).await,
        "the server did not become healthy"
    );
    let report = serde_json::json!({
        "reporter_name": "Budi Santoso",
        "reporter_email": "budi@example.com",
        "severity": "high",
        "vulnerability_type": "CWE-89",
        "target": "https://portal.batam.go.id/cari",
        "proof_of_concept": "' OR 1=1 --",
        "evidence_text": "HTTP/1.1 500 SQL syntax error",
    });
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/v1/reports"))
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    server.start_kill().unwrap();
    server.wait().await.unwrap();

    // `sigap worker` sends it.
    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let smtp = sink.url();
    let _worker = spawn(
        &data,
        &["worker"],
        &[("SIGAP_SMTP_URL", &smtp), ("SIGAP_LISTEN", &listen)],
    );
    let mail = sink.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 2, "the receipt and the new-report notice");
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.rcpt_to.clone()).collect();
    to.sort();
    assert_eq!(to, ["analis@kominfo.batam.go.id", "budi@example.com"]);
}

#[test]
fn tokens_are_scoped_listed_and_revoked() {
    let data = temp_dir("tokens");
    ok(&sigap(
        &data,
        None,
        &[
            "user",
            "add",
            "--email",
            "ops@kominfo.batam.go.id",
            "--name",
            "Ops",
            "--role",
            "csirt",
        ],
    ));
    let bad = fails(&sigap(
        &data,
        None,
        &[
            "token",
            "create",
            "--email",
            "ops@kominfo.batam.go.id",
            "--expires-in",
            "soon",
        ],
    ));
    assert!(bad.contains("expires_in"), "{bad}");
    let bad = fails(&sigap(
        &data,
        None,
        &[
            "token",
            "create",
            "--email",
            "ops@kominfo.batam.go.id",
            "--scope",
            "write",
        ],
    ));
    assert!(bad.contains("scopes"), "{bad}");
    let token = ok(&sigap(
        &data,
        None,
        &[
            "token",
            "create",
            "--email",
            "ops@kominfo.batam.go.id",
            "--label",
            "siem",
            "--expires-in",
            "90d",
            "--scope",
            "read",
            "--scope",
            "act",
        ],
    ));
    assert!(token.trim().starts_with("sgp_"), "{token}");
    let list = ok(&sigap(&data, None, &["token", "list"]));
    let line = list.lines().find(|l| l.contains("siem")).unwrap();
    assert!(
        line.contains("read,act") && line.contains("active"),
        "{line}"
    );
    assert!(!line.contains("expires -"), "an expiry is set: {line}");
    assert!(!list.contains(token.trim()), "never the secret");
    let id = line.split('\t').next().unwrap();
    let revoked = ok(&sigap(&data, None, &["token", "revoke", "--id", id]));
    assert!(revoked.contains("revoked"), "{revoked}");
    let list = ok(&sigap(
        &data,
        None,
        &["token", "list", "--email", "ops@kominfo.batam.go.id"],
    ));
    assert!(list.contains("\trevoked\t"), "{list}");
    let missing = fails(&sigap(&data, None, &["token", "revoke", "--id", "999"]));
    assert!(missing.contains("not found"), "{missing}");
    let reset = ok(&sigap(
        &data,
        None,
        &[
            "user",
            "reset-password",
            "--email",
            "ops@kominfo.batam.go.id",
        ],
    ));
    assert!(reset.contains("password: "), "{reset}");
}

/// Runs `serve --demo` listening on `listen` and answers its output once it exits; a
/// server that keeps running instead is killed after ten seconds and fails the test.
async fn serve_demo_exit(data: &Path, listen: &str) -> Output {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["serve", "--demo"])
        .env("SIGAP_DATA_DIR", data)
        .env("SIGAP_LISTEN", listen)
        .env_remove("SIGAP_DATABASE_URL")
        .env_remove("SIGAP_PUBLIC_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("serve --demo on {listen} kept running"))
        .unwrap()
}

#[tokio::test]
async fn serve_demo_refuses_a_public_address_and_a_real_database() {
    let data = temp_dir("demo-guard");
    let out = serve_demo_exit(&data, &format!("0.0.0.0:{}", free_port())).await;
    let err = fails(&out);
    assert!(err.contains("--demo-public"), "{err}");

    ok(&sigap(
        &data,
        None,
        &[
            "user",
            "add",
            "--email",
            "real@kominfo.batam.go.id",
            "--name",
            "Real",
            "--role",
            "admin",
        ],
    ));
    let out = serve_demo_exit(&data, &format!("127.0.0.1:{}", free_port())).await;
    assert!(
        !out.status.success(),
        "the demo refuses a database with real users"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not the demo's"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("demo data loaded"),
        "nothing loaded"
    );
}

#[tokio::test]
async fn serve_warns_of_a_plain_http_public_url_on_a_public_host() {
    let data = temp_dir("http-warning");
    let listen = format!("127.0.0.1:{}", free_port());
    let start = |public_url: &str| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
            .args(["serve"])
            .env("SIGAP_DATA_DIR", &data)
            .env("SIGAP_LISTEN", &listen)
            .env("SIGAP_PUBLIC_URL", public_url)
            .env("NO_COLOR", "1")
            .env_remove("SIGAP_DATABASE_URL")
            .env_remove("SIGAP_SMTP_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    let base = format!("http://{listen}");
    for (public_url, warned) in [
        ("http://sigap.batam.go.id", true),
        ("https://sigap.batam.go.id", false),
        ("http://127.0.0.1:8080", false),
    ] {
        let mut server = start(public_url);
        assert!(wait_healthy(&base).await, "the server did not start");
        server.start_kill().unwrap();
        let out = server.wait_with_output().await.unwrap();
        // The log goes to standard output, the errors to standard error.
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(log.contains("plain http"), warned, "{public_url}: {log}");
    }
}
