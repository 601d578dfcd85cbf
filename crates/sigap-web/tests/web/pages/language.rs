//! Every page a person reads in Indonesian says nothing in English: a walk of one ticket
//! from the public form to closed, and of another left at the assessment, read by the
//! reporter and by every staff role, with the form errors each side can meet. The text a
//! person sees (and the labels a screen reader reads) is checked word by word against
//! English words that Indonesian never uses; what the reporter typed, code, vectors and
//! addresses are left out, as they are not the pages' words.

use super::*;

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, password_only);
    indonesian_pages_and_form_errors_say_nothing_in_english: indonesian_sqlite, indonesian_postgres;
}

/// English words that an Indonesian page never needs; each one found is a string that
/// did not come from the catalogue.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "must",
    "give",
    "choose",
    "please",
    "required",
    "invalid",
    "should",
    "cannot",
    "could",
    "missing",
    "unknown",
    "expected",
    "critical",
    "acknowledgement",
    "not",
    "with",
    "this",
    "that",
    "is",
    "are",
    "was",
    "found",
    "field",
    "enter",
    "send",
    "report",
    "ticket",
    "yes",
    "none",
    "error",
    "failed",
    "pending",
    "scheduled",
];

/// Elements whose content is data, not the page's words.
const DATA_ELEMENTS: &[&str] = &["script", "style", "code", "pre", "textarea", "time"];

/// The words of `html` a person reads or hears: the text outside tags (data elements
/// left out) and the `placeholder`, `title`, `alt` and `aria-label` attributes.
fn read_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    'outer: while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        for attribute in ["placeholder=\"", "title=\"", "alt=\"", "aria-label=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                text.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if DATA_ELEMENTS.contains(&name.as_str()) {
            let end = format!("</{name}>");
            match rest.to_ascii_lowercase().find(&end) {
                Some(at) => rest = &rest[at + end.len()..],
                None => break 'outer,
            }
        }
    }
    text.push_str(rest);
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The English words on `page`, with a little of what surrounds the first.
fn english_on(page: &str) -> Option<String> {
    let words = read_words(page);
    let found: Vec<&String> = words
        .iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    let first = found.first()?;
    let at = words.iter().position(|w| &w == first).unwrap_or(0);
    let context = words[at.saturating_sub(8)..(at + 8).min(words.len())].join(" ");
    Some(format!("{found:?} in “… {context} …”"))
}

/// Fails with every page that holds an English word.
fn assert_indonesian(pages: &[(String, Page)]) {
    let english: Vec<String> = pages
        .iter()
        .filter_map(|(what, page)| english_on(&page.body).map(|e| format!("{what}: {e}")))
        .collect();
    assert!(
        english.is_empty(),
        "English on Indonesian pages:\n{}",
        english.join("\n")
    );
}

/// The reporter's side: the public pages, the receipt, the tracking page, the document
/// check, and the errors of the report, tracking and message forms.
async fn reporter_pages(
    app: &TestApp,
    closed: &sigap_testkit::Submitted,
    documents: &[String],
) -> Vec<(String, Page)> {
    let mut pages = Vec::new();
    let mut browser = Browser::new(app);
    for path in ["/", "/report", "/track", "/report/done"] {
        pages.push((path.to_owned(), browser.get(path).await));
    }
    let token = browser.get("/report").await.csrf();
    let mut fields: Vec<(&str, String)> = vec![("credit", "alias".to_owned())];
    fields.push(("cvss_vector", "CVSS:3.1/AV:Z".to_owned()));
    fields.push(("reporter_email", "bukan-surel".to_owned()));
    fields.push(("language", "fr".to_owned()));
    let empty = browser
        .post_multipart("/report", report_form(&fields, Some(&token)))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("the report form's errors".to_owned(), empty));
    let mut credit = report_fields();
    credit.push(("credit", "alias".to_owned()));
    let alias = browser
        .post_multipart("/report", report_form(&credit, Some(&token)))
        .await;
    assert_eq!(
        alias.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        alias.body
    );
    pages.push(("the alias left empty".to_owned(), alias));

    let track = browser.get("/track").await.csrf();
    let wrong = browser
        .post_form(
            "/track",
            &[
                ("ticket", &closed.number),
                ("token", "trk_salah"),
                (CSRF_FIELD, &track),
            ],
        )
        .await;
    pages.push(("the tracking page, wrong token".to_owned(), wrong));
    let view = browser
        .post_form(
            "/track",
            &[
                ("ticket", &closed.number),
                ("token", &closed.tracking_token),
                (CSRF_FIELD, &track),
            ],
        )
        .await;
    assert_eq!(view.status, StatusCode::OK);
    pages.push(("the tracking page".to_owned(), view));
    let message = browser
        .post_multipart(
            "/track/message",
            Form::new()
                .text("ticket", closed.number.clone())
                .text("token", closed.tracking_token.clone())
                .text("message", "")
                .text(CSRF_FIELD, track.clone()),
        )
        .await;
    pages.push(("an empty message".to_owned(), message));
    for code in documents {
        let path = format!("/verify/{code}");
        pages.push((path.clone(), browser.get(&path).await));
    }
    pages.push((
        "an unknown document".to_owned(),
        browser.get("/verify/tidak-ada").await,
    ));
    pages
}

