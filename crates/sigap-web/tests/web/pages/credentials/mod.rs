//! Sign-in hardening and the account's credentials, as a browser (and, for other client
//! addresses, the sign-in use case) sees them: the address throttle answers 429 before the
//! password counts; an IPv6 client counts by its /64; a stranger's failures do not lock a
//! user out of an address they signed in from; a locked account's refusals are audited
//! once per window; a user changes their password and every session ends; the tokens page
//! lists and revokes the user's own tokens; an https site sends `__Host-` cookies and HSTS.

use reqwest::StatusCode;
use sigap_app::AppError;
use sigap_app::identity::login;
use sigap_app::identity::tokens::{self, Scope, TokenRequest};
use sigap_testkit::TestApp;

use crate::support::*;

mod recovery;
mod rules;

fn password_only(start: &mut sigap_testkit::Start) {
    start.rules.totp_required_roles.clear();
}

fn https_site(start: &mut sigap_testkit::Start) {
    start.rules.totp_required_roles.clear();
    start.rules.public_url = "https://sigap.batam.go.id".to_owned();
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    the_address_throttle_answers_429_before_the_password_counts: throttle_sqlite, throttle_postgres;
    ipv6_clients_are_throttled_by_their_64: throttle_v6_sqlite, throttle_v6_postgres;
    a_stranger_cannot_lock_a_user_out_of_a_known_address: known_address_sqlite, known_address_postgres;
    a_user_changes_their_password_and_every_session_ends: change_password_sqlite, change_password_postgres;
    the_tokens_page_lists_and_revokes_the_user_s_own_tokens: tokens_page_sqlite, tokens_page_postgres;
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, https_site);
    an_https_site_sends_host_prefixed_cookies_and_hsts: https_sqlite, https_postgres;
}

async fn audit_outcomes(app: &TestApp, action: &str) -> Vec<String> {
    app.store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.outcome)
        .collect()
}

async fn attempt(browser: &mut Browser, email: &str, password: &str) -> Page {
    let token = browser.get("/login").await.csrf();
    let fields = [
        ("email", email),
        ("password", password),
        (CSRF_FIELD, &token),
    ];
    browser.post_form("/login", &fields).await
}

