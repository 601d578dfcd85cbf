//! The store's conformance suite: the same behaviour on embedded SQLite and on PostgreSQL,
//! each test on a fresh database (`sigap_testkit::open_store`). PostgreSQL runs when `SIGAP_TEST_POSTGRES_URL` names a
//! server (a throw-away database is created there per test); it is skipped otherwise, unless
//! `SIGAP_REQUIRE_POSTGRES=1` makes that an error.

// Test helpers outside `#[test]` functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use sigap_store::{NewJob, NewReport, NewTicket, Store, StoreError, TicketFilter, search_words};

sigap_testkit::on_both_backends! {
    sigap_testkit::open_store;
    ping_answers: sqlite_ping_answers, postgres_ping_answers;
    counter_is_gapless_under_concurrency: sqlite_counter_is_gapless_under_concurrency,
        postgres_counter_is_gapless_under_concurrency;
    rolled_back_transaction_gives_its_number_back: sqlite_rolled_back_transaction_gives_its_number_back,
        postgres_rolled_back_transaction_gives_its_number_back;
    a_counter_continues_the_ones_it_takes_over: sqlite_a_counter_continues_the_ones_it_takes_over,
        postgres_a_counter_continues_the_ones_it_takes_over;
    an_unknown_stored_state_is_an_error: sqlite_an_unknown_stored_state_is_an_error,
        postgres_an_unknown_stored_state_is_an_error;
    unique_violations_are_conflicts: sqlite_unique_violations_are_conflicts,
        postgres_unique_violations_are_conflicts;
    full_text_finds_the_same_tickets: sqlite_full_text_finds_the_same_tickets,
        postgres_full_text_finds_the_same_tickets;
    a_mail_job_is_recorded_in_its_thread: sqlite_a_mail_job_is_recorded_in_its_thread,
        postgres_a_mail_job_is_recorded_in_its_thread;
}

async fn ping_answers(store: Store) {
    store.ping().await.expect("ping");
}

const TASKS: i64 = 200;

/// Every tenth transaction rolls back; the committed ones still hold 1..=180 exactly.
async fn counter_is_gapless_under_concurrency(store: Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            let mut tx = store.begin().await.expect("begin");
            let value = tx.next_counter("ticket", 2026).await.expect("next_counter");
            if i % 10 == 0 {
                drop(tx);
                None
            } else {
                tx.commit().await.expect("commit");
                Some(value)
            }
        });
    }
    let mut committed = BTreeSet::new();
    while let Some(result) = tasks.join_next().await {
        if let Some(value) = result.expect("task") {
            assert!(committed.insert(value), "{value} was given twice");
        }
    }
    let expected: BTreeSet<i64> = (1..=TASKS - TASKS / 10).collect();
    assert_eq!(committed, expected);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.next_counter("ticket", 2026).await.unwrap(),
        TASKS - TASKS / 10 + 1
    );
    assert_eq!(
        tx.next_counter("ticket", 2027).await.unwrap(),
        1,
        "each year counts from 1"
    );
    assert_eq!(
        tx.next_counter("letter", 2026).await.unwrap(),
        1,
        "each scope counts from 1"
    );
    tx.commit().await.unwrap();
}

