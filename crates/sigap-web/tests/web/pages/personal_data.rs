//! The ticket page's section on UU PDP Pasal 46, as a system owner and the CSIRT use it:
//! the clock with its deadline, the agency's notice recorded with its file through the
//! form (the note escaped, the file a download), a form without its anti-CSRF token
//! refused, sigap's draft of a notice completed and issued, the CSIRT's record of a breach
//! found after the assessment, and of the report of the high ticket to the sectoral CSIRT.

use chrono::TimeDelta;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sigap_testkit::{TestApp, bodies, valid_report};

use crate::support::{Browser, PASSWORD, hidden_value, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    the_section_shows_the_clock_and_records_notices: pdp_page_sqlite, pdp_page_postgres;
}

/// The time `hours_ago` before the app's clock as a `datetime-local` field in WIB.
fn wib_field(app: &TestApp, hours_ago: i64) -> String {
    (app.now() - TimeDelta::hours(hours_ago) + TimeDelta::hours(7))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn the_section_shows_the_clock_and_records_notices(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    let owner = staff(
        &app,
        "pdp.owner@disdik.batam.go.id",
        "system_owner",
        Some(sigap_testkit::seed::AGENCY_A),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    let path = format!("/tickets/{n}");
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"data-pribadi\""), "{}", page.body);
    assert!(
        page.body
            .contains("Data pribadi terdampak (UU PDP Pasal 46)")
    );
    assert!(page.body.contains("Berjalan"));
    assert!(page.body.contains("Catat pemberitahuan"));
    assert!(
        page.body
            .contains("Berita acara penilaian tingkat kekritisan")
    );
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();

    let form = |token: &str| {
        Form::new()
            .text("csrf_token", token.to_owned())
            .text("recipient", "authority")
            .text("notified_at", wib_field(&app, 1))
            .text("channel", "email")
            .text("note", "Nomor <b>800</b>/PDP")
            .part(
                "file",
                Part::bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec())
                    .file_name("pemberitahuan-lembaga.pdf"),
            )
    };
    let notices = format!("/tickets/{n}/personal-data/notices");
    let forged = browser.post_multipart(&notices, form("forged")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let done = browser.post_multipart(&notices, form(&csrf)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/tickets/{n}#data-pribadi"));
    let page = browser.get(&path).await;
    assert!(
        page.body.contains("pemberitahuan-lembaga.pdf"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Nomor &#60;b&#62;800&#60;/b&#62;/PDP"),
        "the note escaped: {}",
        &page.body[page.body.find("Nomor").unwrap_or(0)..][..80]
    );
    assert!(page.body.contains("Belum dicatat: Subjek data pribadi"));
    let file = browser
        .get(&format!("/tickets/{n}/personal-data/notices/authority"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with("%PDF-1.4"));
    // A wrong field is the error page that names it; nothing is recorded.
    let bad = Form::new()
        .text("csrf_token", csrf.clone())
        .text("recipient", "subjects")
        .text("notified_at", "kemarin")
        .text("channel", "email");
    let refused = browser.post_multipart(&notices, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("notified_at"), "{}", refused.body);
    let ticket = app.ticket("csirt", &n).await;
    assert_eq!(
        ticket["personal_data"]["notices"].as_array().unwrap().len(),
        1
    );

    // The agency completes sigap's draft of the notice to the data subjects and issues it.
    let page = browser.get(&path).await;
    assert!(
        page.body
            .contains("Rancangan pemberitahuan: Subjek data pribadi"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Rancangan awal dari SIGAP"));
    let draft = Form::new()
        .text("csrf_token", csrf.clone())
        .text("data_exposed", "Nama dan NIK sekitar 800 pendaftar.")
        .text("when_how", "Sejak 3 Agustus 2026 melalui alamat ekspor.")
        .text("handling", "Alamat ekspor ditutup.")
        .text("contact", "")
        .text("issue", "true");
    let issue = format!("/tickets/{n}/personal-data/drafts/subjects");
    let done = browser.post_multipart(&issue, draft).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/tickets/{n}#draft-subjects"));
    let page = browser.get(&path).await;
    assert!(
        page.body
            .contains("Pemberitahuan telah diterbitkan sebagai naskah"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/PDP/Diskominfo/2026"));

    // The CSIRT records a breach found after a low assessment.
    let low = app.submit_ok(&valid_report()).await.number;
    app.drive(&low, "assessing").await;
    app.act("csirt", &low, "assess", &bodies::assess_low())
        .await;
    let analyst = staff(&app, "pdp.csirt@kominfo.batam.go.id", "csirt", None).await;
    let mut csirt = Browser::new(&app);
    csirt.login(analyst, PASSWORD).await;
    let page = csirt.get(&format!("/tickets/{low}")).await;
    assert!(
        page.body.contains("Tidak ada data pribadi terdampak"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Catat data pribadi terdampak"));
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    let reason = Form::new()
        .text("csrf_token", csrf)
        .text("reason", "Log aplikasi memuat nomor telepon warga.");
    let done = csirt
        .post_multipart(&format!("/tickets/{low}/personal-data"), reason)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = csirt.get(&format!("/tickets/{low}")).await;
    assert!(
        page.body.contains("Dicatat setelah penilaian"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Log aplikasi memuat nomor telepon warga.")
    );

    // The high ticket goes upward (Peraturan BSSN 1/2024): the CSIRT prepares the report
    // with the team's words, then records the sending.
    let page = csirt.get(&path).await;
    assert!(page.body.contains("id=\"csirt-sektoral\""), "{}", page.body);
    assert!(page.body.contains("Tingkat kekritisan tinggi"));
    assert!(page.body.contains("Siapkan laporan"), "{}", page.body);
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    let prepare = Form::new()
        .text("csrf_token", csrf)
        .text("addressee", "Ketua CSIRT Sektor Pemerintah Daerah")
        .text("impact", "Layanan pendaftaran terganggu.")
        .text("handling", "");
    let done = csirt
        .post_multipart(&format!("/tickets/{n}/sectoral-report/document"), prepare)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = csirt.get(&path).await;
    let section = &page.body[page.body.find("id=\"csirt-sektoral\"").unwrap()..];
    assert!(section.contains("/LAP/"), "the report's number: {section}");
    assert!(section.contains(&format!("/tickets/{n}/sectoral-report/bundle")));
    assert!(section.contains("Siapkan ulang laporan"));
    let bundle = csirt
        .get(&format!("/tickets/{n}/sectoral-report/bundle"))
        .await;
    assert_eq!(bundle.status, StatusCode::OK);
    assert!(
        bundle.body.contains("\"type\": \"bundle\""),
        "{}",
        bundle.body
    );
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    let sent = Form::new()
        .text("csrf_token", csrf)
        .text("sent_at", wib_field(&app, 0))
        .text("channel", "email")
        .text("recipient", "CSIRT Sektor Pemerintah Daerah")
        .text("reference", "REF-<i>9</i>");
    let done = csirt
        .post_multipart(&format!("/tickets/{n}/sectoral-report"), sent)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = csirt.get(&path).await;
    assert!(
        page.body.contains("REF-&#60;i&#62;9&#60;/i&#62;"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Catat pengiriman laporan"),
        "recorded once"
    );
}
