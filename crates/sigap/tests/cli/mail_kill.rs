//! Exactly once when the server dies between receiving a message and committing it. A
//! `sigap serve` process receives mail over LMTP from Python's smtplib while the database is
//! held by another connection (SQLite: a write transaction; PostgreSQL: an exclusive lock on
//! `inbound_mail`), so that the message is read and its bytes stored but its transaction
//! cannot commit; the process is then killed (SIGKILL). Nothing was acknowledged and
//! nothing half-written is left in the database; the mail server's retry to the restarted
//! server keeps the message, and a second retry (its answer lost) adds nothing.

use std::path::Path;
use std::time::Duration;

use sigap_testkit::{Backend, TestDatabase};
use sqlx::Connection;

use super::{free_port, spawn, wait_healthy};

sigap_testkit::on_both_backends! {
    sigap_testkit::TestDatabase::create;
    a_killed_server_keeps_a_message_once: sqlite_a_killed_server_keeps_a_message_once,
        postgres_a_killed_server_keeps_a_message_once;
}

const MESSAGE: &str = "From: Rina <rina@example.com>\r\nTo: csirt@batam.go.id\r\n\
    Subject: Laporan kerentanan portal\r\nMessage-ID: <kill-once@example.com>\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\r\n\
    Target: https://portal.batam.go.id/cari\r\nCWE: CWE-89\r\nTingkat keparahan: tinggi\r\n";

/// A connection that keeps the server's transaction from committing while it lives.
enum Hold {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Hold {
    async fn take(db: &TestDatabase) -> Hold {
        match db.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut c)
                    .await
                    .unwrap();
                Hold::Sqlite(c)
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::raw_sql("BEGIN; LOCK TABLE inbound_mail IN EXCLUSIVE MODE")
                    .execute(&mut c)
                    .await
                    .unwrap();
                Hold::Postgres(c)
            }
        }
    }

    async fn release(self) {
        match self {
            Hold::Sqlite(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(drop),
            Hold::Postgres(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(drop),
        }
        .unwrap();
    }
}

/// How many messages the database holds.
async fn kept(db: &TestDatabase) -> i64 {
    let count = "SELECT COUNT(*) FROM inbound_mail";
    match db.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query_scalar(count).fetch_one(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query_scalar(count).fetch_one(&mut c).await.unwrap()
        }
    }
}

/// Whether a file under `dir` holds exactly `bytes` (the raw message in the blob store).
fn stored(dir: &Path, bytes: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            return stored(&path, bytes);
        }
        e.metadata().is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&path).is_ok_and(|b| b == bytes)
    })
}

async fn deliver(port: u16, path: &Path) -> std::process::Output {
    let path = path.to_owned();
    let rcpts = vec!["csirt@batam.go.id".to_owned()];
    tokio::task::spawn_blocking(move || {
        sigap_testkit::lmtp::deliver(port, "rina@example.com", &rcpts, &path)
    })
    .await
    .unwrap()
}

/// The server key of the PostgreSQL runs.
const SHARED_KEY: &str = "3131313131313131313131313131313131313131313131313131313131313131";

async fn a_killed_server_keeps_a_message_once(db: TestDatabase) {
    // On SQLite the database is the data directory's own, as `serve` makes it.
    let data = db.dir.clone();
    let outside = tempfile::tempdir().unwrap();
    let message = outside.path().join("pesan.eml");
    std::fs::write(&message, MESSAGE).unwrap();
    let (web, lmtp) = (free_port(), free_port());
    let listen = format!("127.0.0.1:{web}");
    let lmtp_listen = format!("127.0.0.1:{lmtp}");
    let mut env = vec![
        ("SIGAP_LISTEN", listen.as_str()),
        ("SIGAP_LMTP_LISTEN", lmtp_listen.as_str()),
        ("SIGAP_MAIL_DOMAINS", "batam.go.id"),
    ];
    if db.backend == Backend::Postgres {
        env.push(("SIGAP_DATABASE_URL", db.url.as_str()));
        // Every instance on PostgreSQL is given the shared key.
        env.push(("SIGAP_SECRET_KEY", SHARED_KEY));
    }
    let base = format!("http://{listen}");
    let mut server = spawn(&data, &["serve"], &env);
    assert!(wait_healthy(&base).await, "the server did not start");

    // The message arrives and is stored, but its transaction waits for the database.
    let hold = Hold::take(&db).await;
    let delivery = tokio::spawn({
        let message = message.clone();
        async move { deliver(lmtp, &message).await }
    });
    let mut waited = 0;
    while !stored(&data, MESSAGE.as_bytes()) {
        assert!(waited < 200, "the message was never stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    let answer = delivery.await.unwrap();
    let said = String::from_utf8_lossy(&answer.stdout);
    assert!(
        !answer.status.success() || !said.contains("250"),
        "a killed server acknowledged the message: {said}"
    );
    hold.release().await;
    assert_eq!(kept(&db).await, 0, "nothing half-written");

    // The mail server tries again: kept once, and once only when it tries once more.
    let mut server = spawn(&data, &["serve"], &env);
    assert!(wait_healthy(&base).await, "the server did not restart");
    for _ in 0..2 {
        let answer = deliver(lmtp, &message).await;
        let said = String::from_utf8_lossy(&answer.stdout);
        assert!(
            answer.status.success() && said.contains("\"data\": [250]"),
            "{said} {}",
            String::from_utf8_lossy(&answer.stderr)
        );
    }
    assert_eq!(kept(&db).await, 1);
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}