async fn a_counter_continues_the_ones_it_takes_over(store: Store) {
    let mut tx = store.begin().await.unwrap();
    for _ in 0..4 {
        tx.next_counter("doc:letter_notice", 2026).await.unwrap();
    }
    for _ in 0..2 {
        tx.next_counter("doc:letter_follow_up", 2026).await.unwrap();
    }
    tx.next_counter("doc:letter_notice", 2025).await.unwrap();
    let old = [
        "doc:letter_notice".to_owned(),
        "doc:letter_follow_up".to_owned(),
    ];
    let series = "doc-series:000.6/{n}/Diskominfo/{year}";
    // The first number of the shared series in 2026 follows the highest old one (4) …
    assert_eq!(
        tx.next_counter_continuing(series, 2026, &old)
            .await
            .unwrap(),
        5
    );
    // … then it counts on its own, whatever the old counters do.
    tx.next_counter("doc:letter_notice", 2026).await.unwrap();
    tx.next_counter("doc:letter_notice", 2026).await.unwrap();
    assert_eq!(
        tx.next_counter_continuing(series, 2026, &old)
            .await
            .unwrap(),
        6
    );
    // Another year with no old numbers starts at 1; no old scopes at all, too.
    assert_eq!(
        tx.next_counter_continuing(series, 2027, &old)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        tx.next_counter_continuing("doc-series:X/{n}/{year}", 2026, &[])
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
}

async fn an_unknown_stored_state_is_an_error(store: Store) {
    insert_reports(&store).await;
    let known = store
        .get_ticket("BCSIRT-2026-00001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(known.state, sigap_core::State::Queued);
    // A word the code does not know (written by hand, or by a later version) is an error
    // that names its column, never a state chosen for it.
    let mut tx = store.begin().await.unwrap();
    let mut ticket = NewTicket {
        number: "BCSIRT-2026-00999",
        year: 2026,
        seq: 999,
        state: "retired",
        channel: "web",
        agency_id: None,
        system_id: None,
        created_by: None,
        tracking_token_hash: "0000",
        due_at: None,
        now: 5_000,
    };
    tx.insert_ticket(&ticket, &report_of("https://sso.batam.go.id/login"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = store.get_ticket("BCSIRT-2026-00999").await.unwrap_err();
    assert!(err.to_string().contains("state"), "{err}");
    assert!(err.to_string().contains("retired"), "{err}");
    ticket.number = "BCSIRT-2026-01000";
    ticket.seq = 1000;
    ticket.state = "closed";
    let mut tx = store.begin().await.unwrap();
    tx.insert_ticket(&ticket, &report_of("https://sso.batam.go.id/login"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let closed = store
        .get_ticket("BCSIRT-2026-01000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.state, sigap_core::State::Closed);
    assert_eq!(closed.channel, sigap_core::Channel::Web);
    assert_eq!(closed.tlp, sigap_core::Tlp::AmberStrict);
    // The same for the channel a report came through.
    ticket.number = "BCSIRT-2026-01001";
    ticket.seq = 1001;
    ticket.channel = "fax";
    let mut tx = store.begin().await.unwrap();
    tx.insert_ticket(&ticket, &report_of("https://sso.batam.go.id/login"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = store.get_ticket("BCSIRT-2026-01001").await.unwrap_err();
    assert!(err.to_string().contains("channel"), "{err}");
    assert!(err.to_string().contains("fax"), "{err}");
}

fn report_of(url: &str) -> NewReport<'_> {
    NewReport {
        reporter_name: "Budi Santoso",
        reporter_email: "budi@example.com",
        reporter_phone: None,
        severity: "high",
        vulnerability_type: "CWE-89",
        target_url: url,
        target_host: "sso.batam.go.id",
        title: "SQL injection",
        description: "Form login",
        proof_of_concept: "' OR 1=1 --",
        evidence_text: None,
        cvss_vector: None,
        cvss_score: None,
        language: "id",
        credit: "anonymous",
        credit_alias: None,
    }
}

async fn rolled_back_transaction_gives_its_number_back(store: Store) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_counter("ticket", 2026).await.unwrap(), 1);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_counter("ticket", 2026).await.unwrap(), 2);
    tx.insert_agency("DISDIK", "Dinas Pendidikan", None, 1)
        .await
        .unwrap();
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.next_counter("ticket", 2026).await.unwrap(),
        2,
        "the rolled-back number is given back"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.find_agency("DISDIK").await.unwrap(),
        None,
        "nothing of the rolled-back transaction stays"
    );
}

async fn unique_violations_are_conflicts(store: Store) {
    let mut tx = store.begin().await.unwrap();
    let agency = tx
        .insert_agency("DISDIK", "Dinas Pendidikan", Some("disdik@batam.go.id"), 1)
        .await
        .unwrap();
    let system = tx
        .insert_system(agency, "Portal Pendidikan", 1)
        .await
        .unwrap();
    tx.insert_domain(system, "disdik.batam.go.id")
        .await
        .unwrap();
    tx.insert_user(
        "csirt@kominfo.batam.go.id",
        "Tim CSIRT",
        "csirt",
        None,
        None,
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Each violation in a transaction of its own: PostgreSQL aborts a transaction on error.
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_agency("DISDIK", "Lagi", None, 2)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, value } if field == "code" && value == "DISDIK"),
        "{err:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_domain(system, "disdik.batam.go.id")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "domain"),
        "{err:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_user("csirt@kominfo.batam.go.id", "Lagi", "csirt", None, None, 2)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    drop(tx);
    // A reference to a row that does not exist is not a conflict.
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_system(987_654, "Tanpa dinas", 2)
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Reference(_)), "{err:?}");
    drop(tx);

    let agencies = store.list_agencies(None).await.unwrap();
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0].name, "Dinas Pendidikan");
}

