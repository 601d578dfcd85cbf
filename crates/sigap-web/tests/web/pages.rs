//! The web pages over HTTP, as a browser uses them: every test boots the real app
//! (`sigap_testkit::spawn_app`) over a fresh database, keeps cookies like a browser, reads
//! the anti-CSRF token from the form it was given, and posts forms. Each test runs on SQLite
//! and on PostgreSQL (skipped when `SIGAP_TEST_POSTGRES_URL` is unset).
//!
//! The tests of the pages themselves sign staff in with the password alone (no role needs
//! a second factor there); the second factor's tests, at the end, run with the default
//! rules (admin, csirt and domain_officer must have one) and compute codes from the secret
//! the enrolment page shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod credentials;
mod inbox;
mod language;
mod personal_data;
mod preview;
mod queue;
mod registry_edits;
mod replies;
mod signing;
mod sso;
mod track_rights;

use crate::support::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;
use sigap_core::{Clock, JobState};
use sigap_testkit::bodies::PNG_BYTES;
use sigap_testkit::{TestApp, seed};

/// Rules under which no role needs a second factor.
fn password_only(start: &mut sigap_testkit::Start) {
    start.rules.totp_required_roles.clear();
}

/// The default rules: admin, csirt and domain_officer need a second factor.
fn default_rules(_: &mut sigap_testkit::Start) {}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    report_form_with_a_file_answers_a_ticket_number: report_form_sqlite, report_form_postgres;
    a_reloaded_or_resent_report_form_opens_one_ticket: report_resent_sqlite, report_resent_postgres;
    invalid_report_is_shown_again_with_the_input_kept: invalid_report_sqlite, invalid_report_postgres;
    tracking_shows_the_state_only_with_the_right_token: tracking_sqlite, tracking_postgres;
    login_sets_a_strict_cookie_and_a_new_session_each_time: login_cookie_sqlite, login_cookie_postgres;
    wrong_password_is_refused_without_a_session: wrong_password_sqlite, wrong_password_postgres;
    five_failures_lock_the_address_even_for_the_right_password: lockout_sqlite, lockout_postgres;
    logout_ends_the_session: logout_sqlite, logout_postgres;
    a_deep_link_returns_to_its_page_after_the_sign_in: deep_link_sqlite, deep_link_postgres;
    criticality_and_the_block_are_two_facts: criticality_badge_sqlite, criticality_badge_postgres;
    a_rejected_reporter_reads_why_and_may_answer_once: rejected_reporter_sqlite, rejected_reporter_postgres;
    posts_without_the_right_csrf_token_change_nothing: csrf_sqlite, csrf_postgres;
    system_owner_of_another_agency_gets_not_found: other_agency_sqlite, other_agency_postgres;
    every_page_carries_the_security_headers: headers_sqlite, headers_postgres;
    reporter_text_is_escaped_on_the_staff_ticket_page: escaped_sqlite, escaped_postgres;
    action_forms_move_the_ticket_and_refusals_show_field_errors: action_forms_sqlite, action_forms_postgres;
    queue_lists_tickets_with_deadlines_and_evidence_downloads: queue_sqlite, queue_postgres;
    an_image_that_does_not_decode_is_shown_as_a_placeholder: placeholder_sqlite, placeholder_postgres;
    sessions_end_after_thirty_idle_minutes_and_twelve_hours: session_limits_sqlite, session_limits_postgres;
    issued_documents_download_through_the_session: documents_sqlite, documents_postgres;
    swimlane_marks_each_step_in_its_actor_s_lane: swimlane_sqlite, swimlane_postgres;
    approvals_list_waiting_tickets_for_the_secretary_only: approvals_sqlite, approvals_postgres;
    system_owner_sees_the_remediation_deadline_counted_down: countdown_sqlite, countdown_postgres;
    job_queue_shows_failures_and_an_admin_retries_them: jobs_page_sqlite, jobs_page_postgres;
    auditors_filter_the_audit_log_and_download_it: audit_page_sqlite, audit_page_postgres;
    meetings_are_scheduled_and_cancelled_on_the_ticket_page: meetings_sqlite, meetings_postgres;
    system_owner_pages_never_name_the_reporter: owner_privacy_sqlite, owner_privacy_postgres;
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, default_rules);
    csirt_enrols_at_first_sign_in_then_signs_in_with_a_code: totp_enrol_sqlite, totp_enrol_postgres;
    wrong_codes_count_towards_the_lockout: totp_lockout_sqlite, totp_lockout_postgres;
    codes_thirty_seconds_off_pass_and_ninety_do_not: totp_skew_sqlite, totp_skew_postgres;
    a_recovery_code_signs_in_once: totp_recovery_sqlite, totp_recovery_postgres;
    admin_reset_sends_the_user_back_to_enrolment: totp_reset_sqlite, totp_reset_postgres;
    the_code_step_needs_a_password_session: totp_no_session_sqlite, totp_no_session_postgres;
    second_factor_forms_without_the_csrf_token_change_nothing: totp_csrf_sqlite, totp_csrf_postgres;
    other_roles_sign_in_with_the_password_and_may_enrol: totp_optional_sqlite, totp_optional_postgres;
    an_outlived_password_is_renewed_after_the_code_not_before: totp_renew_sqlite, totp_renew_postgres;
}

async fn csirt(app: &TestApp) -> &'static str {
    staff(app, "web.csirt@kominfo.batam.go.id", "csirt", None).await
}

/// The text fields of a complete public report.
fn report_fields() -> Vec<(&'static str, String)> {
    let report = sigap_testkit::valid_report();
    [
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "severity",
        "vulnerability_type",
        "target",
        "title",
        "description",
        "proof_of_concept",
        "cvss_vector",
    ]
    .into_iter()
    .map(|name| (name, report[name].as_str().unwrap().to_owned()))
    .collect()
}

fn report_form(fields: &[(&'static str, String)], csrf: Option<&str>) -> Form {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(*name, value.clone());
    }
    if let Some(token) = csrf {
        form = form.text(CSRF_FIELD, token.to_owned());
    }
    form
}

async fn ticket_count(app: &TestApp) -> usize {
    app.list("csirt", &[]).await["items"]
        .as_array()
        .unwrap()
        .len()
}

async fn report_form_with_a_file_answers_a_ticket_number(app: TestApp) {
    let mut browser = Browser::new(&app);
    let form_page = browser.get("/report").await;
    assert_eq!(form_page.status, StatusCode::OK);
    assert!(form_page.body.contains("enctype=\"multipart/form-data\""));
    assert!(form_page.body.len() < 100 * 1024, "the form page is light");
    let file = Part::bytes(PNG_BYTES.to_vec())
        .file_name("tangkapan-layar.png")
        .mime_str("image/png")
        .unwrap();
    let form = report_form(&report_fields(), Some(&form_page.csrf())).part("evidence", file);
    let sent = browser.post_multipart("/report", form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), "/report/done");
    let receipt = sent
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("sigap_receipt="))
        .expect("the receipt cookie");
    assert!(receipt.contains("HttpOnly") && receipt.contains("SameSite=Strict"));
    assert!(receipt.contains("Max-Age=900"), "{receipt}");
    let done = browser.get("/report/done").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.headers["cache-control"], "no-store");
    let number = sigap_testkit::number(1);
    assert!(done.body.contains(&number), "{}", done.body);
    assert!(done.body.contains("trk_"), "the tracking token is shown");
    assert!(done.body.contains(&format!("/track?ticket={number}")));
    let ticket = app.ticket("csirt", &number).await;
    assert_eq!(ticket["channel"], "web");
    assert_eq!(ticket["evidence"].as_array().unwrap().len(), 1);
}

