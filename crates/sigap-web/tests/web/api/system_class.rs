//! How an electronic system is classed for the national rules: vital information
//! infrastructure (IIV) and its *kategori sistem elektronik*, given when it is registered
//! or changed by an admin (audited with what it was), refused when the category is not one
//! of the three, and shown with the system on its tickets, in the API and on the page.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_store::AuditFilter;
use sigap_testkit::seed::{AGENCY_A, DOMAIN_A, DOMAIN_A2};
use sigap_testkit::{TestApp, bodies, problem, read, valid_report};

use crate::support::*;

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    systems_carry_their_class_to_their_tickets: system_class_sqlite, system_class_postgres;
}

async fn systems_carry_their_class_to_their_tickets(app: TestApp) {
    // Classed when registered; a category that is not one of the three is refused.
    let mut new = json!({"agency": AGENCY_A, "name": "Dapodik Kota",
        "domains": ["dapodik.batam.go.id"], "iiv": true, "category": "sedang"});
    let refused = problem(
        app.post("admin", "/api/v1/systems", &new).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "category", "{refused:#}");
    new["category"] = json!("Strategis");
    let (status, added) = read(app.post("admin", "/api/v1/systems", &new).await).await;
    assert_eq!(status, StatusCode::CREATED, "{added:#}");
    assert_eq!(added["iiv"], true);
    assert_eq!(added["category"], "strategis");

    // The seeded system, classed later by an admin only; the audit says what it was.
    let id = app.seed.system_a_id;
    let path = format!("/api/v1/systems/{id}");
    let edit = json!({"name": "Portal Pendidikan", "domains": [DOMAIN_A, DOMAIN_A2],
        "iiv": true, "category": "tinggi"});
    problem(
        app.put("system_owner", &path, &edit).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, changed) = read(app.put("admin", &path, &edit).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["iiv"], true);
    assert_eq!(changed["category"], "tinggi");
    let entries = app
        .store
        .search_audit(&AuditFilter {
            action: Some("system_edit".to_owned()),
            outcome: Some("ok".to_owned()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let details: Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["was"]["iiv"], false, "{details:#}");
    assert!(details["was"]["category"].is_null(), "{details:#}");
    assert_eq!(details["now"]["category"], "tinggi", "{details:#}");
    let (_, listed) = read(app.get(Some(app.token("csirt")), "/api/v1/systems").await).await;
    let portal = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    assert_eq!(portal["iiv"], true);
    assert_eq!(portal["category"], "tinggi");

    // A ticket on the system carries its class, in the API and on the page.
    let n = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    let ticket = app.ticket("csirt", &n).await;
    assert_eq!(ticket["system"]["id"], id, "{ticket:#}");
    assert_eq!(ticket["system"]["iiv"], true, "{ticket:#}");
    assert_eq!(ticket["system"]["category"], "tinggi", "{ticket:#}");
    let analyst = staff(&app, "kelas.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{n}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">IIV</span>"), "{}", page.body);
    assert!(page.body.contains("Kategori: tinggi"), "{}", page.body);

    // Left out of a change: no longer IIV, not classed.
    let plain = json!({"name": "Portal Pendidikan", "domains": [DOMAIN_A, DOMAIN_A2]});
    let (_, back) = read(app.put("admin", &path, &plain).await).await;
    assert_eq!(back["iiv"], false);
    assert!(back["category"].is_null());
}
