//! A reporter's rights with the tracking token, on both backends: they download what sigap
//! holds about them, correct their contact details (as the report form checks them) and ask
//! to be erased: on an open ticket the request waits for its closing, on a closed one it
//! is applied at once; the ticket, its number and documents stay. Each request is shown to
//! the help desk and audited, and so is a refusal.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    a_reporter_reads_corrects_and_erases: sqlite_reporter_rights, postgres_reporter_rights;
    the_copy_as_pdf_says_what_the_json_says: sqlite_reporter_pdf, postgres_reporter_pdf;
}

async fn with_token(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("X-Tracking-Token", token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn a_reporter_reads_corrects_and_erases(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let mut report = valid_report();
    report["credit"] = json!("name");
    let open = app.submit_ok(&report).await;
    let (n, token) = (open.number.clone(), open.tracking_token.clone());
    let data = format!("/api/v1/reports/{n}/data");

    // A wrong token learns nothing.
    let get = reqwest::Method::GET;
    problem(
        with_token(&app, get.clone(), &data, "salah", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Everything held, as JSON.
    let (status, held) = read(with_token(&app, get.clone(), &data, &token, None).await).await;
    assert_eq!(status, StatusCode::OK, "{held:#}");
    assert_eq!(held["reporter_email"], "budi.santoso@example.com");
    assert_eq!(held["report"]["title"], report["title"]);
    assert_eq!(held["credit"], "name");
    assert!(held["contact_kept_until"].is_null(), "open: no date yet");
    assert_eq!(held["requests"][0]["kind"], "export");

    // A correction, checked as the report form checks it.
    let contact = format!("/api/v1/reports/{n}/contact");
    let put = reqwest::Method::PUT;
    let bad = problem(
        with_token(
            &app,
            put.clone(),
            &contact,
            &token,
            Some(json!({"reporter_email": "x"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = sigap_testkit::error_fields(&bad);
    fields.sort();
    assert_eq!(fields, ["reporter_email", "reporter_name"]);
    let fixed = json!({"reporter_name": "Budi Santoso", "reporter_email": "Budi@Contoh.ID",
        "reporter_phone": ""});
    let (status, now) = read(with_token(&app, put, &contact, &token, Some(fixed)).await).await;
    assert_eq!(status, StatusCode::OK, "{now:#}");
    assert_eq!(now["reporter_email"], "Budi@contoh.id");
    assert!(now["reporter_phone"].is_null());
    let staff = app.ticket("helpdesk", &n).await;
    assert_eq!(staff["report"]["reporter_email"], "Budi@contoh.id");

    // Erasure on an open ticket waits for its closing.
    let erasure = format!("/api/v1/reports/{n}/erasure");
    let post = reqwest::Method::POST;
    let (status, asked) = read(with_token(&app, post.clone(), &erasure, &token, None).await).await;
    assert_eq!(status, StatusCode::OK, "{asked:#}");
    assert_eq!(asked["applied"], false);
    let kinds: Vec<String> = app.ticket("helpdesk", &n).await["reporter_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["export", "correction", "erasure"]);
    let owner = app.ticket("csirt", &n).await;
    assert_eq!(owner["report"]["reporter_name"], "Budi Santoso");
    app.drive(&n, "closed").await;
    let closed = app.ticket("helpdesk", &n).await;
    assert_eq!(
        closed["report"]["reporter_name"], "Anonim",
        "{:#}",
        closed["report"]
    );
    assert!(closed["reporter_requests"][2]["applied_at"].is_string());
    assert!(!closed["documents"].as_array().unwrap().is_empty());
    problem(
        with_token(&app, get.clone(), &data, &token, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // On a closed ticket, at once.
    let second = app.submit_ok(&report).await;
    app.drive(&second.number, "closed").await;
    let path = format!("/api/v1/reports/{}/erasure", second.number);
    let (status, done) =
        read(with_token(&app, post, &path, &second.tracking_token, None).await).await;
    assert_eq!(status, StatusCode::OK, "{done:#}");
    assert_eq!(done["applied"], true);
    let t = app.ticket("helpdesk", &second.number).await;
    assert_eq!(t["report"]["reporter_email"], "");
    assert!(t["retention"]["contact_removed_at"].is_string());

    assert_eq!(
        app.audit_outcomes(&n, "reporter_data_export").await,
        ["refused:404", "ok", "refused:404"]
    );
    assert_eq!(
        app.audit_outcomes(&n, "reporter_contact_corrected").await,
        ["ok", "refused:422"]
    );
}

/// The PDF copy: the same contact data, report, messages (a reporter's markup as text) and
/// requests as the JSON, under the letterhead; a wrong token learns nothing.
async fn the_copy_as_pdf_says_what_the_json_says(backend: sigap_testkit::Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let mut report = valid_report();
    report["credit"] = json!("name");
    report["reporter_phone"] = json!("+62 812-3456-7890");
    let open = app.submit_ok(&report).await;
    let (n, token) = (open.number.clone(), open.tracking_token.clone());
    let said = json!({"message": "Tambahan: <b>tebal</b> & {{ x }}"});
    let (status, body) = read(app.reporter_message(&n, &token, &said).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let pdf = format!("/api/v1/reports/{n}/data.pdf");
    let get = reqwest::Method::GET;
    problem(
        with_token(&app, get.clone(), &pdf, "salah", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let response = with_token(&app, get, &pdf, &token, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("{n}.data-pribadi.pdf")),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let words = crate::api::documents::pdftotext(&bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "SALINAN DATA PRIBADI PELAPOR",
        n.as_str(),
        "Budi Santoso",
        "budi.santoso@example.com",
        "+62 812-3456-7890",
        "Dengan nama",
        report["title"].as_str().unwrap(),
        "Tambahan: <b>tebal</b> & {{ x }}",
        "Unduh data pribadi",
        "bukan naskah dinas",
        "TLP:AMBER",
    ] {
        assert!(words.contains(needle), "{needle:?} missing:\n{words}");
    }
    let outcomes = app.audit_outcomes(&n, "reporter_data_export").await;
    assert_eq!(outcomes, ["ok", "refused:404"], "{outcomes:?}");
}
