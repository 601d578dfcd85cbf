//! Changing the registries after the fact over the API: an agency's particulars and its
//! service, a system's domains and its service, a user's role and agency. Only admins;
//! each change and each refusal audited; a refused change leaves everything as it was; what
//! is out of service is given nothing new while its tickets go on; a new role or agency
//! revokes the user's API tokens.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, report_on};
use sigap_testkit::seed::{AGENCY_A, DOMAIN_A, DOMAIN_A2, DOMAIN_B};
use sigap_testkit::{TestApp, error_fields, problem, read};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    an_agency_out_of_service_keeps_its_tickets_and_gets_nothing_new: agency_edit_sqlite, agency_edit_postgres;
    a_system_s_domains_change_whole_or_not_at_all: system_edit_sqlite, system_edit_postgres;
    a_new_role_or_agency_revokes_the_user_s_tokens: user_edit_sqlite, user_edit_postgres;
}

/// The entry of `list` (`/api/v1/agencies`, …) whose `key` is `value`.
async fn entry(app: &TestApp, list: &str, key: &str, value: &Value) -> Value {
    let (status, all) = read(app.get(Some(app.token("admin")), list).await).await;
    assert_eq!(status, StatusCode::OK);
    all.as_array()
        .unwrap()
        .iter()
        .find(|e| &e[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {all}"))
        .clone()
}

async fn audit_head(app: &TestApp) -> i64 {
    app.store.audit_head().await.unwrap().0
}

/// The details of the last audit entry of `action` after `seq`.
async fn audited(app: &TestApp, after: i64, action: &str) -> Value {
    let entries = app.store.list_audit(after, 1000).await.unwrap();
    let entry = entries
        .iter()
        .rev()
        .find(|e| e.action == action && e.outcome == "ok")
        .unwrap_or_else(|| panic!("no `{action}` entry"));
    serde_json::from_str(&entry.details).unwrap()
}

/// The system a new report on `target` is routed to (`null`: none).
async fn routed(app: &TestApp, target: &str) -> (String, Value) {
    let number = app.submit_ok(&report_on(target)).await.number;
    let ticket = app.ticket("csirt", &number).await;
    (number, ticket["system"].clone())
}

async fn an_agency_out_of_service_keeps_its_tickets_and_gets_nothing_new(app: TestApp) {
    let path = format!("/api/v1/agencies/{AGENCY_A}");
    let (earlier, system) = routed(&app, "https://ppdb.disdik.batam.go.id/").await;
    assert!(system.is_object(), "routed while in service");

    // Refusals: a role that may not, an unknown code, a bad address; each audited, none
    // changing anything.
    let before = audit_head(&app).await;
    let change = json!({"name": "Dinas Pendidikan dan Kebudayaan", "email": "disdikbud@batam.go.id",
        "disabled": true});
    problem(
        app.put("csirt", &path, &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.put("admin", "/api/v1/agencies/NOPE", &change).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bad = json!({"name": "", "email": "bukan-surel", "disabled": "mungkin"});
    let refused = problem(
        app.put("admin", &path, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["name", "email", "disabled"]);
    assert_eq!(audit_head(&app).await, before + 3, "every refusal audited");
    let kept = entry(&app, "/api/v1/agencies", "code", &json!(AGENCY_A)).await;
    assert_eq!(kept["name"], "Dinas Pendidikan Kota Batam");
    assert_eq!(kept["disabled"], false);

    // The change: the head's address left out is cleared, the code stays.
    let (status, changed) = read(app.put("admin", &path, &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["code"], AGENCY_A);
    assert_eq!(changed["name"], "Dinas Pendidikan dan Kebudayaan");
    assert_eq!(changed["email"], "disdikbud@batam.go.id");
    assert_eq!(changed["head_email"], Value::Null);
    assert_eq!(changed["disabled"], true);
    assert_eq!(
        entry(&app, "/api/v1/agencies", "code", &json!(AGENCY_A)).await,
        changed
    );
    let details = audited(&app, before, "agency_edit").await;
    assert_eq!(details["was"]["name"], "Dinas Pendidikan Kota Batam");
    assert_eq!(details["now"]["name"], "Dinas Pendidikan dan Kebudayaan");
    assert_eq!(details["now"]["disabled"], true);

    // Out of service: new reports are not routed to it, no system or owner is added, no
    // validation names its system; the earlier ticket goes on.
    let (unrouted, system) = routed(&app, "https://ppdb.disdik.batam.go.id/").await;
    assert_eq!(
        system,
        Value::Null,
        "not routed to an agency out of service"
    );
    let refused = problem(
        app.action(
            app.token("csirt"),
            &unrouted,
            "validate",
            &bodies::validate(Some(DOMAIN_A)),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["system"]);
    let new_system =
        json!({"agency": AGENCY_A, "name": "Perpustakaan", "domains": ["perpus.batam.go.id"]});
    let refused = problem(
        app.post("admin", "/api/v1/systems", &new_system).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["agency"]);
    let owner = json!({"email": "pj2@disdik.batam.go.id", "name": "PJ Dua", "role": "system_owner",
        "agency": AGENCY_A});
    problem(
        app.post("admin", "/api/v1/users", &owner).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let ticket = app.drive(&earlier, "assessing").await;
    assert_eq!(ticket["agency"]["code"], AGENCY_A, "its tickets go on");

    // In service again: routed again.
    let back = json!({"name": "Dinas Pendidikan dan Kebudayaan", "disabled": false});
    assert_eq!(
        app.put("admin", &path, &back).await.status(),
        StatusCode::OK
    );
    let (_, system) = routed(&app, "https://ppdb.disdik.batam.go.id/").await;
    assert!(system.is_object(), "routed again");
}

async fn a_system_s_domains_change_whole_or_not_at_all(app: TestApp) {
    let a = entry(&app, "/api/v1/systems", "agency", &json!(AGENCY_A)).await;
    let path = format!("/api/v1/systems/{}", a["id"]);
    let (earlier, _) = routed(&app, &format!("https://{DOMAIN_A2}/")).await;

    // A domain another system has: refused, and the domain dropped in the same change is
    // still there.
    let taken = json!({"name": "Portal Pendidikan", "domains": [DOMAIN_A, DOMAIN_B]});
    let refused = problem(
        app.put("admin", &path, &taken).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["domain"]);
    let kept = entry(&app, "/api/v1/systems", "id", &a["id"]).await;
    assert_eq!(kept["domains"], json!([DOMAIN_A, DOMAIN_A2]), "unchanged");
    let none = json!({"name": "Portal Pendidikan", "domains": []});
    let refused = problem(
        app.put("admin", &path, &none).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["domains"]);
    problem(
        app.put("domain_officer", &path, &taken).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let elsewhere = json!({"name": "Perpustakaan", "domains": ["perpus.batam.go.id"]});
    problem(
        app.put("admin", "/api/v1/systems/999999", &elsewhere).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The change: one domain dropped, one added, the name changed.
    let change =
        json!({"name": "Portal PPDB", "domains": ["ppdb.batam.go.id", DOMAIN_A, DOMAIN_A]});
    let (status, changed) = read(app.put("admin", &path, &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["name"], "Portal PPDB");
    assert_eq!(changed["domains"], json!([DOMAIN_A, "ppdb.batam.go.id"]));
    assert_eq!(changed["agency"], AGENCY_A, "the agency stays");
    let (_, system) = routed(&app, &format!("https://{DOMAIN_A2}/")).await;
    assert_eq!(system, Value::Null, "the dropped domain routes nowhere");
    let (_, system) = routed(&app, "https://ppdb.batam.go.id/daftar").await;
    assert_eq!(system["id"], a["id"], "the added one routes to it");
    assert_eq!(
        app.ticket("csirt", &earlier).await["system"]["id"],
        a["id"],
        "an earlier ticket keeps its system"
    );

    // Out of service: matched to no new report, named by no validation.
    let off =
        json!({"name": "Portal PPDB", "domains": [DOMAIN_A, "ppdb.batam.go.id"], "disabled": true});
    let (status, changed) = read(app.put("admin", &path, &off).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["disabled"], true);
    let (number, system) = routed(&app, &format!("https://{DOMAIN_A}/")).await;
    assert_eq!(system, Value::Null);
    let refused = problem(
        app.action(
            app.token("csirt"),
            &number,
            "validate",
            &bodies::validate(Some(DOMAIN_A)),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused.to_string().contains("out of service"),
        "{refused:#}"
    );
}

async fn a_new_role_or_agency_revokes_the_user_s_tokens(app: TestApp) {
    let tickets = "/api/v1/tickets";
    let user = |email: &'static str| {
        let app = &app;
        async move { entry(app, "/api/v1/users", "email", &json!(email)).await }
    };
    let helpdesk = user("helpdesk@kominfo.batam.go.id").await;
    let owner = user("pj.sistem@disdik.batam.go.id").await;
    let admin = user("admin@kominfo.batam.go.id").await;

    // A new name only: the token still works.
    let path = format!("/api/v1/users/{}", helpdesk["id"]);
    let renamed = json!({"name": "Siti Rahma", "role": "helpdesk"});
    let (status, changed) = read(app.put("admin", &path, &renamed).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["name"], "Siti Rahma");
    assert_eq!(
        app.get(Some(app.token("helpdesk")), tickets).await.status(),
        StatusCode::OK
    );

    // Refusals: a system owner without agency, an agency for another role, one's own role,
    // an unknown user, a role that may not.
    let before = audit_head(&app).await;
    let refused = problem(
        app.put(
            "admin",
            &path,
            &json!({"name": "Siti", "role": "system_owner"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["agency"]);
    let refused = problem(
        app.put(
            "admin",
            &path,
            &json!({"name": "Siti", "role": "csirt", "agency": AGENCY_A}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["agency"]);
    let own = format!("/api/v1/users/{}", admin["id"]);
    let refused = problem(
        app.put("admin", &own, &json!({"name": "Admin", "role": "auditor"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["role"]);
    problem(
        app.put("admin", "/api/v1/users/999999", &renamed).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.put("csirt", &path, &json!({"name": "X", "role": "admin"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(audit_head(&app).await, before + 5, "every refusal audited");
    assert_eq!(
        user("helpdesk@kominfo.batam.go.id").await["role"],
        "helpdesk"
    );

    // A new role: the token is revoked; the change is audited with what it was.
    let promoted = json!({"name": "Siti Rahma", "role": "csirt"});
    let (status, changed) = read(app.put("admin", &path, &promoted).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["role"], "csirt");
    problem(
        app.get(Some(app.token("helpdesk")), tickets).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let details = audited(&app, before, "user_edit").await;
    assert_eq!(details["was"]["role"], "helpdesk");
    assert_eq!(details["now"]["role"], "csirt");
    assert_eq!(details["tokens_revoked"], 1);

    // A system owner moved to another agency: revoked too.
    let moved = json!({"name": "PJ Sistem", "role": "system_owner", "agency": "dinkes"});
    let owner_path = format!("/api/v1/users/{}", owner["id"]);
    let (status, changed) = read(app.put("admin", &owner_path, &moved).await).await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["agency"], "DINKES");
    problem(
        app.get(Some(app.token("system_owner")), tickets).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
