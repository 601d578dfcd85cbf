//! The queue: filters, full-text search (the same query finds the same tickets on both
//! backends), keyset pagination, and deadlines with the working-day calendar.

use chrono::{TimeDelta, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::bodies;
use sigap_testkit::seed::{AGENCY_A, AGENCY_B};
use sigap_testkit::{TestApp, error_fields, number, problem, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    filters_search_and_pages: sqlite_filters_search_and_pages, postgres_filters_search_and_pages;
    overdue_follows_working_days: sqlite_overdue_follows_working_days, postgres_overdue_follows_working_days;
    days_and_channel_filter_the_queue: sqlite_days_and_channel_filter_the_queue,
        postgres_days_and_channel_filter_the_queue;
}

fn report(target: &str, title: &str, poc: &str, description: &str) -> Value {
    let mut r = valid_report();
    r["target"] = json!(target);
    r["title"] = json!(title);
    r["proof_of_concept"] = json!(poc);
    r["description"] = json!(description);
    r
}

/// Seven tickets over both agencies and an unregistered host; 1-4 moved along.
async fn seed_queue(app: &TestApp) -> Vec<String> {
    let reports = [
        valid_report(),
        report(
            "https://sik.dinkes.batam.go.id/pasien/cari",
            "XSS tersimpan pada pencarian pasien",
            "Masukkan <script>alert(document.domain)</script> pada kolom nama pasien.",
            "Skrip berjalan di peramban petugas loket.",
        ),
        report(
            "https://www.sekolah.batam.go.id/panel",
            "Kata sandi bawaan pada panel admin",
            "Masuk dengan admin/admin123 di halaman panel.",
            "Akun bawaan belum diganti sejak pemasangan.",
        ),
        report(
            "https://perpustakaan.batam.go.id/katalog?judul=1",
            "Injeksi SQL pada katalog",
            "sqlmap -u 'https://perpustakaan.batam.go.id/katalog?judul=1' --dbs",
            "",
        ),
        report(
            "https://ppdb.disdik.batam.go.id/uploads/",
            "Direktori unggahan terbuka",
            "Daftar berkas terlihat tanpa login.",
            "Berkas KTP pendaftar dapat diunduh siapa saja.",
        ),
        report(
            "https://sik.dinkes.batam.go.id/",
            "Versi server usang",
            "Header Server: Apache/2.4.29 (Ubuntu)",
            "",
        ),
        report(
            "https://www.sekolah.batam.go.id/keluar?url=https://contoh.com",
            "Pengalihan terbuka",
            "Tautan keluar mengarahkan ke situs mana pun.",
            "",
        ),
    ];
    let mut reports = reports;
    reports[5]["reporter_name"] = json!("Siti Rahmawati");
    reports[5]["reporter_email"] = json!("siti_r@contoh.id");
    let mut numbers = Vec::new();
    for r in &reports {
        numbers.push(app.submit_ok(r).await.number);
        app.clock.advance(TimeDelta::minutes(1));
    }
    app.drive(&numbers[0], "awaiting_block").await;
    app.act("csirt", &numbers[1], "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &numbers[1], "assess", &bodies::assess_low())
        .await;
    app.act("csirt", &numbers[2], "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &numbers[3], "validate", &bodies::reject())
        .await;
    numbers
}

async fn filters_search_and_pages(app: TestApp) {
    let n = seed_queue(&app).await;
    let t =
        |indexes: &[usize]| -> Vec<String> { indexes.iter().map(|i| n[i - 1].clone()).collect() };
    let list = |query: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move { app.list_all_numbers("csirt", &query).await }
    };

    assert_eq!(
        list(vec![]).await,
        t(&[7, 6, 5, 4, 3, 2, 1]),
        "newest first"
    );
    assert_eq!(list(vec![("state", "queued")]).await, t(&[7, 6, 5]));
    assert_eq!(list(vec![("state", "assessing")]).await, t(&[3]));
    assert_eq!(list(vec![("state", "rejected")]).await, t(&[4]));
    assert_eq!(list(vec![("criticality", "high")]).await, t(&[1]));
    assert_eq!(list(vec![("criticality", "low")]).await, t(&[2]));
    assert_eq!(list(vec![("agency", AGENCY_A)]).await, t(&[7, 5, 3, 1]));
    assert_eq!(list(vec![("agency", "dinkes")]).await, t(&[6, 2]));
    assert_eq!(
        list(vec![("agency", "TIDAKADA")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        list(vec![("state", "queued"), ("agency", AGENCY_B)]).await,
        t(&[6])
    );

    // Full text over title, description, proof of concept and target; every word must
    // match, as a prefix; query syntax is only text.
    let searches: [(&'static str, &[usize]); 15] = [
        ("sqlmap", &[4, 1]),
        ("SQLMAP", &[4, 1]),
        ("ppdb", &[5, 1]),
        ("sqlmap ppdb", &[1]),
        ("injeksi sql", &[4, 1]),
        ("inj", &[4, 1]),
        ("pasien", &[2]),
        ("sekolah", &[7, 3]),
        ("apache 2", &[6]),
        ("admin123", &[3]),
        ("\"sqlmap\"*", &[4, 1]),
        ("(sqlmap) AND", &[]),
        ("sqlmap:*", &[4, 1]),
        ("-- ; DROP", &[]),
        ("ransomware", &[]),
    ];
    for (q, expected) in searches {
        assert_eq!(list(vec![("q", q)]).await, t(expected), "q = {q:?}");
    }
    assert_eq!(
        list(vec![("q", "sqlmap"), ("agency", AGENCY_A)]).await,
        t(&[1])
    );

    // A ticket's number, whole in any case or its sequence alone; a sequence is also a
    // word's start (`2` finds Apache/2.4.29).
    let whole = n[1].clone();
    let lower = n[1].to_lowercase();
    let short = n[1].replace("-00002", "-2");
    for q in [whole.as_str(), lower.as_str(), short.as_str(), " 00002 "] {
        let found = app.list_all_numbers("csirt", &[("q", q)]).await;
        assert_eq!(found, t(&[2]), "q = {q:?}");
    }
    assert_eq!(list(vec![("q", "2")]).await, t(&[6, 2]));
    assert_eq!(list(vec![("q", "BCSIRT-2026-09999")]).await, t(&[]));
    // The reporter's name and address, each word a word's start, for the staff who may
    // know who reported; never for the Regional Secretary or a system owner.
    for q in [
        "Rahmawati",
        "rahma",
        "siti rahmawati",
        "siti_r@contoh.id",
        "SITI_R",
    ] {
        assert_eq!(list(vec![("q", q)]).await, t(&[6]), "q = {q:?}");
    }
    for role in ["helpdesk", "auditor", "domain_officer", "admin"] {
        let found = app.list_all_numbers(role, &[("q", "rahmawati")]).await;
        assert_eq!(found, t(&[6]), "{role}");
    }
    for role in ["regional_secretary", "system_owner", "system_owner_b"] {
        for q in ["rahmawati", "siti_r@contoh.id"] {
            let found = app.list_all_numbers(role, &[("q", q)]).await;
            assert_eq!(found, t(&[]), "{role}: q = {q:?}");
        }
    }
    // A name's words and a report's words are two searches: a query mixing them finds
    // neither (so a name cannot be probed through a report's words).
    assert_eq!(list(vec![("q", "rahmawati apache")]).await, t(&[]));

    // Keyset pages: every ticket exactly once, in order, whatever the page size.
    for limit in ["1", "2", "3", "100"] {
        assert_eq!(
            list(vec![("limit", limit)]).await,
            t(&[7, 6, 5, 4, 3, 2, 1]),
            "limit {limit}"
        );
    }
    assert_eq!(
        list(vec![("limit", "1"), ("agency", AGENCY_A)]).await,
        t(&[7, 5, 3, 1])
    );
    let first = app.list("csirt", &[("limit", "2")]).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert!(first["next_cursor"].is_string());
    let item = &first["items"][1];
    assert_eq!(item["number"], n[5].as_str());
    assert_eq!(item["state"], "queued");
    assert_eq!(item["agency"], AGENCY_B);
    assert_eq!(item["target_host"], "sik.dinkes.batam.go.id");
    assert_eq!(item["severity"], "high");

    for (key, value) in [
        ("limit", "0"),
        ("limit", "101"),
        ("cursor", "bukan-kursor"),
        ("state", "menunggu"),
        ("criticality", "medium"),
        ("limit", "sepuluh"),
        ("overdue", "ya"),
    ] {
        let url =
            reqwest::Url::parse_with_params(&app.url("/api/v1/tickets"), [(key, value)]).unwrap();
        let response = app
            .client
            .get(url)
            .bearer_auth(app.token("csirt"))
            .send()
            .await
            .unwrap();
        let p = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&p), [key], "{key}={value}");
    }
}

async fn overdue_follows_working_days(app: TestApp) {
    let overdue = || {
        let app = &app;
        async move { app.list_all_numbers("csirt", &[("overdue", "true")]).await }
    };
    // Monday 09:00 WIB: queued is due Tuesday 09:00 WIB.
    let t1 = app.submit_ok(&valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &t1).await["deadline"]["due_at"],
        "2026-08-11T02:00:00Z"
    );
    app.clock
        .advance(TimeDelta::hours(23) + TimeDelta::minutes(59));
    assert_eq!(overdue().await, Vec::<String>::new());
    assert_eq!(app.ticket("csirt", &t1).await["deadline"]["overdue"], false);
    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(overdue().await, [t1.as_str()]);
    assert_eq!(app.ticket("csirt", &t1).await["deadline"]["overdue"], true);
    assert_eq!(
        app.list("csirt", &[("overdue", "false")]).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Validated late: the step stays overdue in the record; the next step has a new clock.
    let t = app
        .act("csirt", &t1, "validate", &bodies::validate(None))
        .await;
    assert_eq!(t["timeline"][0]["overdue"], true);
    assert_eq!(t["timeline"][0]["due_at"], "2026-08-11T02:00:00Z");
    assert_eq!(
        t["deadline"],
        json!({"due_at": "2026-08-12T02:01:00Z", "overdue": false, "due_soon": false})
    );
    assert_eq!(overdue().await, Vec::<String>::new());

    // Friday 15:00 WIB: due Monday 15:00 WIB, not Saturday.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-08-14T15:00:00+07:00")
            .unwrap()
            .to_utc(),
    );
    let t2 = app.submit_ok(&valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &t2).await["deadline"]["due_at"],
        "2026-08-17T08:00:00Z"
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-08-16T23:00:00+07:00")
            .unwrap()
            .to_utc(),
    );
    assert_eq!(
        overdue().await,
        [t1.as_str()],
        "only the assessment is late on Sunday night"
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-08-17T15:01:00+07:00")
            .unwrap()
            .to_utc(),
    );
    assert_eq!(overdue().await, [t2.clone(), t1.clone()]);

    // Terminal tickets are never overdue.
    app.act("csirt", &t2, "validate", &bodies::reject()).await;
    assert_eq!(overdue().await, [t1.as_str()]);
    assert_eq!(number(2), t2);
}

/// A query of the queue and the tickets it lists.
type Case<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>);