async fn the_address_throttle_answers_429_before_the_password_counts(app: TestApp) {
    let email = staff(&app, "throttle.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    // Ten guesses, spread over several accounts so that no account locks.
    for i in 0..10 {
        let page = attempt(
            &mut browser,
            &format!("tebak{i}@batam.go.id"),
            "salah-sekali",
        )
        .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    for _ in 0..3 {
        let page = attempt(&mut browser, email, PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password"
        );
        let retry: u64 = page.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
        assert!(
            page.body.contains("Terlalu banyak percobaan"),
            "{}",
            page.body
        );
        assert!(page.session_cookie().is_none());
    }
    let throttled: Vec<_> = audit_outcomes(&app, "login")
        .await
        .into_iter()
        .filter(|o| o == "refused:throttled")
        .collect();
    assert_eq!(throttled.len(), 1, "audited once per window");
    // A too long password is refused as a wrong one, and counted.
    app.clock.advance(chrono::TimeDelta::minutes(16));
    let long = "x".repeat(2048);
    let page = attempt(&mut browser, email, &long).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    browser.login(email, PASSWORD).await;
}

async fn use_case_login(
    app: &TestApp,
    email: &str,
    password: &str,
    from: &str,
) -> Result<(), AppError> {
    login::login(&app.app, email, password, Some(from.to_owned()))
        .await
        .map(|_| ())
}

async fn ipv6_clients_are_throttled_by_their_64(app: TestApp) {
    let email = staff(&app, "v6.csirt@kominfo.batam.go.id", "csirt", None).await;
    for i in 1..=10 {
        let from = format!("2001:db8:1:2::{i:x}");
        let other = format!("tebak{i}@batam.go.id");
        let refused = use_case_login(&app, &other, "salah-sekali", &from).await;
        assert!(
            matches!(refused, Err(AppError::Unauthorized)),
            "{refused:?}"
        );
    }
    let same_64 = use_case_login(&app, email, PASSWORD, "2001:db8:1:2:ffff::9").await;
    assert!(
        matches!(same_64, Err(AppError::TooManyRequests { .. })),
        "{same_64:?}"
    );
    let next_64 = use_case_login(&app, email, PASSWORD, "2001:db8:1:3::1").await;
    assert!(next_64.is_ok(), "another /64 is not throttled: {next_64:?}");
}

async fn a_stranger_cannot_lock_a_user_out_of_a_known_address(app: TestApp) {
    let email = staff(&app, "known.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    browser.logout().await;
    // A stranger elsewhere fails five times, then keeps trying: the account locks for them.
    let stranger = "203.0.113.66";
    for _ in 0..5 {
        let r = use_case_login(&app, email, "salah-sekali", stranger).await;
        assert!(matches!(r, Err(AppError::Unauthorized)));
    }
    for _ in 0..3 {
        let r = use_case_login(&app, email, PASSWORD, stranger).await;
        assert!(
            matches!(r, Err(AppError::Unauthorized)),
            "locked for the stranger"
        );
    }
    let locked: Vec<_> = audit_outcomes(&app, "login")
        .await
        .into_iter()
        .filter(|o| o == "refused:locked")
        .collect();
    assert_eq!(
        locked.len(),
        1,
        "a locked account's refusals are audited once per window"
    );
    // The user, from the address they signed in from, is not locked out.
    browser.login(email, PASSWORD).await;
}

async fn a_user_changes_their_password_and_every_session_ends(app: TestApp) {
    let email = staff(&app, "ganti.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut first = Browser::new(&app);
    first.login(email, PASSWORD).await;
    let mut second = Browser::new(&app);
    second.login(email, PASSWORD).await;

    let form = first.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    let token = form.csrf();
    let new_password = "kata-sandi-baru-yang-panjang";
    let no_csrf = [
        ("current_password", PASSWORD),
        ("new_password", new_password),
        ("confirm_password", new_password),
    ];
    let refused = first.post_form("/account/password", &no_csrf).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = [
        ("current_password", "bukan-kata-sandinya"),
        ("new_password", new_password),
        ("confirm_password", new_password),
        (CSRF_FIELD, &token),
    ];
    let refused = first.post_form("/account/password", &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Kata sandi saat ini tidak sesuai"),
        "{}",
        refused.body
    );
    assert_eq!(
        audit_outcomes(&app, "password_change").await,
        ["refused:password"]
    );

    let right = [
        ("current_password", PASSWORD),
        ("new_password", new_password),
        ("confirm_password", new_password),
        (CSRF_FIELD, &token),
    ];
    let done = first.post_form("/account/password", &right).await;
    assert_eq!(done.location(), "/login", "{}", done.body);
    assert_eq!(
        second.get("/tickets").await.location(),
        "/login",
        "the other session ended"
    );
    assert_eq!(first.get("/tickets").await.location(), "/login");
    let old = attempt(&mut first, email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    first.login(email, new_password).await;
}

async fn the_tokens_page_lists_and_revokes_the_user_s_own_tokens(app: TestApp) {
    let email = staff(&app, "token.csirt@kominfo.batam.go.id", "csirt", None).await;
    let request = TokenRequest {
        email: email.to_owned(),
        label: "skrip-laporan".to_owned(),
        scopes: vec![Scope::Read],
        expires_in_days: Some(90),
    };
    let created = tokens::create(&app.app, &sigap_app::Caller::system(), &request)
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.login(email, PASSWORD).await;
    let account = browser.get("/account/totp").await;
    assert!(
        account.body.contains("href=\"/account/tokens\""),
        "linked from Keamanan akun"
    );
    let page = browser.get("/account/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_headers(&page, "/account/tokens");
    assert!(page.body.contains("skrip-laporan"), "{}", page.body);
    assert!(!page.body.contains(&created.token), "never the secret");
    let others = browser.get("/account/tokens").await;
    assert!(
        !others.body.contains(">test<"),
        "not the seeded tokens of other users"
    );

    let path = format!("/account/tokens/{}/revoke", created.view.id);
    let refused = browser.post_form(&path, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(Some(&created.token), "/api/v1/tickets")
            .await
            .status(),
        StatusCode::OK
    );

    let done = browser
        .post_form(&path, &[(CSRF_FIELD, &page.csrf())])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Token telah dicabut"), "{}", done.body);
    assert_eq!(
        app.get(Some(&created.token), "/api/v1/tickets")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn an_https_site_sends_host_prefixed_cookies_and_hsts(app: TestApp) {
    let email = staff(&app, "https.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    let hsts = form.headers["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let csrf_cookie = form
        .set_cookies()
        .into_iter()
        .find(|c| c.contains("sigap_csrf="))
        .unwrap();
    assert!(
        csrf_cookie.starts_with("__Host-sigap_csrf="),
        "{csrf_cookie}"
    );
    assert!(
        csrf_cookie.contains("Secure") && csrf_cookie.contains("Path=/"),
        "{csrf_cookie}"
    );

    // A cookie without the prefix (planted by a sibling host or over http) is not believed.
    let token = form.csrf();
    let mut planted = Browser::new(&app);
    planted
        .cookies
        .insert("sigap_csrf".to_owned(), token.clone());
    let fields = [
        ("email", email),
        ("password", PASSWORD),
        (CSRF_FIELD, &token),
    ];
    assert_eq!(
        planted.post_form("/login", &fields).await.status,
        StatusCode::FORBIDDEN
    );

    let page = browser.post_form("/login", &fields).await;
    assert_eq!(page.location(), "/tickets", "{}", page.body);
    let session = page
        .set_cookies()
        .into_iter()
        .find(|c| c.contains("sigap_session="))
        .unwrap();
    assert!(session.starts_with("__Host-sigap_session="), "{session}");
    assert!(
        session.contains("Secure") && session.contains("HttpOnly"),
        "{session}"
    );
    assert_eq!(browser.get("/tickets").await.status, StatusCode::OK);
}
