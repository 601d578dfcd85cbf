//! The CSIRT's public profile (RFC 2350) and `security.txt`: the profile is published at
//! `/rfc2350` and as text from the settings; `security.txt` expires a year after its last
//! review (the installation, when it was never reviewed); the admins are mailed once, a
//! month before; saving the profile (admins only) is its review and renews it.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, problem, read};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    the_profile_is_published_and_its_review_renews_security_txt: profile_sqlite, profile_postgres;
}

async fn expires(app: &TestApp) -> DateTime<Utc> {
    let text = app
        .get(None, "/.well-known/security.txt")
        .await
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Expires: "))
        .unwrap_or_else(|| panic!("no Expires in {text}"));
    assert!(
        text.contains("Canonical: ")
            && text.contains("Policy: ")
            && text.contains("Preferred-Languages: id, en"),
        "{text}"
    );
    DateTime::parse_from_rfc3339(line).unwrap().to_utc()
}

fn profile(phone: &str) -> Value {
    json!({
        "team_name": "BATAM-CSIRT",
        "organisation": "Dinas Komunikasi dan Informatika Kota Batam",
        "address": "Jl. Engku Putri Nomor 1, Batam Centre, Batam 29461",
        "phone": phone,
        "hours": "Senin-Jumat 08.00-16.00 WIB",
        "constituency": "Perangkat daerah Pemerintah Kota Batam",
        "mission": "Menangani laporan kerentanan sampai sistem aman kembali",
        "authority": "Keputusan Wali Kota Batam Nomor KPTS.123/2026",
        "services": ["Penanganan laporan", "Pemblokiran sementara <script>"],
    })
}

async fn the_profile_is_published_and_its_review_renews_security_txt(app: TestApp) {
    let start = app.now();
    // Never reviewed: a year after the installation's first act (the test's start).
    let first = app.store.list_audit(0, 1).await.unwrap()[0].at;
    let installed = DateTime::from_timestamp_millis(first).unwrap();
    assert_eq!(expires(&app).await, installed + Duration::days(365));

    let page = app.get(None, "/rfc2350").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for text in [
        "Profil CSIRT menurut RFC 2350: BATAM-CSIRT",
        "1. Informasi dokumen",
        "Belum pernah ditinjau sejak pemasangan",
        "Dinas Komunikasi dan Informatika Kota Batam",
        "/report",
        "Belum ada kunci OpenPGP yang diterbitkan.",
        "Pemblokiran sementara sistem elektronik yang membahayakan",
        "7. Penafian",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    let text = app.get(None, "/rfc2350.txt").await;
    assert!(
        text.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = text.text().await.unwrap();
    assert!(text.contains("2. Informasi kontak\n"), "{text}");
    assert!(text.contains("   Nama tim:\n      BATAM-CSIRT\n"), "{text}");

    // A month before the expiry the admins are told, once.
    app.clock.advance(Duration::days(334));
    assert!(
        !sigap_app::admin::rules::remind_security_txt(&app.app)
            .await
            .unwrap()
    );
    app.clock.advance(Duration::days(2));
    assert!(
        sigap_app::admin::rules::remind_security_txt(&app.app)
            .await
            .unwrap()
    );
    assert!(
        !sigap_app::admin::rules::remind_security_txt(&app.app)
            .await
            .unwrap()
    );
    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let mail = super::mail::settings(&app, &sink.url());
    super::mail::drain(&app, &mail).await;
    let received = sink.wait_for(1, StdDuration::from_secs(10)).await;
    let reminder = received
        .iter()
        .find(|m| super::mail::subject(m).contains("security.txt"))
        .expect("the reminder");
    assert!(
        super::mail::to(reminder, app.seed.emails["admin"]),
        "{:?}",
        reminder.rcpt_to
    );
    let body = reminder
        .parsed()
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(body.contains("/admin/settings#profile"), "{body}");

    // Only admins review it; a refused profile changes nothing.
    problem(
        app.put("auditor", "/api/v1/settings/profile", &profile("+62 778 1"))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let mut wrong = profile("+62 778 1");
    wrong["team_name"] = json!("");
    wrong["services"] = json!([]);
    let refused = problem(
        app.put("admin", "/api/v1/settings/profile", &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["team_name", "services"]);
    assert_eq!(expires(&app).await, installed + Duration::days(365));

    let (status, settings) = read(
        app.put(
            "admin",
            "/api/v1/settings/profile",
            &profile("+62 778 8073194"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{settings:#}");
    assert_eq!(settings["profile"]["phone"], "+62 778 8073194");
    assert_eq!(
        settings["profile"]["changed"]["by"],
        "admin@kominfo.batam.go.id"
    );
    let reviewed = app.now();
    assert_eq!(expires(&app).await, reviewed + Duration::days(365));
    assert!(reviewed > start);
    let html = app.get(None, "/rfc2350").await.text().await.unwrap();
    for text in [
        "Jl. Engku Putri Nomor 1, Batam Centre",
        "Keputusan Wali Kota Batam Nomor KPTS.123/2026",
        "Pemblokiran sementara &#60;script&#62;",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    assert!(!html.contains("<script>"), "the profile's text is escaped");
    assert!(!html.contains("Belum pernah ditinjau"));
    // Renewed: no reminder until a month before the new expiry.
    assert!(
        !sigap_app::admin::rules::remind_security_txt(&app.app)
            .await
            .unwrap()
    );
    let stamp = (reviewed + Duration::days(365)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let text = app
        .get(None, "/.well-known/security.txt")
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains(&format!("Expires: {stamp}")), "{text}");
}