/// The tracking token as the confirmation page shows it.
fn shown_token(body: &str) -> String {
    let start = body.find("trk_").expect("a tracking token");
    body[start..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .next()
        .unwrap()
        .to_owned()
}

/// Sends the report form as a browser would: once with JavaScript off (the challenge
/// unsolved), once with the proof of work solved. A reload of the confirmation shows the
/// same receipt, a second send of the same form opens no ticket and says which one it
/// opened, and the receipt ends after 15 minutes and never was stored in clear.
async fn a_reloaded_or_resent_report_form_opens_one_ticket(app: TestApp) {
    for (round, solve) in [(1_u32, false), (2, true)] {
        let mut browser = Browser::new(&app);
        let page = browser.get("/report").await;
        let challenge = hidden_value(&page.body, "proof_challenge").expect("a challenge");
        let mut fields = report_fields();
        fields.push(("evidence_text", "GET /cari?nisn=1%27 200".to_owned()));
        fields.push(("proof_challenge", challenge.clone()));
        if solve {
            fields.push((
                "proof_nonce",
                sigap_app::intake::antispam::solve(&challenge, 16),
            ));
        }
        let form = || report_form(&fields, Some(&page.csrf()));
        let sent = browser.post_multipart("/report", form()).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let first = browser.get("/report/done").await;
        let token = shown_token(&first.body);
        let reload = browser.get("/report/done").await;
        assert_eq!(reload.status, StatusCode::OK);
        assert_eq!(
            shown_token(&reload.body),
            token,
            "a reload shows the same token"
        );

        let again = browser.post_multipart("/report", form()).await;
        let number = sigap_testkit::number(round);
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(
            again.body.contains("Laporan ini sudah terkirim"),
            "{}",
            again.body
        );
        assert!(
            again
                .body
                .contains(&format!("tercatat sebagai tiket {number}"))
        );
        assert!(
            again.body.contains("href=\"/report/done\""),
            "this browser may see it"
        );
        assert!(!again.body.contains("anti-spam"), "{}", again.body);
        assert!(
            !again.body.contains("trk_"),
            "the resent form shows no token"
        );
        assert_eq!(
            ticket_count(&app).await,
            round as usize,
            "one ticket per form"
        );

        // Another browser sending the same form learns the number, never the token.
        let mut other = Browser::new(&app);
        let token_other = other.get("/report").await.csrf();
        let resent = other
            .post_multipart("/report", report_form(&fields, Some(&token_other)))
            .await;
        assert_eq!(resent.status, StatusCode::CONFLICT);
        assert!(!resent.body.contains("href=\"/report/done\""));
        let none = other.get("/report/done").await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert!(
            none.body
                .contains("Tanda terima laporan tidak tersedia lagi")
        );
        assert!(!none.body.contains("trk_"));
        assert_eq!(ticket_count(&app).await, round as usize);

        // The token opens the tracking page; the store never held it in clear.
        let tracked = app
            .client
            .get(format!("{}/api/v1/reports/{number}", app.base_url))
            .header("x-tracking-token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(tracked.status(), StatusCode::OK);
        let id = browser.cookies["sigap_receipt"].clone();
        let now = app.clock.now().timestamp_millis();
        let row = app
            .store
            .get_receipt(&sigap_app::auth::token_hash(&id), now)
            .await
            .unwrap()
            .expect("the stored receipt");
        assert_eq!(row.ticket_number, number);
        assert!(!row.sealed_token.contains(&token) && !row.sealed_token.contains(&token[4..]));
        assert!(!row.receipt_hash.contains(&id), "the id is stored hashed");

        app.clock.advance(chrono::Duration::minutes(16));
        let late = browser.get("/report/done").await;
        assert_eq!(
            late.status,
            StatusCode::NOT_FOUND,
            "the receipt lasts 15 minutes"
        );
        assert!(!late.body.contains(&token));
    }
}

async fn invalid_report_is_shown_again_with_the_input_kept(app: TestApp) {
    let mut browser = Browser::new(&app);
    let token = browser.get("/report").await.csrf();
    let mut fields = report_fields();
    fields.retain(|(name, _)| *name != "reporter_email");
    fields.push(("reporter_email", "bukan-alamat-surel".to_owned()));
    fields
        .iter_mut()
        .find(|(n, _)| *n == "reporter_name")
        .unwrap()
        .1 = "Siti \"Aminah\" <b>".to_owned();
    let page = browser
        .post_multipart("/report", report_form(&fields, Some(&token)))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("value=\"Siti &#34;Aminah&#34; &#60;b&#62;\"")
            || page
                .body
                .contains("value=\"Siti &quot;Aminah&quot; &lt;b&gt;\""),
        "name kept, escaped"
    );
    assert!(
        page.body.contains("bukan-alamat-surel"),
        "the wrong e-mail is kept"
    );
    assert!(
        page.body.contains("Tuliskan alamat surel yang valid"),
        "the error is next to the field"
    );
    assert!(
        page.body
            .contains("Lampirkan paling sedikit satu berkas bukti"),
        "evidence is required"
    );
    assert!(
        page.body.contains("sqlmap -u"),
        "the proof of concept is kept"
    );
    assert_eq!(ticket_count(&app).await, 0, "nothing stored");
}

async fn tracking_shows_the_state_only_with_the_right_token(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let mut browser = Browser::new(&app);
    let form = browser
        .get(&format!("/track?ticket={}", submitted.number))
        .await;
    assert!(
        form.body
            .contains(&format!("value=\"{}\"", submitted.number))
    );
    let token = form.csrf();
    let right = browser
        .post_form(
            "/track",
            &[
                ("ticket", &submitted.number),
                ("token", &submitted.tracking_token),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert!(
        right.body.contains("Menunggu validasi"),
        "the state in plain Indonesian"
    );
    assert!(
        right.body.contains("action=\"/track/message\""),
        "a message form while open"
    );
    let wrong = browser
        .post_form(
            "/track",
            &[
                ("ticket", &submitted.number),
                ("token", "trk_salah"),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.body.contains("Laporan tidak ditemukan"));
    assert!(!wrong.body.contains("Menunggu validasi"));
    let unknown = browser
        .post_form(
            "/track",
            &[
                ("ticket", "BCSIRT-2026-09999"),
                ("token", &submitted.tracking_token),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong
            .body
            .replace(&format!("value=\"{}\"", submitted.number), ""),
        unknown.body.replace("value=\"BCSIRT-2026-09999\"", ""),
        "a wrong token and an unknown ticket answer the same page"
    );
    let form = Form::new()
        .text(CSRF_FIELD, token.clone())
        .text("ticket", submitted.number.clone())
        .text("token", submitted.tracking_token.clone())
        .text("message", "Celah masih dapat dieksploitasi per hari ini.");
    let sent = browser.post_multipart("/track/message", form).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.body
            .contains("Celah masih dapat dieksploitasi per hari ini.")
    );
}

async fn login_sets_a_strict_cookie_and_a_new_session_each_time(app: TestApp) {
    let email = csirt(&app).await;
    let mut first = Browser::new(&app);
    let cookie_one = first
        .login(email, PASSWORD)
        .await
        .session_cookie()
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie_one.contains(attribute), "{cookie_one}");
    }
    assert!(
        !cookie_one.contains("Secure"),
        "http test server: no Secure"
    );
    let value_one = first.cookies["sigap_session"].clone();
    assert!(value_one.len() >= 43, "256 random bits");
    let queue = first.get("/tickets").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Antrean tiket"));
    let mut second = Browser::new(&app);
    second
        .cookies
        .insert("sigap_session".into(), value_one.clone());
    second.login(email, PASSWORD).await;
    assert_ne!(
        second.cookies["sigap_session"], value_one,
        "a new session id at each login"
    );
    let replaced = first.get("/tickets").await;
    assert_eq!(
        replaced.location(),
        "/login",
        "the id replaced at a new login is void"
    );
    let mut third = Browser::new(&app);
    third.login(email, PASSWORD).await;
    let other = second.get("/tickets").await;
    assert_eq!(
        other.status,
        StatusCode::OK,
        "other browsers keep their sessions"
    );
}

async fn wrong_password_is_refused_without_a_session(app: TestApp) {
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    let token = browser.get("/login").await.csrf();
    let page = browser
        .post_form(
            "/login",
            &[
                ("email", email),
                ("password", "salah-sekali-bukan-ini"),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.session_cookie().is_none());
    assert!(page.body.contains("alamat surel atau kata sandi salah"));
    assert!(page.body.contains("href=\"/login/forgot\""), "a way out");
    let unknown = browser
        .post_form(
            "/login",
            &[
                ("email", "tidak.ada@batam.go.id"),
                ("password", PASSWORD),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(browser.get("/tickets").await.location(), "/login");
}

async fn five_failures_lock_the_address_even_for_the_right_password(app: TestApp) {
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    let token = browser.get("/login").await.csrf();
    let attempt = |password: &'static str| {
        let token = token.clone();
        let fields = vec![("email", email), ("password", password)];
        (fields, token)
    };
    let mut wrong_body = String::new();
    for _ in 0..5 {
        let (mut fields, token) = attempt("salah-sekali-bukan-ini");
        fields.push((CSRF_FIELD, &token));
        let page = browser.post_form("/login", &fields).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        wrong_body = page.body;
    }
    let (mut fields, token_copy) = attempt(PASSWORD);
    fields.push((CSRF_FIELD, &token_copy));
    let locked = browser.post_form("/login", &fields).await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "locked even with the right password"
    );
    assert!(locked.session_cookie().is_none());
    assert_eq!(
        locked.body, wrong_body,
        "the same answer as a wrong password"
    );
    app.clock.advance(chrono::TimeDelta::minutes(16));
    browser.login(email, PASSWORD).await;
    let chain = app.store.verify_audit_chain().await.unwrap();
    assert!(
        matches!(chain, sigap_store::ChainStatus::Intact { .. }),
        "login entries keep the audit chain intact: {chain:?}"
    );
}

/// A ticket's link in a mail, opened without a session: the sign-in page returns to it,
/// and never to another site however `next` is written.
async fn a_deep_link_returns_to_its_page_after_the_sign_in(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let email = csirt(&app).await;
    let path = format!("/tickets/{}?lang=id", submitted.number);
    let mut browser = Browser::new(&app);
    let asked = browser.get(&path).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let login = asked.location();
    assert_eq!(
        login,
        format!("/login?next=%2Ftickets%2F{}%3Flang%3Did", submitted.number)
    );
    let form = browser.get(login).await;
    assert!(
        form.body.contains(&format!(
            "name=\"next\" value=\"/tickets/{}?lang=id\"",
            submitted.number
        )),
        "{}",
        form.body
    );
    let fields = |next: &str| {
        vec![
            ("email".to_owned(), email.to_owned()),
            ("password".to_owned(), PASSWORD.to_owned()),
            (CSRF_FIELD.to_owned(), form.csrf()),
            ("next".to_owned(), next.to_owned()),
        ]
    };
    let signed_in = {
        let pairs = fields(&path);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        browser.post_form("/login", &refs).await
    };
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), path, "back to the ticket");
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);

    for hostile in [
        "//evil.example/tickets",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/logout",
    ] {
        let mut other = Browser::new(&app);
        let token = other.get("/login").await.csrf();
        let pairs = [
            ("email", email),
            ("password", PASSWORD),
            (CSRF_FIELD, token.as_str()),
            ("next", hostile),
        ];
        let page = other.post_form("/login", &pairs).await;
        assert_eq!(page.location(), "/tickets", "{hostile}: to the queue only");
        let shown = other
            .get(&format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect::<String>()
            ))
            .await;
        assert!(
            !shown.body.contains("name=\"next\""),
            "{hostile} is not carried"
        );
    }
}

