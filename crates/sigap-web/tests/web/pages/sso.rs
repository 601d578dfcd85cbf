//! "Masuk dengan SSO" against a real OpenID Connect provider (`oidc-provider`, run by Node.js
//! through `sigap_testkit::oidc`): the browser is a reqwest client with a cookie store that
//! follows the provider's redirects into sigap, as a browser does. The provider signs the
//! account named by `login_hint` in without a login page.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::oidc::{MFA_ACR, ProviderSetup, SsoBrowser, TestProvider, spawn_sso_app};
use sigap_testkit::{Backend, TestApp};

use crate::support::*;

const HELPDESK: &str = "helpdesk@kominfo.batam.go.id";
const CSIRT: &str = "csirt@kominfo.batam.go.id";

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    a_provider_sign_in_lands_in_the_queue_with_a_session: sso_sign_in_sqlite, sso_sign_in_postgres;
    a_code_issued_to_another_client_is_refused: sso_other_client_sqlite, sso_other_client_postgres;
    an_expired_id_token_is_refused: sso_expired_sqlite, sso_expired_postgres;
    a_replayed_state_is_refused: sso_replay_sqlite, sso_replay_postgres;
    an_unknown_person_is_told_to_ask_an_admin: sso_unknown_sqlite, sso_unknown_postgres;
    a_second_factor_at_the_provider_skips_sigap_s_own: sso_mfa_sqlite, sso_mfa_postgres;
    without_a_second_factor_at_the_provider_sigap_asks_its_own: sso_no_mfa_sqlite, sso_no_mfa_postgres;
    a_role_without_passwords_is_refused_its_password: sso_password_roles_sqlite, sso_password_roles_postgres;
    logout_ends_the_provider_s_session_too: sso_logout_sqlite, sso_logout_postgres;
    unlinking_forgets_the_provider_identity: sso_unlink_sqlite, sso_unlink_postgres;
    a_mapped_group_sets_the_role: sso_role_map_sqlite, sso_role_map_postgres;
}

/// The provider's accounts: the seeded helpdesk and CSIRT users, with and without a second
/// factor, a person sigap does not know, and one whose address is not verified.
fn accounts() -> Value {
    json!([
        {"sub": "helpdesk-1", "email": HELPDESK, "email_verified": true, "amr": ["pwd"]},
        {"sub": "csirt-mfa", "email": CSIRT, "email_verified": true,
         "amr": ["pwd", "otp"], "acr": MFA_ACR},
        {"sub": "csirt-pwd", "email": CSIRT, "email_verified": true, "amr": ["pwd"]},
        {"sub": "stranger", "email": "orang.lain@contoh.id", "email_verified": true},
        {"sub": "unverified", "email": "auditor@inspektorat.batam.go.id",
         "email_verified": false},
        {"sub": "helpdesk-admin", "email": HELPDESK, "email_verified": true,
         "groups": ["pegawai", "sigap-admin"]},
    ])
}

fn setup() -> ProviderSetup {
    ProviderSetup {
        clients: None,
        accounts: accounts(),
        id_token_ttl: None,
    }
}

/// Starts a sign-in at sigap and lets the provider sign `sub` in; answers the page the
/// browser ends on (sigap's callback page).
async fn through_provider(app: &TestApp, browser: &SsoBrowser, sub: &str) -> reqwest::Response {
    let authorize = start(app, browser).await;
    browser
        .follow
        .get(format!("{authorize}&login_hint={sub}"))
        .send()
        .await
        .unwrap()
}

/// `GET /login/sso`: answers the provider's authorization address it redirects to.
async fn start(app: &TestApp, browser: &SsoBrowser) -> String {
    let login = browser
        .follow
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("<a class=\"button\" href=\"/login/sso\" id=\"sso-link\">"));
    let response = browser
        .manual
        .get(format!("{}/login/sso", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("sigap_sso="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    for part in [
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(location.contains(part), "{location}");
    }
    location
}

/// The same-site step after the callback page: answers where it sends the browser.
async fn finish(app: &TestApp, browser: &SsoBrowser) -> reqwest::Response {
    browser
        .manual
        .get(format!("{}/login/sso/finish", app.base_url))
        .send()
        .await
        .unwrap()
}

/// Signs `sub` in through the callback page and its same-site step; answers the redirect.
async fn signed_in(app: &TestApp, browser: &SsoBrowser, sub: &str) -> String {
    let page = through_provider(app, browser, sub).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.url().path().ends_with("/login/sso/callback"));
    let body = page.text().await.unwrap();
    assert!(body.contains("<meta http-equiv=\"refresh\" content=\"0; url=/login/sso/finish\">"));
    let finished = finish(app, browser).await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    finished.headers()["location"].to_str().unwrap().to_owned()
}

/// The path the browser ends on when it asks for the queue.
async fn queue_path(app: &TestApp, browser: &SsoBrowser) -> (String, String) {
    let page = browser
        .follow
        .get(format!("{}/tickets", app.base_url))
        .send()
        .await
        .unwrap();
    let path = page.url().path().to_owned();
    (path, page.text().await.unwrap())
}

async fn audit_rows(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "login")
        .map(|e| (e.actor, e.outcome, e.details.to_string()))
        .collect()
}

