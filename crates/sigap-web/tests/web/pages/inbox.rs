//! The address and template to write to on the home page, and the inbox as the help desk
//! works it in the browser: the waiting mail in the header's
//! count and on `/inbox`, one message with its text shown as text (a hostile subject and
//! HTML body escaped, never rendered), the report form filled from the mail's template, and
//! the decisions posted with their anti-CSRF token: accept lands on the new ticket, discard
//! on the inbox, attach (an unverified reply, its claimed ticket offered) on the ticket
//! with the text on it. Encrypted mail without a key is said to be unopened, with why. A
//! system owner is refused.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use sigap_app::inbox::receive::{Kept, Received, receive};
use sigap_testkit::TestApp;

use crate::support::{Browser, CSRF_FIELD, PASSWORD, assert_page_headers, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    the_desk_works_the_inbox_in_the_browser: inbox_pages_sqlite, inbox_pages_postgres;
}

/// A multipart form, as the pages' forms are sent.
fn form(fields: &[(&str, &str)]) -> Form {
    fields.iter().fold(Form::new(), |form, (name, value)| {
        form.text((*name).to_owned(), (*value).to_owned())
    })
}

async fn deliver(app: &TestApp, raw: &str) -> i64 {
    let to = ["csirt@batam.go.id".to_owned()];
    let kept = receive(
        &app.app,
        Received {
            via: "lmtp",
            envelope_from: "rina@example.com",
            recipients: &to,
            raw: raw.as_bytes(),
            mailbox_uid: None,
        },
    )
    .await
    .unwrap();
    match kept {
        Kept::New(id) => id,
        Kept::Again(id) => panic!("{id} was kept before"),
    }
}

const TEMPLATE_MAIL: &str = "From: Rina Putri <rina@example.com>\r\n\
    To: csirt@batam.go.id\r\nMessage-ID: <page-1@example.com>\r\n\
    Subject: Laporan SQL injection PPDB\r\n\r\n\
    Judul: SQL injection pada PPDB\r\n\
    Target: https://ppdb.batam.go.id/daftar\r\n\
    CWE: CWE-89\r\n\
    Tingkat keparahan: tinggi\r\n\
    Bukti konsep:\r\nsqlmap -u 'https://ppdb.batam.go.id/daftar?id=1'\r\n\
    Bukti: parameter id tidak disaring\r\n";

const HOSTILE_MAIL: &str = "From: \"<img src=x onerror=alert(1)>\" <m@evil.example>\r\n\
    To: csirt@batam.go.id\r\nMessage-ID: <page-2@example.com>\r\n\
    Subject: <script>alert(1)</script>\r\nContent-Type: text/html\r\n\r\n\
    <p>Halo <b>tim</b></p><script>alert(2)</script>&lt;b&gt;teks&lt;/b&gt;\r\n";

const SEALED_MAIL: &str = "From: peneliti@example.org\r\nTo: csirt@batam.go.id\r\n\
    Message-ID: <page-4@example.com>\r\nSubject: ...\r\nContent-Type: multipart/encrypted; \
    protocol=\"application/pgp-encrypted\"; boundary=x\r\n\r\n--x\r\n\
    Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x\r\n\
    Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n\
    hQEMA5Zl\r\n-----END PGP MESSAGE-----\r\n--x--\r\n";

