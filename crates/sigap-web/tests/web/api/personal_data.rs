//! UU PDP Pasal 46 on a walk, under an injected clock: the assessment that records
//! affected personal data starts the 3×24-hour clock; the worker reminds at 24 h (the CSIRT
//! lead while the agency has not been told) and 48 h (the agency), and escalates at 72 h to
//! the lead and the agency's head, each once; the agency records both notices with their
//! files and the clock stops, late; the CSIRT records a breach found after the assessment,
//! with a reason, under the `law` section's hours; the agency edits sigap's drafts of both
//! notices and issues them as numbered documents, once; every refusal says why. Mail reaches a
//! real SMTP server on loopback.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_app::workflow::personal_data;
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_testkit::{Backend, TestApp, bodies, problem, read, spawn_app_with, valid_report};

use crate::api::mail::{subject, to};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_clock_reminds_escalates_and_stops: sqlite_pdp_clock, postgres_pdp_clock;
    staff_record_a_breach_after_the_assessment: sqlite_pdp_later, postgres_pdp_later;
    the_agency_drafts_and_issues_both_notices: sqlite_pdp_documents, postgres_pdp_documents;
}

const LEAD: &str = "ketua.csirt@kominfo.batam.go.id";
const HEAD: &str = "kepala@disdik.batam.go.id";
const AGENCY: &str = "disdik@batam.go.id";

async fn app_with_lead(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |start| {
        start.rules.notices.csirt_lead = vec![LEAD.to_owned()];
    })
    .await
}

fn body_text(mail: &ReceivedMail) -> String {
    mail.parsed()
        .unwrap()
        .body_text(0)
        .unwrap_or_default()
        .into_owned()
}

/// Runs the due jobs and answers the mail that arrived since `seen`.
async fn delivered(
    app: &TestApp,
    sink: &SmtpSink,
    mail: &sigap_app::outbox::notify::MailSender,
    seen: &mut usize,
) -> Vec<ReceivedMail> {
    let sent = crate::api::mail::drain(app, mail).await;
    let all = sink.wait_for(*seen + sent, Duration::from_secs(10)).await;
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

/// A notice as the agency records it, with `file` as its copy.
fn notice_form(recipient: &str, notified_at: &str, file: Option<(&str, Vec<u8>)>) -> Form {
    let mut form = Form::new()
        .text("recipient", recipient.to_owned())
        .text("notified_at", notified_at.to_owned())
        .text("channel", "letter")
        .text("note", "Surat Nomor 800/PDP/2026 <script>alert(1)</script>");
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    }
    form
}

