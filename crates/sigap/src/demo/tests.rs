use chrono::TimeZone;
use sigap_app::{Policy, Rules};
use sigap_core::FixedClock;
use sigap_store::{BlobStore, Store};

use super::*;

async fn app(dir: &std::path::Path) -> App {
    let url = format!("sqlite://{}", dir.join("d.db").display());
    let store = Store::open(&url, &Default::default()).await.expect("store");
    let blobs = BlobStore::new(dir.join("e")).expect("blobs");
    let now = Utc
        .with_ymd_and_hms(2026, 3, 18, 3, 0, 0)
        .single()
        .expect("time");
    App::new(
        store,
        blobs,
        Rules::default(),
        Policy::default(),
        Arc::new(FixedClock(now)),
    )
}

async fn state(app: &App, number: &str) -> String {
    app.store
        .get_ticket(number)
        .await
        .expect("read")
        .expect("ticket")
        .state
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn loads_once_with_tickets_in_every_state() {
    let dir = std::env::temp_dir().join(format!("sigap-demo-{}", new_secret("")));
    let app = app(&dir).await;
    let first = load_demo(&app).await.expect("first load");
    assert!(first.loaded);
    assert_eq!(first.users.len(), scenario().expect("story").user.len());
    assert!(first.users.iter().all(|u| u.password.chars().count() >= 12));
    let mut states = Vec::new();
    for number in &first.tickets {
        states.push(state(&app, number).await);
    }
    let expected = [
        "closed",
        "rejected",
        "reviewing",
        "remediating",
        "awaiting_block",
        "assessing",
        "duplicate",
        "queued",
    ];
    assert_eq!(states, expected);
    let closed = app
        .store
        .get_ticket(&first.tickets[0])
        .await
        .expect("read")
        .expect("ticket");
    assert_eq!(
        closed.round, 2,
        "rounds start at 1; one `Belum` loop adds one"
    );
    assert!(!closed.blocked);
    let steps = app.store.list_step_records(closed.id).await.expect("steps");
    let walked: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
    assert!(
        walked.contains(&"approve_reactivation"),
        "the Sekda approved: {walked:?}"
    );
    assert_eq!(walked.iter().filter(|a| **a == "review").count(), 2);
    // The duplicate names the ticket it repeats: `@ticket xss` became its number.
    let duplicate = app
        .store
        .get_ticket(&first.tickets[6])
        .await
        .expect("read")
        .expect("ticket");
    assert_eq!(
        duplicate.duplicate_of.as_deref(),
        Some(first.tickets[5].as_str())
    );
    let remediating = app
        .store
        .get_ticket(&first.tickets[3])
        .await
        .expect("read")
        .expect("ticket");
    assert!(remediating.blocked);
    let chain = app.store.verify_audit_chain().await.expect("audit");
    assert!(matches!(chain, sigap_store::ChainStatus::Intact { .. }));
    let second = load_demo(&app).await.expect("second load");
    assert!(!second.loaded && second.users.is_empty() && second.tickets.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_moment_of_the_story_becomes_its_instant_and_a_ticket_key_its_number() {
    let end = Utc
        .with_ymd_and_hms(2026, 3, 18, 3, 0, 0)
        .single()
        .expect("time");
    let numbers = vec![("xss".to_owned(), "BCSIRT-2026-00006".to_owned())];
    let body = serde_json::json!({
        "of": "@ticket xss",
        "meeting": {"held_at": "@ago 1d 2h 30m", "attendees": ["@ago 0m", "Andi"]},
        "valid": true,
    });
    let resolved = resolve(body, end, &numbers).expect("resolved");
    assert_eq!(resolved["of"], "BCSIRT-2026-00006");
    assert_eq!(resolved["meeting"]["held_at"], "2026-03-17T00:30:00Z");
    assert_eq!(resolved["meeting"]["attendees"][0], "2026-03-18T03:00:00Z");
    assert_eq!(resolved["meeting"]["attendees"][1], "Andi");
    assert_eq!(resolved["valid"], true);
    let unknown = resolve(serde_json::json!({"of": "@ticket nope"}), end, &numbers);
    assert!(matches!(unknown, Err(AppError::Internal(m)) if m.contains("`nope`")));
}

/// A story of one agency, one user and `events`, as TOML.
fn story_with(events: &str) -> String {
    format!(
        "[[agency]]\ncode = \"A\"\nname = \"Satu\"\nemail = \"a@x.id\"\n\
         head_email = \"k@x.id\"\nsystems = []\n\n\
         [[user]]\nkey = \"csirt\"\nemail = \"c@demo.batam.go.id\"\nname = \"C\"\n\
         role = \"csirt\"\n\n{events}"
    )
}

#[test]
fn a_story_that_cannot_be_walked_is_refused_with_its_reason() {
    let report = "[[event]]\nago = \"2d\"\nticket = \"t\"\nreport = { title = \"x\" }\n";
    let act = |ago: &str, by: &str, action: &str| {
        format!(
            "[[event]]\nago = \"{ago}\"\nticket = \"t\"\nby = \"{by}\"\n\
             action = \"{action}\"\nbody = {{}}\n"
        )
    };
    let cases = [
        (format!("{report}{}", act("1d", "csirt", "validate")), None),
        (
            act("1d", "csirt", "validate"),
            Some("before it was submitted"),
        ),
        (
            format!("{}{report}", act("3d", "csirt", "validate")),
            Some("before it was submitted"),
        ),
        (
            format!("{report}{}", act("1d", "nobody", "validate")),
            Some("no user `nobody`"),
        ),
        (
            format!("{report}{}", act("1d", "csirt", "fly")),
            Some("fly"),
        ),
        (
            format!("{report}{}", act("1x", "csirt", "validate")),
            Some("d, h or m"),
        ),
        (
            format!("{report}{}", act("31d", "csirt", "validate")),
            Some("outside the story"),
        ),
        (format!("{report}{report}"), Some("submitted twice")),
        (
            "[[event]]\nago = \"1d\"\nticket = \"t\"\nby = \"csirt\"\n".to_owned(),
            Some("either `report`"),
        ),
        (format!("{report}color = \"red\"\n"), Some("color")),
    ];
    for (events, refused) in cases {
        let result = Scenario::parse(&story_with(&events), STORY_DAYS * 24 * 60);
        match (result, refused) {
            (Ok(_), None) => {}
            (Err(e), Some(reason)) => assert!(e.contains(reason), "{reason}: {e}"),
            (Ok(_), Some(reason)) => panic!("accepted, expected `{reason}`:\n{events}"),
            (Err(e), None) => panic!("refused: {e}\n{events}"),
        }
    }
}

#[test]
fn the_embedded_story_is_walkable() {
    let scenario = scenario().expect("the embedded story reads");
    assert_eq!(scenario.agency[0].code, "DISKOMINFO");
    let reports = scenario
        .event
        .iter()
        .filter(|e| matches!(e.step, Step::Report(_)))
        .count();
    assert_eq!(reports, 8);
}