/// Each staff role's pages: the queue, both tickets, the approvals, the account and admin
/// pages, a page that does not exist, and an action form sent empty.
async fn staff_pages(app: &TestApp, closed: &str, open: &str) -> Vec<(String, Page)> {
    let mut pages = Vec::new();
    let people = [
        ("csirt", None),
        ("helpdesk", None),
        ("domain_officer", None),
        ("regional_secretary", None),
        ("auditor", None),
        ("admin", None),
        ("system_owner", Some(seed::AGENCY_A)),
    ];
    for (role, agency) in people {
        let email: &'static str =
            Box::leak(format!("bahasa.{role}@kominfo.batam.go.id").into_boxed_str());
        staff(app, email, role, agency).await;
        let mut browser = Browser::new(app);
        browser.login(email, PASSWORD).await;
        for path in [
            "/tickets".to_owned(),
            format!("/tickets/{closed}"),
            format!("/tickets/{open}"),
            "/tickets/BCSIRT-2026-09999".to_owned(),
            "/approvals".to_owned(),
            "/account/tokens".to_owned(),
            "/admin/users".to_owned(),
            "/admin/agencies".to_owned(),
            "/admin/agencies/DISDIK".to_owned(),
            "/admin/systems".to_owned(),
            "/admin/systems/1".to_owned(),
            "/admin/users/1".to_owned(),
            "/admin/settings".to_owned(),
            "/admin/audit".to_owned(),
            "/admin/jobs".to_owned(),
        ] {
            let page = browser.get(&path).await;
            pages.push((format!("{role} {path} ({})", page.status), page));
        }
        if role == "csirt" {
            let path = format!("/tickets/{open}");
            let token = browser.get(&path).await.csrf();
            let refused = browser
                .post_multipart(
                    &format!("{path}/actions/assess"),
                    Form::new().text(CSRF_FIELD, token),
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            pages.push(("csirt: the assessment sent empty".to_owned(), refused));
        }
    }
    pages
}

async fn indonesian_pages_and_form_errors_say_nothing_in_english(app: TestApp) {
    let closed = app.submit_ok(&sigap_testkit::valid_report()).await;
    app.drive(&closed.number, "closed").await;
    let open = app.submit_ok(&sigap_testkit::valid_report()).await;
    app.drive(&open.number, "assessing").await;
    let documents: Vec<String> = app.ticket("csirt", &closed.number).await["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["verify_code"].as_str().unwrap().to_owned())
        .collect();
    assert!(documents.len() >= 5, "the walk issued its documents");

    let mut pages = reporter_pages(&app, &closed, &documents).await;
    pages.extend(staff_pages(&app, &closed.number, &open.number).await);
    assert!(pages.len() > 90, "{} pages read", pages.len());
    assert_indonesian(&pages);
}

#[test]
fn the_reader_finds_english_outside_data_and_in_labels() {
    let page = "<p>Nomor <code>the vector</code></p><script>var the = 1;</script>\
                <input placeholder=\"Enter a value\"><p>Tiket &quot;X&quot;</p>";
    assert_eq!(
        read_words(page),
        ["nomor", "enter", "a", "value", "tiket", "x"]
    );
    assert!(english_on(page).unwrap().contains("enter"));
    assert!(english_on("<p>Laporan diterima</p><pre>the log</pre>").is_none());
}
