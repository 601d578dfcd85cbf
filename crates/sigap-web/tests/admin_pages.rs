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

#[macro_use]
mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_app::{Caller, Rules, registry};
use sigap_testkit::TestApp;
use support::*;

/// Rules under which no role needs a second factor, with two holidays.
fn password_only(rules: &mut Rules) {
    rules.totp_required_roles.clear();
    rules.calendar = sigap_core::WorkingCalendar::new([
        chrono::NaiveDate::from_ymd_opt(2026, 8, 17).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
    ]);
}

both! {
    password_only;
    admin_adds_an_agency_through_the_form: add_agency_sqlite, add_agency_postgres;
    refused_agency_shows_the_field_error_with_the_input_kept: refused_agency_sqlite, refused_agency_postgres;
    admin_forms_without_the_right_csrf_token_change_nothing: admin_csrf_sqlite, admin_csrf_postgres;
    only_admins_and_auditors_open_the_admin_pages: admin_roles_sqlite, admin_roles_postgres;
    admin_adds_a_system_and_sets_its_blocking: add_system_sqlite, add_system_postgres;
    admin_adds_a_user_with_a_generated_password_shown_once: add_user_sqlite, add_user_postgres;
    admin_resets_a_user_s_second_factor: reset_totp_sqlite, reset_totp_postgres;
    admin_disables_and_enables_a_user: disable_user_sqlite, disable_user_postgres;
    names_with_markup_are_shown_escaped: escaped_sqlite, escaped_postgres;
    settings_page_shows_the_settings_in_force_and_their_source: settings_sqlite, settings_postgres;
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
                ("adapter", "webhook"),
                ("params", "tanpa sama dengan"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("tanpa sama dengan"), "input kept");
    let set = browser
        .submit(
            "/admin/systems",
            "/admin/systems/blocking",
            &[
                ("domain", "antrean.batam.go.id"),
                ("adapter", "webhook"),
                (
                    "params",
                    "url = https://blokir.batam.go.id/hook\nsecret_env = SIGAP_BLOCK_HOOK_SECRET",
                ),
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
    let code = sigap_app::totp::code_at(&secret, app.now());
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
    registry::add_user(&app.app, &Caller::system(), &body)
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
        "BA-VAL/{seq}/BCSIRT/{roman_month}/{year}",
        "PEMERINTAH KOTA BATAM",
        "nyalakan ulang server",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    assert!(
        !page.body.contains("<form method=\"post\" action=\"/admin"),
        "read-only"
    );
    let english = browser.get("/admin/settings?lang=en").await;
    assert!(english.body.contains("7 calendar days"));
    assert!(english.body.contains("restart the server"));
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
        assert_eq!(anonymous.get(path).await.location(), "/login", "{path}");
    }
}
