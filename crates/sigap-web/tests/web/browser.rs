//! The product in a real browser: Debian's headless Chromium driven over WebDriver
//! (`chromedriver`), against the real app over a fresh database, on SQLite and PostgreSQL.
//! The browser fills and submits the same forms people do: nothing is posted behind its back.
//!
//! - A reporter submits the public form with two files and follows the tracking link.
//! - A CSIRT analyst signs in, enrols an authenticator (the code computed from the secret
//!   the page shows), validates and assesses the report; a domain officer (also with a
//!   second factor) blocks the system; the agency's system owner submits the remediation;
//!   the CSIRT sends the follow-up and reviews it as fixed; the domain officer lifts the
//!   block and the ticket ends `closed`.
//! - A report whose every field carries script payloads is opened by staff and by its
//!   reporter, and a mail with the same payloads is opened in the inbox: no script runs
//!   (the page title stays, a watched loopback port is never called) and the payloads show
//!   as text.
//!
//! Without `chromedriver` and `chromium` the tests are skipped, unless
//! `SIGAP_REQUIRE_BROWSER=1` (the test script sets it once it has installed them). With
//! `SIGAP_SCREENSHOT_DIR` set, the walk saves screenshots of the main pages there
//! (`docs/screenshots/` keeps the committed ones).
//! - Every page the walk shows, and every action form it fills, passes axe-core's WCAG 2.1
//!   A and AA rules (`SIGAP_AXE_JS`, installed by scripts/test from npm).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{PASSWORD, staff};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use sigap_testkit::{TestApp, seed};

/// The app with the default rules and a browser: `None` without a browser (see the module
/// documentation), so that the test is skipped on both engines.
async fn app_and_browser(backend: sigap_testkit::Backend) -> Option<(TestApp, Driver)> {
    let driver = Driver::start()?;
    let app = sigap_testkit::spawn_app_with(backend, default_rules).await?;
    Some((app, driver))
}

sigap_testkit::on_both_backends! {
    app_and_browser;
    a_report_walks_from_the_public_form_to_closed: walk_sqlite, walk_postgres;
    script_payloads_in_a_report_never_run: payloads_sqlite, payloads_postgres;
}

/// The default rules (admin, csirt and domain_officer need a second factor), with the
/// report limits on and only one report an hour without the anti-spam proof of work.
fn default_rules(start: &mut sigap_testkit::Start) {
    start.rules.intake_limits = sigap_app::intake::antispam::IntakeLimits {
        per_hour: 20,
        without_proof_per_hour: 1,
        proof_bits: 16,
    };
}

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A `chromedriver` on a free loopback port, stopped when dropped.
struct Driver {
    process: Child,
    url: String,
}

impl Driver {
    /// Starts `chromedriver`; `None` (the test is skipped) when it or Chromium is missing
    /// and the browser is not required.
    fn start() -> Option<Driver> {
        let required = std::env::var("SIGAP_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            assert!(
                !required,
                "SIGAP_REQUIRE_BROWSER=1 but {CHROMEDRIVER} or {CHROMIUM} is missing \
                 (Debian packages chromium-driver and chromium)"
            );
            eprintln!("skipped: no {CHROMEDRIVER} or {CHROMIUM}");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        // Ready once it answers on its port.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Driver { process, url });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = process.kill();
        let _ = process.wait();
        panic!("chromedriver did not start on port {port}");
    }

    /// A new browser session: its own profile, so its own cookies. Indonesian is the
    /// browser's language, as at the city's offices.
    async fn browser(&self) -> Client {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-dev-shm-usage",
                         "--lang=id-ID", "--window-size=1280,900"],
                "prefs": {"intl.accept_languages": "id-ID,id"},
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One person's browser on the app.
struct Person<'a> {
    app: &'a TestApp,
    client: Client,
}

