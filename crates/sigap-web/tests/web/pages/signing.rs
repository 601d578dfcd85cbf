//! Signing from the ticket page ("Tandatangani"), as the signer uses it: only the signer
//! configured for the validation minutes sees the form; a wrong code or a form without the
//! anti-CSRF token signs nothing; the right code keeps a signed copy beside the original,
//! the ticket says so and names the certificate, the form is gone, and the copy downloaded
//! from the page is a PAdES signature that pyhanko trusts to the test CA.

use reqwest::StatusCode;
use sigap_testkit::Backend;

use super::{code, enrolled, wrong};
use crate::api::signing::{app_signing_with, local_signer, minutes, pyhanko, test_ca};
use crate::support::*;

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_signer_signs_from_the_ticket_page: sign_page_sqlite, sign_page_postgres;
}

const HEAD_OF_TEAM: &str = "ketua.tim@kominfo.batam.go.id";

async fn the_signer_signs_from_the_ticket_page(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    test_ca(dir.path(), "Nama Ketua Tim");
    let signer = local_signer(dir.path(), None);
    let Some(app) = app_signing_with(backend, HEAD_OF_TEAM, signer).await else {
        return;
    };
    staff(&app, HEAD_OF_TEAM, "csirt", None).await;
    let desk = staff(&app, "meja.bantuan@kominfo.batam.go.id", "helpdesk", None).await;
    let (n, doc) = minutes(&app).await;
    let id = doc["id"].as_i64().unwrap();
    let ticket = format!("/tickets/{n}");
    let form_action = format!("action=\"/documents/{id}/sign\"");

    // The help desk sees the document, not the form.
    let mut other = Browser::new(&app);
    other.login(desk, PASSWORD).await;
    let seen = other.get(&ticket).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains(&format!("/documents/{id}\"")));
    assert!(!seen.body.contains(&form_action), "{}", seen.body);

    // The signer does: the local signer asks for the code only, no NIK or passphrase.
    let (mut browser, secret, _) = enrolled(&app, HEAD_OF_TEAM).await;
    let page = browser.get(&ticket).await;
    assert_page_headers(&page, &ticket);
    assert!(page.body.contains(&form_action), "{}", page.body);
    assert!(page.body.contains("Tandatangani"));
    assert!(!page.body.contains("name=\"nik\"") && !page.body.contains("name=\"passphrase\""));
    let sign = format!("/documents/{id}/sign");
    let csrf = page.csrf();

    let no_token = browser
        .post_form(&sign, &[("ticket", &n), ("totp", &code(&app, &secret, 0))])
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.body);
    let refused = browser
        .post_form(
            &sign,
            &[
                (CSRF_FIELD, &csrf),
                ("ticket", &n),
                ("totp", &wrong(&code(&app, &secret, 0))),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Isian yang perlu diperiksa: totp"),
        "{}",
        refused.body
    );
    let unsigned = browser.get(&ticket).await;
    assert!(
        !unsigned
            .body
            .contains("Ditandatangani secara elektronik oleh")
    );
    assert!(unsigned.body.contains(&form_action));

    // The right code: back to the ticket, which says so.
    let done = browser
        .post_form(
            &sign,
            &[
                (CSRF_FIELD, &csrf),
                ("ticket", &n),
                ("totp", &code(&app, &secret, 0)),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{ticket}?signed=1"));
    let shown = browser.get(done.location()).await;
    assert!(
        shown
            .body
            .contains("Salinan bertanda tangan elektronik disimpan"),
        "{}",
        shown.body
    );
    assert!(
        shown
            .body
            .contains("Ditandatangani secara elektronik oleh C=ID, O=Dinas Komunikasi")
            && shown.body.contains("CN=Nama Ketua Tim · PAdES B-B"),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains(&form_action), "signed once only");

    // The copy linked from the page is the original signed, trusted to the test CA.
    let link = format!("/documents/{id}/signed/");
    let at = shown.body.find(&link).unwrap();
    let end = shown.body[at..].find('"').unwrap();
    let href = shown.body[at..at + end].to_owned();
    let request = browser.client.get(format!("{}{href}", browser.base));
    let response = request
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let signed = response.bytes().await.unwrap();
    if let Some(report) = pyhanko(dir.path(), &signed) {
        assert!(
            report.contains("intact True valid True trusted True coverage ENTIRE_FILE"),
            "{report}"
        );
    }
}