/// (title, description, proof of concept, target URL)
const REPORTS: [(&str, &str, &str, &str); 6] = [
    (
        "Injeksi SQL pada formulir pencarian",
        "Parameter nisn tidak disaring.",
        "sqlmap -u 'https://ppdb.disdik.batam.go.id/cari?nisn=1' --dbs",
        "https://ppdb.disdik.batam.go.id/cari",
    ),
    (
        "XSS tersimpan",
        "Skrip berjalan di peramban petugas.",
        "<script>alert(document.domain)</script>",
        "https://sik.dinkes.batam.go.id/pasien",
    ),
    (
        "Kata sandi bawaan",
        "Akun admin/admin123 masih aktif.",
        "Masuk ke panel dengan admin123.",
        "https://www.sekolah.batam.go.id/panel",
    ),
    (
        "Versi server usang",
        "Header Server: Apache/2.4.29 (Ubuntu)",
        "curl -I https://sik.dinkes.batam.go.id",
        "https://sik.dinkes.batam.go.id/",
    ),
    (
        "Kebocoran data di kafe_internet",
        "Data pelanggan Café Batam—Kepri terbuka.",
        "Berkas CSV dapat diunduh tanpa login.",
        "https://layanan.batam.go.id/unduh",
    ),
    (
        "SQL injection on the library catalogue",
        "",
        "sqlmap -u https://perpustakaan.batam.go.id/katalog?judul=1",
        "https://perpustakaan.batam.go.id/katalog",
    ),
];

