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
}

async fn the_queue_opens_on_my_turn(app: TestApp) {
    let queued = app.submit_ok(&valid_report()).await.number;
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
        page.body.contains("aria-current=\"page\">Giliran saya</a>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&queued));
    assert!(
        !page.body.contains(&unblocking),
        "the domain officer's turn"
    );
    assert!(page.body.contains("1 tiket"), "the count");
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
        .text("csrf_token", csrf)
        .text("assignee", analyst);
    let taken = browser
        .post_multipart(&format!("/tickets/{queued}/actions/assign"), form)
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let page = browser.get("/tickets?assignee=me").await;
    assert!(page.body.contains(&queued));
    assert!(page.body.contains("Petugas csirt"), "the assignee's name");
    assert!(!page.body.contains(">Ambil</button>"), "already theirs");

    // The domain officer opens on the unblock; an auditor, who has no turn, on everything.
    let officer = staff(&app, "domain2@kominfo.batam.go.id", "domain_officer", None).await;
    let mut browser = Browser::new(&app);
    browser.login(officer, PASSWORD).await;
    let page = browser.get("/tickets").await;
    assert!(page.body.contains(&unblocking) && !page.body.contains(&queued));
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
