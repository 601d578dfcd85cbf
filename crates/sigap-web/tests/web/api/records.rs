//! The records each step requires (`docs/api.md`, "Action bodies"), the side actions that never
//! change the state, blocks held per ticket, and concurrent actions on one ticket.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, PNG_BYTES};
use sigap_testkit::{TestApp, error_fields, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    step_records_are_checked: sqlite_step_records_are_checked, postgres_step_records_are_checked;
    side_actions_keep_the_state: sqlite_side_actions_keep_the_state, postgres_side_actions_keep_the_state;
    staff_files_stay_hidden_from_the_reporter:
        sqlite_staff_files_stay_hidden_from_the_reporter,
        postgres_staff_files_stay_hidden_from_the_reporter;
    blocks_are_held_per_ticket: sqlite_blocks_are_held_per_ticket, postgres_blocks_are_held_per_ticket;
    concurrent_actions_on_one_ticket: sqlite_concurrent_actions_on_one_ticket,
        postgres_concurrent_actions_on_one_ticket;
}

/// Asserts a `422` naming exactly `fields`, and that the ticket did not change.
async fn refused_422(
    app: &TestApp,
    role: &str,
    number: &str,
    action: &str,
    body: Value,
    fields: &[&str],
) {
    let before = app.ticket("csirt", number).await;
    let p = problem(
        app.action(app.token(role), number, action, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut got = error_fields(&p);
    got.sort();
    let mut expected: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    expected.sort();
    assert_eq!(got, expected, "{action} {body}: {p:#}");
    assert_eq!(
        app.ticket("csirt", number).await,
        before,
        "a refused {action} changed the ticket"
    );
}

async fn step_records_are_checked(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;

    // Validation in a meeting needs the meeting.
    refused_422(
        &app,
        "csirt",
        &n,
        "validate",
        json!({}),
        &["valid", "method", "findings"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "validate",
        json!({"valid": "mungkin", "method": "ticket", "findings": "x"}),
        &["valid"],
    )
    .await;
    let meeting =
        json!({"valid": true, "method": "meeting", "findings": "Dibahas bersama Disdik."});
    refused_422(&app, "csirt", &n, "validate", meeting.clone(), &["meeting"]).await;
    let mut partial = meeting.clone();
    partial["meeting"] = json!({"place": "Ruang rapat Diskominfo"});
    refused_422(
        &app,
        "csirt",
        &n,
        "validate",
        partial,
        &["meeting.held_at", "meeting.attendees"],
    )
    .await;
    let mut full = meeting;
    full["meeting"] = json!({
        "held_at": "2026-08-10T08:30:00+07:00",
        "place": "Ruang rapat Diskominfo",
        "attendees": ["Ketua Tim CSIRT", "Kabid TI Disdik"],
        "agency_invited": true,
    });
    let t = app.act("csirt", &n, "validate", &full).await;
    let records = &t["timeline"][0]["records"];
    assert_eq!(records["method"], "meeting");
    assert_eq!(
        records["meeting"]["attendees"],
        json!(["Ketua Tim CSIRT", "Kabid TI Disdik"])
    );
    assert_eq!(records["meeting"]["held_at"], "2026-08-10T01:30:00Z");

    // The criticality needs a vector or a reason, and a reason to override the vector's band.
    refused_422(
        &app,
        "csirt",
        &n,
        "assess",
        json!({"criticality": "high"}),
        &["rationale"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "assess",
        json!({"criticality": "sedang", "cvss_vector": bodies::CVSS_HIGH}),
        &["criticality"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "assess",
        json!({"criticality": "high", "cvss_vector": "CVSS:3.1/AV:N"}),
        &["cvss_vector"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "assess",
        json!({"criticality": "high", "cvss_vector": bodies::CVSS_LOW}),
        &["rationale"],
    )
    .await;
    let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
    refused_422(
        &app,
        "csirt",
        &n,
        "assess",
        json!({"criticality": "low", "cvss_vector": v4}),
        &["rationale"],
    )
    .await;
    let override_body = json!({
        "criticality": "high",
        "cvss_vector": bodies::CVSS_LOW,
        "rationale": "Data pribadi ribuan siswa dapat dibaca; dampak nyata lebih tinggi dari skor CVSS.",
    });
    let t = app.act("csirt", &n, "assess", &override_body).await;
    assert_eq!(t["state"], "awaiting_block");
    assert_eq!(t["timeline"][1]["records"]["cvss"]["score"], 4.3);

    // A block needs its proof; an adapter the system lacks is refused.
    refused_422(
        &app,
        "domain_officer",
        &n,
        "block",
        json!({"method": "manual"}),
        &["evidence"],
    )
    .await;
    refused_422(
        &app,
        "domain_officer",
        &n,
        "block",
        json!({"method": "nginx", "evidence_text": "x"}),
        &["method"],
    )
    .await;
    refused_422(
        &app,
        "domain_officer",
        &n,
        "block",
        json!({"method": "Manual; rm -rf", "evidence_text": "x"}),
        &["method"],
    )
    .await;
    app.act("domain_officer", &n, "block", &bodies::block_text())
        .await;

    // A warning or sanction names whom it concerns.
    refused_422(
        &app,
        "csirt",
        &n,
        "notify_agency",
        json!({}),
        &["recommendation", "summary"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "notify_agency",
        json!({"recommendation": "sanction", "summary": "Ringkasan."}),
        &["concerns"],
    )
    .await;
    app.act("csirt", &n, "notify_agency", &bodies::notify())
        .await;

    app.act("csirt", &n, "submit_remediation", &bodies::remediation())
        .await;
    let t = app.ticket("csirt", &n).await;
    assert_eq!(
        t["timeline"][4]["records"]["on_behalf"], true,
        "the CSIRT submitting is recorded as on behalf"
    );
    refused_422(
        &app,
        "csirt",
        &n,
        "send_follow_up",
        json!({"content": "   "}),
        &["content"],
    )
    .await;
    app.act("csirt", &n, "send_follow_up", &bodies::follow_up())
        .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "review",
        json!({"fixed": "belum"}),
        &["attendees", "notes"],
    )
    .await;
    refused_422(
        &app,
        "csirt",
        &n,
        "review",
        json!({"fixed": true, "attendees": [1, 2], "notes": "x"}),
        &["attendees"],
    )
    .await;
    // Form spellings: Sudah/Belum and attendees one per line.
    let t = app
        .act(
            "csirt",
            &n,
            "review",
            &json!({"fixed": "Belum", "attendees": "Ketua Tim\nAnalis", "notes": "Belum tuntas."}),
        )
        .await;
    assert_eq!(t["state"], "remediating");
    assert_eq!(
        t["timeline"][6]["records"]["attendees"],
        json!(["Ketua Tim", "Analis"])
    );
}

async fn side_actions_keep_the_state(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    let before = app.ticket("csirt", &n).await;

    let t = app
        .act(
            "system_owner",
            &n,
            "comment",
            &bodies::comment("Sedang kami tangani.", "agency"),
        )
        .await;
    assert_eq!(t["state"], "remediating");
    let form = Form::new().text("note", "Hasil pemindaian ulang").part(
        "evidence",
        Part::bytes(b"Nmap scan report for ppdb.disdik.batam.go.id\n443/tcp open https\n".to_vec())
            .file_name("nmap.txt"),
    );
    let (status, t) = read(
        app.action_multipart(app.token("csirt"), &n, "attach", form)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t:#}");
    refused_422(
        &app,
        "csirt",
        &n,
        "attach",
        json!({"note": "tanpa berkas"}),
        &["evidence"],
    )
    .await;
    let assignee = app.seed.emails["helpdesk"];
    let t = app
        .act(
            "csirt",
            &n,
            "assign",
            &json!({"assignee": assignee.to_uppercase()}),
        )
        .await;
    assert_eq!(t["assignee"], assignee);

    assert_eq!(t["state"], before["state"]);
    assert_eq!(t["round"], before["round"]);
    assert_eq!(
        t["deadline"], before["deadline"],
        "side actions do not restart the step's clock"
    );
    assert_eq!(
        t["timeline"], before["timeline"],
        "side actions are not steps"
    );
    assert_eq!(t["comments"].as_array().unwrap().len(), 1);
    assert_eq!(
        t["evidence"].as_array().unwrap().len(),
        before["evidence"].as_array().unwrap().len() + 1
    );

    let audit = app.store.list_ticket_audit(&n).await.unwrap();
    let tail: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action != "read_reporter_data")
        .rev()
        .take(4)
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("assign", "ok"),
            ("attach", "refused:422"),
            ("attach", "ok"),
            ("comment", "ok")
        ]
    );
}

async fn staff_files_stay_hidden_from_the_reporter(app: TestApp) {
    let submitted = app.submit_ok(&valid_report()).await;
    let n = submitted.number;
    let form = Form::new().part(
        "evidence",
        Part::bytes(b"catatan internal tim\n".to_vec()).file_name("internal.txt"),
    );
    let (status, _) = read(
        app.action_multipart(app.token("csirt"), &n, "attach", form)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let form = Form::new()
        .text("body", "Tangkapan layar panel admin server")
        .text("visibility", "internal")
        .part(
            "evidence",
            Part::bytes(PNG_BYTES.to_vec()).file_name("panel-internal.png"),
        );
    let (status, _) = read(
        app.action_multipart(app.token("csirt"), &n, "comment", form)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, view) = read(app.reporter_view(&n, &submitted.tracking_token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view["evidence"],
        json!([]),
        "the reporter sees staff files: {view:#}"
    );
}

async fn blocks_are_held_per_ticket(app: TestApp) {
    let system = app.seed.system_a_id;
    let first = app.submit_ok(&valid_report()).await.number;
    let second = app.submit_ok(&valid_report()).await.number;
    app.drive(&first, "notifying").await;
    let t = app.drive(&second, "notifying").await;
    let block = &t["timeline"][2]["records"];
    assert_eq!(block["system_already_suspended"], true);
    assert_eq!(block["other_block_holder"], first.as_str());

    app.drive(&first, "closing").await;
    let t = app
        .act("domain_officer", &first, "unblock", &bodies::unblock_text())
        .await;
    assert_eq!(t["blocked"], false);
    let unblock = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(
        unblock["system_reactivated"], false,
        "the second ticket still holds a block"
    );
    assert_eq!(unblock["other_block_holder"], second.as_str());
    assert!(suspended(&app, system).await);
    assert_eq!(app.ticket("csirt", &second).await["blocked"], true);
    app.drive(&first, "closed").await;

    app.drive(&second, "closing").await;
    let t = app
        .act(
            "domain_officer",
            &second,
            "unblock",
            &bodies::unblock_text(),
        )
        .await;
    assert_eq!(
        t["timeline"].as_array().unwrap().last().unwrap()["records"]["system_reactivated"],
        true
    );
    assert!(!suspended(&app, system).await);
}

async fn suspended(app: &TestApp, system_id: i64) -> bool {
    let (_, systems) = read(app.get(Some(app.token("auditor")), "/api/v1/systems").await).await;
    systems
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(system_id))
        .unwrap()["suspended"]
        .as_bool()
        .unwrap()
}

/// Two people act on one ticket at the same moment: exactly one succeeds, one step is
/// recorded, and a lost race answers 409.
async fn concurrent_actions_on_one_ticket(app: TestApp) {
    for round in 0..5 {
        let n = app.submit_ok(&valid_report()).await.number;
        let (valid, invalid) = (bodies::validate(None), bodies::reject());
        let (a, b) = tokio::join!(
            app.action(app.token("csirt"), &n, "validate", &valid),
            app.action(app.token("csirt"), &n, "validate", &invalid)
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
        let t = app.ticket("csirt", &n).await;
        assert_eq!(
            t["timeline"].as_array().unwrap().len(),
            1,
            "round {round}: one step recorded"
        );
        if t["state"] == "assessing" {
            app.act("csirt", &n, "assess", &bodies::assess_high()).await;
            let block = bodies::block_text();
            let (a, b) = tokio::join!(
                app.action(app.token("domain_officer"), &n, "block", &block),
                app.action(app.token("domain_officer"), &n, "block", &block)
            );
            let mut statuses = [a.status(), b.status()];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::CONFLICT],
                "round {round}: block"
            );
            let t = app.ticket("csirt", &n).await;
            assert_eq!(
                t["timeline"].as_array().unwrap().len(),
                3,
                "round {round}: one block recorded"
            );
        }
    }
}