async fn insert_reports(store: &Store) {
    for (i, (title, description, poc, url)) in REPORTS.iter().enumerate() {
        let seq = i as i64 + 1;
        let number = format!("BCSIRT-2026-{seq:05}");
        let host = url::Url::parse(url).unwrap().host_str().unwrap().to_owned();
        let mut tx = store.begin().await.unwrap();
        tx.insert_ticket(
            &NewTicket {
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
                now: 1_000 + seq,
            },
            &NewReport {
                reporter_name: "Budi Santoso",
                reporter_email: "budi@example.com",
                reporter_phone: None,
                severity: "high",
                vulnerability_type: "CWE-89",
                target_url: url,
                target_host: &host,
                title,
                description,
                proof_of_concept: poc,
                evidence_text: Some("log yang tidak diindeks: rahasiaunik"),
                cvss_vector: None,
                cvss_score: None,
                language: "id",
                credit: "anonymous",
                credit_alias: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn search(store: &Store, query: &str) -> Vec<i64> {
    let filter = TicketFilter {
        words: search_words(query),
        limit: 100,
        ..TicketFilter::default()
    };
    let rows = store.list_tickets(&filter).await.unwrap();
    rows.iter()
        .map(|r| r.number.rsplit('-').next().unwrap().parse::<i64>().unwrap())
        .collect()
}

async fn full_text_finds_the_same_tickets(store: Store) {
    insert_reports(&store).await;
    let cases: [(&str, &[i64]); 17] = [
        ("sqlmap", &[6, 1]),
        ("SQLMap", &[6, 1]),
        ("sql", &[6, 1]),
        ("injeksi sql", &[1]),
        ("ppdb", &[1]),
        ("dinkes", &[4, 2]),
        ("admin123", &[3]),
        ("admin", &[3]),
        ("apache 2 4 29", &[4]),
        ("café", &[5]),
        ("CAFÉ batam", &[5]),
        ("kafe", &[5]),
        ("kepri", &[5]),
        ("rahasiaunik", &[]),
        ("\"sqlmap\" OR", &[]),
        ("sqlmap & !ppdb", &[1]),
        ("*", &[6, 5, 4, 3, 2, 1]),
    ];
    for (query, expected) in cases {
        assert_eq!(search(&store, query).await, expected, "query {query:?}");
    }
}

/// A mail job and its Message-ID are written together (one statement on PostgreSQL, two on
/// SQLite): the job is queued, the message names it and its ticket; a mail without a ticket
/// is refused before anything is written; a ticket number taken twice is still a conflict
/// when the ticket and its report are one statement.
async fn a_mail_job_is_recorded_in_its_thread(store: Store) {
    insert_reports(&store).await;
    let ticket = store
        .get_ticket("BCSIRT-2026-00001")
        .await
        .unwrap()
        .unwrap();
    let job = |ticket_id, payload| NewJob {
        kind: sigap_core::JobKind::Mail,
        payload,
        ticket_id,
        run_at: 7_000,
        now: 7_000,
    };
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .enqueue_mail(
            &job(Some(ticket.id), "{\"n\":1}"),
            "<satu@batam.go.id>",
            "reporter",
        )
        .await
        .unwrap();
    let second = tx
        .enqueue_mail(
            &job(Some(ticket.id), "{\"n\":2}"),
            "<dua@batam.go.id>",
            "staff",
        )
        .await
        .unwrap();
    let refused = tx
        .enqueue_mail(&job(None, "{}"), "<tiga@batam.go.id>", "staff")
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Reference(_)), "{refused}");
    tx.commit().await.unwrap();
    assert_ne!(first, second);
    for (id, message_id, audience, payload) in [
        (first, "<satu@batam.go.id>", "reporter", "{\"n\":1}"),
        (second, "<dua@batam.go.id>", "staff", "{\"n\":2}"),
    ] {
        let m = store.find_mail_message(message_id).await.unwrap().unwrap();
        assert_eq!(m.job_id, Some(id));
        assert_eq!(
            (m.ticket_id, m.number.as_str()),
            (ticket.id, "BCSIRT-2026-00001")
        );
        assert_eq!((m.audience.as_str(), m.created_at), (audience, 7_000));
        let queued = store.get_job(id).await.unwrap().unwrap();
        assert_eq!(queued.kind, sigap_core::JobKind::Mail);
        assert_eq!(queued.payload, payload);
        assert_eq!(queued.run_at, 7_000);
    }
    assert!(
        store
            .find_mail_message("<tiga@batam.go.id>")
            .await
            .unwrap()
            .is_none()
    );

    let mut tx = store.begin().await.unwrap();
    let again = NewTicket {
        number: "BCSIRT-2026-00001",
        year: 2026,
        seq: 4_242,
        state: "queued",
        channel: "web",
        agency_id: None,
        system_id: None,
        created_by: None,
        tracking_token_hash: "4242",
        due_at: None,
        now: 8_000,
    };
    let err = tx
        .insert_ticket(&again, &report_of("https://sso.batam.go.id/login"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "ticket_number"),
        "{err}"
    );
}
