//! `sigap backup` and `sigap restore` on PostgreSQL with the files in S3: a walked ticket's
//! database is dumped from a snapshot with the list of the files its rows name, the files
//! copied out of the bucket into a directory; restored into a new database with the files
//! put into another prefix, a server on it serves the same ticket and file, numbers the
//! next report after the last one, and its audit chain verifies. A restore into a database
//! that holds a sigap is refused, and one without its files says so.

use std::process::Output;

use reqwest::StatusCode;
use sigap_testkit::remote::{PNG_1X1, Remote};
use sigap_testkit::s3::S3Server;
use sigap_testkit::{Backend, TestDatabase, spawn_app_with};

use super::{free_port, wait_healthy};

const KEY: &str = "6261636b7570206f662061207369676170206f6e20706f737467726573710a0a";

fn sigap(
    db_url: &str,
    blob_url: &str,
    s3: &S3Server,
    data: &std::path::Path,
    args: &[&str],
) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"));
    cmd.args(args)
        .env("SIGAP_DATABASE_URL", db_url)
        .env("SIGAP_BLOB_URL", blob_url)
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_DATA_DIR", data)
        .env_remove("SIGAP_SECRET_KEY_FILE");
    for (k, v) in s3.env() {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_installation_is_backed_up_and_restored_with_its_files() {
    let Some(s3) = S3Server::start("sigap-cadangan").await else {
        return;
    };
    let key = sigap_app::identity::totp::SecretKey::from_hex(KEY).unwrap();
    let blobs = s3.blob_store("hidup");
    let Some(live) = spawn_app_with(Backend::Postgres, |start| {
        start.rules.secret_key = key;
        start.blobs = Some(blobs);
    })
    .await
    else {
        return;
    };
    let old = Remote::new(&live.base_url, live.tokens.clone());
    let number = old
        .report("https://ppdb.disdik.batam.go.id/a", ("bukti.png", PNG_1X1))
        .await
        .unwrap();
    old.drive(&number, "remediating").await;

    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("sigap.dump");
    let files = format!("file://{}", dir.path().join("berkas").display());
    let out = sigap(
        &live.database_url,
        &s3.url("hidup"),
        &s3,
        dir.path(),
        &[
            "backup",
            "--out",
            &dump.to_string_lossy(),
            "--blobs-out",
            &files,
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    let list = std::fs::read_to_string(dir.path().join("sigap.dump.blobs")).unwrap();
    let names: Vec<&str> = list.lines().collect();
    let named = live.store.referenced_blobs().await.unwrap();
    assert_eq!(names.len(), named.len(), "{list}");
    assert!(names.len() >= 2, "the picture and the minutes: {list}");
    for name in &names {
        let path = dir
            .path()
            .join("berkas")
            .join(&name[..2])
            .join(&name[2..4])
            .join(name);
        assert!(path.is_file(), "{name} was not copied out");
    }
    // Not into a database that holds a sigap.
    let refused = sigap(
        &live.database_url,
        &s3.url("hidup"),
        &s3,
        dir.path(),
        &["restore", &dump.to_string_lossy()],
    );
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("new, empty database"),
        "{}",
        said(&refused)
    );

    let Some(fresh) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    // Without its files the restore says what is missing.
    let bare = sigap(
        &fresh.url,
        &s3.url("kosong"),
        &s3,
        dir.path(),
        &["restore", &dump.to_string_lossy()],
    );
    assert!(!bare.status.success());
    assert!(said(&bare).contains("--blobs-from"), "{}", said(&bare));
    let Some(fresh) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let restored = sigap(
        &fresh.url,
        &s3.url("pulih"),
        &s3,
        dir.path(),
        &["restore", &dump.to_string_lossy(), "--blobs-from", &files],
    );
    assert!(restored.status.success(), "{}", said(&restored));
    assert_eq!(s3.keys("pulih").await.len(), names.len());
    drop(live);

    let port = free_port();
    let data = dir.path().join("server");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"));
    server
        .arg("serve")
        .env("SIGAP_DATABASE_URL", &fresh.url)
        .env("SIGAP_BLOB_URL", s3.url("pulih"))
        .env("SIGAP_SECRET_KEY", KEY)
        .env("SIGAP_DATA_DIR", &data)
        .env("SIGAP_LISTEN", format!("127.0.0.1:{port}"))
        .env("SIGAP_REPORTS_PER_HOUR", "0")
        .env("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (k, v) in s3.env() {
        server.env(k, v);
    }
    let _server = tokio::process::Command::from(server)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        wait_healthy(&base).await,
        "the restored server did not start"
    );
    let new = Remote::new(&base, old.tokens.clone());
    let ticket = new.ticket(&number).await;
    assert_eq!(ticket["state"], "remediating");
    let evidence = ticket["evidence"][0]["id"].as_i64().unwrap();
    let file = new
        .get(
            "csirt",
            &format!("/api/v1/tickets/{number}/evidence/{evidence}"),
        )
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.bytes().await.unwrap() == PNG_1X1, "the file as sent");
    new.drive(&number, "closed").await;
    let next = new
        .report("https://ppdb.disdik.batam.go.id/b", ("bukti.png", PNG_1X1))
        .await
        .unwrap();
    let seq = |n: &str| n.rsplit('-').next().unwrap().parse::<u32>().unwrap();
    assert_eq!(seq(&next), seq(&number) + 1);
    let verify = sigap(
        &fresh.url,
        &s3.url("pulih"),
        &s3,
        &data,
        &["audit", "verify"],
    );
    assert!(
        verify.status.success() && said(&verify).contains("intact"),
        "{}",
        said(&verify)
    );
}
