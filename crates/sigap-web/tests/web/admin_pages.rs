//! The staff admin pages over HTTP, as a browser uses them: agencies, electronic systems,
//! users (with the second factor's reset and the account switch) and the settings in force.
//! Every test boots the real app over a fresh database, signs staff in through the login
//! form, reads the anti-CSRF token from the page it was given and posts forms; what a form
//! changed is then read back through the pages and the JSON API. Each test runs on SQLite
//! and on PostgreSQL (skipped when `SIGAP_TEST_POSTGRES_URL` is unset).
//!
//! No role needs a second factor here, so that staff sign in with the password alone; a
//! helpdesk user enrols one of their own choice where the reset is tested.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_app::Caller;
use sigap_app::admin::registry;
use sigap_testkit::TestApp;

/// Rules under which no role needs a second factor, with two holidays.
fn password_only(start: &mut sigap_testkit::Start) {
    start.rules.totp_required_roles.clear();
    start.policy.calendar = sigap_core::WorkingCalendar::new([
        chrono::NaiveDate::from_ymd_opt(2026, 8, 17).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
    ]);
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    admin_adds_an_agency_through_the_form: add_agency_sqlite, add_agency_postgres;
    refused_agency_shows_the_field_error_with_the_input_kept: refused_agency_sqlite, refused_agency_postgres;
    admin_forms_without_the_right_csrf_token_change_nothing: admin_csrf_sqlite, admin_csrf_postgres;
    only_admins_and_auditors_open_the_admin_pages: admin_roles_sqlite, admin_roles_postgres;
    admin_adds_a_system_and_sets_its_blocking: add_system_sqlite, add_system_postgres;
    admin_adds_a_user_with_a_generated_password_shown_once: add_user_sqlite, add_user_postgres;
    admin_resets_a_user_s_second_factor: reset_totp_sqlite, reset_totp_postgres;
    admin_forces_a_new_password_shown_once: reset_password_sqlite, reset_password_postgres;
    admin_disables_and_enables_a_user: disable_user_sqlite, disable_user_postgres;
    names_with_markup_are_shown_escaped: escaped_sqlite, escaped_postgres;
    settings_page_shows_the_settings_in_force_and_their_source: settings_sqlite, settings_postgres;
    approval_threshold_changed_on_the_page_decides_the_next_review: threshold_sqlite, threshold_postgres;
    holidays_changed_on_the_page_move_the_next_deadline: holidays_sqlite, holidays_postgres;
    document_settings_changed_on_the_page_shape_the_next_document: documents_sqlite, documents_postgres;
    refused_settings_keep_the_input_and_change_nothing: refused_settings_sqlite, refused_settings_postgres;
    another_instance_applies_a_change_at_its_next_use: instances_sqlite, instances_postgres;
    admin_pages_carry_the_security_headers: admin_headers_sqlite, admin_headers_postgres;
}

const ADMIN_PAGES: [&str; 4] = [
    "/admin/agencies",
    "/admin/systems",
    "/admin/users",
    "/admin/settings",
];

impl Browser {
    /// Posts `fields` to `path` with the token of the form on `page_path`.
    async fn submit(&mut self, page_path: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(page_path).await.csrf();
        let mut fields = fields.to_vec();
        fields.push((CSRF_FIELD, &token));
        self.post_form(path, &fields).await
    }
}

/// A browser signed in as a new admin.
async fn admin_browser(app: &TestApp) -> Browser {
    let email = staff(app, "web.admin@kominfo.batam.go.id", "admin", None).await;
    let mut browser = Browser::new(app);
    browser.login(email, PASSWORD).await;
    browser
}

