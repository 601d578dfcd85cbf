//! "Lupa kata sandi", as a stranger's browser and the staff member's mailbox see it: the
//! same answer for an unknown address as for a real one, one mail with a one-time link
//! through a real SMTP server, a link that the database alone does not hold, that works
//! once, ends every session and lifts nothing else; refusals audited.

use std::time::Duration;

use reqwest::StatusCode;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::TestApp;

use super::password_only;
use crate::api::mail::{drain, settings};
use crate::support::*;

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    a_forgotten_password_is_replaced_with_a_one_time_link: forgot_sqlite, forgot_postgres;
}

/// The "sent" notice of the forgot page.
fn notice(page: &Page) -> String {
    let start = page.body.find("id=\"forgot-sent\"").expect("the notice");
    let end = page.body[start..].find("</div>").unwrap();
    page.body[start..start + end].to_owned()
}

async fn ask(browser: &mut Browser, email: &str) -> Page {
    let token = browser.get("/login/forgot").await.csrf();
    browser
        .post_form("/login/forgot", &[("email", email), (CSRF_FIELD, &token)])
        .await
}

async fn choose(browser: &mut Browser, link: &str, new: &str, again: &str) -> Page {
    let token = browser.get(link).await.csrf();
    let fields = [
        ("new_password", new),
        ("confirm_password", again),
        (CSRF_FIELD, &token),
    ];
    browser.post_form(link, &fields).await
}

async fn outcomes(app: &TestApp, action: &str) -> Vec<String> {
    let mut all: Vec<String> = app
        .store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.outcome)
        .collect();
    all.sort();
    all
}

async fn a_forgotten_password_is_replaced_with_a_one_time_link(app: TestApp) {
    let email = staff(&app, "lupa.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut signed_in = Browser::new(&app);
    signed_in.login(email, PASSWORD).await;

    let mut stranger = Browser::new(&app);
    let login = stranger.get("/login").await;
    assert!(
        login.body.contains("href=\"/login/forgot\""),
        "linked from the sign-in"
    );
    let form = stranger.get("/login/forgot").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page_headers(&form, "/login/forgot");
    let no_csrf = stranger
        .post_form("/login/forgot", &[("email", email)])
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    // The same answer for an address without an account as for a real one.
    let unknown = ask(&mut stranger, "tidak.terdaftar@batam.go.id").await;
    let known = ask(&mut stranger, "  lupa.csirt@KOMINFO.batam.go.id ").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(notice(&unknown), notice(&known));
    assert!(
        notice(&known).contains("Tautan berlaku satu jam"),
        "{}",
        known.body
    );

    // One mail, to the real address only, with the link.
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    assert_eq!(drain(&app, &mail).await, 1);
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_to, [email]);
    let text = received[0]
        .parsed()
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    let prefix = format!("{}/login/reset/", app.base_url.trim_end_matches('/'));
    let at = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("a link: {text}"));
    let token: String = text[at + prefix.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let (_, mac) = token.split_once('.').expect("id.mac");
    let link = format!("/login/reset/{token}");

    // The database does not hold the link: the job names the row, the row a nonce.
    for job in app.store.list_jobs(None, 1_000).await.unwrap() {
        assert!(!job.payload.contains(mac), "{}", job.payload);
    }
    let dump = format!("{:?}", app.store.list_audit(0, 10_000).await.unwrap());
    assert!(!dump.contains(mac), "not in the audit log either");

    // A link altered by one character does not work.
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let dead = stranger.get(&format!("/login/reset/{altered}")).await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);
    assert!(
        dead.body.contains("Tautan ini tidak berlaku"),
        "{}",
        dead.body
    );
    assert!(dead.body.contains("href=\"/login/forgot\""));

    // The form refuses two different passwords and a short one, and keeps the link.
    let open = stranger.get(&link).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("name=\"new_password\""));
    let new_password = "kata-sandi-pulihan-yang-panjang";
    let differ = choose(&mut stranger, &link, new_password, "kata-sandi-lain-sekali").await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        differ
            .body
            .contains("Kedua isian kata sandi baru tidak sama")
    );
    let short = choose(&mut stranger, &link, "pendek", "pendek").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("paling sedikit 12") || short.body.contains("12 karakter"));

    // Set: the sign-in page says so, every session ended, the old password is refused.
    let done = choose(&mut stranger, &link, new_password, new_password).await;
    assert_eq!(done.location(), "/login?reset=done", "{}", done.body);
    let notice = stranger.get("/login?reset=done").await;
    assert!(notice.body.contains("Kata sandi baru sudah tersimpan"));
    assert_eq!(signed_in.get("/tickets").await.location(), "/login");
    let old = super::attempt(&mut stranger, email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    stranger.login(email, new_password).await;

    // Once only: the used link is dead, and a form sent to it sets nothing.
    let mut other = Browser::new(&app);
    let reused = other.get(&link).await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
    let token = other.get("/login/forgot").await.csrf();
    let third = "kata-sandi-ketiga-yang-panjang";
    let fields = [
        ("new_password", third),
        ("confirm_password", third),
        (CSRF_FIELD, &token),
    ];
    let again = other.post_form(&link, &fields).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    other.login(email, new_password).await;

    // At most three links an hour for one account; the page answers the same.
    for _ in 0..3 {
        let page = ask(&mut other, email).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    assert_eq!(
        outcomes(&app, "password_forgot").await,
        ["ok", "ok", "ok", "refused:too_many", "refused:unknown"]
    );
    assert_eq!(
        outcomes(&app, "password_recover").await,
        ["ok", "refused:link"]
    );
}
