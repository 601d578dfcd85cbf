//! The admin pages that change a registry entry: the forms are filled with what is
//! registered, a refusal keeps the input with the error at its field, a form without the
//! session's token changes nothing, only admins are offered them; the agencies page names
//! the agencies without a system-owner account, and the ticket page tells the CSIRT that it
//! records a remediation on the agency's behalf.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::seed::{AGENCY_A, DOMAIN_B};
use sigap_testkit::{TestApp, valid_report};

use crate::support::{Browser, CSRF_FIELD, PASSWORD, Page, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    admins_change_agencies_systems_and_users_on_their_pages: edit_pages_sqlite, edit_pages_postgres;
    the_csirt_records_a_remediation_on_the_agency_s_behalf: on_behalf_sqlite, on_behalf_postgres;
}

/// Posts `fields` to `path` with the anti-CSRF token of the page at `path`.
async fn submit(browser: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let token = browser.get(path).await.csrf();
    let mut fields = fields.to_vec();
    fields.push((CSRF_FIELD, &token));
    browser.post_form(path, &fields).await
}

async fn api(app: &TestApp, path: &str) -> Value {
    let response = app.get(Some(app.token("admin")), path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn find(app: &TestApp, list: &str, key: &str, value: &str) -> Value {
    api(app, list)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value}"))
        .clone()
}

/// The text of the field `id`'s block (its label, input and error).
fn field<'a>(page: &'a Page, id: &str) -> &'a str {
    let at = page
        .body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no field {id}"));
    let start = page.body[..at].rfind("<div class=\"field").unwrap();
    let end = page.body[at..].find("</div>").unwrap();
    &page.body[start..at + end]
}

