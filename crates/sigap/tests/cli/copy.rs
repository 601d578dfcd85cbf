//! `sigap store copy`: tickets walked on SQLite (evidence, documents, mail queued, the
//! audit chain) are copied into PostgreSQL with their files into S3; a server on the copy
//! continues the same tickets to `closed` with the same tokens, serves the copied files,
//! numbers the next report after the last one, and its audit chain verifies. A second run
//! finds everything done; a run after tables were lost copies those again; a target that
//! holds data of its own is refused.

use std::time::Duration;

use reqwest::StatusCode;
use sigap_testkit::remote::{PNG_1X1, Remote};
use sigap_testkit::s3::S3Server;
use sigap_testkit::{Backend, TestDatabase, spawn_app_with};
use sqlx::Connection;

use super::{free_port, wait_healthy};

const KEY: &str = "636f7079206f66206120626174616d20696e7374616c6c6174696f6e20202020";

fn copy_command(from: &str, to: &str, blobs: &[&str], s3: &S3Server) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"));
    cmd.args(["store", "copy", "--from", from, "--to", to])
        .args(blobs)
        .env("SIGAP_SECRET_KEY", KEY)
        .env_remove("SIGAP_DATABASE_URL")
        .env_remove("SIGAP_BLOB_URL");
    for (k, v) in s3.env() {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn count(url: &str, sql: &str) -> i64 {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut c)
        .await
        .unwrap()
}

async fn execute(url: &str, sql: &str) {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_from_sqlite_to_postgres() {
    let Some(target) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let Some(s3) = S3Server::start("sigap-pindah").await else {
        return;
    };
    // The installation on SQLite: three tickets at three steps.
    let key = sigap_app::identity::totp::SecretKey::from_hex(KEY).unwrap();
    let source = spawn_app_with(Backend::Sqlite, |start| start.rules.secret_key = key)
        .await
        .unwrap();
    let old = Remote::new(&source.base_url, source.tokens.clone());
    let file = ("bukti.png", PNG_1X1);
    let first = old
        .report("https://ppdb.disdik.batam.go.id/a", file)
        .await
        .unwrap();
    let second = old
        .report("https://ppdb.disdik.batam.go.id/b", file)
        .await
        .unwrap();
    let third = old
        .report("https://ppdb.disdik.batam.go.id/c", file)
        .await
        .unwrap();
    old.drive(&first, "remediating").await;
    old.drive(&second, "assessing").await;
    let from = source.database_url.clone();
    let blobs_from = format!("file://{}", source.data_dir().join("evidence").display());
    let blobs = [
        "--blobs-from",
        &blobs_from,
        "--blobs-to",
        &s3.url("pindahan"),
    ];

    let out = copy_command(&from, &target.url, &blobs, &s3);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("audit log intact on the target"), "{text}");
    assert!(text.contains("files copied"), "{text}");
    for table in [
        "tickets",
        "reports",
        "evidence",
        "documents",
        "audit_log",
        "step_records",
        "jobs",
    ] {
        let there = count(&target.url, &format!("SELECT COUNT(*) FROM {table}")).await;
        let here: i64 = {
            let mut c = sqlx::SqliteConnection::connect(&from).await.unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&mut c)
                .await
                .unwrap()
        };
        assert_eq!(there, here, "{table}");
        assert!(here > 0, "{table} is empty in the walk");
    }

    // Run again: nothing to do. Lose a table's rows and its mark, as a run cut short
    // would leave it: the next run copies it (the server below signs in with its tokens).
    let again = copy_command(&from, &target.url, &blobs, &s3);
    assert!(
        said(&again).contains("copied by an earlier run"),
        "{}",
        said(&again)
    );
    let tokens = count(&target.url, "SELECT COUNT(*) FROM api_tokens").await;
    assert!(tokens >= 8);
    execute(
        &target.url,
        "DELETE FROM api_tokens; DELETE FROM sigap_store_copy WHERE table_name = 'api_tokens'",
    )
    .await;
    let resumed = copy_command(&from, &target.url, &blobs, &s3);
    assert!(resumed.status.success(), "{}", said(&resumed));
    assert_eq!(
        count(&target.url, "SELECT COUNT(*) FROM api_tokens").await,
        tokens
    );

    // A database in use is refused, and left as it was.
    let Some(busy) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    execute(&busy.url, "SELECT 1").await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["agency", "add", "--code", "LAIN", "--name", "Lain"])
        .env("SIGAP_DATABASE_URL", &busy.url)
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_DATA_DIR", busy.dir.join("cli"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let refused = copy_command(&from, &busy.url, &blobs, &s3);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("empty database"),
        "{}",
        said(&refused)
    );
    assert_eq!(count(&busy.url, "SELECT COUNT(*) FROM tickets").await, 0);
    drop(source);

    continued_on_postgres(&target, &s3, &old, [&first, &second, &third]).await;
}

/// A server on the copy: the same tokens, the same tickets, the files from S3.
async fn continued_on_postgres(
    target: &TestDatabase,
    s3: &S3Server,
    old: &Remote,
    numbers: [&str; 3],
) {
    let port = free_port();
    let data = target.dir.join("server");
    std::fs::create_dir_all(&data).unwrap();
    let mut env: Vec<(String, String)> = vec![
        ("SIGAP_DATABASE_URL".into(), target.url.clone()),
        ("SIGAP_SECRET_KEY".into(), KEY.into()),
        ("SIGAP_BLOB_URL".into(), s3.url("pindahan")),
        ("SIGAP_LISTEN".into(), format!("127.0.0.1:{port}")),
        ("SIGAP_DATA_DIR".into(), data.display().to_string()),
        ("SIGAP_REPORTS_PER_HOUR".into(), "0".into()),
        ("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF".into(), "0".into()),
        ("SIGAP_PROOF".into(), "off".into()),
    ];
    env.extend(s3.env());
    let _server = tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        wait_healthy(&base).await,
        "the server on the copy did not start"
    );
    let new = Remote::new(&base, old.tokens.clone());
    let [first, second, third] = numbers;
    let ticket = new.ticket(third).await;
    let evidence = ticket["evidence"][0]["id"].as_i64().unwrap();
    let file = new
        .get(
            "csirt",
            &format!("/api/v1/tickets/{third}/evidence/{evidence}"),
        )
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().to_vec(), PNG_1X1);
    new.drive(first, "closed").await;
    new.drive(second, "closed").await;
    let next = new
        .report("https://ppdb.disdik.batam.go.id/d", ("bukti.png", PNG_1X1))
        .await
        .unwrap();
    let seq = |n: &str| n.rsplit('-').next().unwrap().parse::<u32>().unwrap();
    assert_eq!(seq(&next), seq(third) + 1, "{next} follows {third}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["audit", "verify"])
        .env("SIGAP_DATABASE_URL", &target.url)
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success() && said(&out).contains("intact"),
        "{}",
        said(&out)
    );
}