async fn sso_app(backend: Backend, setup: ProviderSetup) -> Option<(TestApp, TestProvider)> {
    spawn_sso_app(backend, setup, |_| {}).await
}

async fn a_provider_sign_in_lands_in_the_queue_with_a_session(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    assert_eq!(signed_in(&app, &browser, "helpdesk-1").await, "/tickets");
    let (path, body) = queue_path(&app, &browser).await;
    assert_eq!(path, "/tickets");
    assert!(body.contains("action=\"/logout\""));
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter()
            .any(|(actor, outcome, details)| actor == HELPDESK
                && outcome == "ok"
                && details.contains("\"factor\":\"sso\"")),
        "{rows:?}"
    );
    // The (issuer, subject) is recorded for the next sign-ins.
    let user = app.store.find_user(HELPDESK).await.unwrap().unwrap();
    let issuer = app.app.rules.sso.as_ref().unwrap().settings.issuer.clone();
    let linked = app.store.find_identity_user(&issuer, "helpdesk-1").await;
    assert_eq!(linked.unwrap(), Some(user.id));
}

async fn a_code_issued_to_another_client_is_refused(backend: Backend) {
    // The provider knows the client `lain` only, not sigap's `sigap`: a code it issues is
    // for `lain`, and sigap, trading it as `sigap`, must not sign anyone in with it.
    let Some((app, provider)) = spawn_other_client_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    let authorize = start(&app, &browser).await;
    assert!(authorize.starts_with(&provider.issuer));
    let as_other = authorize.replace("client_id=sigap", "client_id=lain");
    let page = browser
        .follow
        .get(format!("{as_other}&login_hint=helpdesk-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.url().path().ends_with("/login/sso/callback"));
    assert!(page.text().await.unwrap().contains("id=\"sso-refused\""));
    assert_eq!(queue_path(&app, &browser).await.0, "/login");
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter().any(|(_, o, _)| o == "refused:sso-provider"),
        "{rows:?}"
    );
}

/// An app whose provider registers sigap's callback for the client `lain` only.
async fn spawn_other_client_app(
    backend: Backend,
    setup: ProviderSetup,
) -> Option<(TestApp, TestProvider)> {
    if !sigap_testkit::oidc::provider_installed() {
        return None;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let clients = json!([sigap_testkit::oidc::sigap_client("lain", &base_url)]);
    let provider = sigap_testkit::oidc::start_provider(&clients, &setup).await;
    let sso = sigap_testkit::oidc::sso_settings(&provider.issuer);
    let app = sigap_testkit::spawn_app_with(backend, move |start| {
        start.listener = Some(listener);
        start.rules.sso = Some(sso);
    })
    .await?;
    Some((app, provider))
}

#[allow(clippy::disallowed_methods)]
fn wall_clock() -> chrono::DateTime<chrono::Utc> {
    // The provider signs with the machine's time; the app's clock is set past it.
    chrono::Utc::now()
}

async fn an_expired_id_token_is_refused(backend: Backend) {
    let short = ProviderSetup {
        id_token_ttl: Some(1),
        ..setup()
    };
    let Some((app, _provider)) = sso_app(backend, short).await else {
        return;
    };
    // Five seconds ahead of the provider: its one-second tokens are expired on arrival.
    app.clock.set(wall_clock() + chrono::TimeDelta::seconds(5));
    let browser = SsoBrowser::new();
    let page = through_provider(&app, &browser, "helpdesk-1").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.text().await.unwrap().contains("id=\"sso-refused\""));
    assert_eq!(finish(&app, &browser).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(queue_path(&app, &browser).await.0, "/login");
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter()
            .any(|(_, o, d)| o == "refused:sso-token" && d.contains("expired")),
        "{rows:?}"
    );
}

async fn a_replayed_state_is_refused(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    let page = through_provider(&app, &browser, "helpdesk-1").await;
    assert_eq!(page.status(), StatusCode::OK);
    let callback = page.url().clone();
    assert_eq!(
        finish(&app, &browser).await.headers()["location"],
        "/tickets"
    );
    // The same answer again, from the same browser and from another one.
    for replayer in [&browser, &SsoBrowser::new()] {
        let again = replayer.follow.get(callback.clone()).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::FORBIDDEN);
        assert!(again.text().await.unwrap().contains("id=\"sso-refused\""));
    }
    // A finish step without a checked attempt opens nothing either.
    let stranger = SsoBrowser::new();
    assert_eq!(
        finish(&app, &stranger).await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = audit_rows(&app)
        .await
        .into_iter()
        .filter(|(_, o, _)| o == "refused:sso-state")
        .count();
    assert_eq!(refused, 3);
}

async fn an_unknown_person_is_told_to_ask_an_admin(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let users_before = app.store.list_users().await.unwrap().len();
    for (sub, who) in [
        ("stranger", "orang.lain@contoh.id"),
        // A known address that the provider has not verified is not trusted.
        ("unverified", "auditor@inspektorat.batam.go.id"),
    ] {
        let browser = SsoBrowser::new();
        let page = through_provider(&app, &browser, sub).await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let body = page.text().await.unwrap();
        assert!(body.contains("Mintalah administrator sigap"), "{body}");
        assert_eq!(queue_path(&app, &browser).await.0, "/login");
        let rows = audit_rows(&app).await;
        assert!(
            rows.iter()
                .any(|(a, o, _)| a == who && o == "refused:sso-unknown-user"),
            "{rows:?}"
        );
    }
    assert_eq!(app.store.list_users().await.unwrap().len(), users_before);
}

async fn a_second_factor_at_the_provider_skips_sigap_s_own(backend: Backend) {
    // The default rules: csirt must have a second factor.
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    assert!(app.app.rules.totp_required(sigap_core::Role::Csirt));
    let browser = SsoBrowser::new();
    assert_eq!(signed_in(&app, &browser, "csirt-mfa").await, "/tickets");
    assert_eq!(queue_path(&app, &browser).await.0, "/tickets");
}

async fn without_a_second_factor_at_the_provider_sigap_asks_its_own(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    // The CSIRT user has no authenticator yet: enrolment first, and no other page.
    assert_eq!(
        signed_in(&app, &browser, "csirt-pwd").await,
        "/account/totp"
    );
    assert_eq!(queue_path(&app, &browser).await.0, "/account/totp");
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter()
            .any(|(a, o, _)| a == CSIRT && o == "pending:enrol"),
        "{rows:?}"
    );
}

