//! The settings an admin changes while the server runs, over the API: read by admins and
//! auditors, changed by admins only, each change checked as a whole (a refused one changes
//! nothing), applied to the next step, and put back to the start value with `DELETE`.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, bodies, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    settings_are_read_by_admins_and_auditors_and_changed_by_admins: sqlite_settings_roles, postgres_settings_roles;
    holidays_put_over_the_api_move_the_next_deadline: sqlite_settings_holidays, postgres_settings_holidays;
    refused_settings_change_nothing: sqlite_settings_refused, postgres_settings_refused;
    letterhead_logo_is_sniffed_and_kept: sqlite_settings_logo, postgres_settings_logo;
}

async fn settings(app: &TestApp, role: &str) -> Value {
    let (status, body) = read(app.get(Some(app.token(role)), "/api/v1/settings").await).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    body
}

async fn settings_are_read_by_admins_and_auditors_and_changed_by_admins(app: TestApp) {
    let start = settings(&app, "auditor").await;
    assert_eq!(start["approval"]["threshold"], 3);
    assert!(start["approval"]["changed"].is_null());
    let kinds = start["documents"]["kinds"].as_array().unwrap();
    let receipt = kinds
        .iter()
        .find(|k| k["kind"] == "acknowledgement")
        .unwrap();
    assert_eq!(receipt["pattern"], "000.6/{n}/TT/Diskominfo/{year}");
    assert_eq!(receipt["own_pattern"], false);
    for role in ["csirt", "helpdesk", "system_owner", "regional_secretary"] {
        problem(
            app.get(Some(app.token(role)), "/api/v1/settings").await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let change = json!({"threshold": 1, "window_days": null});
    for role in ["auditor", "csirt"] {
        problem(
            app.put(role, "/api/v1/settings/approval", &change).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(settings(&app, "admin").await["revision"], start["revision"]);

    let (status, changed) =
        read(app.put("admin", "/api/v1/settings/approval", &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["approval"]["threshold"], 1);
    assert_eq!(
        changed["approval"]["changed"]["by"],
        "admin@kominfo.batam.go.id"
    );
    assert!(changed["revision"].as_i64() > start["revision"].as_i64());

    // The next review applies it: two valid reports are more than 1.
    let first = app.submit_ok(&valid_report()).await.number;
    let second = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &first, "validate", &bodies::validate(None))
        .await;
    app.drive(&second, "reviewing").await;
    let t = app
        .act("csirt", &second, "review", &bodies::review(true))
        .await;
    assert_eq!(t["state"], "awaiting_approval");

    let reset = app
        .send(
            "admin",
            reqwest::Method::DELETE,
            "/api/v1/settings/approval",
            None,
        )
        .await;
    let (status, back) = read(reset).await;
    assert_eq!(status, StatusCode::OK, "{back:#}");
    assert_eq!(back["approval"]["threshold"], 3);
    assert!(back["approval"]["changed"].is_null());
    problem(
        app.send(
            "admin",
            reqwest::Method::DELETE,
            "/api/v1/settings/approval",
            None,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.send(
            "admin",
            reqwest::Method::DELETE,
            "/api/v1/settings/colours",
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn holidays_put_over_the_api_move_the_next_deadline(app: TestApp) {
    let list = json!({"holidays": [
        {"date": "2026-08-17", "name": "Hari Kemerdekaan RI"},
        {"date": "2026-08-11", "name": "Cuti bersama"},
    ]});
    let (status, changed) = read(app.put("admin", "/api/v1/settings/holidays", &list).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(
        changed["holidays"]["list"],
        json!([
            {"date": "2026-08-11", "name": "Cuti bersama"},
            {"date": "2026-08-17", "name": "Hari Kemerdekaan RI"},
        ])
    );
    // Monday 09:00 WIB; Tuesday is a holiday now: due Wednesday 09:00 WIB.
    let n = app.submit_ok(&valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &n).await["deadline"]["due_at"],
        "2026-08-12T02:00:00Z"
    );
}

async fn refused_settings_change_nothing(app: TestApp) {
    let before = settings(&app, "admin").await;
    let cases = [
        (
            "/api/v1/settings/approval",
            json!({"threshold": -1}),
            "threshold",
        ),
        (
            "/api/v1/settings/approval",
            json!({"threshold": 3, "window_days": 0}),
            "window_days",
        ),
        (
            "/api/v1/settings/holidays",
            json!({"holidays": [{"date": "17-08-2026"}]}),
            "holidays",
        ),
        (
            "/api/v1/settings/holidays",
            json!({"holidays": "2026-08-17"}),
            "holidays",
        ),
        (
            "/api/v1/settings/documents/letter_notice",
            json!({"pattern": "800/KOMINFO/{year}", "signers": [], "tembusan": []}),
            "pattern",
        ),
        (
            "/api/v1/settings/documents/letter_notice",
            json!({"pattern": "000.6/{n}/Diskominfo", "signers": [], "tembusan": []}),
            "pattern",
        ),
        (
            "/api/v1/settings/documents/letter_notice",
            json!({"signers": [{"position": "Kepala Dinas", "name": "A", "nip": "12ab"}], "tembusan": []}),
            "signers",
        ),
        (
            "/api/v1/settings/letterhead",
            json!({"place": "Batam", "lines": [], "address": "Jl. Engku Putri"}),
            "lines",
        ),
    ];
    for (path, body, field) in cases {
        let p = problem(
            app.put("admin", path, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&field), "{path} {body}: {p:#}");
    }
    problem(
        app.put(
            "admin",
            "/api/v1/settings/documents/memo",
            &json!({"signers": [], "tembusan": []}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(settings(&app, "admin").await, before, "nothing changed");
}

async fn letterhead_logo_is_sniffed_and_kept(app: TestApp) {
    let markup = base64::engine::general_purpose::STANDARD.encode(b"<svg onload=alert(1)>");
    let body = json!({
        "place": "Batam",
        "lines": ["PEMERINTAH KOTA BATAM", "DINAS KOMUNIKASI DAN INFORMATIKA"],
        "address": "Jl. Engku Putri No. 1, Batam Centre",
        "logo_png": markup,
    });
    let p = problem(
        app.put("admin", "/api/v1/settings/letterhead", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "logo", "{p:#}");
    assert_eq!(settings(&app, "admin").await["documents"]["logo"], false);

    let mut png = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([200, 0, 0]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut body = body;
    body["logo_png"] = json!(base64::engine::general_purpose::STANDARD.encode(&png));
    let (status, changed) =
        read(app.put("admin", "/api/v1/settings/letterhead", &body).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["documents"]["logo"], true);
    // Another change of the letterhead without a logo keeps it; `remove_logo` drops it.
    body["logo_png"] = Value::Null;
    body["address"] = json!("Jl. Engku Putri No. 2");
    let (_, kept) = read(app.put("admin", "/api/v1/settings/letterhead", &body).await).await;
    assert_eq!(kept["documents"]["logo"], true);
    assert_eq!(kept["documents"]["address"], "Jl. Engku Putri No. 2");
    body["remove_logo"] = json!(true);
    let (_, removed) = read(app.put("admin", "/api/v1/settings/letterhead", &body).await).await;
    assert_eq!(removed["documents"]["logo"], false);
    let (status, back) = read(
        app.send(
            "admin",
            reqwest::Method::DELETE,
            "/api/v1/settings/documents",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{back:#}");
    assert!(back["documents"]["changed"].is_null());
    assert_ne!(back["documents"]["address"], "Jl. Engku Putri No. 2");
}
