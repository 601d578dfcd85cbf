//! `sigap doctor` on a deployment as an operator meets it: nothing installed yet (it makes
//! nothing), a working installation with an SMTP server, then what goes wrong in real life
//! (a blocking adapter whose nginx folder is gone, a mail server that does not answer, an
//! OpenID provider that is not there, another server key), each named with its fix.

use std::path::Path;

use serde_json::Value;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::{Backend, TestDatabase};

use super::{ok, sigap, sigap_bare};

sigap_testkit::on_both_backends! {
    sigap_testkit::TestDatabase::create;
    doctor_checks_a_deployment: sqlite_doctor_checks_a_deployment,
        postgres_doctor_checks_a_deployment;
}

/// Runs `sigap doctor --json` with the settings `env`; answers its exit code and report.
async fn doctor(data: &Path, db: Option<&str>, env: &[(&str, String)]) -> (i32, Value) {
    let mut cmd = sigap_bare(data, db);
    cmd.args(["doctor", "--json"]);
    if db.is_some() {
        // The shared key file the other commands of this test were given (`sigap_with_key`).
        cmd.env("SIGAP_SECRET_KEY_FILE", data.join("shared.key"));
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = tokio::process::Command::from(cmd).output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// The row named `name`.
fn row<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check `{name}` in {report:#}"))
}

fn status<'a>(report: &'a Value, name: &str) -> &'a str {
    row(report, name)["status"].as_str().unwrap()
}

fn detail<'a>(report: &'a Value, name: &str) -> &'a str {
    row(report, name)["detail"].as_str().unwrap()
}