async fn admins_change_agencies_systems_and_users_on_their_pages(app: TestApp) {
    let admin = staff(&app, "ubah.admin@kominfo.batam.go.id", "admin", None).await;
    let mut browser = Browser::new(&app);
    browser.login(admin, PASSWORD).await;

    // The list: a link per agency, the agencies without a system-owner account named.
    let body = json!({"code": "BAPPEDA", "name": "Badan Perencanaan Pembangunan Daerah"});
    let added = app
        .client
        .post(app.url("/api/v1/agencies"))
        .bearer_auth(app.token("admin"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let list = browser.get("/admin/agencies").await;
    assert!(list.body.contains("href=\"/admin/agencies/DISDIK\""));
    let note = list
        .body
        .split("id=\"agencies-without-owner\">")
        .nth(1)
        .expect("the agencies without an owner account are named");
    assert!(
        note.starts_with("1 perangkat daerah belum memiliki akun pemilik sistem"),
        "{note}"
    );

    // The agency's form, filled; a bad address refused with the input kept.
    let path = format!("/admin/agencies/{AGENCY_A}");
    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(field(&form, "f-agency-name").contains("value=\"Dinas Pendidikan Kota Batam\""));
    assert!(field(&form, "f-agency-head-email").contains("value=\"kepala@disdik.batam.go.id\""));
    assert!(form.body.contains("Kode DISDIK tetap"));
    let refused = submit(
        &mut browser,
        &path,
        &[
            ("name", "Dinas Pendidikan <Baru>"),
            ("email", "bukan-surel"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&refused, "f-agency-email").contains("class=\"error\""));
    assert!(
        refused
            .body
            .contains("value=\"Dinas Pendidikan &#60;Baru&#62;\""),
        "kept, escaped"
    );
    let unchanged = find(&app, "/api/v1/agencies", "code", AGENCY_A).await;
    assert_eq!(unchanged["name"], "Dinas Pendidikan Kota Batam");

    // Without the session's token: nothing.
    let forged = browser
        .post_form(&path, &[("name", "Palsu"), ("disabled", "true")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Saved, out of service.
    let done = submit(
        &mut browser,
        &path,
        &[
            ("name", "Dinas Pendidikan dan Kebudayaan"),
            ("email", "disdikbud@batam.go.id"),
            ("disabled", "true"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/admin/agencies?done=agency_changed");
    let list = browser.get(done.location()).await;
    assert!(
        list.body
            .contains("Perubahan perangkat daerah telah disimpan.")
    );
    let changed = find(&app, "/api/v1/agencies", "code", AGENCY_A).await;
    assert_eq!(changed["name"], "Dinas Pendidikan dan Kebudayaan");
    assert_eq!(changed["disabled"], true);
    assert_eq!(changed["head_email"], Value::Null);
    let form = browser.get(&path).await;
    assert!(field(&form, "f-agency-disabled").contains("checked"));

    // Nothing new for an agency out of service: said at the field.
    let refused = submit(
        &mut browser,
        "/admin/systems",
        &[
            ("agency", AGENCY_A),
            ("name", "Perpustakaan"),
            ("domains", "perpus.batam.go.id"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field(&refused, "f-system-agency").contains("sudah dinonaktifkan"),
        "{}",
        field(&refused, "f-system-agency")
    );

    // A system: its domains one per line; a domain another system has is refused there.
    let system = find(&app, "/api/v1/systems", "agency", AGENCY_A).await;
    let path = format!("/admin/systems/{}", system["id"]);
    let form = browser.get(&path).await;
    assert!(field(&form, "f-system-domains").contains("disdik.batam.go.id\nsekolah.batam.go.id"));
    let refused = submit(
        &mut browser,
        &path,
        &[
            ("name", "Portal"),
            ("domains", &format!("disdik.batam.go.id\n{DOMAIN_B}")),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&refused, "f-system-domains").contains("class=\"error\""));
    let done = submit(
        &mut browser,
        &path,
        &[("name", "Portal PPDB"), ("domains", "disdik.batam.go.id")],
    )
    .await;
    assert_eq!(done.location(), "/admin/systems?done=system_changed");
    let changed = find(&app, "/api/v1/systems", "agency", AGENCY_A).await;
    assert_eq!(changed["domains"], json!(["disdik.batam.go.id"]));

    // One's own role: refused, said in Indonesian at the field.
    let me = find(&app, "/api/v1/users", "email", admin).await;
    let own = format!("/admin/users/{}", me["id"]);
    let refused = submit(
        &mut browser,
        &own,
        &[("name", "Admin"), ("role", "auditor")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field(&refused, "f-user-role").contains("Peran akun Anda sendiri tidak dapat Anda ubah"),
        "{}",
        field(&refused, "f-user-role")
    );

    // A user: a new role ends their sessions.
    let helpdesk = staff(&app, "meja@kominfo.batam.go.id", "helpdesk", None).await;
    let mut theirs = Browser::new(&app);
    theirs.login(helpdesk, PASSWORD).await;
    assert_eq!(theirs.get("/tickets").await.status, StatusCode::OK);
    let user = find(&app, "/api/v1/users", "email", helpdesk).await;
    let path = format!("/admin/users/{}", user["id"]);
    let form = browser.get(&path).await;
    assert!(field(&form, "f-user-role").contains("value=\"helpdesk\" selected"));
    let done = submit(
        &mut browser,
        &path,
        &[("name", "Petugas Baru"), ("role", "csirt")],
    )
    .await;
    assert_eq!(done.location(), "/admin/users?done=user_changed");
    assert_eq!(
        find(&app, "/api/v1/users", "email", helpdesk).await["role"],
        "csirt"
    );
    let ended = theirs.get("/tickets").await;
    assert_eq!(ended.location(), "/login", "the session ended");

    // Auditors read the lists without the links; the forms are not theirs.
    let auditor = staff(&app, "baca@inspektorat.batam.go.id", "auditor", None).await;
    let mut reader = Browser::new(&app);
    reader.login(auditor, PASSWORD).await;
    let list = reader.get("/admin/agencies").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("href=\"/admin/agencies/DISDIK\""));
    let (before, _) = app.store.audit_head().await.unwrap();
    let form = reader.get(&format!("/admin/agencies/{AGENCY_A}")).await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    let refusal = app.store.list_audit(before, 10).await.unwrap();
    assert!(
        refusal
            .iter()
            .any(|e| e.action == "agency_edit" && e.outcome.starts_with("refused")),
        "the refusal is audited"
    );
}

async fn the_csirt_records_a_remediation_on_the_agency_s_behalf(app: TestApp) {
    let number = app.submit_ok(&valid_report()).await.number;
    app.drive(&number, "remediating").await;
    let analyst = staff(&app, "wakil@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(
        page.body.contains(
            "Anda mencatat perbaikan atas nama perangkat daerah Dinas Pendidikan Kota Batam."
        ),
        "said on the form"
    );
    assert!(!page.body.contains("belum memiliki akun pemilik sistem"));

    // The agency's only system-owner account disabled: the form says so.
    let owner = find(
        &app,
        "/api/v1/users",
        "email",
        "pj.sistem@disdik.batam.go.id",
    )
    .await;
    let disabled = app
        .client
        .post(app.url(&format!("/api/v1/users/{}/disable", owner["id"])))
        .bearer_auth(app.token("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(
        page.body
            .contains("Perangkat daerah ini belum memiliki akun pemilik sistem."),
        "the agency has no account"
    );
}