/// `from` and `to` are days in WIB on the day a ticket was created, `to` with its whole day;
/// `channel` is how the report arrived. A wrong one is a field error.
async fn days_and_channel_filter_the_queue(app: TestApp) {
    let web = app.submit_ok(&valid_report()).await.number;
    // 17:30 UTC on the 10th is 00:30 WIB on the 11th.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 8, 10, 17, 30, 0).unwrap());
    let mut phoned = valid_report();
    phoned["channel"] = json!("phone");
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.token("helpdesk"))
        .json(&phoned)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let phone = number(2);
    let cases: [Case; 7] = [
        (&[("to", "2026-08-10")], vec![&web]),
        (&[("from", "2026-08-11")], vec![&phone]),
        (
            &[("from", "2026-08-11"), ("to", "2026-08-11")],
            vec![&phone],
        ),
        (&[("channel", "phone")], vec![&phone]),
        (&[("channel", "web"), ("from", "2026-08-10")], vec![&web]),
        (&[("channel", "email")], vec![]),
        (&[("from", "2026-08-12")], vec![]),
    ];
    for (query, wanted) in cases {
        assert_eq!(
            app.list_all_numbers("csirt", query).await,
            wanted,
            "{query:?}"
        );
    }
    let listed = app.list("csirt", &[("to", "2026-08-11")]).await;
    assert_eq!(listed["total"], 2);
    for (query, field) in [
        ("from=2026-02-30", "from"),
        ("to=11-08-2026", "to"),
        ("from=2026-08-11&to=2026-08-10", "to"),
        ("channel=merpati", "channel"),
    ] {
        let response = app
            .get(
                Some(app.token("csirt")),
                &format!("/api/v1/tickets?{query}"),
            )
            .await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), [field], "{query}: {body:#}");
    }
}