impl<'a> Person<'a> {
    async fn new(app: &'a TestApp, driver: &Driver) -> Person<'a> {
        Person {
            app,
            client: driver.browser().await,
        }
    }

    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.app.base_url))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    async fn by_id(&self, id: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id(id))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("#{id} on {}: {e}", self.path_now().await),
        }
    }

    async fn path_now(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    async fn text_of(&self, id: &str) -> String {
        self.by_id(id).await.text().await.unwrap()
    }

    async fn body_text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Types `value` into the field with `id` (after clearing it).
    async fn type_into(&self, id: &str, value: &str) {
        let field = self.by_id(id).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Fills one generated form field (see `field.html`): `form` is the form's prefix (an
    /// action, or `report`), `kind` the field's kind.
    async fn fill(&self, form: &str, name: &str, kind: &str, value: &str) {
        let id = format!("f-{form}-{}", name.replace(['.', '_'], "-"));
        match kind {
            // As people do: a click on the choice's label.
            "radio" => self.click_label(&format!("{id}-{value}")).await,
            "checkbox" => self.click_label(&id).await,
            "select" => self.by_id(&id).await.select_by_value(value).await.unwrap(),
            "files" => self.by_id(&id).await.send_keys(value).await.unwrap(),
            _ => self.type_into(&id, value).await,
        }
    }

    /// Clicks the label of the input with `id`.
    async fn click_label(&self, id: &str) {
        self.by_id(id).await;
        let label = self
            .client
            .find(Locator::Css(&format!("label[for='{id}']")))
            .await
            .unwrap_or_else(|e| panic!("a label for #{id}: {e}"));
        label.click().await.unwrap();
        let input = self.by_id(id).await;
        assert!(input.is_selected().await.unwrap(), "#{id} chosen");
    }

    /// Clicks the submit button of the form posting to a path ending with `action_path`,
    /// then waits for the next page.
    async fn submit(&self, action_path: &str) {
        let before = self.path_now().await;
        let old_page = self.client.find(Locator::Css("html")).await.unwrap();
        let form = self
            .client
            .find(Locator::Css(&format!("form[action$='{action_path}']")))
            .await
            .unwrap_or_else(|e| panic!("a form for {action_path} on {before}: {e}"));
        form.find(Locator::Css("button[type='submit']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The next page has come once the old one's root element is gone.
        for _ in 0..400 {
            if old_page.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{action_path}: no new page after 20 s on {before}");
    }

    /// Signs in with the password, enrols an authenticator from the secret the page shows,
    /// and goes on to the queue.
    async fn sign_in_enrolling(&self, email: &str) {
        self.open("/login").await;
        self.accessible("the sign-in page").await;
        self.type_into("login-email", email).await;
        self.type_into("login-password", PASSWORD).await;
        self.submit("/login").await;
        assert_eq!(
            self.path().await,
            "/account/totp",
            "sent to enrolment: {}",
            self.body_text().await
        );
        let secret: String = self
            .text_of("totp-secret")
            .await
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let secret = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .expect("the secret in base32");
        self.accessible("the authenticator enrolment").await;
        let code = sigap_app::identity::totp::code_at(&secret, self.app.now());
        self.type_into("enrol-code", &code).await;
        self.submit("/account/totp").await;
        let page = self.body_text().await;
        assert!(
            self.client
                .find_all(Locator::Css("li code"))
                .await
                .unwrap()
                .len()
                >= 10,
            "recovery codes shown: {page}"
        );
        self.accessible("the recovery codes").await;
        self.open("/tickets").await;
        assert_eq!(self.path().await, "/tickets", "signed in");
        self.accessible("the queue").await;
    }

    /// Opens `path` (a link in a mail) without a session, signs in with the password on the
    /// page it lands on, and asserts that the sign-in returns to `path`.
    async fn sign_in_from(&self, path: &str, email: &str) {
        self.open(path).await;
        assert_eq!(
            self.path().await,
            "/login",
            "a deep link asks for the sign-in"
        );
        self.type_into("login-email", email).await;
        self.type_into("login-password", PASSWORD).await;
        self.submit("/login").await;
        assert_eq!(self.path().await, path, "back to the page asked for");
    }

    /// On the ticket page, fills the form of `action` with `fields` (name, kind, value) and
    /// submits it; asserts that the step was taken.
    async fn act(&self, number: &str, action: &str, fields: &[(&str, &str, &str)]) {
        let path = format!("/tickets/{number}");
        self.open(&path).await;
        // Each action's form is folded in its own `<details>`: open it as people do.
        let details = self.by_id(&format!("action-{action}")).await;
        if details.attr("open").await.unwrap().is_none() {
            details
                .find(Locator::Css("summary"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        self.accessible(&format!("the {action} form")).await;
        for (name, kind, value) in fields {
            self.fill(action, name, kind, value).await;
        }
        self.submit(&format!("{path}/actions/{action}")).await;
        let url = self.client.current_url().await.unwrap();
        assert_eq!(
            (url.path(), url.query()),
            (path.as_str(), Some(format!("done={action}").as_str())),
            "{action} taken: {:?}",
            self.errors_shown().await
        );
    }

    /// The error messages the page shows.
    async fn errors_shown(&self) -> Vec<String> {
        let mut shown = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(".error, .alert"))
            .await
            .unwrap()
        {
            shown.push(element.text().await.unwrap_or_default());
        }
        shown
    }

    /// Runs axe-core's WCAG 2.1 A and AA rules on the page as it stands and fails on any
    /// violation. axe-core comes from `SIGAP_AXE_JS` (scripts/test installs it from npm);
    /// without it the check is skipped, unless the browser is required.
    async fn accessible(&self, what: &str) {
        let Some(axe) = axe_source() else {
            return;
        };
        self.client.execute(&axe, vec![]).await.unwrap();
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                     help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
                   .catch(e => done([{id: 'axe-error', help: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            violations,
            json!([]),
            "{what} ({}): WCAG 2.1 A/AA violations",
            self.path_now().await
        );
    }

    /// Checks the page's accessibility and saves its screenshot.
    async fn look(&self, name: &str) {
        self.accessible(name).await;
        self.screenshot(name).await;
    }

    /// The page on a phone (390 × 844 CSS pixels): accessible, no sideways scrolling, the
    /// header under 120 px; saved as `name`. The desktop size comes back after.
    async fn look_on_phone(&self, name: &str) {
        self.client.set_window_size(390, 844).await.unwrap();
        self.client.refresh().await.unwrap();
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth,
                         document.querySelector('header.site').getBoundingClientRect().height]",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner, header) = (
            sizes[0].as_f64().unwrap(),
            sizes[1].as_f64().unwrap(),
            sizes[2].as_f64().unwrap(),
        );
        let wide = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('body *'))
                   .filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap, pre.text')))
                   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                   .slice(0, 8)
                   .map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
                        + Math.round(e.getBoundingClientRect().right))",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            scroll <= inner,
            "{name}: {scroll} px wide on a {inner} px screen; too wide: {wide}"
        );
        assert!(header < 120.0, "{name}: the header takes {header} px");
        self.look(name).await;
        self.client.set_window_size(1280, 900).await.unwrap();
    }

    /// Saves a screenshot of the whole page as `name` when `SIGAP_SCREENSHOT_DIR` is set.
    async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("SIGAP_SCREENSHOT_DIR") else {
            return;
        };
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900);
        let width = self
            .client
            .execute("return window.outerWidth", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1280);
        self.client
            .set_window_size(width as u32, height.clamp(400, 6000) as u32)
            .await
            .unwrap();
        self.client
            .execute("window.scrollTo(0, 0)", vec![])
            .await
            .unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
        self.client
            .set_window_size(width as u32, 900)
            .await
            .unwrap();
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

/// axe-core's source, from `SIGAP_AXE_JS`; `None` when it is not installed and the browser
/// is not required.
fn axe_source() -> Option<String> {
    let required = std::env::var("SIGAP_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    match std::env::var("SIGAP_AXE_JS") {
        Ok(path) => Some(
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("SIGAP_AXE_JS={path}: {e}")),
        ),
        Err(_) => {
            assert!(
                !required,
                "SIGAP_REQUIRE_BROWSER=1 but SIGAP_AXE_JS is unset (scripts/test installs \
                 axe-core from npm and sets it)"
            );
            None
        }
    }
}

/// Writes the two evidence files of the report; answers their paths.
fn evidence_files(dir: &Path) -> (PathBuf, PathBuf) {
    // A screenshot-like picture: a dark bar over a light page with a red mark.
    let picture = image::RgbImage::from_fn(480, 270, |x, y| match (x, y) {
        (_, 0..40) => image::Rgb([11, 61, 110]),
        (200..280, 120..160) => image::Rgb([200, 30, 30]),
        _ => image::Rgb([240, 242, 245]),
    });
    let png = dir.join("tangkapan-layar.png");
    picture.save(&png).unwrap();
    let log = dir.join("akses.log");
    std::fs::write(
        &log,
        "[12/Aug/2026:10:15:02 +0700] GET /pendaftaran/cari?nisn=1%27%20OR%201=1-- 200 48213\n",
    )
    .unwrap();
    (png, log)
}

/// Fills the public report form with `report` (the test kit's JSON report), attaches
/// `files` (newline-separated paths) and submits it; answers the ticket number and the
/// tracking token shown.
async fn report(reporter: &Person<'_>, report: &Value, files: &str) -> (String, String) {
    reporter.open("/report").await;
    for (name, kind) in [
        ("reporter_name", "text"),
        ("reporter_email", "text"),
        ("reporter_phone", "text"),
        ("severity", "radio"),
        ("vulnerability_type", "text"),
        ("target", "text"),
        ("title", "text"),
        ("description", "text"),
        ("proof_of_concept", "text"),
        ("cvss_vector", "text"),
        ("evidence_text", "text"),
    ] {
        let value = report[name].as_str().unwrap();
        reporter.fill("report", name, kind, value).await;
    }
    if !files.is_empty() {
        reporter.fill("report", "evidence", "files", files).await;
    }
    // The live score of the vector typed, from the server's scorer.
    if let Ok(scored) = sigap_core::cvss::score_vector(report["cvss_vector"].as_str().unwrap()) {
        // As the page's language writes it: "Skor CVSS (versi 3.1): 9,8 — Kritis".
        let expected = format!(
            "Skor CVSS (versi {}): {}",
            scored.version.as_str(),
            format!("{:.1}", scored.score).replace('.', ",")
        );
        let mut shown = String::new();
        for _ in 0..50 {
            shown = reporter.text_of("f-report-cvss-vector-live").await;
            if shown.contains(&expected) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            shown.contains(&expected),
            "the live CVSS score {expected}: `{shown}`"
        );
    }
    reporter.look("report-filled").await;
    reporter.submit("/report").await;
    let number = reporter.text_of("ticket-number").await;
    let token = reporter.text_of("tracking-token").await;
    (number, token)
}

async fn state(app: &TestApp, number: &str) -> String {
    app.ticket("csirt", number).await["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_report_walks_from_the_public_form_to_closed((app, driver): (TestApp, Driver)) {
    let csirt_email = staff(&app, "peramban.csirt@kominfo.batam.go.id", "csirt", None).await;
    let officer_email = staff(
        &app,
        "peramban.domain@kominfo.batam.go.id",
        "domain_officer",
        None,
    )
    .await;
    let owner_email = staff(
        &app,
        "peramban.pemilik@disdik.batam.go.id",
        "system_owner",
        Some(seed::AGENCY_A),
    )
    .await;
    let files_dir = tempfile::tempdir().unwrap();
    let (png, log) = evidence_files(files_dir.path());

    // The reporter: the public form with two files, then the tracking link.
    let reporter = Person::new(&app, &driver).await;
    reporter.open("/report").await;
    reporter.look("report").await;
    let files = format!("{}\n{}", png.display(), log.display());
    let (number, token) = report(&reporter, &sigap_testkit::valid_report(), &files).await;
    assert!(number.starts_with("BCSIRT-"), "a ticket number: {number}");
    assert!(token.len() >= 20, "a tracking token: {token}");
    reporter.look("report-done").await;
    // The confirmation is a page of its own: a reload shows it again and sends nothing.
    let url = reporter.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/report/done");
    reporter.client.refresh().await.unwrap();
    assert_eq!(reporter.text_of("ticket-number").await, number);
    assert_eq!(reporter.text_of("tracking-token").await, token);
    let reloaded = reporter.body_text().await;
    assert!(!reloaded.contains("anti-spam"), "{reloaded}");
    let link = reporter
        .client
        .find(Locator::Css("a[href*='/track']"))
        .await
        .expect("the tracking link");
    link.click().await.unwrap();
    reporter.by_id("track-token").await;
    reporter.type_into("track-ticket", &number).await;
    reporter.type_into("track-token", &token).await;
    reporter.submit("/track").await;
    let tracked = reporter.body_text().await;
    assert!(tracked.contains(&number), "the tracked ticket: {tracked}");
    reporter.look("track").await;
    let ticket = app.ticket("csirt", &number).await;
    let names: Vec<&str> = ticket["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap_or(""))
        .collect();
    assert!(
        names.contains(&"tangkapan-layar.png") && names.contains(&"akses.log"),
        "both files arrived: {ticket}"
    );
    assert_eq!(state(&app, &number).await, "queued");

    // The CSIRT analyst: second factor, the queue, validation and assessment.
    let csirt = Person::new(&app, &driver).await;
    csirt.sign_in_enrolling(csirt_email).await;
    let queue = csirt.body_text().await;
    assert!(
        queue.contains(&number),
        "the queue lists the report: {queue}"
    );
    csirt.look("queue").await;
    csirt.look_on_phone("queue-phone").await;
    csirt
        .act(
            &number,
            "validate",
            &[
                ("valid", "radio", "true"),
                ("method", "radio", "ticket"),
                (
                    "findings",
                    "textarea",
                    "Parameter nisn terbukti rentan injeksi SQL.",
                ),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "assessing");
    // The assessment starts from the reporter's vector, scored live, with the criticality
    // the score maps to chosen.
    csirt.open(&format!("/tickets/{number}")).await;
    csirt
        .by_id("action-assess")
        .await
        .find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let vector = csirt.by_id("f-assess-cvss-vector").await;
    assert_eq!(
        vector.prop("value").await.unwrap().as_deref(),
        Some(sigap_testkit::bodies::CVSS_HIGH)
    );
    assert!(
        csirt
            .by_id("f-assess-criticality-high")
            .await
            .is_selected()
            .await
            .unwrap()
    );
    let mut live = String::new();
    for _ in 0..50 {
        live = csirt.text_of("f-assess-cvss-vector-live").await;
        if live.contains("9,8") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        live.contains("Skor CVSS (versi 3.1): 9,8 — Kritis") && live.contains("Tinggi"),
        "the assessment's live score: `{live}`"
    );
    csirt
        .act(
            &number,
            "assess",
            &[
                ("criticality", "radio", "high"),
                (
                    "rationale",
                    "textarea",
                    "Data pribadi pendaftar dapat dibaca.",
                ),
                ("attendees", "textarea", "Analis CSIRT\nPetugas domain"),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "awaiting_block");

    // The domain officer blocks the system.
    let officer = Person::new(&app, &driver).await;
    officer.sign_in_enrolling(officer_email).await;
    officer
        .act(
            &number,
            "block",
            &[
                ("method", "select", "manual"),
                (
                    "evidence_text",
                    "textarea",
                    "Virtual host dinonaktifkan pukul 09.10 WIB.",
                ),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "notifying");
    csirt
        .act(
            &number,
            "notify_agency",
            &[
                ("recommendation", "select", "warning"),
                (
                    "summary",
                    "textarea",
                    "Perbaiki penyaringan parameter nisn.",
                ),
                (
                    "concerns",
                    "textarea",
                    "Bidang Teknologi Informasi Dinas Pendidikan",
                ),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "remediating");

    // The agency's system owner submits the remediation.
    let owner = Person::new(&app, &driver).await;
    owner
        .sign_in_from(&format!("/tickets/{number}"), owner_email)
        .await;
    owner
        .act(
            &number,
            "submit_remediation",
            &[
                (
                    "summary",
                    "textarea",
                    "Kueri diganti dengan parameter terikat; uji ulang bersih.",
                ),
                (
                    "evidence_text",
                    "textarea",
                    "commit 3f2a9c1: gunakan parameter terikat pada pencarian pendaftar",
                ),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "follow_up");
    csirt
        .act(
            &number,
            "send_follow_up",
            &[("content", "textarea", "Mohon verifikasi perbaikan.")],
        )
        .await;
    assert_eq!(state(&app, &number).await, "reviewing");
    csirt
        .act(
            &number,
            "review",
            &[
                ("fixed", "radio", "true"),
                ("attendees", "textarea", "Analis CSIRT\nPemilik sistem"),
                ("notes", "textarea", "Uji ulang tidak menemukan celah."),
            ],
        )
        .await;
    assert_eq!(state(&app, &number).await, "closing");
    csirt.open(&format!("/tickets/{number}")).await;
    // The evidence picture is shown, re-encoded by the server.
    let mut shown_width = Value::Null;
    for _ in 0..50 {
        shown_width = csirt
            .client
            .execute(
                "const i = document.querySelector('img.evidence-preview'); \
                 return i && i.complete ? i.naturalWidth : null",
                vec![],
            )
            .await
            .unwrap();
        if shown_width.is_u64() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown_width, json!(480), "the evidence picture is shown");
    // The swim lane fits a 1280 px window: no sideways scrolling, one line per date.
    let lane = csirt
        .client
        .execute(
            "const l = document.querySelector('ol.swimlane'); \
             const times = Array.from(l.querySelectorAll('time')); \
             return [l.scrollWidth - l.clientWidth, document.documentElement.scrollWidth, \
                     times.length, times.filter(t => t.getClientRects().length > 1).length]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(lane[0], json!(0), "the swim lane does not scroll: {lane}");
    assert!(lane[1].as_u64().unwrap() <= 1280, "{lane}");
    assert!(
        lane[2].as_u64().unwrap() >= 6,
        "the steps done carry their time: {lane}"
    );
    assert_eq!(lane[3], json!(0), "no date wraps: {lane}");
    csirt.look("ticket").await;
    csirt.look_on_phone("ticket-phone").await;

    // The domain officer lifts the block; the CSIRT closes when the ticket still waits.
    officer
        .act(
            &number,
            "unblock",
            &[
                ("method", "select", "manual"),
                (
                    "evidence_text",
                    "textarea",
                    "Virtual host aktif kembali pukul 09.40 WIB.",
                ),
            ],
        )
        .await;
    if state(&app, &number).await == "closing" {
        csirt
            .act(&number, "close", &[("notes", "textarea", "Selesai.")])
            .await;
    }
    assert_eq!(state(&app, &number).await, "closed");
    reporter.open("/track").await;
    reporter.type_into("track-ticket", &number).await;
    reporter.type_into("track-token", &token).await;
    reporter.submit("/track").await;
    let tracked = reporter.body_text().await;
    assert!(
        tracked.contains("Selesai"),
        "the reporter sees the ticket closed: {tracked}"
    );

    // The admin reads how the documents of the walk were numbered.
    let admin_email = staff(&app, "peramban.admin@kominfo.batam.go.id", "admin", None).await;
    let admin = Person::new(&app, &driver).await;
    admin.sign_in_enrolling(admin_email).await;
    admin.open("/admin/settings").await;
    let settings = admin.body_text().await;
    for text in [
        "000.6/{n}/Diskominfo/{year}",
        "kode klasifikasi arsip Persandian (Lampiran Permendagri Nomor 83 Tahun 2022)",
        "Satu agenda nomor urut bersama: Surat Tindak Lanjut.",
    ] {
        assert!(settings.contains(text), "{text} in {settings}");
    }
    admin.look("admin-settings").await;
    // The agencies, and the form that changes one.
    admin.open("/admin/agencies").await;
    admin.look("admin-agencies").await;
    admin.open("/admin/agencies/DISDIK").await;
    assert!(admin.body_text().await.contains("Kode DISDIK tetap"));
    admin.look("admin-agency-edit").await;
    // The figures of the month of the walk: the report counted, its steps on the clock.
    admin.open("/dashboard").await;
    let figures = admin.body_text().await;
    for text in [
        "Laporan diterima",
        "Ketepatan waktu langkah SOP",
        "3. Validasi laporan",
    ] {
        assert!(figures.contains(text), "{text} in {figures}");
    }
    admin.look("dashboard").await;
    // The agency's scorecard, from its system owner's menu: the walk's finding counted.
    owner.open("/tickets").await;
    owner.by_id("nav-scorecard").await.click().await.unwrap();
    assert_eq!(owner.path().await, "/agencies/DISDIK/scorecard");
    let card = owner.body_text().await;
    for text in ["Laporan valid", "Temuan berulang", "Surat tindak lanjut"] {
        assert!(card.contains(text), "{text} in {card}");
    }
    owner.look("scorecard").await;
    for person in [reporter, csirt, officer, owner, admin] {
        person.close().await;
    }
}

/// A loopback port that counts the connections made to it.
struct Watched {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Watched {
    fn start() -> Watched {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let mut stream = stream;
                let mut buffer = [0_u8; 1024];
                let _ = stream.read(&mut buffer);
            }
        });
        Watched { port, hits }
    }
}

async fn script_payloads_in_a_report_never_run((app, driver): (TestApp, Driver)) {
    let csirt_email = staff(&app, "peramban.xss@kominfo.batam.go.id", "csirt", None).await;
    let watched = Watched::start();
    let url = format!("http://127.0.0.1:{}", watched.port);
    let title = "<script>document.title='XSS-RAN';window.__ran=1</script>";
    let mut payload = sigap_testkit::valid_report();
    payload["title"] = json!(title);
    payload["reporter_name"] =
        json!("\"><img src=x onerror=\"document.title='XSS-RAN';window.__ran=1\">");
    payload["description"] = json!(format!(
        "<img src=\"{url}/pixel.png\"><script src=\"{url}/x.js\"></script>\
         <iframe src=\"javascript:parent.document.title='XSS-RAN'\"></iframe>"
    ));
    payload["proof_of_concept"] = json!(format!(
        "<svg onload=\"fetch('{url}/svg')\"></svg><a href=\"javascript:alert(1)\">klik</a> \
         {url}/tautan"
    ));
    payload["evidence_text"] = json!(format!(
        "<style>@import '{url}/css';</style><body onload=\"window.__ran=1\">"
    ));
    // The one report an hour without a proof of work is used up; the browser's report goes
    // through only because the form's script solved the challenge.
    app.submit_ok(&sigap_testkit::valid_report()).await;
    let reporter = Person::new(&app, &driver).await;
    let (number, token) = report(&reporter, &payload, "").await;

    let csirt = Person::new(&app, &driver).await;
    csirt.sign_in_enrolling(csirt_email).await;
    let pages = [
        format!("/tickets/{number}"),
        "/tickets".to_owned(),
        format!("/tickets?q={}", "XSS"),
    ];
    for path in &pages {
        csirt.open(path).await;
        check_nothing_ran(&csirt, path).await;
    }
    csirt.open(&format!("/tickets/{number}")).await;
    let text = csirt.body_text().await;
    assert!(
        text.contains(title),
        "the title shows as text on the ticket page: {text}"
    );
    // Links from reporter text are never clickable unless http(s).
    let scripted_links = csirt
        .client
        .find_all(Locator::Css("a[href^='javascript:']"))
        .await
        .unwrap();
    assert!(scripted_links.is_empty(), "no javascript: link");

    // The same payloads by mail: the inbox shows them as text and calls nothing.
    let mail = format!(
        "From: \"<img src=x onerror=window.__ran=1>\" <m@evil.example>\r\n\
         To: csirt@batam.go.id\r\nMessage-ID: <xss@evil.example>\r\n\
         Subject: {title}\r\nContent-Type: text/html\r\n\r\n\
         <p>Target: https://ppdb.batam.go.id/</p><img src=\"{url}/mail.png\">\
         <script src=\"{url}/mail.js\"></script><a href=\"javascript:alert(1)\">klik</a>\r\n"
    );
    let recipients = ["csirt@batam.go.id".to_owned()];
    let received = sigap_app::inbox::receive::Received {
        via: "lmtp",
        envelope_from: "m@evil.example",
        recipients: &recipients,
        raw: mail.as_bytes(),
        mailbox_uid: None,
    };
    let kept = sigap_app::inbox::receive::receive(&app.app, received)
        .await
        .unwrap();
    let sigap_app::inbox::receive::Kept::New(id) = kept else {
        panic!("the mail was new: {kept:?}");
    };
    csirt.open("/inbox").await;
    check_nothing_ran(&csirt, "/inbox").await;
    csirt.look("inbox").await;
    csirt.open(&format!("/inbox/{id}")).await;
    check_nothing_ran(&csirt, "/inbox/{id}").await;
    assert!(
        csirt.body_text().await.contains(title),
        "the subject shows as text"
    );
    csirt.look("inbox-item").await;

    reporter.open("/track").await;
    reporter.type_into("track-ticket", &number).await;
    reporter.type_into("track-token", &token).await;
    reporter.submit("/track").await;
    check_nothing_ran(&reporter, "/track").await;

    // Give a late request a moment to arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        watched.hits.load(Ordering::SeqCst),
        0,
        "no page made the browser call the watched port"
    );
    reporter.close().await;
    csirt.close().await;
}

/// Asserts that no payload ran on the page now shown.
async fn check_nothing_ran(person: &Person<'_>, path: &str) {
    let title = person.client.title().await.unwrap();
    // The payloads set the title to exactly `XSS-RAN`; the page's own title may show the
    // payload's text, as text.
    assert!(
        title != "XSS-RAN" && title.ends_with("BATAM-CSIRT"),
        "{path}: the title changed: {title}"
    );
    let ran = person
        .client
        .execute("return window.__ran === undefined", vec![])
        .await
        .unwrap();
    assert_eq!(ran, Value::Bool(true), "{path}: a payload ran");
}
