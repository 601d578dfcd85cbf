//! Each ticket's vulnerability class (migration 0028): written with the ticket from the
//! report's type, filtered on by the queue, and filled in when the store opens for the
//! tickets written before the column was (here: a ticket whose class is cleared by hand).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sigap_core::WeaknessClass;
use sigap_store::{NewReport, NewTicket, Store, StoreOptions, TicketFilter};
use sigap_testkit::{Backend, TestDatabase};
use sqlx::Connection;

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    classes_are_written_filtered_and_filled: sqlite_classes_are_written_filtered_and_filled,
        postgres_classes_are_written_filtered_and_filled;
}

fn report(kind: &str) -> NewReport<'_> {
    NewReport {
        reporter_name: "Budi Santoso",
        reporter_email: "budi@example.com",
        reporter_phone: None,
        severity: "high",
        vulnerability_type: kind,
        target_url: "https://sso.batam.go.id/login",
        target_host: "sso.batam.go.id",
        title: "Temuan",
        description: "Form login",
        proof_of_concept: "-",
        evidence_text: None,
        cvss_vector: None,
        cvss_score: None,
        language: "id",
        credit: "anonymous",
        credit_alias: None,
    }
}

async fn insert(store: &Store, seq: i64, kind: &str) {
    let number = format!("BCSIRT-2026-{seq:05}");
    let ticket = NewTicket {
        number: &number,
        year: 2026,
        seq,
        state: "queued",
        channel: "web",
        agency_id: None,
        system_id: None,
        created_by: None,
        tracking_token_hash: "0000",
        due_at: None,
        now: 1_000 * seq,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_ticket(&ticket, &report(kind)).await.unwrap();
    tx.commit().await.unwrap();
}

async fn numbers_of(store: &Store, class: WeaknessClass) -> Vec<String> {
    let filter = TicketFilter {
        weakness_class: Some(class),
        limit: 50,
        ..TicketFilter::default()
    };
    let mut numbers: Vec<String> = store
        .list_tickets(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.number)
        .collect();
    numbers.sort();
    numbers
}

/// Clears every ticket's class, as a database migrated from before 0028 has it.
async fn clear_classes(backend: Backend, url: &str) {
    let sql = "UPDATE tickets SET weakness_class = NULL";
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
}

async fn classes_are_written_filtered_and_filled(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::open(&database.url, &StoreOptions::default())
        .await
        .unwrap()
        .with_contact_key(sigap_testkit::backends::test_contact_key());
    insert(&store, 1, "CWE-89").await;
    insert(&store, 2, "Stored XSS pada komentar").await;
    insert(&store, 3, "CWE-639").await;
    insert(&store, 4, "sesuatu yang lain").await;
    let injection = vec![
        "BCSIRT-2026-00001".to_owned(),
        "BCSIRT-2026-00002".to_owned(),
    ];
    assert_eq!(
        numbers_of(&store, WeaknessClass::Injection).await,
        injection
    );
    assert_eq!(
        numbers_of(&store, WeaknessClass::BrokenAccessControl).await,
        ["BCSIRT-2026-00003"]
    );
    assert_eq!(
        numbers_of(&store, WeaknessClass::Other).await,
        ["BCSIRT-2026-00004"]
    );
    store.close().await;

    clear_classes(backend, &database.url).await;
    let cleared = Store::open(&database.url, &StoreOptions::default())
        .await
        .unwrap()
        .with_contact_key(sigap_testkit::backends::test_contact_key());
    assert_eq!(
        numbers_of(&cleared, WeaknessClass::Injection).await,
        injection,
        "the classes are filled in again when the store opens"
    );
    assert_eq!(
        numbers_of(&cleared, WeaknessClass::Other).await,
        ["BCSIRT-2026-00004"]
    );
}