async fn a_role_without_passwords_is_refused_its_password(backend: Backend) {
    let Some((app, _provider)) = spawn_sso_app(backend, setup(), |start| {
        start.rules.totp_required_roles.clear();
        start.rules.password_roles = Some(vec![sigap_core::Role::Admin]);
    })
    .await
    else {
        return;
    };
    let helpdesk = staff(&app, "meja.bantuan@kominfo.batam.go.id", "helpdesk", None).await;
    let admin = staff(&app, "darurat@kominfo.batam.go.id", "admin", None).await;
    let mut browser = Browser::new(&app);
    let token = browser.get("/login").await.csrf();
    let fields = [
        ("email", helpdesk),
        ("password", PASSWORD),
        (CSRF_FIELD, &token),
    ];
    let page = browser.post_form("/login", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("id=\"sso-only\""));
    assert!(page.body.contains("Masuk dengan SSO"));
    assert!(page.session_cookie().is_none());
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter()
            .any(|(a, o, _)| a == helpdesk && o == "refused:password-not-allowed"),
        "{rows:?}"
    );
    // The break-glass admin still signs in with a password.
    browser.login(admin, PASSWORD).await;
}

async fn logout_ends_the_provider_s_session_too(backend: Backend) {
    let Some((app, provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    assert_eq!(signed_in(&app, &browser, "helpdesk-1").await, "/tickets");
    let (_, queue) = queue_path(&app, &browser).await;
    let csrf = hidden_value(&queue, CSRF_FIELD).unwrap();
    let out = browser
        .manual
        .post(format!("{}/logout", app.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{CSRF_FIELD}={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let to = out.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with(&format!("{}/session/end?", provider.issuer)),
        "{to}"
    );
    assert!(to.contains("id_token_hint="), "{to}");
    let back = url::form_urlencoded::byte_serialize(format!("{}/login", app.base_url).as_bytes())
        .collect::<String>();
    assert!(
        to.contains(&format!("post_logout_redirect_uri={back}")),
        "{to}"
    );
    // The provider ends its session and sends the browser back to sigap's sign-in page.
    let landed = browser.follow.get(&to).send().await.unwrap();
    assert_eq!(landed.status(), StatusCode::OK);
    assert_eq!(landed.url().path(), "/login");
    assert_eq!(queue_path(&app, &browser).await.0, "/login");
    // No session is left at the provider: without a hint it must ask who signs in.
    let authorize = start(&app, &browser).await;
    let again = browser.follow.get(&authorize).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

async fn unlinking_forgets_the_provider_identity(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, setup()).await else {
        return;
    };
    let browser = SsoBrowser::new();
    assert_eq!(signed_in(&app, &browser, "helpdesk-1").await, "/tickets");
    let issuer = app.app.rules.sso.as_ref().unwrap().settings.issuer.clone();
    assert!(
        app.store
            .find_identity_user(&issuer, "helpdesk-1")
            .await
            .unwrap()
            .is_some()
    );
    let caller = sigap_app::Caller::system();
    let forgotten = sigap_app::identity::sso::unlink(&app.app, &caller, HELPDESK)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    let linked = app.store.find_identity_user(&issuer, "helpdesk-1").await;
    assert_eq!(linked.unwrap(), None);
    let audited = app.store.list_audit(0, 10_000).await.unwrap();
    assert!(
        audited
            .iter()
            .any(|e| e.action == "sso_unlink" && e.outcome == "ok")
    );
    // A staff member who is not an admin may not.
    let helpdesk = app.store.find_user(HELPDESK).await.unwrap().unwrap();
    let not_admin = sigap_app::Caller {
        user_id: helpdesk.id,
        email: helpdesk.email.clone(),
        name: helpdesk.name.clone(),
        role: helpdesk.role,
        agency_id: None,
        agency_code: None,
    };
    assert!(
        sigap_app::identity::sso::unlink(&app.app, &not_admin, HELPDESK)
            .await
            .is_err()
    );
    let audited = app.store.list_audit(0, 10_000).await.unwrap();
    assert!(
        audited
            .iter()
            .any(|e| e.action == "sso_unlink" && e.outcome == "refused:403" && e.actor == HELPDESK)
    );
}

async fn a_mapped_group_sets_the_role(backend: Backend) {
    let Some((app, _provider)) = spawn_sso_app(backend, setup(), |start| {
        start.rules.totp_required_roles.clear();
        let mut settings = start.rules.sso.as_ref().unwrap().settings.clone();
        settings.scopes.push("groups".to_owned());
        settings.role_map = Some(
            sigap_app::identity::sso::RoleMap::parse("groups", "sigap-admin=admin,tim-csirt=csirt")
                .unwrap(),
        );
        let sso = sigap_app::identity::sso::Sso::new(settings).unwrap();
        start.rules.sso = Some(std::sync::Arc::new(sso));
    })
    .await
    else {
        return;
    };
    let before = app.store.find_user(HELPDESK).await.unwrap().unwrap();
    assert_eq!(before.role, sigap_core::Role::Helpdesk);
    // In no mapped group: the role sigap has stays.
    let browser = SsoBrowser::new();
    assert_eq!(signed_in(&app, &browser, "helpdesk-1").await, "/tickets");
    let same = app.store.find_user(HELPDESK).await.unwrap().unwrap();
    assert_eq!(same.role, sigap_core::Role::Helpdesk);
    // In `sigap-admin`: admin from this sign-in on, and the change is audited.
    let browser = SsoBrowser::new();
    assert_eq!(
        signed_in(&app, &browser, "helpdesk-admin").await,
        "/tickets"
    );
    let after = app.store.find_user(HELPDESK).await.unwrap().unwrap();
    assert_eq!(after.role, sigap_core::Role::Admin);
    let audited = app.store.list_audit(0, 10_000).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "sso_role"
        && e.details.to_string().contains("\"from\":\"helpdesk\"")
        && e.details.to_string().contains("\"to\":\"admin\"")));
    let (path, body) = queue_path(&app, &browser).await;
    assert_eq!(path, "/tickets");
    assert!(body.contains("href=\"/admin"), "the admin's menu");
}
