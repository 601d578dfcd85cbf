//! Canned replies to the reporter: admins change their texts over the API and on the
//! settings page (auditors read, others are refused); on a ticket, staff who know the
//! reporter fill the comment form with one, in the reporter's language and to the reporter,
//! and send it themselves; a system owner is offered none.

use reqwest::StatusCode;
use serde_json::json;
use sigap_testkit::{TestApp, error_fields, problem, read, valid_report};

use crate::support::{Browser, PASSWORD, hidden_value, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    canned_replies_are_kept_by_admins_and_fill_the_comment_form: replies_sqlite, replies_postgres;
}

async fn canned_replies_are_kept_by_admins_and_fill_the_comment_form(app: TestApp) {
    // The API: admins change, others are refused, bad texts are named.
    let change = json!({"replies": [{"kind": "need_info",
        "id": "Mohon kirim <b>tangkapan layar</b> hasil uji Anda.",
        "en": "Please send a screenshot of your test."}]});
    problem(
        app.put("csirt", "/api/v1/settings/replies", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let bad = json!({"replies": [{"kind": "need_info", "id": "", "en": "x"}, {"kind": "later"}]});
    let refused = problem(
        app.put("admin", "/api/v1/settings/replies", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["replies.need_info.id", "replies"]);
    let (status, settings) =
        read(app.put("admin", "/api/v1/settings/replies", &change).await).await;
    assert_eq!(status, StatusCode::OK, "{settings:#}");
    let list = settings["replies"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[1]["kind"], "need_info");
    assert!(list[1]["id"].as_str().unwrap().contains("tangkapan layar"));
    assert_eq!(list[0]["kind"], "received", "the others keep their texts");
    assert!(settings["replies"]["changed"]["by"].is_string());

    // The ticket: the analyst fills the comment form with it, to the reporter.
    let number = app.submit_ok(&valid_report()).await.number;
    let analyst = staff(&app, "balas@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{number}")).await;
    let link = format!("/tickets/{number}?reply=need_info#action-comment");
    assert!(
        page.body.contains(&format!("href=\"{link}\"")),
        "{}",
        page.body
    );
    let filled = browser
        .get(&format!("/tickets/{number}?reply=need_info"))
        .await;
    assert!(
        filled.body.contains(
            "Mohon kirim &#60;b&#62;tangkapan layar&#60;/b&#62; hasil uji Anda.</textarea>"
        ),
        "the reply, escaped, in the comment's text area: {}",
        filled.body
    );
    assert!(
        filled.body.contains("<option value=\"reporter\" selected>"),
        "to the reporter"
    );
    assert!(filled.body.contains("id=\"action-comment\" open"));
    // An unknown reply is ignored.
    let odd = browser
        .get(&format!("/tickets/{number}?reply=%3Cscript%3E"))
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(!odd.body.contains("<script>"));

    // Sent as the analyst wrote it, the reporter reads it.
    let csrf = hidden_value(&filled.body, "csrf_token").unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf)
        .text(
            "body",
            "Mohon kirim tangkapan layar hasil uji Anda (halaman masuk).",
        )
        .text("visibility", "reporter");
    let sent = browser
        .post_multipart(&format!("/tickets/{number}/actions/comment"), form)
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let ticket = app.ticket("csirt", &number).await;
    let comment = ticket["comments"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(comment["visibility"], "reporter");

    // The settings page: auditors read, admins change.
    let admin = staff(&app, "admin.balas@kominfo.batam.go.id", "admin", None).await;
    let mut admin_browser = Browser::new(&app);
    admin_browser.login(admin, PASSWORD).await;
    let settings_page = admin_browser.get("/admin/settings").await;
    assert!(
        settings_page
            .body
            .contains("Balasan siap pakai untuk pelapor")
    );
    let token = hidden_value(&settings_page.body, "csrf_token").unwrap();
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), token.clone())];
    for kind in ["received", "need_info", "fixed", "thanks"] {
        fields.push((format!("{kind}.id"), format!("Teks {kind}.")));
        fields.push((format!("{kind}.en"), format!("Text {kind}.")));
    }
    fields[2].1 = String::new();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let refused = admin_browser
        .post_form("/admin/settings/replies", &pairs)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("aria-invalid=\"true\""),
        "{}",
        refused.body
    );
    fields[2].1 = "Text received.".to_owned();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = admin_browser
        .post_form("/admin/settings/replies", &pairs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = app
        .get(Some(app.token("auditor")), "/api/v1/settings")
        .await;
    let (_, after) = read(after).await;
    assert_eq!(after["replies"]["list"][3]["id"], "Teks thanks.");

    // A system owner is offered no reply, and a reply asked for fills nothing.
    app.drive(&number, "remediating").await;
    let owner = staff(
        &app,
        "pj.balas@disdik.batam.go.id",
        "system_owner",
        Some(sigap_testkit::seed::AGENCY_A),
    )
    .await;
    let mut owner_browser = Browser::new(&app);
    owner_browser.login(owner, PASSWORD).await;
    let page = owner_browser
        .get(&format!("/tickets/{number}?reply=thanks"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("?reply="),
        "no canned replies for owners"
    );
    assert!(!page.body.contains("Teks thanks."));
}