async fn post_notice(app: &TestApp, role: &str, number: &str, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/tickets/{number}/personal-data/notices")))
        .bearer_auth(app.token(role))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The PDF of the ticket's first document, as a copy of a letter the agency sent.
async fn a_pdf(app: &TestApp, number: &str) -> Vec<u8> {
    let ticket = app.ticket("csirt", number).await;
    let id = ticket["documents"][0]["id"].as_i64().unwrap();
    let response = app
        .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap().to_vec()
}

async fn the_clock_reminds_escalates_and_stops(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mail = crate::api::mail::settings(&app, &sink.url());
    let n = app.submit_ok(&valid_report()).await.number;
    // The assessment's minutes record "Data pribadi terdampak: Ya": the clock starts.
    let t = app.drive(&n, "awaiting_block").await;
    let started = app.now();
    let clock = &t["personal_data"];
    assert_eq!(clock["source"], "assessment", "{t:#}");
    assert_eq!(clock["status"], "running");
    assert_eq!(clock["missing"], json!(["subjects", "authority"]));
    let due: chrono::DateTime<chrono::Utc> = clock["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - started, TimeDelta::hours(72));
    let mut seen = 0;
    delivered(&app, &sink, &mail, &mut seen).await;
    assert_eq!(
        personal_data::sweep(&app.app).await.unwrap(),
        0,
        "nothing yet"
    );

    // 24 hours: the agency has not been told (step 6 is ahead), so the lead is reminded.
    app.clock.advance(TimeDelta::hours(24));
    let (a, b) = tokio::join!(
        personal_data::sweep(&app.app),
        personal_data::sweep(&app.app)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "two sweeps at once remind once");
    let first = delivered(&app, &sink, &mail, &mut seen).await;
    assert_eq!(first.len(), 1);
    assert!(
        to(&first[0], LEAD) && !to(&first[0], AGENCY),
        "{:?}",
        first[0].rcpt_to
    );
    assert!(
        subject(&first[0]).contains("Pengingat UU PDP"),
        "{}",
        subject(&first[0])
    );
    assert!(subject(&first[0]).contains(&n));
    assert!(body_text(&first[0]).contains("belum menerima laporan tahap 6"));

    // The agency is told; at 48 hours it is reminded itself.
    app.drive(&n, "remediating").await;
    delivered(&app, &sink, &mail, &mut seen).await;
    app.clock.advance(TimeDelta::hours(24));
    assert_eq!(personal_data::sweep(&app.app).await.unwrap(), 1);
    let second = delivered(&app, &sink, &mail, &mut seen).await;
    assert_eq!(second.len(), 1);
    assert!(to(&second[0], AGENCY), "{:?}", second[0].rcpt_to);
    let text = body_text(&second[0]);
    assert!(
        text.contains("Pasal 46") && text.contains("Subjek data pribadi"),
        "{text}"
    );
    assert!(
        !text.contains("sqlmap"),
        "no proof of concept to the agency"
    );

    // The agency records its notice to the authority; refusals first.
    let pdf = a_pdf(&app, &n).await;
    let at = (app.now() - TimeDelta::hours(1)).to_rfc3339();
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec();
    let text_file = Some(("surat.pdf", exe));
    let wrong = problem(
        post_notice(
            &app,
            "system_owner",
            &n,
            notice_form("authority", &at, text_file),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        sigap_testkit::error_fields(&wrong),
        vec!["file"],
        "{wrong:#}"
    );
    let bare = Form::new().text("recipient", "press");
    let missing = problem(
        post_notice(&app, "system_owner", &n, bare).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = sigap_testkit::error_fields(&missing);
    fields.sort();
    assert_eq!(
        fields,
        ["channel", "file", "notified_at", "recipient"],
        "{missing:#}"
    );
    for (role, status) in [
        ("helpdesk", StatusCode::FORBIDDEN),
        ("system_owner_b", StatusCode::NOT_FOUND),
    ] {
        let form = notice_form("authority", &at, Some(("surat.pdf", pdf.clone())));
        problem(post_notice(&app, role, &n, form).await, status).await;
    }
    let form = notice_form("authority", &at, Some(("surat-lembaga.pdf", pdf.clone())));
    let (status, view) = read(post_notice(&app, "system_owner", &n, form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{view:#}");
    assert_eq!(view["status"], "running");
    assert_eq!(view["missing"], json!(["subjects"]));
    assert_eq!(view["notices"][0]["channel"], "letter");
    assert_eq!(view["notices"][0]["on_time"], true);
    let again = notice_form("authority", &at, Some(("surat.pdf", pdf.clone())));
    problem(
        post_notice(&app, "system_owner", &n, again).await,
        StatusCode::CONFLICT,
    )
    .await;

    // Past 72 hours without the subjects' notice: escalated to the lead and the head.
    app.clock.set(due + TimeDelta::minutes(1));
    assert_eq!(personal_data::sweep(&app.app).await.unwrap(), 1);
    assert_eq!(personal_data::sweep(&app.app).await.unwrap(), 0, "once");
    let third = delivered(&app, &sink, &mail, &mut seen).await;
    assert_eq!(third.len(), 3, "agency, lead, head");
    for address in [AGENCY, LEAD, HEAD] {
        let m = third.iter().find(|m| to(m, address)).expect(address);
        assert!(subject(m).contains("Eskalasi UU PDP"), "{}", subject(m));
    }
    let t = app.ticket("system_owner", &n).await;
    assert_eq!(t["personal_data"]["status"], "overdue");

    // The subjects' notice, given late: the clock stops, late, and says so.
    let now = app.now().to_rfc3339();
    let form = notice_form("subjects", &now, Some(("pengumuman.pdf", pdf.clone())));
    let (status, view) = read(post_notice(&app, "system_owner", &n, form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{view:#}");
    assert_eq!(view["status"], "late");
    assert_eq!(view["stopped_at"], json!(app.now()));
    assert_eq!(view["missing"], json!([]));
    app.clock.advance(TimeDelta::hours(1));
    assert_eq!(personal_data::sweep(&app.app).await.unwrap(), 0);

    // The files come back as sent, to those who see the ticket, and are kept by the sweep.
    let path = format!("/api/v1/tickets/{n}/personal-data/notices/authority");
    let file = app.get(Some(app.token("auditor")), &path).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    let other = app.get(Some(app.token("system_owner_b")), &path).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let sha = view["notices"][0]["sha256"].as_str().unwrap().to_owned();
    assert!(app.store.referenced_blobs().await.unwrap().contains(&sha));
    let audit = app
        .store
        .search_audit(&sigap_store::AuditFilter {
            ticket_number: Some(n.clone()),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "personal_data_notice",
        "read_personal_data_notice",
        "deadline_notice",
    ] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
    assert!(
        audit
            .iter()
            .any(|e| e.action == "personal_data_notice" && e.outcome == "refused:409")
    );
}

async fn staff_record_a_breach_after_the_assessment(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    // The law's hours, shortened by the city to 48; more than the law's 72 is refused.
    let law = |hours: Value| json!({"password_min_chars": 12, "password_composition": false, "pdp_notice_hours": hours});
    let refused = problem(
        app.put("admin", "/api/v1/settings/law", &law(json!(96)))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        sigap_testkit::error_fields(&refused),
        vec!["pdp_notice_hours"]
    );
    let (status, _) = read(
        app.put("admin", "/api/v1/settings/law", &law(json!(48)))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "assessing").await;
    app.act("csirt", &n, "assess", &bodies::assess_low()).await;
    let t = app.ticket("csirt", &n).await;
    assert!(t["personal_data"].is_null(), "{t:#}");

    let path = format!("/api/v1/tickets/{n}/personal-data");
    let no_reason = problem(
        app.post("csirt", &path, &json!({"reason": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(sigap_testkit::error_fields(&no_reason), vec!["reason"]);
    let reason = json!({"reason": "Saat penanganan ditemukan tabel NIK warga ikut terbaca."});
    problem(
        app.post("system_owner", &path, &reason).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, view) = read(app.post("csirt", &path, &reason).await).await;
    assert_eq!(status, StatusCode::CREATED, "{view:#}");
    assert_eq!(view["source"], "staff");
    assert_eq!(view["reason"], reason["reason"]);
    let started: chrono::DateTime<chrono::Utc> =
        view["started_at"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> = view["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - started, TimeDelta::hours(48));
    problem(
        app.post("csirt", &path, &reason).await,
        StatusCode::CONFLICT,
    )
    .await;
    let outcomes = app.audit_outcomes(&n, "personal_data_breach").await;
    assert_eq!(
        outcomes,
        ["refused:409", "ok", "refused:403", "refused:422"]
    );
    // Not on a number that is no ticket.
    problem(
        app.post(
            "csirt",
            "/api/v1/tickets/BCSIRT-2026-99999/personal-data",
            &reason,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let settings = read(app.get(Some(app.token("admin")), "/api/v1/settings").await)
        .await
        .1;
    assert_eq!(
        settings["law"]["pdp_notice_hours"], 48,
        "{:#}",
        settings["law"]
    );
}

async fn the_agency_drafts_and_issues_both_notices(backend: Backend) {
    let Some(app) = app_with_lead(backend).await else {
        return;
    };
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    let path = |r: &str| format!("/api/v1/tickets/{n}/personal-data/drafts/{r}");

    // sigap's first draft, from the ticket: the system, the dates, brackets to fill.
    let first = read(
        app.get(Some(app.token("system_owner")), &path("subjects"))
            .await,
    )
    .await;
    assert_eq!(first.0, StatusCode::OK, "{:#}", first.1);
    let draft = &first.1;
    assert_eq!(draft["saved"], false);
    assert!(draft["issued"].is_null());
    let when = draft["draft"]["when_how"].as_str().unwrap();
    assert!(when.contains("Agustus 2026"), "{when}");
    assert!(
        draft["draft"]["data_exposed"]
            .as_str()
            .unwrap()
            .contains('[')
    );
    assert!(!when.contains("sqlmap"), "nothing of the reporter's text");
    for (role, status) in [
        ("helpdesk", StatusCode::FORBIDDEN),
        ("system_owner_b", StatusCode::NOT_FOUND),
    ] {
        let r = app.get(Some(app.token(role)), &path("subjects")).await;
        assert_eq!(r.status(), status, "{role}");
    }
    let unknown = app
        .get(Some(app.token("system_owner")), &path("press"))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // Not issued before the agency has saved its own words.
    let issue = |r: &str| {
        let url = format!("{}/issue", path(r));
        let app = &app;
        async move { app.post("system_owner", &url, &json!({})).await }
    };
    problem(issue("subjects").await, StatusCode::CONFLICT).await;
    let bad = problem(
        app.put(
            "system_owner",
            &path("subjects"),
            &json!({"data_exposed": "NIK"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(sigap_testkit::error_fields(&bad), ["when_how", "handling"]);
    let text = json!({
        "data_exposed": "Nama, NIK dan nomor telepon sekitar 12.400 orang tua pendaftar.",
        "when_how": "Sejak 3 Agustus 2026 data pendaftar dapat dibaca tanpa masuk.\n\nAlamat ekspor <b>tidak</b> terlindungi.",
        "handling": "Sistem ditangguhkan sementara dan alamat ekspor ditutup.",
        "contact": "Layanan aduan Dinas Pendidikan, (0778) 462111",
    });
    let (status, saved) = read(app.put("system_owner", &path("subjects"), &text).await).await;
    assert_eq!(status, StatusCode::OK, "{saved:#}");
    assert_eq!(saved["saved"], true);
    assert_eq!(saved["draft"]["handling"], text["handling"]);

    // Issued once: numbered, TLP:CLEAR for the public, the agency's words in the PDF.
    let (status, doc) = read(issue("subjects").await).await;
    assert_eq!(status, StatusCode::CREATED, "{doc:#}");
    assert_eq!(doc["kind"], "pdp_notice_subjects");
    assert!(doc["number"].as_str().unwrap().contains("/PDP/"), "{doc:#}");
    let pdf = app
        .get(
            Some(app.token("system_owner")),
            &format!("/api/v1/documents/{}", doc["id"]),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let words = crate::api::documents::pdftotext(&pdf);
    let flat = words.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI",
        "TLP:CLEAR",
        "Pasal 46 Undang-Undang Nomor 27 Tahun 2022",
        "sekitar 12.400 orang tua pendaftar",
        "Alamat ekspor <b>tidak</b> terlindungi.",
        "(0778) 462111",
        "Para Pengguna Layanan",
    ] {
        assert!(flat.contains(needle), "{needle:?} missing:\n{flat}");
    }
    problem(issue("subjects").await, StatusCode::CONFLICT).await;
    problem(
        app.put("system_owner", &path("subjects"), &text).await,
        StatusCode::CONFLICT,
    )
    .await;
    let after = read(app.get(Some(app.token("csirt")), &path("subjects")).await)
        .await
        .1;
    assert_eq!(after["issued"]["number"], doc["number"]);

    // The authority's notice keeps the ticket's label.
    app.put("csirt", &path("authority"), &text).await;
    let (_, doc) = read(
        app.post("csirt", &format!("{}/issue", path("authority")), &json!({}))
            .await,
    )
    .await;
    assert_eq!(doc["kind"], "pdp_notice_authority");
    let pdf = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/documents/{}", doc["id"]),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let words = crate::api::documents::pdftotext(&pdf);
    assert!(
        words.contains("TLP:AMBER+STRICT") && !words.contains("TLP:CLEAR"),
        "{words}"
    );
    assert!(
        words.contains("Kepala Lembaga Pelindungan Data Pribadi"),
        "{words}"
    );
    let kinds: Vec<String> = app.ticket("system_owner", &n).await["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"pdp_notice_subjects".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"pdp_notice_authority".to_owned()),
        "{kinds:?}"
    );
}
