//! The queue page as staff meet it: it opens on "Giliran saya" for the roles that have
//! turns (on "Semua tiket" for the others), counts what it shows, hides ended tickets
//! unless asked, marks a deadline that is near, and lets an analyst take a ticket.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use sigap_testkit::{TestApp, bodies, valid_report};

use crate::support::{Browser, PASSWORD, hidden_value, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    the_queue_opens_on_my_turn: queue_mine_sqlite, queue_mine_postgres;
    the_help_desk_enters_a_report: enter_sqlite, enter_postgres;
    the_header_tells_each_role_what_concerns_them: header_sqlite, header_postgres;
    chosen_tickets_are_acted_on_one_by_one: bulk_sqlite, bulk_postgres;
}

/// "Tindakan untuk tiket terpilih": each chosen ticket through its own action, the page
/// saying ticket by ticket what happened.
async fn chosen_tickets_are_acted_on_one_by_one(app: TestApp) {
    let first = app.submit_ok(&valid_report()).await.number;
    let second = app.submit_ok(&valid_report()).await.number;
    let ended = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &ended, "validate", &bodies::reject())
        .await;
    let analyst = staff(&app, "massal@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get("/tickets?view=all").await;
    assert!(
        page.body.contains(&format!(
            "name=\"ticket\" value=\"{first}\" form=\"bulk-form\""
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("action=\"/tickets/bulk\""));
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();

    // Assign two to the analyst.
    let assign = [
        ("csrf_token", csrf.as_str()),
        ("ticket", first.as_str()),
        ("ticket", second.as_str()),
        ("action", "assign"),
        ("assignee", analyst),
    ];
    let done = browser.post_form("/tickets/bulk", &assign).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("2 dari 2 tiket berhasil"),
        "{}",
        done.body
    );
    for n in [&first, &second] {
        assert_eq!(app.ticket("csirt", n).await["assignee"], analyst);
    }

    // The same comment on two.
    let comment = [
        ("csrf_token", csrf.as_str()),
        ("ticket", first.as_str()),
        ("ticket", second.as_str()),
        ("action", "comment"),
        ("body", "Menunggu <b>jawaban</b> pelapor."),
        ("visibility", "internal"),
    ];
    let done = browser.post_form("/tickets/bulk", &comment).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let comments = app.ticket("csirt", &second).await["comments"].clone();
    assert!(
        comments
            .to_string()
            .contains("Menunggu <b>jawaban</b> pelapor.")
    );

    // Duplicates of the first: the ended ticket is refused on its own, the other is done.
    let duplicate = [
        ("csrf_token", csrf.as_str()),
        ("ticket", second.as_str()),
        ("ticket", ended.as_str()),
        ("action", "mark_duplicate"),
        ("of", first.as_str()),
        ("reason", "Temuan yang sama pada parameter nisn."),
    ];
    let partly = browser.post_form("/tickets/bulk", &duplicate).await;
    assert_eq!(
        partly.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        partly.body
    );
    assert!(
        partly.body.contains("1 dari 2 tiket berhasil"),
        "{}",
        partly.body
    );
    assert!(partly.body.contains("class=\"refused\""), "{}", partly.body);
    assert_eq!(
        app.ticket("csirt", &second).await["duplicate_of"],
        first.as_str()
    );

    // Nothing chosen, an action the SOP does not allow for several, no token.
    let none = [
        ("csrf_token", csrf.as_str()),
        ("action", "assign"),
        ("assignee", analyst),
    ];
    let refused = browser.post_form("/tickets/bulk", &none).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Belum ada tiket yang dipilih"));
    let close = [
        ("csrf_token", csrf.as_str()),
        ("ticket", first.as_str()),
        ("action", "close"),
    ];
    let refused = browser.post_form("/tickets/bulk", &close).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_token = [
        ("ticket", first.as_str()),
        ("action", "assign"),
        ("assignee", analyst),
    ];
    let refused = browser.post_form("/tickets/bulk", &no_token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A system owner is offered no bulk form.
    let page = owner_queue(&app, "pj.massal@disdik.batam.go.id").await;
    assert!(!page.body.contains("bulk-form"));
}

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
        s.rules.notices.mail_enabled = true;
    });
    admins_of_a_server_with_mail_see_no_mail_notice: mail_set_sqlite, mail_set_postgres;
}