/// The criticality reads "Tinggi" or "Rendah"; "Diblokir" is a badge of its own, shown
/// while the block holds and only then; before the assessment the queue says that the
/// level in brackets is the reporter's claim.
async fn criticality_and_the_block_are_two_facts(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let number = submitted.number.clone();
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let badge = "<span class=\"badge blocked\">Diblokir</span>";
    let queue = browser.get("/tickets").await.body;
    assert!(
        queue.contains("Belum dinilai</span> (menurut pelapor: Tinggi)"),
        "{queue}"
    );
    let path = format!("/tickets/{number}");
    for (state, blocked) in [
        ("awaiting_block", false),
        ("notifying", true),
        ("closed", false),
    ] {
        app.drive(&number, state).await;
        let page = browser.get(&path).await.body;
        let queue = browser.get("/tickets").await.body;
        for (what, body) in [("ticket", &page), ("queue", &queue)] {
            assert!(
                !body.contains("(diblokir)"),
                "{state} {what}: the level only"
            );
            assert_eq!(body.contains(badge), blocked, "{state} {what}: the badge");
        }
        assert!(page.contains("<dd>Tinggi"), "{state}: {page}");
    }
}

/// The validation form asks for the reporter's reason when the report is not valid; the
/// tracking page shows it (never the internal findings), and the reporter may send one
/// message contesting it.
async fn a_rejected_reporter_reads_why_and_may_answer_once(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let email = csirt(&app).await;
    let mut staff = Browser::new(&app);
    staff.login(email, PASSWORD).await;
    let path = format!("/tickets/{}", submitted.number);
    let page = staff.get(&path).await;
    assert!(
        page.body.contains("name=\"reason_for_reporter\""),
        "the form asks"
    );
    let validate = |reason: Option<&str>| {
        let mut form = Form::new()
            .text(CSRF_FIELD, page.csrf())
            .text("valid", "false")
            .text("method", "ticket")
            .text(
                "findings",
                "Catatan internal: pemindai keliru membaca waktu respons.",
            );
        if let Some(reason) = reason {
            form = form.text("reason_for_reporter", reason.to_owned());
        }
        form
    };
    let refused = staff
        .post_multipart(&format!("{path}/actions/validate"), validate(None))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Tuliskan alasan untuk pelapor"),
        "{}",
        refused.body
    );
    let reason = "Alamat yang dilaporkan bukan sistem Pemerintah Kota Batam.";
    let done = staff
        .post_multipart(&format!("{path}/actions/validate"), validate(Some(reason)))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        app.ticket("csirt", &submitted.number).await["state"],
        "rejected"
    );

    let mut reporter = Browser::new(&app);
    let csrf = reporter.get("/track").await.csrf();
    let ticket = [
        ("ticket", submitted.number.as_str()),
        ("token", submitted.tracking_token.as_str()),
        (CSRF_FIELD, csrf.as_str()),
    ];
    let view = reporter.post_form("/track", &ticket).await;
    assert!(
        view.body.contains(reason),
        "the reason is shown: {}",
        view.body
    );
    assert!(
        !view.body.contains("Catatan internal"),
        "the findings stay internal"
    );
    assert!(
        view.body.contains("Sanggah penolakan"),
        "one answer may be sent"
    );
    // The history tells events, not the names of states.
    let history = &view.body[view.body.find("class=\"timeline\"").unwrap()..];
    let history = &history[..history.find("</ol>").unwrap()];
    assert!(history.contains("Laporan diterima"), "{history}");
    assert!(
        history.contains("Laporan dinyatakan tidak valid"),
        "{history}"
    );
    assert!(!history.contains("Menunggu validasi"), "{history}");
    let contest = |message: &str| {
        Form::new()
            .text("ticket", submitted.number.clone())
            .text("token", submitted.tracking_token.clone())
            .text("message", message.to_owned())
            .text(CSRF_FIELD, csrf.clone())
    };
    let empty = reporter.post_multipart("/track/message", contest("")).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = reporter
        .post_multipart(
            "/track/message",
            contest("Sistem itu milik Dinas Pendidikan; lihat tautan resmi di situsnya."),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Pesan Anda telah terkirim"));
    assert!(!sent.body.contains("Sanggah penolakan"), "only once");
    let again = reporter
        .post_multipart("/track/message", contest("Sekali lagi."))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let comments = app.ticket("csirt", &submitted.number).await["comments"].clone();
    let bodies: Vec<&str> = comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert!(
        bodies.iter().any(|b| b.starts_with("Sistem itu milik")),
        "{bodies:?}"
    );
    assert!(!bodies.contains(&"Sekali lagi."));
    let mail = app
        .store
        .list_jobs(Some(JobState::Pending), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.payload)
        .find(|p| p.contains("report_rejected"))
        .expect("the rejection's mail");
    assert!(mail.contains(reason), "the mail gives the reason: {mail}");
    assert!(!mail.contains("Catatan internal"), "and not the findings");
}

