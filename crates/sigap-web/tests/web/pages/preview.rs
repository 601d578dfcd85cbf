//! The preview of a step's documents from the ticket page: the form's "Pratinjau" button
//! downloads the notice letter as the step would issue it, marked "PRATINJAU", without a
//! verification link; nothing of the step stays (state, documents, numbers, mail); the
//! step then issues the real letter under the first number. A refused preview shows the
//! form's errors; a document the step does not issue and a form without its token are
//! refused.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::Value;
use sigap_testkit::{TestApp, bodies, valid_report};

use crate::api::documents::pdftotext;
use crate::support::{Browser, PASSWORD, hidden_value, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    a_step_s_documents_are_previewed_before_it: preview_sqlite, preview_postgres;
}

fn form_of(csrf: &str, fields: &Value) -> Form {
    let mut form = Form::new().text("csrf_token", csrf.to_owned());
    for (name, value) in fields.as_object().unwrap() {
        form = form.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    form
}

async fn a_step_s_documents_are_previewed_before_it(app: TestApp) {
    let number = app.submit_ok(&valid_report()).await.number;
    app.drive(&number, "notifying").await;
    let before = app.ticket("csirt", &number).await;
    let documents_before = before["documents"].as_array().unwrap().len();
    let jobs_before = app.store.list_jobs(None, 10_000).await.unwrap().len();

    let analyst = staff(&app, "pratinjau@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    let path = format!("/tickets/{number}/preview/notify_agency?document=letter_notice");
    assert!(
        page.body
            .contains(&format!("formaction=\"{}\"", path.replace('&', "&#38;")))
            || page.body.contains(&format!("formaction=\"{path}\"")),
        "the notice form offers the preview: {}",
        page.body
    );
    assert!(page.body.contains("Pratinjau Surat"), "{}", page.body);
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();

    // The letter as it would be issued, marked as a preview.
    let (status, headers, pdf) = browser
        .post_multipart_raw(&path, form_of(&csrf, &bodies::notify()))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("PRATINJAU-letter_notice"),
        "{disposition}"
    );
    let text = pdftotext(&pdf);
    assert!(text.contains("PRATINJAU — belum diterbitkan"), "{text}");
    assert!(
        text.contains("injeksi SQL tingkat tinggi"),
        "the form's words: {text}"
    );
    assert!(!text.contains("/verify/"), "no verification link: {text}");

    // Nothing of the step stays.
    let after = app.ticket("csirt", &number).await;
    assert_eq!(after["state"], "notifying");
    assert_eq!(
        after["documents"].as_array().unwrap().len(),
        documents_before
    );
    assert_eq!(
        app.store.list_jobs(None, 10_000).await.unwrap().len(),
        jobs_before
    );

    // A document the step does not issue, an unknown kind, no token.
    let wrong = "/tickets/{n}/preview/notify_agency?document=dossier".replace("{n}", &number);
    let (status, _, _) = browser
        .post_multipart_raw(&wrong, form_of(&csrf, &bodies::notify()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = browser
        .post_multipart_raw(&path, Form::new().text("summary", "x"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no anti-CSRF token");

    // A refused preview shows the form's errors, as the step would.
    let refused = browser
        .post_multipart(&path, Form::new().text("csrf_token", csrf.clone()))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("aria-invalid=\"true\""),
        "{}",
        refused.body
    );

    // The step itself: the real letter, with the first number of its series.
    let done = browser
        .post_multipart(
            &format!("/tickets/{number}/actions/notify_agency"),
            form_of(&csrf, &bodies::notify()),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let ticket = app.ticket("csirt", &number).await;
    let letters: Vec<&Value> = ticket["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "letter_notice")
        .collect();
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0]["number"]
            .as_str()
            .unwrap()
            .starts_with("000.6/1/Diskominfo/"),
        "the preview took no number: {}",
        letters[0]["number"]
    );
}