/// A JSON API answer read with `role`'s token.
async fn api(app: &TestApp, role: &str, path: &str) -> Value {
    let response = app.get(Some(app.token(role)), path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn agency_codes(app: &TestApp) -> Vec<String> {
    api(app, "admin", "/api/v1/agencies")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The id of the user with `email`, from the JSON API.
async fn user_id(app: &TestApp, email: &str) -> i64 {
    api(app, "admin", "/api/v1/users")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no user {email}"))["id"]
        .as_i64()
        .unwrap()
}

/// The table row of the user `id` on the users page.
fn user_row(page: &Page, id: i64) -> String {
    let marker = format!("<tr id=\"user-{id}\">");
    let start = page.body.find(&marker).expect("the user's row");
    let end = page.body[start..].find("</tr>").unwrap();
    page.body[start..start + end].to_owned()
}

async fn admin_adds_an_agency_through_the_form(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let page = browser.get("/admin/agencies").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Dinas Pendidikan Kota Batam"),
        "the seeded agencies"
    );
    assert!(
        page.body.contains("action=\"/admin/agencies\""),
        "the add form"
    );
    assert!(
        page.body.contains("for=\"f-agency-code\""),
        "labelled fields"
    );
    let done = browser
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[
                ("code", "disperkim"),
                ("name", "Dinas Perumahan dan Permukiman"),
                ("email", "disperkim@batam.go.id"),
                ("head_email", "kepala@disperkim.batam.go.id"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/admin/agencies?done=agency_added");
    let list = browser.get(done.location()).await;
    assert!(list.body.contains("Perangkat daerah telah ditambahkan."));
    assert!(list.body.contains("DISPERKIM"), "the code, upper-cased");
    assert!(list.body.contains("kepala@disperkim.batam.go.id"));
    let agencies = api(&app, "admin", "/api/v1/agencies").await;
    let added = agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "DISPERKIM")
        .expect("in the API");
    assert_eq!(added["name"], "Dinas Perumahan dan Permukiman");
    assert_eq!(added["email"], "disperkim@batam.go.id");
    assert_eq!(added["head_email"], "kepala@disperkim.batam.go.id");
}

async fn refused_agency_shows_the_field_error_with_the_input_kept(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let before = agency_codes(&app).await;
    let duplicate = browser
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[("code", "DISDIK"), ("name", "Dinas Pendidikan Kedua")],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        duplicate.body.contains("Data belum disimpan"),
        "the summary"
    );
    assert!(
        duplicate
            .body
            .contains("belum dipakai perangkat daerah lain"),
        "the error next to the code"
    );
    assert!(
        duplicate.body.contains("value=\"Dinas Pendidikan Kedua\""),
        "input kept"
    );
    let marked: Vec<&str> = duplicate
        .body
        .split("class=\"field has-error\"")
        .skip(1)
        .map(|rest| rest.split("</div>").next().unwrap())
        .collect();
    assert_eq!(marked.len(), 1, "one field marked");
    assert!(marked[0].contains("id=\"f-agency-code\""), "{}", marked[0]);
    assert!(marked[0].contains("belum dipakai perangkat daerah lain"));
    let invalid = browser
        .submit(
            "/admin/agencies?lang=en",
            "/admin/agencies",
            &[
                ("code", "BAPPEDA"),
                ("name", "Badan Perencanaan"),
                ("email", "bukan-surel"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.body.contains("Give a valid e-mail address"),
        "in English"
    );
    assert!(invalid.body.contains("value=\"bukan-surel\""));
    assert!(invalid.body.contains("value=\"BAPPEDA\""));
    assert_eq!(agency_codes(&app).await, before, "nothing changed");
}

async fn admin_forms_without_the_right_csrf_token_change_nothing(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    browser.get("/admin/agencies").await;
    let agency = [("code", "BAPPEDA"), ("name", "Badan Perencanaan")];
    let missing = browser.post_form("/admin/agencies", &agency).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let mut wrong = agency.to_vec();
    wrong.push((CSRF_FIELD, "salah"));
    let refused = browser.post_form("/admin/agencies", &wrong).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Formulir sudah kedaluwarsa"));
    assert!(!agency_codes(&app).await.contains(&"BAPPEDA".to_owned()));

    let system = [
        ("agency", "DISDIK"),
        ("name", "Perpustakaan"),
        ("domains", "perpus.batam.go.id"),
    ];
    assert_eq!(
        browser.post_form("/admin/systems", &system).await.status,
        StatusCode::FORBIDDEN
    );
    let blocking = [
        ("domain", "disdik.batam.go.id"),
        ("adapter", "webhook"),
        ("params", "url = https://x.example"),
    ];
    assert_eq!(
        browser
            .post_form("/admin/systems/blocking", &blocking)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let systems = api(&app, "admin", "/api/v1/systems").await;
    assert_eq!(systems.as_array().unwrap().len(), 2, "no system added");
    assert!(
        systems
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["blocking_adapter"] == "manual"),
        "no blocking changed"
    );

    let user = [
        ("email", "baru@kominfo.batam.go.id"),
        ("name", "Baru"),
        ("role", "helpdesk"),
    ];
    assert_eq!(
        browser.post_form("/admin/users", &user).await.status,
        StatusCode::FORBIDDEN
    );
    let users = api(&app, "admin", "/api/v1/users").await;
    assert!(!users.to_string().contains("baru@kominfo"), "no user added");
    let helpdesk = user_id(&app, app.seed.emails["helpdesk"]).await;
    for action in ["disable", "totp/reset"] {
        let path = format!("/admin/users/{helpdesk}/{action}");
        let refused = browser.post_form(&path, &[(CSRF_FIELD, "salah")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let users = api(&app, "admin", "/api/v1/users").await;
    let row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == helpdesk)
        .unwrap();
    assert_eq!(row["disabled"], false, "not disabled");
}

async fn only_admins_and_auditors_open_the_admin_pages(app: TestApp) {
    let mut csirt = Browser::new(&app);
    csirt
        .login(
            staff(&app, "web.csirt@kominfo.batam.go.id", "csirt", None).await,
            PASSWORD,
        )
        .await;
    for path in ADMIN_PAGES {
        let page = csirt.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Akses ditolak"), "{path}");
    }
    let queue = csirt.get("/tickets").await;
    assert!(
        !queue.body.contains("href=\"/admin/users\""),
        "no admin links"
    );
    let token = queue.csrf();
    let refused = csirt
        .post_form(
            "/admin/agencies",
            &[
                ("code", "BAPPEDA"),
                ("name", "Badan Perencanaan"),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "the use case refuses"
    );
    assert!(!agency_codes(&app).await.contains(&"BAPPEDA".to_owned()));

    let mut auditor = Browser::new(&app);
    auditor
        .login(
            staff(&app, "web.auditor@inspektorat.batam.go.id", "auditor", None).await,
            PASSWORD,
        )
        .await;
    for path in ADMIN_PAGES {
        let page = auditor.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(!page.body.contains("class=\"form\""), "{path}: no forms");
        assert!(!page.body.contains("/totp/reset"), "{path}: no buttons");
        assert!(
            page.body
                .contains(&format!("href=\"{path}\" aria-current=\"page\"")),
            "{path}"
        );
    }
    let users = auditor.get("/admin/users").await;
    assert!(users.body.contains(app.seed.emails["helpdesk"]));
    assert!(users.body.contains("Anda dapat melihat halaman ini"));

    let mut admin = admin_browser(&app).await;
    let queue = admin.get("/tickets").await;
    for path in ADMIN_PAGES {
        assert!(
            queue.body.contains(&format!("href=\"{path}\"")),
            "admin links {path}"
        );
    }
}

async fn admin_adds_a_system_and_sets_its_blocking(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let page = browser.get("/admin/systems").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("sekolah.batam.go.id"),
        "the seeded domains"
    );
    let refused = browser
        .submit(
            "/admin/systems",
            "/admin/systems",
            &[
                ("agency", "DINKES"),
                ("name", "Portal Kedua"),
                ("domains", "disdik.batam.go.id"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a registered domain"
    );
    assert!(
        refused
            .body
            .contains("belum terdaftar, mis. layanan.batam.go.id")
    );
    assert!(refused.body.contains("value=\"Portal Kedua\""));
    let done = browser
        .submit(
            "/admin/systems",
            "/admin/systems",
            &[
                ("agency", "DINKES"),
                ("name", "Pendaftaran Puskesmas"),
                ("domains", "puskesmas.batam.go.id\r\nantrean.batam.go.id"),
            ],
        )
        .await;
    assert_eq!(
        done.location(),
        "/admin/systems?done=system_added",
        "{}",
        done.body
    );
    let systems = api(&app, "admin", "/api/v1/systems").await;
    let added = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Pendaftaran Puskesmas")
        .expect("in the API");
    assert_eq!(added["agency"], "DINKES");
    assert_eq!(
        added["domains"],
        json!(["antrean.batam.go.id", "puskesmas.batam.go.id"])
    );
    let agencies = browser.get("/admin/agencies").await;
    let dinkes = agencies.body.split("<code>DINKES</code>").nth(1).unwrap();
    let count = dinkes.split("</tr>").next().unwrap();
    assert!(
        count.contains("<td>2</td>"),
        "DINKES has two systems: {count}"
    );

    let bad = browser
        .submit(
            "/admin/systems",
            "/admin/systems/blocking",
            &[
                ("domain", "antrean.batam.go.id"),
                ("profile", "webhook-uji"),
                ("params", "tanpa sama dengan"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("tanpa sama dengan"), "input kept");
    // A command, a file or a secret name is the operator's: refused, with the input kept.
    let command = browser
        .submit(
            "/admin/systems",
            "/admin/systems/blocking",
            &[
                ("domain", "antrean.batam.go.id"),
                ("profile", "nginx-uji"),
                ("params", "reload_command = sh -c id"),
            ],
        )
        .await;
    assert_eq!(command.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        command.body.contains("SIGAP_BLOCKING_FILE"),
        "{}",
        command.body
    );
    assert!(
        command.body.contains("reload_command = sh -c id"),
        "input kept"
    );
    let set = browser
        .submit(
            "/admin/systems",
            "/admin/systems/blocking",
            &[
                ("domain", "antrean.batam.go.id"),
                ("profile", "webhook-uji"),
                ("params", "timeout_secs = 3"),
            ],
        )
        .await;
    assert_eq!(
        set.location(),
        "/admin/systems?done=blocking_set",
        "{}",
        set.body
    );
    let systems = api(&app, "admin", "/api/v1/systems").await;
    let changed = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Pendaftaran Puskesmas")
        .unwrap();
    assert_eq!(changed["blocking_adapter"], "webhook");
    let list = browser.get(set.location()).await;
    assert!(
        list.body
            .contains("Cara pemblokiran sistem telah disimpan.")
    );
    let english = browser.get("/admin/systems?lang=en").await;
    assert!(english.body.contains("nginx (maintenance page)"));
}

async fn admin_adds_a_user_with_a_generated_password_shown_once(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let refused = browser
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("email", "pj.baru@dinkes.batam.go.id"),
                ("name", "PJ Baru"),
                ("role", "system_owner"),
                ("agency", ""),
                ("password", "pendek"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("wajib memilih perangkat daerahnya"));
    assert!(refused.body.contains("Kata sandi sedikitnya 12 karakter"));
    assert!(
        refused
            .body
            .contains("value=\"pj.baru@dinkes.batam.go.id\"")
    );
    assert!(
        refused.body.contains("autocomplete=\"new-password\""),
        "the admin's own password is not filled in"
    );
    assert!(
        !refused.body.contains("value=\"pendek\""),
        "a password is never sent back"
    );
    assert!(
        refused
            .body
            .contains("<option value=\"system_owner\" selected>"),
        "the role kept"
    );
    let created = browser
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("email", "pj.baru@dinkes.batam.go.id"),
                ("name", "PJ Baru"),
                ("role", "system_owner"),
                ("agency", "DINKES"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let marker = "id=\"generated-password\">";
    let start = created.body.find(marker).expect("the password is shown") + marker.len();
    let password = &created.body[start..start + created.body[start..].find('<').unwrap()];
    assert_eq!(password.len(), 20);
    let again = browser.get("/admin/users").await;
    assert!(!again.body.contains(password), "shown once");
    let id = user_id(&app, "pj.baru@dinkes.batam.go.id").await;
    let row = user_row(&again, id);
    assert!(row.contains("Penanggung Jawab Sistem Elektronik"), "{row}");
    assert!(row.contains("<code>DINKES</code>"), "{row}");
    assert!(row.contains("Aktif") && row.contains("Belum"), "{row}");
    let mut owner = Browser::new(&app);
    owner.login("pj.baru@dinkes.batam.go.id", password).await;
}

/// Enrols an authenticator for the signed-in `browser` through the account page.
async fn enrol(app: &TestApp, browser: &mut Browser) {
    let page = browser.get("/account/totp").await;
    let marker = "id=\"totp-secret\">";
    let start = page.body.find(marker).expect("the secret is shown") + marker.len();
    let text: String = page.body[start..start + page.body[start..].find('<').unwrap()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let secret = data_encoding::BASE32_NOPAD.decode(text.as_bytes()).unwrap();
    let code = sigap_app::identity::totp::code_at(&secret, app.now());
    let done = browser
        .post_form(
            "/account/totp",
            &[("code", &code), (CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    app.clock.advance(chrono::TimeDelta::minutes(2));
}

async fn admin_resets_a_user_s_second_factor(app: TestApp) {
    let email = staff(&app, "web.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    let mut user = Browser::new(&app);
    user.login(email, PASSWORD).await;
    enrol(&app, &mut user).await;
    let id = user_id(&app, email).await;
    let mut admin = admin_browser(&app).await;
    let page = admin.get("/admin/users").await;
    let row = user_row(&page, id);
    assert!(row.contains("Terdaftar"), "enrolled: {row}");
    let reset = format!("action=\"/admin/users/{id}/totp/reset\"");
    assert!(row.contains(&reset), "a reset button: {row}");
    let done = admin
        .post_form(
            &format!("/admin/users/{id}/totp/reset"),
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(
        done.location(),
        "/admin/users?done=totp_reset",
        "{}",
        done.body
    );
    let page = admin.get(done.location()).await;
    assert!(
        page.body
            .contains("Verifikasi dua langkah pengguna telah direset")
    );
    let row = user_row(&page, id);
    assert!(
        row.contains("Belum") && !row.contains(&reset),
        "gone: {row}"
    );
    assert!(
        app.store.find_totp(id).await.unwrap().is_none(),
        "the credential is gone"
    );
    assert_eq!(
        user.get("/tickets").await.location(),
        "/login",
        "their sessions end"
    );
    user.login(email, PASSWORD).await;
    let account = user.get("/account/totp").await;
    assert!(
        account.body.contains("id=\"totp-secret\""),
        "they may enrol again"
    );

    let unknown = admin
        .post_form(
            "/admin/users/999999/totp/reset",
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn admin_forces_a_new_password_shown_once(app: TestApp) {
    let email = staff(&app, "web.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    let mut user = Browser::new(&app);
    user.login(email, PASSWORD).await;
    let id = user_id(&app, email).await;
    let mut admin = admin_browser(&app).await;
    let page = admin.get("/admin/users").await;
    let button = format!("action=\"/admin/users/{id}/password/reset\"");
    assert!(user_row(&page, id).contains(&button), "a reset button");
    // Without the form's token nothing changes.
    let refused = admin
        .post_form(&format!("/admin/users/{id}/password/reset"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(user.get("/tickets").await.status, StatusCode::OK);
    let done = admin
        .post_form(
            &format!("/admin/users/{id}/password/reset"),
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let shown = done
        .body
        .split("id=\"generated-password\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new password is shown")
        .to_owned();
    assert!(shown.len() >= 16, "{shown}");
    assert!(done.body.contains(email));
    // The user's session ended; the old password no longer signs in, the new one does.
    assert_eq!(user.get("/tickets").await.location(), "/login");
    let mut again = Browser::new(&app);
    let token = again.get("/login").await.csrf();
    let old = again
        .post_form(
            "/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_ne!(
        old.status,
        StatusCode::SEE_OTHER,
        "the old password is refused"
    );
    again.login(email, &shown).await;
    // Shown once: the list does not show it again.
    assert!(!admin.get("/admin/users").await.body.contains(&shown));
}

async fn admin_disables_and_enables_a_user(app: TestApp) {
    let email = staff(&app, "web.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    let mut user = Browser::new(&app);
    user.login(email, PASSWORD).await;
    let id = user_id(&app, email).await;
    let mut admin = admin_browser(&app).await;
    let page = admin.get("/admin/users").await;
    let own = user_id(&app, "web.admin@kominfo.batam.go.id").await;
    assert!(
        !user_row(&page, own).contains("/disable\""),
        "no button to disable oneself"
    );
    let refused = admin
        .post_form(
            &format!("/admin/users/{own}/disable"),
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "an admin keeps their own account"
    );
    let (before, _) = app.store.audit_head().await.unwrap();
    let done = admin
        .post_form(
            &format!("/admin/users/{id}/disable"),
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(
        done.location(),
        "/admin/users?done=user_disabled",
        "{}",
        done.body
    );
    let (after, _) = app.store.audit_head().await.unwrap();
    assert_eq!(after, before + 1, "the change is audited");
    let row = user_row(&admin.get("/admin/users").await, id);
    assert!(
        row.contains("Nonaktif") && row.contains("/enable\""),
        "{row}"
    );
    assert_eq!(
        user.get("/tickets").await.location(),
        "/login",
        "the session ended"
    );
    let token = user.get("/login").await.csrf();
    let login = user
        .post_form(
            "/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_ne!(
        login.location(),
        "/tickets",
        "a disabled user cannot sign in"
    );
    let done = admin
        .post_form(
            &format!("/admin/users/{id}/enable"),
            &[(CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(done.location(), "/admin/users?done=user_enabled");
    user.login(email, PASSWORD).await;
}

async fn names_with_markup_are_shown_escaped(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let name = "Dinas <script>alert(1)</script> \"Uji\"";
    let done = browser
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[("code", "UJI"), ("name", name)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
        .submit(
            "/admin/systems",
            "/admin/systems",
            &[
                ("agency", "UJI"),
                ("name", name),
                ("domains", "uji.batam.go.id"),
            ],
        )
        .await;
    let body = json!({"email": "uji@kominfo.batam.go.id", "name": name, "role": "helpdesk"});
    registry::add_user(
        &app.app,
        &Caller::system(),
        &sigap_testkit::seed::request(body),
    )
    .await
    .unwrap();
    for path in ["/admin/agencies", "/admin/systems", "/admin/users"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script"), "{path}: no raw markup");
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: the name is shown as text"
        );
    }
    let refused = browser
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[("code", "<b>x"), ("name", name)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.body.contains("<script") && !refused.body.contains("<b>x"));
}

async fn settings_page_shows_the_settings_in_force_and_their_source(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let page = browser.get("/admin/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "SIGAP_APPROVAL_THRESHOLD",
        "SIGAP_APPROVAL_WINDOW_DAYS",
        "SIGAP_HOLIDAYS",
        "SIGAP_MAX_FILE_BYTES",
        "SIGAP_TICKET_PREFIX",
        "SIGAP_DOCUMENTS_FILE",
        "SIGAP_TOTP_REQUIRED_ROLES",
        "SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF",
        "SIGAP_MAIL_PER_SECOND",
        "Tanpa batas",
        "2026-08-17",
        "2026-12-25",
        "BCSIRT",
        "10 MiB",
        "7 hari kalender",
        "1 hari kerja",
        "5 menit",
        "Seluruh waktu",
        "000.6/{n}/BA/Diskominfo/{year}",
        "kode klasifikasi arsip Persandian (Lampiran Permendagri Nomor 83 Tahun 2022)",
        "nomor urut dalam agenda, mulai dari 1 setiap tahun",
        "kode unit pengolah yang menerbitkan",
        "tanda agenda dalam unit pengolah",
        "Satu agenda nomor urut bersama: Berita Acara Hasil Validasi",
        "Agenda nomor urut sendiri.",
        "PEMERINTAH KOTA BATAM",
        "nyalakan ulang server",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    for action in [
        "/admin/settings/approval",
        "/admin/settings/holidays",
        "/admin/settings/letterhead",
        "/admin/settings/documents/ba_validation",
        "/admin/settings/documents/letter_notice",
    ] {
        assert!(
            page.body
                .contains(&format!("method=\"post\" action=\"{action}#")),
            "{action}"
        );
    }
    assert!(
        !page.body.contains("/admin/settings/reset/"),
        "nothing changed yet, nothing to put back"
    );
    let english = browser.get("/admin/settings?lang=en").await;
    assert!(english.body.contains("7 calendar days"));
    assert!(english.body.contains("restarting the server"));
}

async fn admin_pages_carry_the_security_headers(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    for path in ADMIN_PAGES {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_page_headers(&page, path);
    }
    let refused = browser
        .submit("/admin/agencies", "/admin/agencies", &[("code", "X")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_page_headers(&refused, "refused form");
    let forbidden = browser
        .post_form("/admin/agencies", &[("code", "XY")])
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_page_headers(&forbidden, "csrf refusal");
    let mut anonymous = Browser::new(&app);
    for path in ADMIN_PAGES {
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(
            anonymous.get(path).await.location(),
            format!("/login?next={next}"),
            "{path}: to the sign-in, which returns there"
        );
    }
}

/// The settings revision and the audit entries of settings changes, read from the store.
/// The settings revision and the changes of settings in the audit log (refusals, which are
/// audited too, are left out).
async fn settings_trail(app: &TestApp) -> (i64, Vec<String>) {
    let revision = app.store.settings_revision().await.unwrap();
    let entries = app.store.list_audit(0, 10_000).await.unwrap();
    let actions = entries
        .into_iter()
        .filter(|e| e.outcome == "ok")
        .map(|e| e.action)
        .filter(|a| a.starts_with("settings_"))
        .collect();
    (revision, actions)
}

async fn approval_threshold_changed_on_the_page_decides_the_next_review(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let saved = browser
        .submit(
            "/admin/settings",
            "/admin/settings/approval",
            &[("threshold", "1"), ("window_days", "")],
        )
        .await;
    assert_eq!(saved.location(), "/admin/settings?done=settings_saved");
    let page = browser.get("/admin/settings?done=settings_saved").await;
    assert!(page.body.contains("Pengaturan telah disimpan"));
    assert!(
        page.body
            .contains("Diubah di halaman ini oleh web.admin@kominfo.batam.go.id"),
        "the source names the admin"
    );
    assert!(page.body.contains("/admin/settings/reset/approval"));
    assert_eq!(settings_trail(&app).await.1, ["settings_approval"]);

    // Two valid reports of one agency are more than 1: the review asks the Regional
    // Secretary (under the start value, 3, it would not).
    let first = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    let second = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.act(
        "csirt",
        &first,
        "validate",
        &sigap_testkit::bodies::validate(None),
    )
    .await;
    app.drive(&second, "reviewing").await;
    let t = app
        .act(
            "csirt",
            &second,
            "review",
            &sigap_testkit::bodies::review(true),
        )
        .await;
    assert_eq!(t["state"], "awaiting_approval");
    let records = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(records["approval_threshold"], 1);
    let approvals = browser.get("/approvals").await;
    assert!(approvals.body.contains("lebih dari 1 laporan valid"));
    assert!(
        approvals.body.contains(&second),
        "waiting for the Regional Secretary"
    );

    // Put back: the start value and its variable again.
    let reset = browser
        .submit("/admin/settings", "/admin/settings/reset/approval", &[])
        .await;
    assert_eq!(reset.location(), "/admin/settings?done=settings_reset");
    let page = browser.get("/admin/settings").await;
    assert!(!page.body.contains("/admin/settings/reset/approval"));
    assert!(
        page.body
            .contains("id=\"f-approval-threshold\" name=\"threshold\" value=\"3\"")
    );
    let third = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.drive(&third, "reviewing").await;
    let t = app
        .act(
            "csirt",
            &third,
            "review",
            &sigap_testkit::bodies::review(true),
        )
        .await;
    assert_eq!(t["state"], "closing", "3 valid reports are not more than 3");
    assert_eq!(
        settings_trail(&app).await.1,
        ["settings_approval", "settings_approval"]
    );
}

async fn holidays_changed_on_the_page_move_the_next_deadline(app: TestApp) {
    // Monday 10 August 2026, 09:00 WIB: one working day is Tuesday 09:00 WIB.
    let before = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &before).await["deadline"]["due_at"],
        "2026-08-11T02:00:00Z"
    );
    let mut browser = admin_browser(&app).await;
    let page = browser.get("/admin/settings").await;
    assert!(
        page.body.contains("2026-08-17\n2026-12-25</textarea>"),
        "the start holidays fill the text area"
    );
    let saved = browser
        .submit(
            "/admin/settings",
            "/admin/settings/holidays",
            &[(
                "holidays",
                "2026-08-11 Libur uji <b>tebal</b>\r\n2026-08-17 Hari Kemerdekaan\r\n",
            )],
        )
        .await;
    assert_eq!(saved.location(), "/admin/settings?done=settings_saved");
    let page = browser.get("/admin/settings").await;
    assert!(page.body.contains("Hari Kemerdekaan"));
    assert!(
        page.body.contains("Libur uji &#60;b&#62;tebal&#60;/b&#62;"),
        "escaped"
    );
    assert!(
        !page.body.contains("<time datetime=\"2026-12-25\">"),
        "the list replaces the start list"
    );

    // Tuesday is a holiday now: the next report is due Wednesday; the earlier one keeps
    // the deadline it was given.
    let after = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &after).await["deadline"]["due_at"],
        "2026-08-12T02:00:00Z"
    );
    assert_eq!(
        app.ticket("csirt", &before).await["deadline"]["due_at"],
        "2026-08-11T02:00:00Z"
    );
    browser
        .submit("/admin/settings", "/admin/settings/reset/holidays", &[])
        .await;
    let again = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    assert_eq!(
        app.ticket("csirt", &again).await["deadline"]["due_at"],
        "2026-08-11T02:00:00Z"
    );
}

/// The text of a PDF (poppler's pdftotext).
fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext runs");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The receipt of ticket `number` as the help desk downloads it.
async fn receipt_text(app: &TestApp, number: &str) -> String {
    let path = format!("/api/v1/tickets/{number}/acknowledgement");
    let response = app.get(Some(app.token("helpdesk")), &path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    pdf_text(&response.bytes().await.unwrap())
}

/// A small PNG: the logo of the test letterhead.
fn png_logo() -> Vec<u8> {
    let mut bytes = Vec::new();
    let image = image::RgbImage::from_pixel(8, 8, image::Rgb([0, 90, 160]));
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

async fn document_settings_changed_on_the_page_shape_the_next_document(app: TestApp) {
    let first = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    let before = receipt_text(&app, &first).await;
    assert!(before.contains("000.6/1/TT/Diskominfo/2026"), "{before}");

    let mut browser = admin_browser(&app).await;
    let token = browser.get("/admin/settings").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text(CSRF_FIELD, token)
        .text("place", "Batam Centre")
        .text("lines", "PEMERINTAH KOTA BATAM\r\nDINAS KOMINFO UJI COBA")
        .text("address", "Jl. Engku Putri No. 1, Batam Centre")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png_logo()).file_name("logo.png"),
        );
    let saved = browser
        .post_multipart("/admin/settings/letterhead", form)
        .await;
    assert_eq!(
        saved.location(),
        "/admin/settings?done=settings_saved",
        "{}",
        saved.body
    );
    let saved = browser
        .submit(
            "/admin/settings",
            "/admin/settings/documents/acknowledgement",
            &[
                ("pattern", "TT-UJI/{seq}/{year}"),
                (
                    "signers",
                    "Kepala Bidang Persandian | Ir. Siti Aminah | Pembina (IV/a) | 197501012000032001",
                ),
                ("acknowledged_by", ""),
                ("tembusan", ""),
            ],
        )
        .await;
    assert_eq!(
        saved.location(),
        "/admin/settings?done=settings_saved",
        "{}",
        saved.body
    );

    let page = browser.get("/admin/settings").await;
    assert!(page.body.contains("DINAS KOMINFO UJI COBA"));
    assert!(page.body.contains("TT-UJI/{seq}/{year}"));
    assert!(page.body.contains("Ir. Siti Aminah"));
    assert!(page.body.contains("/admin/settings/reset/documents"));

    let second = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    let after = receipt_text(&app, &second).await;
    // A new pattern is a new agenda: its running number starts at 1.
    for text in [
        "TT-UJI/00001/2026",
        "DINAS KOMINFO UJI COBA",
        "Batam Centre",
        "Ir. Siti Aminah",
        "197501012000032001",
    ] {
        assert!(after.contains(text), "{text} in {after}");
    }
    assert_eq!(
        receipt_text(&app, &first).await,
        before,
        "an issued document is never rendered again"
    );

    // Put back: the next receipt is as the start settings say.
    browser
        .submit("/admin/settings", "/admin/settings/reset/documents", &[])
        .await;
    let third = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    let reset = receipt_text(&app, &third).await;
    assert!(reset.contains("000.6/2/TT/Diskominfo/2026"), "{reset}");
    assert!(!reset.contains("Siti Aminah"), "{reset}");
}

async fn refused_settings_keep_the_input_and_change_nothing(app: TestApp) {
    let mut browser = admin_browser(&app).await;
    let start = settings_trail(&app).await;

    let refused = browser
        .submit(
            "/admin/settings",
            "/admin/settings/holidays",
            &[("holidays", "2026-08-11 Libur\n2026-02-30 Tanggal salah")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Data belum disimpan"));
    assert!(refused.body.contains("Tiap baris dimulai dengan tanggal"));
    assert!(
        refused.body.contains("2026-02-30 Tanggal salah</textarea>"),
        "input kept"
    );

    let refused = browser
        .submit(
            "/admin/settings",
            "/admin/settings/approval",
            &[("threshold", "tiga"), ("window_days", "0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Tuliskan bilangan bulat 0 sampai 1000.")
    );
    assert!(refused.body.contains("value=\"tiga\""), "input kept");

    // A pattern without its year would hand out the same numbers again next year.
    let refused = browser
        .submit(
            "/admin/settings",
            "/admin/settings/documents/ba_validation",
            &[("pattern", "000.6/{n}/BA/Diskominfo")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"kind-ba_validation\" open"),
        "the form is open"
    );
    assert!(
        refused
            .body
            .contains("Pola harus memuat {n} atau {seq} dan {year}")
    );

    let refused = browser
        .submit(
            "/admin/settings",
            "/admin/settings/documents/letter_notice",
            &[("signers", "Kepala Dinas | | | 123")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("NIP 18 angka"));

    // A logo that is markup, not an image.
    let token = browser.get("/admin/settings").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text(CSRF_FIELD, token)
        .text("place", "Batam")
        .text("lines", "PEMERINTAH KOTA BATAM")
        .text("address", "Batam")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"<svg onload=alert(1)>".to_vec())
                .file_name("logo.png"),
        );
    let refused = browser
        .post_multipart("/admin/settings/letterhead", form)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Logo harus berkas PNG atau JPEG"));

    let unknown = browser
        .submit(
            "/admin/settings",
            "/admin/settings/documents/memo",
            &[("pattern", "M/{seq}")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let nothing = browser
        .submit("/admin/settings", "/admin/settings/reset/holidays", &[])
        .await;
    assert_eq!(nothing.status, StatusCode::CONFLICT, "nothing to put back");
    let forged = browser
        .post_form(
            "/admin/settings/approval",
            &[("threshold", "9"), (CSRF_FIELD, "forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let mut auditor = Browser::new(&app);
    auditor
        .login(
            staff(&app, "web.auditor@inspektorat.batam.go.id", "auditor", None).await,
            PASSWORD,
        )
        .await;
    let read = auditor.get("/admin/settings").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("action=\"/admin/settings/approval"));
    let refused = auditor
        .submit(
            "/admin/settings",
            "/admin/settings/approval",
            &[("threshold", "9")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "auditors read only");

    assert_eq!(settings_trail(&app).await, start, "nothing was written");
    // Each refusal is in the audit log, with who was refused and why.
    let refusals: Vec<(String, String, String)> = app
        .store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("settings_") && e.outcome != "ok")
        .map(|e| (e.action, e.role, e.outcome))
        .collect();
    assert!(
        refusals.contains(&(
            "settings_approval".into(),
            "auditor".into(),
            "refused:403".into()
        )),
        "{refusals:?}"
    );
    assert!(
        refusals
            .iter()
            .any(|(a, r, o)| a == "settings_holidays" && r == "admin" && o == "refused:422"),
        "{refusals:?}"
    );
    assert!(
        browser
            .get("/admin/settings")
            .await
            .body
            .contains("value=\"3\""),
        "the threshold is as it was"
    );
}

async fn another_instance_applies_a_change_at_its_next_use(app: TestApp) {
    // A second instance on the same database, with the same start rules and policy, that
    // has already built its settings.
    let other = sigap_app::App::new(
        app.store.clone(),
        app.app.blobs.clone(),
        sigap_app::Rules::clone(&app.app.rules),
        sigap_app::Policy::default(),
        app.app.clock.clone(),
    );
    assert_eq!(
        other.effective().await.unwrap().policy.approval_threshold,
        3
    );
    let mut browser = admin_browser(&app).await;
    browser
        .submit(
            "/admin/settings",
            "/admin/settings/approval",
            &[("threshold", "5"), ("window_days", "90")],
        )
        .await;
    let seen = other.effective().await.unwrap();
    assert_eq!(seen.policy.approval_threshold, 5);
    assert_eq!(seen.policy.approval_window_days, Some(90));
    assert_eq!(
        seen.approval_changed.as_ref().map(|c| c.by.as_str()),
        Some("web.admin@kominfo.batam.go.id")
    );
    assert_eq!(other.policy().await.unwrap().approval_threshold, 5);
    browser
        .submit("/admin/settings", "/admin/settings/reset/approval", &[])
        .await;
    assert_eq!(
        other.effective().await.unwrap().policy.approval_threshold,
        3
    );
    assert!(other.effective().await.unwrap().approval_changed.is_none());
}