/// The queue page of a new system owner of the first agency, signed in.
async fn owner_queue(app: &TestApp, email: &'static str) -> crate::support::Page {
    let owner = staff(
        app,
        email,
        "system_owner",
        Some(sigap_testkit::seed::AGENCY_A),
    )
    .await;
    let mut browser = Browser::new(app);
    browser.login(owner, PASSWORD).await;
    browser.get("/tickets").await
}

/// The header's unread count, approvals count and mail notice on any staff page.
async fn the_header_tells_each_role_what_concerns_them(app: TestApp) {
    // Three valid reports of the agency before: the fourth's closing needs the Sekda.
    for _ in 0..3 {
        let number = app.submit_ok(&valid_report()).await.number;
        app.drive(&number, "assessing").await;
    }
    let waiting = app.submit_ok(&valid_report()).await.number;
    app.drive(&waiting, "awaiting_approval").await;
    let sekda = staff(&app, "sekda.header@batam.go.id", "regional_secretary", None).await;
    let mut browser = Browser::new(&app);
    browser.login(sekda, PASSWORD).await;
    // On a page that is not the queue: the approval waiting, and it is new to the Sekda.
    let page = browser.get("/approvals").await;
    assert!(
        page.body.contains("id=\"nav-approvals\">1</span>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"nav-unread\">1 baru</span>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"mail-missing\""),
        "only admins hear of mail"
    );
    browser.get(&format!("/tickets/{waiting}")).await;
    let page = browser.get("/approvals").await;
    assert!(!page.body.contains("nav-unread"), "opened: nothing new");

    // A system owner: no approvals link, no count.
    let page = owner_queue(&app, "pj.header@disdik.batam.go.id").await;
    assert!(!page.body.contains("nav-approvals"));

    // An admin of a server without mail is told on every page.
    let admin = staff(&app, "admin.header@kominfo.batam.go.id", "admin", None).await;
    let mut admin_browser = Browser::new(&app);
    admin_browser.login(admin, PASSWORD).await;
    for path in ["/tickets", "/admin/users", "/account/password"] {
        let page = admin_browser.get(path).await;
        assert!(
            page.body.contains("id=\"mail-missing\"") && page.body.contains("SIGAP_SMTP_URL"),
            "{path}: {}",
            page.body
        );
    }
}

async fn admins_of_a_server_with_mail_see_no_mail_notice(app: TestApp) {
    let admin = staff(&app, "admin.mail@kominfo.batam.go.id", "admin", None).await;
    let mut browser = Browser::new(&app);
    browser.login(admin, PASSWORD).await;
    let page = browser.get("/tickets").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("mail-missing"), "{}", page.body);
}