async fn the_desk_works_the_inbox_in_the_browser(app: TestApp) {
    let template = deliver(&app, TEMPLATE_MAIL).await;
    let hostile = deliver(&app, HOSTILE_MAIL).await;
    let desk = staff(&app, "meja@kominfo.batam.go.id", "helpdesk", None).await;
    let mut browser = Browser::new(&app);
    // The home page offers the address and the template to write to.
    let home = browser.get("/").await;
    assert!(
        home.body.contains("href=\"mailto:csirt@batam.go.id\""),
        "{}",
        home.body
    );
    assert!(home.body.contains("Tingkat keparahan / Severity:"));
    browser.login(desk, PASSWORD).await;

    let list = browser.get("/inbox").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_page_headers(&list, "/inbox");
    assert!(
        list.body.contains("id=\"nav-inbox\">2</span>"),
        "the header counts them"
    );
    assert!(list.body.contains(&format!("href=\"/inbox/{template}\"")));
    assert!(
        list.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
    assert!(!list.body.contains("<script>alert"));

    // The hostile message: every part of it shown as text.
    let page = browser.get(&format!("/inbox/{hostile}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_headers(&page, "/inbox/{id}");
    assert!(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"));
    assert!(
        !page.body.contains("<b>tim</b>"),
        "the HTML is not rendered"
    );
    assert!(page.body.contains("Halo tim"), "{}", page.body);

    // The template message: the report form filled from it.
    let page = browser.get(&format!("/inbox/{template}")).await;
    assert!(
        page.body
            .contains("value=\"https://ppdb.batam.go.id/daftar\"")
    );
    assert!(page.body.contains("value=\"rina@example.com\""));
    assert!(
        page.body.contains("value=\"high\" checked"),
        "the severity is chosen"
    );
    let token = page.csrf();
    let accepted = browser
        .post_multipart(
            &format!("/inbox/{template}/accept"),
            form(&[
                (CSRF_FIELD, token.as_str()),
                ("reporter_name", "Rina Putri"),
                ("reporter_email", "rina@example.com"),
                ("title", "SQL injection pada PPDB"),
                ("target", "https://ppdb.batam.go.id/daftar"),
                ("vulnerability_type", "CWE-89"),
                ("severity", "high"),
                (
                    "proof_of_concept",
                    "sqlmap -u 'https://ppdb.batam.go.id/daftar?id=1'",
                ),
                ("evidence_text", "parameter id tidak disaring"),
            ]),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert!(
        accepted.location().starts_with("/tickets/"),
        "{}",
        accepted.location()
    );

    // Discarded as spam: back on the inbox, which is empty now.
    let page = browser.get(&format!("/inbox/{hostile}")).await;
    let token = page.csrf();
    let discarded = browser
        .post_multipart(
            &format!("/inbox/{hostile}/discard"),
            form(&[
                (CSRF_FIELD, token.as_str()),
                ("reason", "spam"),
                ("ticket", ""),
            ]),
        )
        .await;
    assert_eq!(
        discarded.status,
        StatusCode::SEE_OTHER,
        "{}",
        discarded.body
    );
    assert_eq!(discarded.location(), format!("/inbox?discarded={hostile}"));
    let list = browser.get(discarded.location()).await;
    assert!(list.body.contains("id=\"discarded\""));
    assert!(!list.body.contains("nav-inbox"), "nothing waits");

    // The reporter's address with DMARC failing: unverified, attached by hand after a check.
    let number = accepted
        .location()
        .trim_start_matches("/tickets/")
        .to_owned();
    let number = number.split('?').next().unwrap_or_default().to_owned();
    let doubtful = deliver(
        &app,
        &format!(
            "From: rina@example.com\r\nTo: csirt@batam.go.id\r\nMessage-ID: <page-3@example.com>\r\n\
             Authentication-Results: mx.batam.go.id; dmarc=fail\r\nSubject: Re: [{number}]\r\n\r\n\
             Tambahan: parameter nisn juga rentan.\r\n"
        ),
    )
    .await;
    let page = browser.get(&format!("/inbox/{doubtful}")).await;
    assert!(
        page.body.contains(&format!(
            "id=\"attach-ticket\" name=\"ticket\" value=\"{number}\""
        )),
        "the claimed ticket is offered: {}",
        page.body
    );
    let token = page.csrf();
    let attached = browser
        .post_multipart(
            &format!("/inbox/{doubtful}/attach"),
            form(&[
                (CSRF_FIELD, token.as_str()),
                ("ticket", &number),
                ("as", "reporter"),
            ]),
        )
        .await;
    assert_eq!(attached.status, StatusCode::SEE_OTHER, "{}", attached.body);
    assert_eq!(attached.location(), format!("/tickets/{number}"));
    let ticket = browser.get(attached.location()).await;
    assert!(
        ticket
            .body
            .contains("Tambahan: parameter nisn juga rentan.")
    );

    // Encrypted mail, and no key to open it with: kept, said so, no text shown.
    let sealed = deliver(&app, SEALED_MAIL).await;
    let page = browser.get(&format!("/inbox/{sealed}")).await;
    assert!(page.body.contains("id=\"mail-sealed\""), "{}", page.body);
    assert!(
        page.body.contains("SIGAP_PGP_KEY_FILE"),
        "the reason is shown"
    );
    assert!(!page.body.contains("hQEMA"), "no ciphertext as text");
    let list = browser.get("/inbox").await;
    assert!(list.body.contains("Tidak dapat dibuka"), "{}", list.body);

    // A system owner has no inbox.
    let owner = staff(
        &app,
        "pemilik@disdik.batam.go.id",
        "system_owner",
        Some("DISDIK"),
    )
    .await;
    let mut other = Browser::new(&app);
    other.login(owner, PASSWORD).await;
    assert_eq!(other.get("/inbox").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.get(&format!("/inbox/{template}")).await.status,
        StatusCode::FORBIDDEN
    );
}