async fn doctor_checks_a_deployment(db: TestDatabase) {
    let url = (db.backend == Backend::Postgres).then_some(db.url.as_str());
    let data = db.dir.as_path();
    if url.is_some() {
        std::fs::write(data.join("shared.key"), format!("{}\n", "5a".repeat(32))).unwrap();
    }

    // Nothing installed: the database is missing (SQLite) or not migrated (PostgreSQL),
    // and the doctor makes nothing.
    let (code, report) = doctor(data, url, &[]).await;
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["status"], "fail");
    assert_eq!(status(&report, "database"), "fail");
    if url.is_none() {
        assert!(
            detail(&report, "database").contains("does not exist"),
            "{report:#}"
        );
        assert_eq!(status(&report, "server key"), "fail");
        assert!(!data.join("sigap.db").exists() && !data.join("secret.key").exists());
    } else {
        assert!(
            detail(&report, "database").contains("schema 0 of"),
            "{report:#}"
        );
        assert!(
            detail(&report, "database").contains("not migrated"),
            "{report:#}"
        );
    }
    assert_eq!(status(&report, "procedure"), "warn");
    assert!(
        row(&report, "database")["fix"]
            .as_str()
            .unwrap()
            .contains("sigap serve")
    );

    // An installation: the first commands migrate it and (SQLite) make its key.
    ok(&sigap(
        data,
        url,
        &[
            "agency",
            "add",
            "--code",
            "DISKOMINFO",
            "--name",
            "Diskominfo",
        ],
    ));
    ok(&sigap(
        data,
        url,
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
    let sink = SmtpSink::start().await.unwrap();
    #[allow(clippy::disallowed_methods)]
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let healthy = vec![
        (
            "SIGAP_SMTP_URL",
            format!("smtp://sigap:rahasia@{}", sink.addr()),
        ),
        ("SIGAP_HOLIDAYS", format!("{year}-08-17,{}-01-01", year + 1)),
        ("SIGAP_CHROMIUM", "/nonexistent/chromium".to_owned()),
        ("SIGAP_PUBLIC_URL", "http://127.0.0.1:8080".to_owned()),
    ];
    // The OpenID provider staff sign in with: the real one of the sign-in tests.
    let provider = if sigap_testkit::oidc::provider_installed() {
        let setup = sigap_testkit::oidc::ProviderSetup {
            clients: None,
            accounts: serde_json::json!([{"sub": "a", "email": "a@batam.go.id", "email_verified": true}]),
            id_token_ttl: None,
        };
        let client = sigap_testkit::oidc::sigap_client(
            sigap_testkit::oidc::CLIENT_ID,
            "http://127.0.0.1:8080",
        );
        Some(sigap_testkit::oidc::start_provider(&serde_json::json!([client]), &setup).await)
    } else {
        None
    };
    let mut healthy = healthy;
    if let Some(provider) = &provider {
        healthy.extend([
            ("SIGAP_OIDC_ISSUER", provider.issuer.clone()),
            (
                "SIGAP_OIDC_CLIENT_ID",
                sigap_testkit::oidc::CLIENT_ID.to_owned(),
            ),
            (
                "SIGAP_OIDC_CLIENT_SECRET",
                sigap_testkit::oidc::CLIENT_SECRET.to_owned(),
            ),
        ]);
    }
    let (code, report) = doctor(data, url, &healthy).await;
    if provider.is_some() {
        assert!(
            detail(&report, "sso").contains("discovery document and 1 signing key"),
            "{report:#}"
        );
    }
    // Every check but the disk's, which is this machine's, passes or warns.
    let disk_full = status(&report, "disk") == "fail";
    assert_eq!(code, i32::from(disk_full), "{report:#}");
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail" && c["name"] != "disk")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(detail(&report, "disk").contains("GiB free"), "{report:#}");
    for name in [
        "settings",
        "database",
        "server key",
        "holidays",
        "security.txt",
        "smtp",
        "sso",
    ] {
        assert_eq!(status(&report, name), "ok", "{name}: {report:#}");
    }
    assert!(detail(&report, "server key").contains("opens the 0 stored TOTP secrets"));
    assert!(
        detail(&report, "holidays").starts_with("1 for"),
        "{report:#}"
    );
    assert!(
        detail(&report, "smtp").contains("nothing sent"),
        "{report:#}"
    );
    assert!(
        !detail(&report, "smtp").contains("rahasia"),
        "the password is not shown"
    );
    assert_eq!(sink.count(), 0, "no mail is sent");
    assert_eq!(
        status(&report, "audit chain"),
        "warn",
        "no worker checked it yet"
    );
    assert_eq!(
        status(&report, "public url"),
        "warn",
        "plain http on loopback"
    );
    assert_eq!(status(&report, "chromium"), "warn");
    assert_eq!(status(&report, "blocking"), "ok");
    let expected = if url.is_some() { "warn" } else { "ok" };
    assert_eq!(status(&report, "blob store"), expected, "{report:#}");

    // What goes wrong: an nginx map file whose folder is gone, a mail server that does not
    // answer, an OpenID provider that is not there, a public URL in plain http.
    ok(&sigap(
        data,
        url,
        &[
            "system",
            "set-blocking",
            "--domain",
            "portal.batam.go.id",
            "--adapter",
            "nginx",
            "--param",
            "map_file=/nonexistent/sigap/blocked.map",
            "--param",
            "test_command=/bin/true",
        ],
    ));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut broken: Vec<(&str, String)> = healthy
        .iter()
        .filter(|(name, _)| !name.starts_with("SIGAP_OIDC_"))
        .cloned()
        .collect();
    broken[0].1 = format!("smtp://127.0.0.1:{closed_port}");
    broken.extend([
        (
            "SIGAP_OIDC_ISSUER",
            format!("http://127.0.0.1:{closed_port}"),
        ),
        ("SIGAP_OIDC_CLIENT_ID", "sigap".to_owned()),
        ("SIGAP_OIDC_CLIENT_SECRET", "rahasia-klien".to_owned()),
    ]);
    broken[3].1 = "http://csirt.batam.go.id".to_owned();
    let (code, report) = doctor(data, url, &broken).await;
    assert_eq!(code, 1, "{report:#}");
    let blocking = "blocking: Portal (DISKOMINFO)";
    assert_eq!(status(&report, blocking), "fail", "{report:#}");
    assert!(
        detail(&report, blocking).contains("/nonexistent/sigap"),
        "{report:#}"
    );
    assert_eq!(status(&report, "smtp"), "fail");
    assert!(
        row(&report, "smtp")["fix"]
            .as_str()
            .unwrap()
            .contains("SIGAP_SMTP_URL")
    );
    assert_eq!(status(&report, "sso"), "fail");
    assert_eq!(status(&report, "public url"), "fail");
    assert!(
        detail(&report, "public url").contains("plain http"),
        "{report:#}"
    );

    // Another server key: the audit log was sealed under the first one.
    let mut cmd_env = healthy.clone();
    cmd_env.push(("SIGAP_SECRET_KEY", "17".repeat(32)));
    let mut cmd = sigap_bare(data, url);
    cmd.args(["doctor"]);
    for (name, value) in &cmd_env {
        cmd.env(name, value);
    }
    let out = tokio::process::Command::from(cmd).output().await.unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    let line = table
        .lines()
        .find(|l| l.starts_with("server key"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains("fail") && line.contains("sealed under the key"),
        "{table}"
    );
    assert!(
        table.contains("fix: start sigap with the SIGAP_SECRET_KEY"),
        "{table}"
    );
    assert!(table.trim_end().ends_with("fail"), "{table}");
}
