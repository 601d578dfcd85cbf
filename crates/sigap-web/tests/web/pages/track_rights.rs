//! The reporter's rights on the tracking page, as a reporter uses them: the section
//! "Data pribadi Anda" downloads their data as JSON, corrects their contact details (a bad
//! address is explained, nothing changed) and asks for erasure (the box must be ticked; on
//! an open ticket it waits for the closing). The help desk sees each request on the ticket.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use sigap_testkit::valid_report;

use crate::support::{Browser, CSRF_FIELD};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    a_reporter_uses_the_section: track_rights_sqlite, track_rights_postgres;
}

async fn a_reporter_uses_the_section(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let submitted = app.submit_ok(&valid_report()).await;
    let (n, token) = (submitted.number.clone(), submitted.tracking_token.clone());
    let mut browser = Browser::new(&app);
    let form = browser.get(&format!("/track?ticket={n}")).await;
    let csrf = form.csrf();
    let view = browser
        .post_form(
            "/track",
            &[("ticket", &n), ("token", &token), (CSRF_FIELD, &csrf)],
        )
        .await;
    assert!(view.body.contains("id=\"data-pribadi\""), "{}", view.body);
    let csrf = view.csrf();
    let base = |csrf: &str| {
        Form::new()
            .text(CSRF_FIELD, csrf.to_owned())
            .text("ticket", n.clone())
            .text("token", token.clone())
    };

    // The download: a JSON file of what is held.
    let (status, headers, bytes) = browser.post_multipart_raw("/track/data", base(&csrf)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".data-pribadi.json")
    );
    let data: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(data["reporter_email"], "budi.santoso@example.com");
    // …or the same as a PDF to keep, with the form's second button.
    let (status, headers, bytes) = browser
        .post_multipart_raw("/track/data", base(&csrf).text("format", "pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = crate::api::documents::pdftotext(&bytes);
    assert!(text.contains("budi.santoso@example.com"), "{text}");

    // A correction with a bad address is explained; a good one is taken.
    let bad = base(&csrf)
        .text("reporter_name", "Budi Santoso")
        .text("reporter_email", "bukan alamat");
    let page = browser.post_multipart("/track/contact", bad).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("class=\"alert error\""), "{}", page.body);
    let good = base(&page.csrf())
        .text("reporter_name", "Budi S.")
        .text("reporter_email", "budi.baru@example.com")
        .text("reporter_phone", "");
    let page = browser.post_multipart("/track/contact", good).await;
    assert!(
        page.body.contains("Data kontak Anda telah diperbaiki."),
        "{}",
        page.body
    );
    let staff = app.ticket("helpdesk", &n).await;
    assert_eq!(staff["report"]["reporter_email"], "budi.baru@example.com");

    // Erasure asks for the box; then it waits for the closing.
    let page = browser
        .post_multipart("/track/erasure", base(&page.csrf()))
        .await;
    assert!(page.body.contains("Centang pernyataan"), "{}", page.body);
    let page = browser
        .post_multipart("/track/erasure", base(&page.csrf()).text("confirm", "yes"))
        .await;
    assert!(
        page.body.contains("Permintaan penghapusan dicatat"),
        "{}",
        page.body
    );
    let kinds: Vec<String> = app.ticket("helpdesk", &n).await["reporter_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["export", "export", "correction", "erasure"]);
}