async fn the_help_desk_enters_a_report(app: TestApp) {
    let desk = staff(&app, "meja@kominfo.batam.go.id", "helpdesk", None).await;
    let mut browser = Browser::new(&app);
    browser.login(desk, PASSWORD).await;
    let queue = browser.get("/tickets").await;
    assert!(queue.body.contains("href=\"/tickets/new\""), "Buat tiket");
    let form = browser.get("/tickets/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Diterima melalui") && form.body.contains("Surat"));
    let csrf = hidden_value(&form.body, "csrf_token").expect("token");
    let report = valid_report();
    let mut fields = Form::new()
        .text("csrf_token", csrf.clone())
        .text("channel", "letter");
    for (name, value) in report.as_object().unwrap() {
        fields = fields.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    let entered = browser.post_multipart("/tickets/new", fields).await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    let location = entered.location().to_owned();
    assert!(location.ends_with("?entered=true"), "{location}");
    let number = location
        .trim_start_matches("/tickets/")
        .trim_end_matches("?entered=true")
        .to_owned();
    let ticket = app.ticket("csirt", &number).await;
    assert_eq!(ticket["channel"], "letter");
    assert_eq!(ticket["state"], "queued");
    let page = browser.get(&location).await;
    assert!(page.body.contains("Tiket dibuat"), "{}", page.body);

    // A report without its finding: the form again, the input kept, the field named.
    let missing = Form::new()
        .text("csrf_token", csrf)
        .text("channel", "phone")
        .text("reporter_name", "Warga <Batam>")
        .text("reporter_email", "warga@example.com");
    let refused = browser.post_multipart("/tickets/new", missing).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Warga &#60;Batam&#62;")
            || refused.body.contains("Warga &lt;Batam&gt;")
    );
    assert!(refused.body.contains("has-error"), "{}", refused.body);

    // A system owner enters nothing.
    let owner = staff(
        &app,
        "pj.masuk@disdik.batam.go.id",
        "system_owner",
        Some("DISDIK"),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.login(owner, PASSWORD).await;
    assert_eq!(
        browser.get("/tickets/new").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn the_queue_opens_on_my_turn(app: TestApp) {
    let submitted = app.submit_ok(&valid_report()).await;
    let queued = submitted.number.clone();
    let unblocking = app.submit_ok(&valid_report()).await.number;
    let rejected = app.submit_ok(&valid_report()).await.number;
    app.drive(&unblocking, "closing").await;
    app.act("csirt", &rejected, "validate", &bodies::reject())
        .await;

    let analyst = staff(&app, "analis@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get("/tickets").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("aria-current=\"page\">Giliran saya (1 baru)</a>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&queued));
    assert!(
        !page.body.contains(&unblocking),
        "the domain officer's turn"
    );
    assert!(page.body.contains("1 tiket"), "the count");
    assert!(
        page.body.contains("id=\"nav-unread\">1 baru</span>"),
        "the header counts it too"
    );
    assert!(page.body.contains(">Ambil</button>"));

    // "Semua tiket": the open ones; the ended ones when asked.
    let all = browser.get("/tickets?view=all").await;
    assert!(all.body.contains(&queued) && all.body.contains(&unblocking));
    assert!(!all.body.contains(&rejected), "ended tickets hidden");
    assert!(all.body.contains("2 tiket"));
    assert!(
        all.body.contains("Tenggat dekat"),
        "the five-minute unblock is near"
    );
    let with_closed = browser.get("/tickets?view=all&closed=true").await;
    assert!(with_closed.body.contains(&rejected));
    assert!(with_closed.body.contains("3 tiket"));

    // "Ambil": the ticket is the analyst's, named in the queue.
    let csrf = hidden_value(&page.body, "csrf_token").expect("csrf token");
    assert!(
        page.body
            .contains("enctype=\"multipart/form-data\" class=\"take\"")
    );
    let form = Form::new()
        .text("csrf_token", csrf.clone())
        .text("assignee", analyst);
    let taken = browser
        .post_multipart(&format!("/tickets/{queued}/actions/assign"), form)
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let page = browser.get("/tickets?assignee=me").await;
    assert!(page.body.contains(&queued));
    assert!(page.body.contains("Petugas csirt"), "the assignee's name");
    assert!(!page.body.contains(">Ambil</button>"), "already theirs");

    // New for the analyst until they open it; new again when the reporter writes.
    assert!(page.body.contains("badge unread"), "never opened");
    assert!(
        browser
            .get("/tickets")
            .await
            .body
            .contains("Giliran saya (1 baru)")
    );
    let opened = browser.get(&format!("/tickets/{queued}")).await;
    assert_eq!(opened.status, StatusCode::OK);
    // The assign form chooses the staff by name, the analyst first.
    assert!(
        opened
            .body
            .contains("<select id=\"f-assign-assignee\" name=\"assignee\""),
        "{}",
        opened.body
    );
    assert!(opened.body.contains("Saya sendiri (Petugas csirt)"));
    assert!(
        !opened.body.contains("Petugas system_owner"),
        "only staff who may be assigned"
    );
    let page = browser.get("/tickets").await;
    assert!(!page.body.contains("badge unread"), "{}", page.body);
    assert!(
        !page.body.contains("nav-unread"),
        "nothing new in the header"
    );
    assert!(page.body.contains(">Giliran saya</a>"));
    app.clock.advance(chrono::TimeDelta::minutes(1));
    let response = app
        .reporter_message(
            &queued,
            &submitted.tracking_token,
            &serde_json::json!({"message": "Ada tambahan bukti."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = browser.get("/tickets").await;
    assert!(page.body.contains("badge unread"), "the reporter wrote");
    assert!(page.body.contains("Giliran saya (1 baru)"));

    // A saved filter: the queue's parameters only, the analyst's own.
    let saved = browser
        .post_form(
            "/tickets/filters",
            &[
                ("csrf_token", &csrf),
                ("name", "Tenggat <dekat>"),
                ("query", "view=all&sort=deadline&next=//evil.example"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/tickets?view=all&sort=deadline");
    let page = browser.get("/tickets").await;
    assert!(
        page.body
            .contains("href=\"/tickets?view=all&#38;sort=deadline\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Tenggat &#60;dekat&#62;")
            || page.body.contains("Tenggat &lt;dekat&gt;")
    );
    assert!(!page.body.contains("evil.example"));
    let id = page
        .body
        .split("/tickets/filters/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a delete form")
        .to_owned();

    // The spreadsheet of what the queue shows; a cell a spreadsheet would run is text.
    let mut formula = valid_report();
    formula["vulnerability_type"] = serde_json::json!("=HYPERLINK(\"http://contoh.invalid\")");
    let odd = app.submit_ok(&formula).await.number;
    let page = browser.get("/tickets?view=all&closed=true").await;
    assert!(
        page.body.contains("href=\"/tickets/export/csv?view=all"),
        "{}",
        page.body
    );
    let csv = browser.get("/tickets.csv?view=all&closed=true").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "a heading and four tickets: {}", csv.body);
    assert!(
        lines[0].starts_with("\"Nomor tiket\",\"Dibuat (WIB)\""),
        "{}",
        lines[0]
    );
    let row = lines
        .iter()
        .find(|l| l.contains(&odd))
        .expect("the odd ticket");
    assert!(row.contains("\"'=HYPERLINK(\"\"http"), "{row}");
    assert!(lines.iter().any(|l| l.contains(&rejected)));
    let mine = browser.get("/tickets.csv").await;
    assert!(
        !mine.body.contains(&rejected),
        "the default view, open only"
    );

    // The domain officer opens on the unblock; an auditor, who has no turn, on everything.
    let officer = staff(&app, "domain2@kominfo.batam.go.id", "domain_officer", None).await;
    let mut browser = Browser::new(&app);
    browser.login(officer, PASSWORD).await;
    let page = browser.get("/tickets").await;
    assert!(
        !page.body.contains("Tenggat &#60;dekat"),
        "another's saved filter"
    );
    let theirs = hidden_value(&page.body, "csrf_token").expect("token");
    let refused = browser
        .post_form(
            &format!("/tickets/filters/{id}/delete"),
            &[("csrf_token", &theirs)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_FOUND,
        "not theirs to delete"
    );
    assert!(page.body.contains(&unblocking) && !page.body.contains(&queued));
    // The five-minute unblock is counted down live on the ticket page.
    let ticket = browser.get(&format!("/tickets/{unblocking}")).await;
    assert!(ticket.body.contains("data-due=\""), "{}", ticket.body);
    assert!(ticket.body.contains("data-left=\"Sisa {span} (batas: "));
    assert!(
        ticket
            .body
            .contains("<script src=\"/assets/countdown.js\" defer>")
    );
    let script = browser.get("/assets/countdown.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("data-due"));
    let auditor = staff(&app, "audit2@inspektorat.batam.go.id", "auditor", None).await;
    let mut browser = Browser::new(&app);
    browser.login(auditor, PASSWORD).await;
    let page = browser.get("/tickets").await;
    assert!(!page.body.contains("Giliran saya"));
    assert!(page.body.contains(&queued) && page.body.contains(&unblocking));
    assert!(
        !page.body.contains(">Ambil</button>"),
        "auditors take nothing"
    );
}