async fn logout_ends_the_session(app: TestApp) {
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let old = browser.cookies["sigap_session"].clone();
    let queue = browser.get("/tickets").await;
    let token = queue.csrf();
    let out = browser.post_form("/logout", &[(CSRF_FIELD, &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    let mut replay = Browser::new(&app);
    replay.cookies.insert("sigap_session".into(), old);
    let page = replay.get("/tickets").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login");
}

async fn posts_without_the_right_csrf_token_change_nothing(app: TestApp) {
    let mut browser = Browser::new(&app);
    browser.get("/report").await;
    let fields = report_fields();
    let form = || report_form(&fields, None).text("evidence_text", "log");
    let missing = browser.post_multipart("/report", form()).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post_multipart("/report", form().text(CSRF_FIELD, "x".repeat(43)))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(ticket_count(&app).await, 0);
    let login = browser
        .post_form("/login", &[("email", "a@b.id"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);

    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let email = csirt(&app).await;
    browser.login(email, PASSWORD).await;
    let path = format!("/tickets/{}/actions/validate", submitted.number);
    let body = || {
        Form::new()
            .text("valid", "true")
            .text("method", "ticket")
            .text("findings", "Terverifikasi.")
    };
    let refused = browser.post_multipart(&path, body()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = browser
        .post_multipart(&path, body().text(CSRF_FIELD, "salah"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.ticket("csirt", &submitted.number).await["state"],
        "queued",
        "nothing changed"
    );
    let out = browser.post_form("/logout", &[(CSRF_FIELD, "salah")]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/tickets").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

async fn system_owner_of_another_agency_gets_not_found(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    app.drive(&submitted.number, "remediating").await;
    let own = staff(
        &app,
        "web.pj@disdik.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_A),
    )
    .await;
    let other = staff(
        &app,
        "web.pj@dinkes.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_B),
    )
    .await;
    let path = format!("/tickets/{}", submitted.number);
    let mut owner_b = Browser::new(&app);
    owner_b.login(other, PASSWORD).await;
    let page = owner_b.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Injeksi SQL"));
    let queue = owner_b.get("/tickets").await;
    assert!(!queue.body.contains(&submitted.number));
    let mut owner_a = Browser::new(&app);
    owner_a.login(own, PASSWORD).await;
    let page = owner_a.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("budi.santoso@example.com"),
        "no reporter contact for owners"
    );
}

async fn every_page_carries_the_security_headers(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let mut browser = Browser::new(&app);
    for path in ["/", "/report", "/track", "/login", "/?lang=en"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_page_headers(&page, path);
    }
    assert!(
        browser
            .get("/")
            .await
            .body
            .contains("Report a vulnerability"),
        "English remembered"
    );
    browser.get("/?lang=id").await;
    let email = csirt(&app).await;
    browser.login(email, PASSWORD).await;
    for path in [
        "/tickets".to_owned(),
        format!("/tickets/{}", submitted.number),
        "/tickets/BCSIRT-2026-09999".to_owned(),
    ] {
        let page = browser.get(&path).await;
        assert_page_headers(&page, &path);
    }
    let css = browser.get("/assets/sigap.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let english = Browser::new(&app);
    let response = english
        .client
        .get(format!("{}/report", app.base_url))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(response.text().await.unwrap().contains("Send the report"));
}

async fn reporter_text_is_escaped_on_the_staff_ticket_page(app: TestApp) {
    let mut report = sigap_testkit::valid_report();
    report["title"] = json!("<script>alert('judul')</script>");
    report["description"] = json!("\"><img src=x onerror=alert(1)>");
    report["proof_of_concept"] =
        json!("<script>alert(document.cookie)</script> javascript:alert(1)");
    report["reporter_name"] = json!("\"><svg onload=alert(2)>");
    report["evidence_text"] = json!("</pre><script>alert(3)</script>");
    let submitted = app.submit_ok(&report).await;
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{}", submitted.number)).await;
    assert_eq!(page.status, StatusCode::OK);
    // The page's scripts are its own assets (the live countdown, the live CVSS score, the
    // focus on a refused form); none of the report's.
    assert_eq!(page.body.matches("<script").count(), 3, "no raw script tag");
    assert_eq!(
        page.body.matches("<script src=\"/assets/").count(),
        3,
        "only the page's own scripts"
    );
    assert!(
        page.body
            .contains("<script src=\"/assets/countdown.js\" defer></script>")
    );
    assert!(!page.body.contains("<img src=x"), "no raw img tag");
    assert!(!page.body.contains("<svg"), "no raw svg tag");
    assert!(!page.body.contains("href=\"javascript:"), "no script link");
    assert!(
        page.body.contains("&lt;script&gt;alert(") || page.body.contains("&#60;script&#62;alert(")
    );
    let queue = browser.get("/tickets").await;
    assert!(!queue.body.contains("<script"));
}

async fn action_forms_move_the_ticket_and_refusals_show_field_errors(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let path = format!("/tickets/{}", submitted.number);
    let page = browser.get(&path).await;
    for action in ["validate", "mark_duplicate", "comment"] {
        assert!(
            page.body.contains(&format!("{path}/actions/{action}")),
            "a form for {action}"
        );
    }
    assert!(
        !page.body.contains(&format!("{path}/actions/assess")),
        "only allowed actions"
    );
    let token = page.csrf();
    let refused = browser
        .post_multipart(
            &format!("{path}/actions/validate"),
            Form::new()
                .text(CSRF_FIELD, token.clone())
                .text("valid", "true")
                .text("method", "ticket"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("has-error"),
        "an error next to a field"
    );
    assert!(
        refused
            .body
            .contains("Tuliskan temuan validasi: apa yang diperiksa dan hasilnya."),
        "the field's error in Indonesian: {}",
        refused.body
    );
    assert!(!refused.body.contains("describe what was checked"));
    // One summary above the form, each item a link to its field.
    assert!(
        refused
            .body
            .contains("<a href=\"#f-validate-findings\">Temuan validasi: Tuliskan temuan validasi"),
        "{}",
        refused.body
    );
    // In English the check's own message is shown.
    browser.get("/?lang=en").await;
    let refused_en = browser
        .post_multipart(
            &format!("{path}/actions/validate"),
            Form::new()
                .text(CSRF_FIELD, token.clone())
                .text("valid", "true")
                .text("method", "ticket"),
        )
        .await;
    assert_eq!(refused_en.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_en.body.contains("describe what was checked"),
        "{}",
        refused_en.body
    );
    browser.get("/?lang=id").await;
    assert!(
        refused.body.contains("value=\"true\" checked"),
        "the choice is kept"
    );
    let done = browser
        .post_multipart(
            &format!("{path}/actions/validate"),
            Form::new()
                .text(CSRF_FIELD, token.clone())
                .text("valid", "true")
                .text("method", "ticket")
                .text("findings", "Parameter nisn terbukti rentan."),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{path}?done=validate"));
    let after = browser.get(done.location()).await;
    assert!(
        after.body.contains("Parameter nisn terbukti rentan."),
        "the step's records"
    );
    assert!(after.body.contains(&format!("{path}/actions/assess")));
    let conflict = browser
        .post_multipart(
            &format!("{path}/actions/validate"),
            Form::new()
                .text(CSRF_FIELD, token.clone())
                .text("valid", "true")
                .text("method", "ticket")
                .text("findings", "x"),
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(
        app.ticket("csirt", &submitted.number).await["state"],
        "assessing"
    );
}

async fn queue_lists_tickets_with_deadlines_and_evidence_downloads(app: TestApp) {
    let file =
        Part::bytes(b"GET /?q=<script>alert(1)</script> 200\n".to_vec()).file_name("akses.log");
    let mut form = Form::new();
    for (name, value) in report_fields() {
        form = form.text(name, value);
    }
    let response = app.submit_multipart(form.part("evidence", file)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let number = sigap_testkit::number(1);
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(queue.body.contains(&format!("href=\"/tickets/{number}\"")));
    assert!(queue.body.contains("WIB"), "deadlines in WIB");
    assert!(queue.body.contains("Menunggu validasi"));
    app.clock.advance(chrono::TimeDelta::days(3));
    assert_eq!(
        browser.get("/tickets").await.location(),
        "/login",
        "the idle session ended"
    );
    browser.login(email, PASSWORD).await;
    let late = browser.get("/tickets?overdue=true").await;
    assert!(
        late.body.contains("class=\"overdue\""),
        "an overdue mark: {}",
        late.body
    );
    assert!(late.body.contains("Lewat tenggat"));
    let empty = browser.get("/tickets?state=closed").await;
    assert!(!empty.body.contains(&format!("href=\"/tickets/{number}\"")));
    let ticket = app.ticket("csirt", &number).await;
    let id = ticket["evidence"][0]["id"].as_i64().unwrap();
    let download = browser
        .get(&format!("/tickets/{number}/evidence/{id}"))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "application/octet-stream");
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let anonymous = Browser::new(&app)
        .get(&format!("/tickets/{number}/evidence/{id}"))
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

async fn an_image_that_does_not_decode_is_shown_as_a_placeholder(app: TestApp) {
    // A PNG signature (so the upload is sniffed as an image) and then no image at all.
    let mut broken = PNG_BYTES[..16].to_vec();
    broken.extend_from_slice(b"<script>alert(1)</script>");
    let mut form = Form::new();
    for (name, value) in report_fields() {
        form = form.text(name, value);
    }
    let file = Part::bytes(broken).file_name("rusak.png");
    let response = app.submit_multipart(form.part("evidence", file)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let number = sigap_testkit::number(1);
    let ticket = app.ticket("csirt", &number).await;
    assert_eq!(ticket["evidence"][0]["media_type"], "image/png");
    let id = ticket["evidence"][0]["id"].as_i64().unwrap();
    let mut browser = Browser::new(&app);
    browser.login(csirt(&app).await, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    let path = format!("/tickets/{number}/evidence/{id}/preview");
    assert!(
        page.body.contains(&format!("src=\"{path}\"")),
        "{}",
        page.body
    );
    let response = app
        .client
        .get(app.url(&path))
        .header(reqwest::header::COOKIE, browser.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    let shown = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!(
        (shown.width(), shown.height()),
        (240, 135),
        "the placeholder"
    );
    // The API answers that there is no preview; the download is the upload as it came.
    let api = app
        .get(Some(app.token("csirt")), &format!("/api/v1{path}"))
        .await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
}

async fn sessions_end_after_thirty_idle_minutes_and_twelve_hours(app: TestApp) {
    let email = csirt(&app).await;
    let mut idle = Browser::new(&app);
    idle.login(email, PASSWORD).await;
    let mut busy = Browser::new(&app);
    busy.login(email, PASSWORD).await;
    let minutes = chrono::TimeDelta::minutes;
    let mut now = 29;
    app.clock.advance(minutes(29));
    assert_eq!(
        idle.get("/tickets").await.status,
        StatusCode::OK,
        "29 idle minutes are fine"
    );
    assert_eq!(busy.get("/tickets").await.status, StatusCode::OK);
    for step in [20, 12] {
        app.clock.advance(minutes(step));
        now += step;
        assert_eq!(
            busy.get("/tickets").await.status,
            StatusCode::OK,
            "active at {now} min"
        );
    }
    assert_eq!(
        idle.get("/tickets").await.location(),
        "/login",
        "32 idle minutes end it"
    );
    while now < 12 * 60 - 25 {
        app.clock.advance(minutes(25));
        now += 25;
        assert_eq!(
            busy.get("/tickets").await.status,
            StatusCode::OK,
            "active at {now} min"
        );
    }
    app.clock.advance(minutes(26));
    assert_eq!(
        busy.get("/tickets").await.location(),
        "/login",
        "twelve hours end even an active one"
    );
}

async fn issued_documents_download_through_the_session(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let number = submitted.number;
    let ticket = app
        .act(
            "csirt",
            &number,
            "validate",
            &sigap_testkit::bodies::validate(None),
        )
        .await;
    let id = ticket["documents"][0]["id"].as_i64().unwrap();
    let doc_number = ticket["documents"][0]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(
        page.body.contains(&format!("href=\"/documents/{id}\"")),
        "the ticket page links its documents"
    );
    assert!(page.body.contains(&doc_number));
    let pdf = browser.get(&format!("/documents/{id}")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    assert!(
        pdf.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let other = staff(
        &app,
        "web.pj@dinkes.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_B),
    )
    .await;
    let mut owner_b = Browser::new(&app);
    owner_b.login(other, PASSWORD).await;
    assert_eq!(
        owner_b.get(&format!("/documents/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = Browser::new(&app).get(&format!("/documents/{id}")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    // The verification page names the ticket only to signed-in staff who may see it.
    let code = ticket["documents"][0]["verify_code"].as_str().unwrap();
    let path = format!("/verify/{code}");
    let seen = browser.get(&path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        seen.body.contains(&format!("href=\"/tickets/{number}\"")),
        "{}",
        seen.body
    );
    for outsider in [
        owner_b.get(&path).await,
        Browser::new(&app).get(&path).await,
    ] {
        assert_eq!(outsider.status, StatusCode::OK);
        assert!(outsider.body.contains(&doc_number));
        assert!(!outsider.body.contains(&number), "{}", outsider.body);
    }
}

/// The swim-lane box of `stage` (its `li`, up to its end).
fn lane_box<'a>(body: &'a str, stage: &str) -> &'a str {
    let marker = format!("id=\"swim-{stage}\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no box {stage}"));
    let start = body[..at].rfind("<li").unwrap();
    let end = at + body[at..].find("</li>").unwrap();
    &body[start..end]
}

/// Whether the box of `stage` names `lane` as its actor (and is drawn in its colour).
fn in_lane(body: &str, stage: &str, lane: &str, lane_key: &str) -> bool {
    let b = lane_box(body, stage);
    b.contains(&format!("<span class=\"box-lane\">{lane}</span>"))
        && b.contains(&format!(" lane-{lane_key}\""))
}

async fn swimlane_marks_each_step_in_its_actor_s_lane(app: TestApp) {
    let number = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.drive(&number, "remediating").await;
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains("<ol class=\"swimlane\""),
        "the stages in SOP order"
    );
    let order: Vec<usize> = [
        "receive",
        "validate",
        "block",
        "remediate",
        "approve",
        "close",
    ]
    .iter()
    .map(|stage| body.find(&format!("id=\"swim-{stage}\"")).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in SOP order");
    assert!(
        lane_box(body, "validate").contains("<time datetime=\""),
        "the time it was done"
    );
    for stage in ["receive", "enter", "validate", "assess", "block", "notify"] {
        assert!(
            lane_box(body, stage).contains("class=\"box done "),
            "{stage}: {}",
            lane_box(body, stage)
        );
        assert!(lane_box(body, stage).contains("Selesai"), "{stage} says so");
    }
    let remediate = lane_box(body, "remediate");
    assert!(remediate.contains("class=\"box current "), "{remediate}");
    assert!(remediate.contains("aria-current=\"step\""));
    assert!(remediate.contains("Harus dikerjakan sekarang"));
    assert!(
        remediate.contains("Sisa 7 hari (batas: Senin, 17 Agustus 2026 pukul 09.00 WIB)"),
        "{remediate}"
    );
    assert!(body.contains("Sekarang giliran Penanggung Jawab Sistem Elektronik"));
    assert!(in_lane(
        body,
        "remediate",
        "Penanggung Jawab Sistem Elektronik",
        "system_owner"
    ));
    assert!(in_lane(
        body,
        "block",
        "Pejabat Nama Domain",
        "domain_officer"
    ));
    assert!(in_lane(body, "enter", "Petugas Layanan Aduan", "helpdesk"));
    assert!(!in_lane(body, "enter", "Tim Internal CSIRT", "csirt"));
    for stage in ["follow_up", "review", "unblock", "close"] {
        assert!(
            lane_box(body, stage).contains("class=\"box next "),
            "{stage}"
        );
    }
    assert!(lane_box(body, "approve").contains("Hanya bila"));
    assert_eq!(body.matches("aria-current=\"step\"").count(), 1);

    // A "Belum" meeting sends the ticket back to remediation in round 2.
    app.drive(&number, "reviewing").await;
    app.act(
        "csirt",
        &number,
        "review",
        &sigap_testkit::bodies::review(false),
    )
    .await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    let remediate = lane_box(&page.body, "remediate");
    assert!(remediate.contains("class=\"box current "), "{remediate}");
    assert!(remediate.contains("Putaran ke-2"), "{remediate}");
    assert!(lane_box(&page.body, "review").contains("class=\"box next "));
}

async fn approvals_list_waiting_tickets_for_the_secretary_only(app: TestApp) {
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let number = app.submit_ok(&sigap_testkit::valid_report()).await.number;
        app.drive(&number, "assessing").await;
        numbers.push(number);
    }
    let mut hostile = sigap_testkit::valid_report();
    hostile["title"] = json!("<script>alert('sekda')</script>");
    let waiting = app.submit_ok(&hostile).await.number;
    app.drive(&waiting, "awaiting_approval").await;

    let sekda = staff(&app, "web.sekda@batam.go.id", "regional_secretary", None).await;
    let mut secretary = Browser::new(&app);
    secretary.login(sekda, PASSWORD).await;
    let queue = secretary.get("/tickets").await;
    assert!(
        queue.body.contains("href=\"/approvals\""),
        "in the navigation"
    );
    let page = secretary.get("/approvals").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page_headers(&page, "/approvals");
    // The Secretary decides right here.
    assert!(
        page.body.contains(&format!(
            "action=\"/tickets/{waiting}/actions/approve_reactivation\""
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("Simpan keputusan"));
    assert!(
        page.body.contains("4 laporan valid (ambang: lebih dari 3)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("DISDIK"));
    for number in &numbers {
        assert!(page.body.contains(number), "{number} in the history");
    }
    assert!(!page.body.contains("<script"), "the title stays text");
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
    let ticket = secretary.get(&format!("/tickets/{waiting}")).await;
    assert!(ticket.body.contains("/actions/approve_reactivation"));
    assert!(lane_box(&ticket.body, "approve").contains("class=\"box current "));

    let mut team = Browser::new(&app);
    team.login(csirt(&app).await, PASSWORD).await;
    let read_only = team.get("/approvals").await;
    assert_eq!(read_only.status, StatusCode::OK);
    assert!(read_only.body.contains("hanya untuk dibaca"));
    assert!(read_only.body.contains(&waiting));

    let owner = staff(
        &app,
        "web.pj@disdik.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_A),
    )
    .await;
    let mut agency = Browser::new(&app);
    agency.login(owner, PASSWORD).await;
    assert!(
        !agency
            .get("/tickets")
            .await
            .body
            .contains("href=\"/approvals\"")
    );
    let refused = agency.get("/approvals").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(!refused.body.contains(&waiting));
    assert!(
        !read_only.body.contains("Simpan keputusan"),
        "the team only reads"
    );

    // Refused with a note, from the approvals page: back to remediation.
    let csrf = hidden_value(&page.body, CSRF_FIELD).expect("token");
    let form = Form::new()
        .text(CSRF_FIELD, csrf)
        .text("approved", "false")
        .text("notes", "Perbaikan belum menyeluruh; mohon diuji ulang.");
    let decided = secretary
        .post_multipart(
            &format!("/tickets/{waiting}/actions/approve_reactivation"),
            form,
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(app.ticket("csirt", &waiting).await["state"], "remediating");
    let page = secretary.get("/approvals").await;
    assert!(!page.body.contains(&waiting), "decided");
}

async fn system_owner_sees_the_remediation_deadline_counted_down(app: TestApp) {
    let number = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    let other = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.drive(&number, "remediating").await;
    app.drive(&other, "follow_up").await;
    let owner = staff(
        &app,
        "web.pj@disdik.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_A),
    )
    .await;
    let left = "Sisa 7 hari (batas: Senin, 17 Agustus 2026 pukul 09.00 WIB)";
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    // "Giliran saya" holds the remediation; "Semua tiket" also the follow-up.
    let mine = browser.get("/tickets").await;
    assert!(mine.body.contains(left), "{}", mine.body);
    assert!(!mine.body.contains(&other));
    let queue = browser.get("/tickets?view=all").await;
    assert!(queue.body.contains(left), "{}", queue.body);
    assert!(queue.body.contains("Batas penanganan"));
    assert!(queue.body.contains(&other));
    assert!(
        queue
            .body
            .contains("Tidak ada tindakan dari perangkat daerah"),
        "a ticket in follow-up has no deadline of the agency's"
    );
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(page.body.contains("Batas waktu penanganan kerentanan"));
    assert!(page.body.contains(left));

    app.clock
        .advance(chrono::TimeDelta::days(7) + chrono::TimeDelta::hours(2));
    let late = "Terlambat 2 jam (batas: Senin, 17 Agustus 2026 pukul 09.00 WIB)";
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(!queue.body.contains(left));
    assert!(queue.body.contains(late), "{}", queue.body);
    assert!(queue.body.contains("class=\"countdown overdue\""));
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(page.body.contains(late));
    assert!(page.body.contains("alert error remediation"));
}

async fn job_queue_shows_failures_and_an_admin_retries_them(app: TestApp) {
    app.submit_ok(&sigap_testkit::valid_report()).await;
    // One mail failed for good, as after its last attempt.
    app.execute_sql(
        "UPDATE jobs SET state = 'failed', attempts = 8, \
         last_error = '550 <script>alert(1)</script> mailbox unavailable' WHERE id = 1",
    )
    .await;
    let admin = staff(&app, "web.admin@kominfo.batam.go.id", "admin", None).await;
    let mut browser = Browser::new(&app);
    browser.login(admin, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(
        queue.body.contains("href=\"/admin/jobs\""),
        "in the navigation"
    );
    let page = browser.get("/admin/jobs?state=failed").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page_headers(&page, "/admin/jobs");
    assert!(
        page.body.contains("Surel tanda terima ke pelapor"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("belum diatur"),
        "says that mail is not sent"
    );
    assert!(
        page.body.contains("550 &#60;script&#62;alert(1)&#60;")
            || page.body.contains("550 &lt;script&gt;alert(1)&lt;"),
        "the error is shown, escaped"
    );
    assert!(!page.body.contains("<script>alert(1)"));
    let csrf = page.csrf();
    // A post without the token changes nothing.
    let refused = browser.post_form("/admin/jobs/1/retry", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.get_job(1).await.unwrap().unwrap().state,
        JobState::Failed
    );
    let done = browser
        .post_form("/admin/jobs/1/retry", &[(CSRF_FIELD, &csrf)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let job = app.store.get_job(1).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.attempts), ("pending", 0));

    // Auditors read the queue without the retry button; other staff are refused.
    let auditor = staff(&app, "web.auditor@kominfo.batam.go.id", "auditor", None).await;
    let mut reader = Browser::new(&app);
    reader.login(auditor, PASSWORD).await;
    let page = reader.get("/admin/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/retry"));
    let analyst = csirt(&app).await;
    let mut other = Browser::new(&app);
    other.login(analyst, PASSWORD).await;
    assert!(!other.get("/tickets").await.body.contains("/admin/jobs"));
    assert_eq!(other.get("/admin/jobs").await.status, StatusCode::FORBIDDEN);
}

async fn auditors_filter_the_audit_log_and_download_it(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let number = submitted.number.clone();
    // A refusal with markup in what the log keeps of it: the page escapes it.
    let response = app
        .action(
            app.token("helpdesk"),
            &number,
            "validate",
            &serde_json::json!({"valid": true, "findings": "<script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let auditor = staff(&app, "web.auditor@kominfo.batam.go.id", "auditor", None).await;
    let mut browser = Browser::new(&app);
    browser.login(auditor, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(
        queue.body.contains("href=\"/admin/audit\""),
        "in the navigation"
    );
    let page = browser
        .get(&format!(
            "/admin/audit?ticket={number}&outcome=refused%3A403"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page_headers(&page, "/admin/audit");
    assert!(page.body.contains("Log audit"), "{}", page.body);
    assert!(page.body.contains(&number));
    assert!(page.body.contains("<code>validate</code>"), "{}", page.body);
    assert!(page.body.contains("refused:403"));
    assert!(!page.body.contains("submit_report"), "filtered by outcome");
    assert!(!page.body.contains("<script>alert(1)"));
    // The filters are kept in the form and in the download link.
    assert!(page.body.contains(&format!("value=\"{number}\"")));
    assert!(
        page.body.contains(&format!(
            "/admin/audit/export?ticket={number}&amp;outcome=refused%3A403"
        )) || page.body.contains(&format!(
            "/admin/audit/export?ticket={number}&#38;outcome=refused%3A403"
        )),
        "{}",
        page.body
    );
    let download = browser
        .get(&format!(
            "/admin/audit/export?ticket={number}&outcome=refused%3A403"
        ))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "application/x-ndjson");
    let lines: Vec<serde_json::Value> = download
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", download.body);
    assert_eq!(lines[0]["action"], "validate");
    // A bad date is shown as the field's error, not a crash.
    let bad = browser.get("/admin/audit?from=kemarin").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("from"), "{}", bad.body);

    // Other staff do not see it in the navigation and are refused.
    let analyst = csirt(&app).await;
    let mut other = Browser::new(&app);
    other.login(analyst, PASSWORD).await;
    assert!(!other.get("/tickets").await.body.contains("/admin/audit"));
    assert_eq!(
        other.get("/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get("/admin/audit/export").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn meetings_are_scheduled_and_cancelled_on_the_ticket_page(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let path = format!("/tickets/{}", submitted.number);
    let page = browser.get(&path).await;
    assert!(page.body.contains("id=\"meetings\""), "the Rapat section");
    assert!(page.body.contains("Belum ada rapat"), "{}", page.body);
    assert!(page.body.contains(&format!("action=\"{path}/meetings\"")));
    let token = page.csrf();
    let form = || {
        Form::new()
            .text("purpose", "validation")
            .text("starts_at", "2026-08-11T09:00")
            .text("duration_minutes", "60")
            .text("place", "Aula Diskominfo")
            .text("video_url", "")
            .text(
                "attendees",
                "Ketua Tim CSIRT <ketua@kominfo.batam.go.id>\nanalis@kominfo.batam.go.id",
            )
    };
    let forged = browser
        .post_multipart(&format!("{path}/meetings"), form())
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = browser
        .post_multipart(
            &format!("{path}/meetings"),
            form().text(CSRF_FIELD, token.clone()),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{path}#meetings"));
    let page = browser.get(&path).await;
    assert!(page.body.contains("Aula Diskominfo"), "{}", page.body);
    assert!(page.body.contains("Terjadwal"));
    assert!(page.body.contains("Ketua Tim CSIRT"));
    assert!(page.body.contains("ketua@kominfo.batam.go.id"));
    assert!(!page.body.contains("<ketua@"), "escaped");
    assert!(
        page.body
            .contains("Selasa, 11 Agustus 2026 pukul 09.00 WIB"),
        "the time in WIB: {}",
        page.body
    );
    let list = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{}/meetings", submitted.number),
        )
        .await;
    let (_, list) = sigap_testkit::read(list).await;
    assert_eq!(list[0]["starts_at"], "2026-08-11T02:00:00Z");
    let id = list[0]["id"].as_i64().unwrap();
    let cancel = format!("/meetings/{id}/cancel");
    assert!(page.body.contains(&format!("action=\"{cancel}\"")));
    let cancelled = browser
        .post_multipart(
            &cancel,
            Form::new()
                .text(CSRF_FIELD, token)
                .text("reason", "Narasumber berhalangan."),
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let page = browser.get(&path).await;
    assert!(page.body.contains("Dibatalkan"));
    assert!(page.body.contains("Narasumber berhalangan."));
    assert!(!page.body.contains(&format!("action=\"{cancel}\"")));
}

// The second factor (TOTP), under the default rules.

/// The secret shown in text on the enrolment page.
fn secret_on(page: &Page) -> Vec<u8> {
    let marker = "id=\"totp-secret\">";
    let start = page.body.find(marker).expect("the secret is shown") + marker.len();
    let end = page.body[start..].find('<').unwrap();
    let text: String = page.body[start..start + end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    data_encoding::BASE32_NOPAD
        .decode(text.as_bytes())
        .expect("base32")
}

/// The recovery codes shown after the enrolment.
fn recovery_codes_on(page: &Page) -> Vec<String> {
    page.body
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect()
}

/// The code of `secret` at the app's time moved by `offset_seconds`.
fn code(app: &TestApp, secret: &[u8], offset_seconds: i64) -> String {
    sigap_app::identity::totp::code_at(
        secret,
        app.now() + chrono::TimeDelta::seconds(offset_seconds),
    )
}

/// A code that is not `code` (its last digit changed).
fn wrong(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

/// Signs `email` in and enrols an authenticator through the pages; answers the signed-in
/// browser, the secret and the recovery codes. The clock then moves two minutes on, past
/// the time step of the enrolment's code.
async fn enrolled(app: &TestApp, email: &str) -> (Browser, Vec<u8>, Vec<String>) {
    let mut browser = Browser::new(app);
    browser.password(email, PASSWORD).await;
    let page = browser.get("/account/totp").await;
    let secret = secret_on(&page);
    let done = browser
        .post_form(
            "/account/totp",
            &[("code", &code(app, &secret, 0)), (CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = recovery_codes_on(&done);
    assert_eq!(codes.len(), 10, "{}", done.body);
    app.clock.advance(chrono::TimeDelta::minutes(2));
    (browser, secret, codes)
}

impl Browser {
    /// Signs out from a complete session.
    async fn logout(&mut self) {
        let token = self.get("/tickets").await.csrf();
        let out = self.post_form("/logout", &[(CSRF_FIELD, &token)]).await;
        assert_eq!(out.location(), "/login");
    }

    /// Sends a code (or, on `/login/recovery`, a recovery code) to the code step.
    async fn code_step(&mut self, path: &str, code: &str) -> Page {
        let form = self.get(path).await;
        assert_eq!(form.status, StatusCode::OK, "{path}: {}", form.body);
        self.post_form(path, &[("code", code), (CSRF_FIELD, &form.csrf())])
            .await
    }
}

async fn csirt_enrols_at_first_sign_in_then_signs_in_with_a_code(app: TestApp) {
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    let first = browser.password(email, PASSWORD).await;
    assert_eq!(first.location(), "/account/totp", "sent to enrolment");
    assert_eq!(
        browser.get("/tickets").await.location(),
        "/account/totp",
        "no staff page before the enrolment"
    );
    assert_eq!(browser.get("/approvals").await.location(), "/account/totp");
    let page = browser.get("/account/totp").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_headers(&page, "/account/totp");
    assert!(
        page.body
            .contains("<img class=\"qr\" src=\"data:image/svg+xml;base64,")
    );
    assert!(
        page.body
            .contains("wajib menggunakan verifikasi dua langkah")
    );
    assert!(
        !page.body.contains("href=\"/tickets\""),
        "no queue link yet"
    );
    let secret = secret_on(&page);
    assert_eq!(secret.len(), 20);
    assert_eq!(
        secret_on(&browser.get("/account/totp").await),
        secret,
        "the same secret until it is confirmed"
    );
    let refused = browser
        .post_form(
            "/account/totp",
            &[
                ("code", &wrong(&code(&app, &secret, 0))),
                (CSRF_FIELD, &page.csrf()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Kode tidak sesuai"));
    assert!(recovery_codes_on(&refused).is_empty());
    let old_session = browser.cookies["sigap_session"].clone();
    let done = browser
        .post_form(
            "/account/totp",
            &[
                ("code", &code(&app, &secret, 0)),
                (CSRF_FIELD, &page.csrf()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(recovery_codes_on(&done).len(), 10);
    assert!(done.body.contains("hanya ditampilkan satu kali"));
    assert_ne!(
        browser.cookies["sigap_session"], old_session,
        "a new session id once enrolled"
    );
    assert_eq!(browser.get("/tickets").await.status, StatusCode::OK);
    let account = browser.get("/account/totp").await;
    assert!(account.body.contains("aktif sejak"));
    assert!(recovery_codes_on(&account).is_empty(), "shown once");

    browser.logout().await;
    let again = browser.password(email, PASSWORD).await;
    assert_eq!(again.location(), "/login/totp", "the code is asked");
    assert_eq!(browser.get("/tickets").await.location(), "/login/totp");
    let form = browser.get("/login/totp").await;
    assert!(form.body.contains("name=\"code\""));
    assert!(form.body.contains("href=\"/login/recovery\""));
    let replay = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(
        replay.status,
        StatusCode::UNAUTHORIZED,
        "the enrolment's code is not taken twice"
    );
    assert!(
        replay
            .body
            .contains("Kode salah atau sudah pernah digunakan")
    );
    app.clock.advance(chrono::TimeDelta::seconds(30));
    let current = code(&app, &secret, 0);
    let half_way = browser.cookies["sigap_session"].clone();
    let signed_in = browser.code_step("/login/totp", &current).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), "/tickets");
    assert_ne!(
        browser.cookies["sigap_session"], half_way,
        "a new session id"
    );
    assert_eq!(browser.get("/tickets").await.status, StatusCode::OK);

    // A deep link outlives the code step.
    browser.logout().await;
    let asked = browser.get("/approvals").await;
    assert_eq!(asked.location(), "/login?next=%2Fapprovals");
    let token = browser.get(asked.location()).await.csrf();
    let fields = [
        ("email", email),
        ("password", PASSWORD),
        (CSRF_FIELD, token.as_str()),
        ("next", "/approvals"),
    ];
    let half = browser.post_form("/login", &fields).await;
    assert_eq!(half.location(), "/login/totp");
    assert_eq!(browser.cookies["sigap_next"], "/approvals");
    app.clock.advance(chrono::TimeDelta::seconds(30));
    let back = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(back.location(), "/approvals", "{}", back.body);
    assert!(!browser.cookies.contains_key("sigap_next"), "spent");

    let mut other = Browser::new(&app);
    assert_eq!(
        other.password(email, PASSWORD).await.location(),
        "/login/totp"
    );
    let replay = other.code_step("/login/totp", &current).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a used code");
    let chain = app.store.verify_audit_chain().await.unwrap();
    assert!(matches!(chain, sigap_store::ChainStatus::Intact { .. }));
}

async fn wrong_codes_count_towards_the_lockout(app: TestApp) {
    let email = csirt(&app).await;
    let (mut browser, secret, _) = enrolled(&app, email).await;
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    for _ in 0..3 {
        let page = browser
            .code_step("/login/totp", &wrong(&code(&app, &secret, 0)))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let mut second = Browser::new(&app);
    assert_eq!(
        second.password(email, PASSWORD).await.location(),
        "/login/totp",
        "the password alone does not forget the wrong codes"
    );
    for _ in 0..2 {
        let page = second
            .code_step("/login/totp", &wrong(&code(&app, &secret, 0)))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let right = second
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(
        right.status,
        StatusCode::UNAUTHORIZED,
        "locked even with the right code"
    );
    assert_eq!(second.get("/tickets").await.location(), "/login/totp");
    let mut third = Browser::new(&app);
    let token = third.get("/login").await.csrf();
    let locked = third
        .post_form(
            "/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                (CSRF_FIELD, &token),
            ],
        )
        .await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "the password is locked too"
    );
    app.clock.advance(chrono::TimeDelta::minutes(16));
    assert_eq!(
        second.get("/login/totp").await.location(),
        "/login",
        "a half-way session ends after 15 minutes"
    );
    second.password(email, PASSWORD).await;
    let page = second
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(page.location(), "/tickets", "{}", page.body);
}

async fn codes_thirty_seconds_off_pass_and_ninety_do_not(app: TestApp) {
    let email = csirt(&app).await;
    let (mut browser, secret, _) = enrolled(&app, email).await;
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    for offset in [-90, 90] {
        let page = browser
            .code_step("/login/totp", &code(&app, &secret, offset))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{offset} s");
    }
    let behind = browser
        .code_step("/login/totp", &code(&app, &secret, -30))
        .await;
    assert_eq!(behind.location(), "/tickets", "a phone 30 s behind");
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    let ahead = browser
        .code_step("/login/totp", &code(&app, &secret, 30))
        .await;
    assert_eq!(ahead.location(), "/tickets", "a phone 30 s ahead");
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    let older = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(
        older.status,
        StatusCode::UNAUTHORIZED,
        "a code older than the last one taken"
    );
}

async fn a_recovery_code_signs_in_once(app: TestApp) {
    let email = csirt(&app).await;
    let (mut browser, _, codes) = enrolled(&app, email).await;
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    let page = browser.code_step("/login/recovery", &codes[0]).await;
    assert_eq!(page.location(), "/tickets", "{}", page.body);
    assert_eq!(browser.get("/tickets").await.status, StatusCode::OK);
    browser.logout().await;
    browser.password(email, PASSWORD).await;
    let again = browser.code_step("/login/recovery", &codes[0]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "used up");
    let typed = codes[1].replace('-', " ").to_uppercase();
    let other = browser.code_step("/login/recovery", &typed).await;
    assert_eq!(other.location(), "/tickets", "{}", other.body);
    let account = browser.get("/account/totp").await;
    assert!(
        account
            .body
            .contains("Kode pemulihan yang belum digunakan: 8."),
        "{}",
        account.body
    );
}

async fn admin_reset_sends_the_user_back_to_enrolment(app: TestApp) {
    let email = csirt(&app).await;
    let (mut browser, _, _) = enrolled(&app, email).await;
    let users = app.get(Some(app.token("admin")), "/api/v1/users").await;
    let users: serde_json::Value = users.json().await.unwrap();
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reset = |token: &str, id: i64| {
        app.client
            .post(app.url(&format!("/api/v1/users/{id}/totp/reset")))
            .bearer_auth(token.to_owned())
            .send()
    };
    let refused = reset(app.token("csirt"), id).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/tickets").await.status, StatusCode::OK);
    let unknown = reset(app.token("admin"), 999_999).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let done = reset(app.token("admin"), id).await.unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        browser.get("/tickets").await.location(),
        "/login",
        "the user's sessions end"
    );
    let again = browser.password(email, PASSWORD).await;
    assert_eq!(again.location(), "/account/totp", "enrol again");
    assert!(
        browser
            .get("/account/totp")
            .await
            .body
            .contains("id=\"totp-secret\"")
    );
    let openapi = app
        .get(None, "/api/v1/openapi.json")
        .await
        .text()
        .await
        .unwrap();
    assert!(openapi.contains("/api/v1/users/{id}/totp/reset"));
}

async fn the_code_step_needs_a_password_session(app: TestApp) {
    let mut browser = Browser::new(&app);
    for path in ["/login/totp", "/login/recovery", "/account/totp"] {
        assert_eq!(browser.get(path).await.location(), "/login", "{path}");
    }
    let token = browser.get("/login").await.csrf();
    let post = browser
        .post_form("/login/totp", &[("code", "123456"), (CSRF_FIELD, &token)])
        .await;
    assert_eq!(post.location(), "/login");
    let helpdesk = staff(&app, "web.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    browser.login(helpdesk, PASSWORD).await;
    assert_eq!(
        browser.get("/login/totp").await.location(),
        "/login",
        "a complete session has no code step"
    );
}

async fn second_factor_forms_without_the_csrf_token_change_nothing(app: TestApp) {
    let email = csirt(&app).await;
    let mut browser = Browser::new(&app);
    browser.password(email, PASSWORD).await;
    let page = browser.get("/account/totp").await;
    let secret = secret_on(&page);
    let right = code(&app, &secret, 0);
    let missing = browser
        .post_form("/account/totp", &[("code", &right)])
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let forged = "x".repeat(43);
    let wrong_token = browser
        .post_form("/account/totp", &[("code", &right), (CSRF_FIELD, &forged)])
        .await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/tickets").await.location(),
        "/account/totp",
        "not enrolled"
    );
    let done = browser
        .post_form(
            "/account/totp",
            &[("code", &right), (CSRF_FIELD, &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    browser.logout().await;
    app.clock.advance(chrono::TimeDelta::minutes(2));
    browser.password(email, PASSWORD).await;
    let now = code(&app, &secret, 0);
    let missing = browser.post_form("/login/totp", &[("code", &now)]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/tickets").await.location(), "/login/totp");
    let page = browser.code_step("/login/totp", &now).await;
    assert_eq!(
        page.location(),
        "/tickets",
        "the refused post used nothing up"
    );
}

async fn other_roles_sign_in_with_the_password_and_may_enrol(app: TestApp) {
    let email = staff(&app, "web.helpdesk@kominfo.batam.go.id", "helpdesk", None).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(
        queue.body.contains("href=\"/account/totp\""),
        "Keamanan akun"
    );
    let page = browser.get("/account/totp").await;
    assert!(page.body.contains("Lindungi akun Anda"));
    browser.logout().await;
    let (mut browser, secret, _) = enrolled(&app, email).await;
    browser.logout().await;
    assert_eq!(
        browser.password(email, PASSWORD).await.location(),
        "/login/totp",
        "once enrolled, the code is asked"
    );
    let page = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(page.location(), "/tickets");
}

/// A system owner's pages of a ticket walked to its close carry nothing of the reporter:
/// not their name, address, phone or alias, not their message or the CSIRT's reply to them,
/// no receipt; the block and unblock read as their public facts.
async fn system_owner_pages_never_name_the_reporter(app: TestApp) {
    const TELLTALES: &[&str] = &["kartika", "pramudya", "813-7731", "penjaga sunyi"];
    let mut report = sigap_testkit::valid_report();
    report["reporter_name"] = json!("Kartika Pramudyawardhani");
    report["reporter_email"] = json!("kartika.pramudya@example.net");
    report["reporter_phone"] = json!("+62 813-7731-0042");
    report["credit"] = json!("alias");
    report["credit_alias"] = json!("Penjaga Sunyi Batam");
    let submitted = app.submit_ok(&report).await;
    let number = submitted.number;
    let message = json!({"message": "Salam, Kartika Pramudyawardhani"});
    let response = app
        .reporter_message(&number, &submitted.tracking_token, &message)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reply = sigap_testkit::bodies::comment("Terima kasih, Sdr. Kartika.", "reporter");
    app.act("csirt", &number, "comment", &reply).await;
    app.drive(&number, "closed").await;

    let owner = staff(
        &app,
        "web.pj@disdik.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_A),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    for path in [format!("/tickets/{number}"), "/tickets".to_owned()] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let lower = page.body.to_lowercase();
        for telltale in TELLTALES {
            assert!(
                !lower.contains(telltale),
                "{path} names the reporter ({telltale})"
            );
        }
    }
    let page = browser.get(&format!("/tickets/{number}")).await;
    assert!(!page.body.contains("/acknowledgement"), "no receipt link");
    assert!(page.body.contains("diblokir") && page.body.contains("dibuka kembali"));
    let receipt = browser
        .get(&format!("/tickets/{number}/acknowledgement"))
        .await;
    assert_eq!(receipt.status, StatusCode::FORBIDDEN);
    let queue = browser.get("/tickets?q=Kartika").await;
    assert!(
        !queue.body.contains(&number),
        "the search matches no reporter field"
    );
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    a_long_thread_is_paged_on_the_ticket_page: long_thread_sqlite, long_thread_postgres;
}

async fn a_long_thread_is_paged_on_the_ticket_page(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    for n in 1..=60 {
        let body = json!({ "message": format!("pesan-nomor-{n:03}") });
        let response = app
            .reporter_message(&submitted.number, &submitted.tracking_token, &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let mut browser = Browser::new(&app);
    browser.login(csirt(&app).await, PASSWORD).await;
    let path = format!("/tickets/{}", submitted.number);
    // The newest page first (pages of fifty, the oldest on page 1): the last ten
    // messages, and a link to the older ones.
    let page = browser.get(&path).await;
    assert!(page.body.contains("pesan-nomor-060") && page.body.contains("pesan-nomor-051"));
    assert!(
        !page.body.contains("pesan-nomor-050"),
        "only one page is shown"
    );
    assert!(page.body.contains("Halaman 2 dari 2"));
    assert!(page.body.contains(&format!("{path}?comments=1#comments")));
    let older = browser.get(&format!("{path}?comments=1")).await;
    assert!(older.body.contains("pesan-nomor-001") && older.body.contains("pesan-nomor-050"));
    assert!(!older.body.contains("pesan-nomor-051"));
}

/// Rules under which a reporter may send one message an hour per ticket and address.
fn one_message_an_hour(start: &mut sigap_testkit::Start) {
    password_only(start);
    start.rules.messages_per_hour = 1;
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, one_message_an_hour);
    a_reporter_over_the_message_limit_is_told_in_indonesian:
        message_limit_page_sqlite, message_limit_page_postgres;
}

async fn a_reporter_over_the_message_limit_is_told_in_indonesian(app: TestApp) {
    let submitted = app.submit_ok(&sigap_testkit::valid_report()).await;
    let mut browser = Browser::new(&app);
    let token = browser
        .get(&format!("/track?ticket={}", submitted.number))
        .await
        .csrf();
    let send = |text: &str| {
        Form::new()
            .text(CSRF_FIELD, token.clone())
            .text("ticket", submitted.number.clone())
            .text("token", submitted.tracking_token.clone())
            .text("message", text.to_owned())
    };
    let sent = browser
        .post_multipart("/track/message", send("pesan pertama"))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let refused = browser
        .post_multipart("/track/message", send("pesan kedua"))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body.contains("Terlalu banyak pesan"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("pesan kedua"), "the message is kept");
}

/// With a password lifetime set, a user whose password outlived it passes the second factor
/// first; the session that follows opens only the password page, and a new password ends it.
async fn an_outlived_password_is_renewed_after_the_code_not_before(app: TestApp) {
    let email = csirt(&app).await;
    let (mut browser, secret, _) = enrolled(&app, email).await;
    browser.logout().await;
    let law = app
        .client
        .put(app.url("/api/v1/settings/law"))
        .bearer_auth(app.token("admin"))
        .json(&serde_json::json!({"password_min_chars": 12, "password_max_age_days": 180}))
        .send()
        .await
        .unwrap();
    assert_eq!(law.status(), StatusCode::OK);
    app.clock.advance(chrono::TimeDelta::days(181));

    let after_password = browser.password(email, PASSWORD).await;
    assert_eq!(
        after_password.location(),
        "/login/totp",
        "the code comes first"
    );
    assert_eq!(browser.get("/account/password").await.location(), "/login");
    let after_code = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(
        after_code.status,
        StatusCode::SEE_OTHER,
        "{}",
        after_code.body
    );
    assert_eq!(
        browser.get("/tickets").await.location(),
        "/account/password"
    );
    let form = browser.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("Masa berlaku kata sandi Anda telah habis"),
        "{}",
        form.body
    );
    let new_password = "hujan turun di bukit senyum";
    let done = browser
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
                (CSRF_FIELD, &form.csrf()),
            ],
        )
        .await;
    assert_eq!(done.location(), "/login", "{}", done.body);
    app.clock.advance(chrono::TimeDelta::minutes(1));
    let again = browser.password(email, new_password).await;
    assert_eq!(again.location(), "/login/totp");
    let signed_in = browser
        .code_step("/login/totp", &code(&app, &secret, 0))
        .await;
    assert_eq!(signed_in.location(), "/tickets", "{}", signed_in.body);
}
