//! The national rules around the SOP on the settings (`law`), and the password rules they
//! hold (Peraturan BSSN 4/2021 read as current guidance reads it): the section names the
//! rule behind each number and is changed by admins only; a new password known from
//! breaches, made of the person's name or address, or (when the policy asks) not mixed is
//! refused with its reason, through the API and on the pages; a password past the lifetime
//! opens only the password page until it is changed.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use sigap_testkit::{TestApp, problem, read};

use super::{audit_outcomes, password_only};
use crate::support::*;

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    the_law_section_names_each_rule_and_only_admins_change_it: law_section_sqlite, law_section_postgres;
    new_passwords_are_checked_against_the_rules_in_force: password_rules_sqlite, password_rules_postgres;
    a_password_past_its_lifetime_opens_only_the_password_page: password_lifetime_sqlite, password_lifetime_postgres;
}

async fn the_law_section_names_each_rule_and_only_admins_change_it(app: TestApp) {
    let (status, start) = read(
        app.get(Some(app.token("auditor")), "/api/v1/settings")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{start:#}");
    let law = &start["law"];
    assert_eq!(law["password_min_chars"], 12, "{law:#}");
    assert_eq!(law["password_composition"], false);
    assert!(law["password_max_age_days"].is_null());
    assert!(law["changed"].is_null());
    let bases = law["bases"].as_array().unwrap();
    let keys: Vec<&str> = bases.iter().map(|b| b["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "password_min_chars",
            "password_breached",
            "password_composition",
            "password_max_age_days",
            "pdp_notice_hours",
            "bssn_report_hours_iiv",
            "bssn_report_hours",
            "retention_contact_years",
            "retention_evidence_years"
        ]
    );
    assert_eq!(law["pdp_notice_hours"], 72);
    let basis = |b: &serde_json::Value| b["basis"].as_str().unwrap().to_owned();
    assert!(
        bases[..4]
            .iter()
            .all(|b| basis(b).contains("Peraturan BSSN Nomor 4 Tahun 2021"))
    );
    assert!(basis(&bases[4]).contains("UU Nomor 27 Tahun 2022"));
    assert!(basis(&bases[5]).contains("Peraturan BSSN Nomor 1 Tahun 2024"));
    assert_eq!(law["bssn_report_hours_iiv"], 24);
    assert_eq!(law["bssn_report_hours"], 72);
    assert_eq!(law["retention_contact_years"], 2);
    assert_eq!(law["retention_evidence_years"], 5);
    assert!(basis(&bases[7]).contains("Pasal 44"));

    // An admin of the pages, registered before the rules tighten.
    let admin = staff(&app, "hukum.admin@kominfo.batam.go.id", "admin", None).await;
    let change = json!({"password_min_chars": 14, "password_composition": true,
        "password_max_age_days": 365});
    for role in ["auditor", "csirt"] {
        problem(
            app.put(role, "/api/v1/settings/law", &change).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(
        audit_outcomes(&app, "settings_law").await,
        ["refused:403", "refused:403"]
    );
    let wrong = json!({"password_min_chars": 8, "password_composition": "kadang",
        "password_max_age_days": 30});
    let refused = problem(
        app.put("admin", "/api/v1/settings/law", &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "password_min_chars",
            "password_max_age_days",
            "password_composition"
        ]
    );
    let (_, unchanged) = read(app.get(Some(app.token("admin")), "/api/v1/settings").await).await;
    assert_eq!(
        unchanged["revision"], start["revision"],
        "a refused change changes nothing"
    );

    let (status, changed) = read(app.put("admin", "/api/v1/settings/law", &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["law"]["password_min_chars"], 14);
    assert_eq!(changed["law"]["password_composition"], true);
    assert_eq!(changed["law"]["password_max_age_days"], 365);
    assert_eq!(changed["law"]["changed"]["by"], "admin@kominfo.batam.go.id");

    // The settings page shows each rule, its number and its basis; admins get the form.
    let mut browser = Browser::new(&app);
    browser.login(admin, PASSWORD).await;
    let page = browser.get("/admin/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Aturan hukum di sekitar SOP",
        "Panjang kata sandi paling sedikit",
        "14 karakter",
        "365 hari kalender",
        "Diwajibkan",
        "Peraturan BSSN Nomor 4 Tahun 2021",
        "NIST SP 800-63B",
        "action=\"/admin/settings/law#law\"",
    ] {
        assert!(page.body.contains(text), "{text} in {}", page.body);
    }
    // The form on the page: refused with the message next to its field, then taken.
    let token = page.csrf();
    let refused = browser
        .post_form(
            "/admin/settings/law",
            &[
                ("password_min_chars", "10"),
                ("password_max_age_days", ""),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Tuliskan bilangan bulat 12 sampai 128."),
        "{}",
        refused.body
    );
    let saved = browser
        .post_form(
            "/admin/settings/law",
            &[
                ("password_min_chars", "16"),
                ("password_max_age_days", ""),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(
        saved.location(),
        "/admin/settings?done=settings_saved",
        "{}",
        saved.body
    );
    let (_, now) = read(app.get(Some(app.token("admin")), "/api/v1/settings").await).await;
    assert_eq!(now["law"]["password_min_chars"], 16);
    assert_eq!(
        now["law"]["password_composition"], false,
        "an unticked box is off"
    );
    assert!(now["law"]["password_max_age_days"].is_null());

    let (status, back) = read(
        app.send(
            "admin",
            reqwest::Method::DELETE,
            "/api/v1/settings/law",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{back:#}");
    assert_eq!(back["law"]["password_min_chars"], 12);
    assert!(back["law"]["changed"].is_null());
}

/// Adds a user over the API with `password`; answers the response.
async fn add_user(app: &TestApp, email: &str, name: &str, password: &str) -> reqwest::Response {
    let body = json!({"email": email, "name": name, "role": "csirt", "password": password});
    app.post("admin", "/api/v1/users", &body).await
}

async fn new_passwords_are_checked_against_the_rules_in_force(app: TestApp) {
    let name = "Rina Marlina Siregar";
    let email = "rina.siregar@kominfo.batam.go.id";
    for (password, why) in [
        ("Password2026!!!!", "known from breaches"),
        ("qwerty123456", "known from breaches"),
        ("RinaSiregar2026", "made of your name"),
        ("kominfo-batam-2026", "made of your name"),
    ] {
        let refused = problem(
            add_user(&app, email, name, password).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "password", "{refused:#}");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{password}: {refused:#}"
        );
    }
    let (status, _) = read(
        app.put(
            "admin",
            "/api/v1/settings/law",
            &json!({"password_min_chars": 12, "password_composition": true}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let unmixed = problem(
        add_user(&app, email, name, "kopi gayo tanpa gula").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        unmixed["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mix"),
        "{unmixed:#}"
    );
    let created = add_user(&app, email, name, "Kopi Gayo tanpa gula: 2 sendok").await;
    assert_eq!(created.status(), StatusCode::CREATED);

    // On the password page, each refusal says which rule, in the page's language.
    let mut browser = Browser::new(&app);
    browser.login(email, "Kopi Gayo tanpa gula: 2 sendok").await;
    let form = browser.get("/account/password").await;
    assert!(
        form.body.contains("Paling sedikit 12 karakter"),
        "{}",
        form.body
    );
    let token = form.csrf();
    for (password, message) in [
        ("Sunshine!2026-#", "pernah bocor dari situs lain"),
        (
            "Rina.Siregar#2026",
            "dibangun dari nama atau alamat surel Anda",
        ),
        (
            "kopi gayo pakai gula aren",
            "perpaduan huruf kecil, huruf besar, angka dan karakter khusus",
        ),
    ] {
        let fields = [
            ("current_password", "Kopi Gayo tanpa gula: 2 sendok"),
            ("new_password", password),
            ("confirm_password", password),
            (CSRF_FIELD, &token),
        ];
        let refused = browser.post_form("/account/password", &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        assert!(
            refused.body.contains(message),
            "{password}: {}",
            refused.body
        );
    }
    // Nothing was changed: the first password still signs in.
    let mut other = Browser::new(&app);
    other.login(email, "Kopi Gayo tanpa gula: 2 sendok").await;
}

async fn a_password_past_its_lifetime_opens_only_the_password_page(app: TestApp) {
    let email = staff(&app, "lama.csirt@kominfo.batam.go.id", "csirt", None).await;
    let (status, _) = read(
        app.put(
            "admin",
            "/api/v1/settings/law",
            &json!({"password_min_chars": 12, "password_max_age_days": 180}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Within the lifetime: signed in as always.
    app.clock.advance(Duration::days(179));
    Browser::new(&app).login(email, PASSWORD).await;

    app.clock.advance(Duration::days(2));
    let mut browser = Browser::new(&app);
    let signed = browser.password(email, PASSWORD).await;
    assert_eq!(signed.location(), "/account/password");
    for path in ["/tickets", "/admin/settings", "/account/tokens"] {
        assert_eq!(
            browser.get(path).await.location(),
            "/account/password",
            "{path}"
        );
    }
    assert_eq!(
        audit_outcomes(&app, "login")
            .await
            .last()
            .map(String::as_str),
        Some("pending:renew")
    );
    let form = browser.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("Masa berlaku kata sandi Anda telah habis"),
        "{}",
        form.body
    );
    let token = form.csrf();
    let new_password = "jembatan barelang di waktu senja";
    let done = browser
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(done.location(), "/login", "{}", done.body);
    // The new password is good for another 180 days.
    Browser::new(&app).login(email, new_password).await;
    app.clock.advance(Duration::days(179));
    Browser::new(&app).login(email, new_password).await;
}
