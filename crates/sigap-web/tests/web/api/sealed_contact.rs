//! The reporter's contact data sealed at rest: the staff read and search them as before,
//! the reporter corrects them, the mails reach them; the database itself (SQLite's file and
//! its write-ahead log, every table of PostgreSQL as text) holds neither the name, nor the
//! address, nor the telephone number in clear. A store opened with another server key cannot
//! read them; a database of before the seal is sealed at the first start.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{Backend, TestApp, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_database_alone_does_not_name_the_reporter: sqlite_sealed_contact,
        postgres_sealed_contact;
    a_sender_by_mail_is_sealed_too: sqlite_sealed_mail, postgres_sealed_mail;
}

const NAME: &str = "Sulistyowati Pramesti";
const EMAIL: &str = "sulis.pramesti7731@contoh.id";
const PHONE: &str = "+62 811-7000-1234";
const FIXED: &str = "pramesti.baru@contoh.id";

/// Everything the database holds, as text: SQLite's file and log as bytes (read lossily),
/// PostgreSQL's every table in the public schema as rows of text.
async fn everything(app: &TestApp) -> String {
    match app.backend {
        Backend::Sqlite => {
            let path = app.database_url.trim_start_matches("sqlite://").to_owned();
            let mut all = Vec::new();
            for suffix in ["", "-wal"] {
                if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
                    all.extend(bytes);
                }
            }
            assert!(all.len() > 4096, "the file was read");
            String::from_utf8_lossy(&all).into_owned()
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            assert!(tables.iter().any(|t| t == "reports"), "{tables:?}");
            let mut all = String::new();
            for table in tables {
                let sql =
                    format!("SELECT COALESCE(string_agg(t::text, E'\\n'), '') FROM \"{table}\" t");
                let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&mut c)
                    .await
                    .unwrap();
                all.push_str(&rows);
            }
            all
        }
    }
}

/// Runs `sql` on the test's database, beside the store (as a database of before would hold
/// its rows).
async fn execute(app: &TestApp, sql: &str) {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

fn found(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_database_alone_does_not_name_the_reporter(backend: Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let mut report = valid_report();
    report["reporter_name"] = json!(NAME);
    report["reporter_email"] = json!(EMAIL);
    report["reporter_phone"] = json!(PHONE);
    let submitted = app.submit_ok(&report).await;
    let n = submitted.number.clone();

    // The staff read them in clear, and find the ticket by each word's start.
    let t = app.ticket("helpdesk", &n).await;
    assert_eq!(t["report"]["reporter_name"], NAME);
    assert_eq!(t["report"]["reporter_email"], EMAIL);
    assert_eq!(t["report"]["reporter_phone"], PHONE);
    for q in ["Pramesti", "sulis", "PRAM", "sulistyowati pramesti", EMAIL] {
        assert_eq!(
            found(&app.list("csirt", &[("q", q)]).await),
            [n.as_str()],
            "q = {q:?}"
        );
    }
    for q in ["pramesty", "ames", "sulis@lain.id"] {
        assert!(
            found(&app.list("csirt", &[("q", q)]).await).is_empty(),
            "q = {q:?}"
        );
    }
    assert!(
        found(&app.list("system_owner", &[("q", "pramesti")]).await).is_empty(),
        "never for a system owner"
    );

    // Corrected by the reporter: the new address is sealed and found, the old one is not.
    let (status, body) = read(
        app.client
            .put(app.url(&format!("/api/v1/reports/{n}/contact")))
            .header("x-tracking-token", &submitted.tracking_token)
            .json(&json!({"reporter_name": NAME, "reporter_email": FIXED, "reporter_phone": PHONE}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(
        app.ticket("csirt", &n).await["report"]["reporter_email"],
        FIXED
    );
    assert_eq!(
        found(&app.list("csirt", &[("q", "baru")]).await),
        [n.as_str()]
    );
    assert!(found(&app.list("csirt", &[("q", "pramesti7731")]).await).is_empty());

    // The mails to them name them; the job table keeps their address sealed.
    let jobs = app.store.list_jobs(None, 50).await.unwrap();
    assert!(
        jobs.iter().any(|j| j.payload.contains(EMAIL)),
        "the receipt"
    );

    let kept = everything(&app).await;
    for clear in [EMAIL, FIXED, "Pramesti", PHONE, "sulis.pramesti"] {
        assert!(!kept.contains(clear), "{clear} in clear in the database");
    }
    assert!(kept.contains("c1."), "sealed values are there");

    // A report kept in clear (as before the seal) is sealed by the pass every start runs,
    // once, and found again.
    let other = app.submit_ok(&valid_report()).await.number;
    execute(
        &app,
        &format!(
            "UPDATE reports SET reporter_name = 'Wening Larasati', \
             reporter_email = 'wening.l@contoh.id', reporter_index = '' WHERE ticket_id = \
             (SELECT id FROM tickets WHERE number = '{other}')"
        ),
    )
    .await;
    assert!(everything(&app).await.contains("wening.l@contoh.id"));
    assert!(found(&app.list("csirt", &[("q", "larasati")]).await).is_empty());
    assert_eq!(app.store.seal_contacts().await.unwrap(), 1);
    assert_eq!(app.store.seal_contacts().await.unwrap(), 0, "once");
    assert_eq!(
        found(&app.list("csirt", &[("q", "larasati")]).await),
        [other.as_str()]
    );
    let t = app.ticket("csirt", &other).await;
    assert_eq!(t["report"]["reporter_email"], "wening.l@contoh.id");

    // Another server key does not open them.
    let other = app
        .store
        .clone()
        .with_contact_key(sigap_store::ContactKey::new([9; 32], [9; 32]));
    let refused = other.get_ticket(&n).await.unwrap_err();
    assert!(refused.to_string().contains("server key"), "{refused}");
}

/// A report by mail: the inbox and the ticket show the sender; the database keeps their
/// address and name (envelope, header, the fields read from the text) sealed.
async fn a_sender_by_mail_is_sealed_too(backend: Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    use crate::api::inbox::{inbox, lmtp, post_as, thunderbird};
    lmtp(&app, 1 << 20).await.deliver_ok(&thunderbird()).await;
    let (_, list) = inbox(&app, "helpdesk", "").await;
    let message = &list[0];
    assert_eq!(message["from_address"], "rina@example.com", "{message:#}");
    assert_eq!(message["from_name"], "Rina Putri");
    assert_eq!(message["envelope_from"], "rina@example.com");
    assert_eq!(
        message["fields"]["vulnerability_type"], "CWE-89",
        "{message:#}"
    );
    let accept = format!("/api/v1/inbox/{}/accept", message["id"]);
    let (status, opened) = read(post_as(&app, "helpdesk", &accept, &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{opened:#}");
    let n = opened["ticket_number"].as_str().unwrap();
    let t = app.ticket("helpdesk", n).await;
    assert_eq!(t["report"]["reporter_email"], "rina@example.com");
    assert_eq!(t["report"]["reporter_name"], "Rina Putri");
    let kept = everything(&app).await;
    for clear in ["rina@example.com", "Rina Putri"] {
        assert!(!kept.contains(clear), "{clear} in clear in the database");
    }
}
