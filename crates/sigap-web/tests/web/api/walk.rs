//! The SOP end to end: the high path through all ten steps with a failed review, the low
//! path, the "> 3 reports" rule with the Regional Secretary, rejection and duplicates.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, PNG_BYTES};
use sigap_testkit::seed::{AGENCY_A, AGENCY_B, DOMAIN_B};
use sigap_testkit::{TestApp, allowed, error_fields, number, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    full_walk: sqlite_full_walk, postgres_full_walk;
    low_path: sqlite_low_path, postgres_low_path;
    approval_rule: sqlite_approval_rule, postgres_approval_rule;
    duplicate_after_validation_does_not_count:
        sqlite_duplicate_after_validation_does_not_count,
        postgres_duplicate_after_validation_does_not_count;
    rejection: sqlite_rejection, postgres_rejection;
    duplicates: sqlite_duplicates, postgres_duplicates;
}

async fn assert_allowed(app: &TestApp, role: &str, number: &str, expected: &[&str]) {
    let ticket = app.ticket(role, number).await;
    assert_eq!(
        allowed(&ticket),
        expected,
        "allowed_actions of {role} in `{}`",
        ticket["state"]
    );
}

async fn system_suspended(app: &TestApp, system_id: i64) -> bool {
    let (status, systems) = read(app.get(Some(app.token("admin")), "/api/v1/systems").await).await;
    assert_eq!(status, StatusCode::OK);
    let system = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(system_id))
        .expect("system listed");
    system["suspended"].as_bool().unwrap()
}

fn actions_of(ticket: &Value) -> Vec<String> {
    ticket["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn full_walk(app: TestApp) {
    let system_a = app.seed.system_a_id;

    // Steps 1-2: the report becomes ticket 00001, queued, with a tracking token.
    let (status, submitted) = read(app.submit_report(&valid_report()).await).await;
    assert_eq!(status, StatusCode::CREATED, "{submitted:#}");
    assert_eq!(submitted["ticket_number"], "BCSIRT-2026-00001");
    assert_eq!(submitted["state"], "queued");
    let tracking = submitted["tracking_token"].as_str().unwrap().to_owned();
    assert!(
        tracking.len() >= 32,
        "tracking token `{tracking}` is too short"
    );
    assert_eq!(
        submitted["tracking_url"],
        format!("{}/track?ticket=BCSIRT-2026-00001", app.base_url)
    );
    let n = number(1);

    let t = app.ticket("csirt", &n).await;
    assert_eq!(t["state"], "queued");
    assert_eq!(t["sop_step"], 3);
    assert_eq!(t["channel"], "web");
    assert_eq!(t["agency"]["code"], AGENCY_A);
    assert_eq!(t["system"]["id"], json!(system_a));
    assert_eq!(t["blocked"], false);
    assert_eq!(t["round"], 1);
    assert_eq!(t["timeline"], json!([]));
    assert_eq!(t["report"]["reporter_name"], "Budi Santoso");
    assert_eq!(t["report"]["cvss"]["score"], 9.8);
    // Queued: one working day from Monday 09:00 WIB.
    assert_eq!(
        t["deadline"],
        json!({"due_at": "2026-08-11T02:00:00Z", "overdue": false, "due_soon": false})
    );
    assert_allowed(
        &app,
        "csirt",
        &n,
        &["validate", "mark_duplicate", "comment", "attach", "assign"],
    )
    .await;
    assert_allowed(
        &app,
        "helpdesk",
        &n,
        &["mark_duplicate", "comment", "attach", "assign"],
    )
    .await;
    assert_allowed(&app, "domain_officer", &n, &["comment", "attach"]).await;
    assert_allowed(&app, "regional_secretary", &n, &["comment", "attach"]).await;
    assert_allowed(&app, "auditor", &n, &[]).await;
    assert_allowed(&app, "admin", &n, &[]).await;
    // The agency's system owner learns of the report at step 6, not before.
    let owner = app.get_ticket(app.token("system_owner"), &n).await;
    assert_eq!(owner.status(), StatusCode::NOT_FOUND);

    // Step 3: validate (the ticket is already linked by its domain).
    let t = app
        .act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    assert_eq!(t["state"], "assessing");
    assert_eq!(t["valid"], true);
    assert_eq!(t["timeline"][0]["action"], "validate");
    assert_eq!(t["timeline"][0]["from_state"], "queued");
    assert_eq!(t["timeline"][0]["to_state"], "assessing");
    assert_eq!(t["timeline"][0]["actor_role"], "csirt");
    assert_eq!(
        allowed(&t),
        ["mark_duplicate", "assess", "comment", "attach", "assign"]
    );

    // Step 4: high, by CVSS 3.1.
    let t = app.act("csirt", &n, "assess", &bodies::assess_high()).await;
    assert_eq!(t["state"], "awaiting_block");
    assert_eq!(t["criticality"], "high");
    assert_eq!(t["blocked"], false);
    assert_eq!(t["timeline"][1]["records"]["cvss"]["score"], 9.8);
    assert_eq!(t["timeline"][1]["records"]["criticality"], "high");
    assert_eq!(
        t["deadline"]["due_at"], "2026-08-10T03:00:00Z",
        "a high finding is blocked within the hour"
    );
    assert_allowed(&app, "domain_officer", &n, &["block", "comment", "attach"]).await;
    assert_allowed(&app, "csirt", &n, &["comment", "attach", "assign"]).await;

    // Step 5: the domain officer blocks by hand, with a screenshot and a note.
    let form = Form::new()
        .text("method", "manual")
        .text("notes", "Subdomain ppdb dialihkan ke halaman pemeliharaan.")
        .text("evidence_text", "nginx -t ok; reload 10:41 WIB")
        .part(
            "evidence",
            Part::bytes(PNG_BYTES.to_vec()).file_name("blokir-ppdb.png"),
        );
    let (status, t) = read(
        app.action_multipart(app.token("domain_officer"), &n, "block", form)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t:#}");
    assert_eq!(t["state"], "notifying");
    assert_eq!(t["blocked"], true);
    assert_eq!(
        t["timeline"][2]["records"]["evidence_text"],
        "nginx -t ok; reload 10:41 WIB"
    );
    let evidence = t["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "{evidence:?}");
    assert_eq!(evidence[0]["name"], "blokir-ppdb.png");
    assert_eq!(evidence[0]["media_type"], "image/png");
    assert_eq!(evidence[0]["size"], json!(PNG_BYTES.len()));
    assert_eq!(evidence[0]["sha256"].as_str().unwrap().len(), 64);
    assert!(
        system_suspended(&app, system_a).await,
        "the block suspends the system"
    );

    let owner = app.get_ticket(app.token("system_owner"), &n).await;
    assert_eq!(
        owner.status(),
        StatusCode::NOT_FOUND,
        "blocked, not yet told"
    );

    // Step 6: the agency is told.
    let t = app
        .act("csirt", &n, "notify_agency", &bodies::notify())
        .await;
    assert_eq!(t["state"], "remediating");
    // The system owner sees the finding from now on, but not the reporter's personal data.
    let owner_view = app.ticket("system_owner", &n).await;
    assert_eq!(owner_view["report"]["reporter_name"], Value::Null);
    assert_eq!(owner_view["report"]["reporter_email"], Value::Null);
    assert_eq!(
        t["deadline"]["due_at"], "2026-08-17T02:00:00Z",
        "remediation has 7 calendar days"
    );
    assert_allowed(
        &app,
        "system_owner",
        &n,
        &["submit_remediation", "comment", "attach"],
    )
    .await;
    assert_allowed(
        &app,
        "csirt",
        &n,
        &["submit_remediation", "comment", "attach", "assign"],
    )
    .await;

    // Step 7: the agency's system owner reports the fix.
    let t = app
        .act(
            "system_owner",
            &n,
            "submit_remediation",
            &bodies::remediation(),
        )
        .await;
    assert_eq!(t["state"], "follow_up");
    assert_eq!(t["timeline"][4]["actor_role"], "system_owner");
    assert_eq!(t["timeline"][4]["records"]["on_behalf"], false);
    assert_eq!(
        t["deadline"]["due_at"], "2026-08-11T02:00:00Z",
        "the follow-up letter takes one working day"
    );

    // Steps 8-9, first round: not fixed yet; back to remediation, still blocked.
    let t = app
        .act("csirt", &n, "send_follow_up", &bodies::follow_up())
        .await;
    assert_eq!(t["state"], "reviewing");
    let t = app.act("csirt", &n, "review", &bodies::review(false)).await;
    assert_eq!(t["state"], "remediating");
    assert_eq!(t["round"], 2);
    assert_eq!(t["blocked"], true);
    assert!(
        system_suspended(&app, system_a).await,
        "a failed review keeps the system suspended"
    );

    // Round 2: fixed.
    let t = app
        .act(
            "system_owner",
            &n,
            "submit_remediation",
            &bodies::remediation(),
        )
        .await;
    assert_eq!(t["state"], "follow_up");
    app.act("csirt", &n, "send_follow_up", &bodies::follow_up())
        .await;
    let t = app.act("csirt", &n, "review", &bodies::review(true)).await;
    assert_eq!(
        t["state"], "closing",
        "one valid report for the agency needs no approval"
    );
    assert_eq!(
        t["deadline"]["due_at"], "2026-08-10T02:05:00Z",
        "unblock and close within 5 minutes"
    );
    assert_eq!(t["blocked"], true);
    assert_eq!(t["round"], 2);
    assert_allowed(&app, "csirt", &n, &["comment", "attach", "assign"]).await;
    assert_allowed(
        &app,
        "domain_officer",
        &n,
        &["unblock", "comment", "attach"],
    )
    .await;
    let refused = app
        .action(app.token("csirt"), &n, "close", &bodies::close())
        .await;
    problem(refused, StatusCode::CONFLICT).await;

    // Step 10: unblock, then close.
    let t = app
        .act("domain_officer", &n, "unblock", &bodies::unblock_text())
        .await;
    assert_eq!(t["state"], "closing");
    assert_eq!(t["blocked"], false);
    assert_eq!(t["timeline"][10]["records"]["system_reactivated"], true);
    assert!(
        !system_suspended(&app, system_a).await,
        "unblock lifts the suspension"
    );
    assert_allowed(&app, "csirt", &n, &["close", "comment", "attach", "assign"]).await;
    assert_allowed(&app, "domain_officer", &n, &["close", "comment", "attach"]).await;
    let t = app.act("csirt", &n, "close", &bodies::close()).await;
    assert_eq!(t["state"], "closed");
    assert!(t["closed_at"].is_string());
    assert_eq!(t["deadline"], Value::Null);
    for role in [
        "csirt",
        "helpdesk",
        "domain_officer",
        "system_owner",
        "regional_secretary",
        "auditor",
    ] {
        assert_allowed(&app, role, &n, &[]).await;
    }

    assert_eq!(
        actions_of(&t),
        [
            "validate",
            "assess",
            "block",
            "notify_agency",
            "submit_remediation",
            "send_follow_up",
            "review",
            "submit_remediation",
            "send_follow_up",
            "review",
            "unblock",
            "close"
        ]
    );
    let rounds: Vec<i64> = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["round"].as_i64().unwrap())
        .collect();
    assert_eq!(rounds, [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);

    // The reporter sees every change of state, and that the ticket is closed.
    let (status, view) = read(app.reporter_view(&n, &tracking).await).await;
    assert_eq!(status, StatusCode::OK);
    let states: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "queued",
            "assessing",
            "awaiting_block",
            "notifying",
            "remediating",
            "follow_up",
            "reviewing",
            "remediating",
            "follow_up",
            "reviewing",
            "closing",
            "closed"
        ]
    );
    assert_eq!(view["state"], "closed");
    assert_eq!(view["open"], false);
}

async fn low_path(app: TestApp) {
    let report = json!({
        "severity": "medium",
        "target": format!("https://sik.{DOMAIN_B}/pasien/cari"),
        "vulnerability_type": "CWE-79",
        "title": "XSS tersimpan pada kolom pencarian pasien",
        "proof_of_concept": "Masukkan <script>alert(document.domain)</script> pada kolom nama pasien.",
        "cvss_vector": bodies::CVSS_LOW,
    });
    let mut body = valid_report();
    body.as_object_mut()
        .unwrap()
        .extend(report.as_object().unwrap().clone());
    let n = app.submit_ok(&body).await.number;
    assert_eq!(n, number(1));

    app.act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    let t = app.act("csirt", &n, "assess", &bodies::assess_low()).await;
    assert_eq!(
        t["state"], "notifying",
        "low goes straight to the agency, without a block"
    );
    assert_eq!(t["criticality"], "low");
    assert_eq!(t["blocked"], false);
    assert_allowed(&app, "domain_officer", &n, &["comment", "attach"]).await;
    problem(
        app.action(
            app.token("domain_officer"),
            &n,
            "block",
            &bodies::block_text(),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    let notify = json!({"recommendation": "none", "summary": "Kerentanan XSS tingkat rendah; mohon diperbaiki."});
    assert_eq!(
        app.act("csirt", &n, "notify_agency", &notify).await["state"],
        "remediating"
    );
    assert_allowed(
        &app,
        "system_owner_b",
        &n,
        &["submit_remediation", "comment", "attach"],
    )
    .await;
    assert_eq!(
        app.act(
            "system_owner_b",
            &n,
            "submit_remediation",
            &bodies::remediation()
        )
        .await["state"],
        "follow_up"
    );
    assert_eq!(
        app.act("csirt", &n, "send_follow_up", &bodies::follow_up())
            .await["state"],
        "reviewing"
    );
    let t = app.act("csirt", &n, "review", &bodies::review(true)).await;
    assert_eq!(t["state"], "closing");
    assert_eq!(t["blocked"], false);
    assert_allowed(&app, "domain_officer", &n, &["close", "comment", "attach"]).await;
    problem(
        app.action(
            app.token("domain_officer"),
            &n,
            "unblock",
            &bodies::unblock_text(),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    let t = app.act("helpdesk", &n, "close", &json!({})).await;
    assert_eq!(t["state"], "closed");
    assert_eq!(
        actions_of(&t),
        [
            "validate",
            "assess",
            "notify_agency",
            "submit_remediation",
            "send_follow_up",
            "review",
            "close"
        ]
    );
    assert!(
        !system_suspended(&app, app.seed.system_b_id).await,
        "a low finding never suspends the system"
    );
}

/// The SOP's second warning: more than 3 valid reports for one agency need the Regional
/// Secretary's approval before reactivation. Rejected and duplicate reports do not count.
async fn approval_rule(app: TestApp) {
    let t1 = app.submit_ok(&valid_report()).await.number;
    let t2 = app.submit_ok(&valid_report()).await.number;
    let t3 = app.submit_ok(&valid_report()).await.number;
    let t4 = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &t1, "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &t2, "validate", &bodies::validate(None))
        .await;
    assert_eq!(
        app.act("csirt", &t3, "validate", &bodies::reject()).await["state"],
        "rejected"
    );
    let duplicate = json!({"of": t1, "reason": "Temuan yang sama dengan laporan sebelumnya."});
    assert_eq!(
        app.act("helpdesk", &t4, "mark_duplicate", &duplicate).await["state"],
        "duplicate"
    );

    // The third valid report: not more than 3, so no approval.
    let t5 = app.submit_ok(&valid_report()).await.number;
    app.drive(&t5, "reviewing").await;
    let t = app.act("csirt", &t5, "review", &bodies::review(true)).await;
    assert_eq!(t["state"], "closing", "3 valid reports are not more than 3");
    let records = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(records["agency_valid_reports"], 3);
    assert_eq!(records["approval_threshold"], 3);

    // The fourth: approval needed.
    let t6 = app.submit_ok(&valid_report()).await.number;
    app.drive(&t6, "reviewing").await;
    let t = app.act("csirt", &t6, "review", &bodies::review(true)).await;
    assert_eq!(t["state"], "awaiting_approval");
    assert_eq!(t["blocked"], true);
    assert_eq!(
        t["deadline"]["due_at"], "2026-08-13T02:00:00Z",
        "three working days for the approval"
    );
    let records = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(records["agency_valid_reports"], 4);
    assert_eq!(records["needs_approval"], true);
    assert_allowed(
        &app,
        "regional_secretary",
        &t6,
        &["approve_reactivation", "comment", "attach"],
    )
    .await;
    assert_allowed(&app, "csirt", &t6, &["comment", "attach", "assign"]).await;

    // Nobody but the Regional Secretary decides, and a refusal needs a reason.
    let before = app.ticket("csirt", &t6).await;
    for role in [
        "csirt",
        "helpdesk",
        "domain_officer",
        "system_owner",
        "admin",
        "auditor",
    ] {
        let response = app
            .action(
                app.token(role),
                &t6,
                "approve_reactivation",
                &bodies::approve(true),
            )
            .await;
        problem(response, StatusCode::FORBIDDEN).await;
    }
    let response = app
        .action(
            app.token("regional_secretary"),
            &t6,
            "approve_reactivation",
            &json!({"approved": false}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["notes"]
    );
    assert_eq!(
        app.ticket("csirt", &t6).await,
        before,
        "refusals change nothing"
    );

    // Refused: a new remediation round, the system stays blocked.
    let t = app
        .act(
            "regional_secretary",
            &t6,
            "approve_reactivation",
            &bodies::approve(false),
        )
        .await;
    assert_eq!(t["state"], "remediating");
    assert_eq!(t["round"], 2);
    assert_eq!(t["blocked"], true);
    assert!(system_suspended(&app, app.seed.system_a_id).await);

    // Fixed again: the rule still applies; approved this time.
    app.drive(&t6, "reviewing").await;
    assert_eq!(
        app.act("csirt", &t6, "review", &bodies::review(true)).await["state"],
        "awaiting_approval"
    );
    let t = app
        .act(
            "regional_secretary",
            &t6,
            "approve_reactivation",
            &bodies::approve(true),
        )
        .await;
    assert_eq!(t["state"], "closing");
    assert_eq!(t["blocked"], true);
    app.drive(&t6, "closed").await;

    // A low finding holds no block, so the rule does not hold it back.
    let t7 = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &t7, "validate", &bodies::validate(None))
        .await;
    app.act("csirt", &t7, "assess", &bodies::assess_low()).await;
    app.drive(&t7, "reviewing").await;
    assert_eq!(
        app.act("csirt", &t7, "review", &bodies::review(true)).await["state"],
        "closing"
    );

    // Agency B's count is its own.
    let mut on_b = valid_report();
    on_b["target"] = json!(format!("https://sik.{DOMAIN_B}/"));
    let t8 = app.submit_ok(&on_b).await.number;
    app.drive(&t8, "reviewing").await;
    let t = app.act("csirt", &t8, "review", &bodies::review(true)).await;
    assert_eq!(t["agency"]["code"], AGENCY_B);
    assert_eq!(t["state"], "closing");
}

/// A report found valid and only later recognised as a duplicate ends as `duplicate`; the
/// workflow says duplicates do not count towards the "> 3 reports" rule.
async fn duplicate_after_validation_does_not_count(app: TestApp) {
    let t1 = app.submit_ok(&valid_report()).await.number;
    let t2 = app.submit_ok(&valid_report()).await.number;
    let t3 = app.submit_ok(&valid_report()).await.number;
    for t in [&t1, &t2, &t3] {
        app.act("csirt", t, "validate", &bodies::validate(None))
            .await;
    }
    let duplicate = json!({"of": t1, "reason": "Temuan yang sama, ditemukan saat penilaian."});
    assert_eq!(
        app.act("csirt", &t3, "mark_duplicate", &duplicate).await["state"],
        "duplicate"
    );

    let t4 = app.submit_ok(&valid_report()).await.number;
    app.drive(&t4, "reviewing").await;
    let t = app.act("csirt", &t4, "review", &bodies::review(true)).await;
    let records = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(
        records["agency_valid_reports"], 3,
        "t1, t2 and t4; the duplicate t3 does not count"
    );
    assert_eq!(t["state"], "closing");
}

async fn rejection(app: TestApp) {
    let submitted = app.submit_ok(&valid_report()).await;
    let n = submitted.number;
    let t = app.act("csirt", &n, "validate", &bodies::reject()).await;
    assert_eq!(t["state"], "rejected");
    assert_eq!(t["valid"], false);
    assert_eq!(t["deadline"], Value::Null);
    assert!(t["closed_at"].is_string());
    assert_eq!(allowed(&t), Vec::<String>::new());
    assert_eq!(
        t["timeline"][0]["records"]["documents"],
        json!(["ba_validation"])
    );

    let before = app.ticket("csirt", &n).await;
    problem(
        app.action(app.token("csirt"), &n, "validate", &bodies::validate(None))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let comment = bodies::comment("Catatan setelah ditolak", "internal");
    problem(
        app.action(app.token("csirt"), &n, "comment", &comment)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(app.ticket("csirt", &n).await, before);

    let (status, view) = read(app.reporter_view(&n, &submitted.tracking_token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["state"], "rejected");
    assert_eq!(view["open"], false);
}

async fn duplicates(app: TestApp) {
    let original = app.submit_ok(&valid_report()).await.number;
    let copy = app.submit_ok(&valid_report()).await.number;
    let other = app.submit_ok(&valid_report()).await.number;

    let body = json!({"of": original, "reason": "Laporan yang sama dari pelapor lain."});
    let t = app.act("helpdesk", &copy, "mark_duplicate", &body).await;
    assert_eq!(t["state"], "duplicate");
    assert_eq!(t["duplicate_of"], original.as_str());
    assert_eq!(allowed(&t), Vec::<String>::new());

    // Refusals on `other`, which stays queued.
    let before = app.ticket("csirt", &other).await;
    let missing = json!({"of": number(99), "reason": "Sama dengan laporan lain."});
    let p = problem(
        app.action(app.token("csirt"), &other, "mark_duplicate", &missing)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["of"]);
    let itself = json!({"of": other, "reason": "Sama dengan dirinya sendiri."});
    let p = problem(
        app.action(app.token("csirt"), &other, "mark_duplicate", &itself)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["of"]);
    let malformed = json!({"of": "tiket-satu", "reason": "Sama."});
    let p = problem(
        app.action(app.token("csirt"), &other, "mark_duplicate", &malformed)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["of"]);
    let no_reason = json!({"of": original});
    let p = problem(
        app.action(app.token("csirt"), &other, "mark_duplicate", &no_reason)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["reason"]);
    problem(
        app.action(app.token("domain_officer"), &other, "mark_duplicate", &body)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(app.ticket("csirt", &other).await, before);

    // Allowed from `assessing` too, not later.
    app.act("csirt", &other, "validate", &bodies::validate(None))
        .await;
    assert_eq!(
        app.act("csirt", &other, "mark_duplicate", &body).await["state"],
        "duplicate"
    );
    let late = app.submit_ok(&valid_report()).await.number;
    app.drive(&late, "awaiting_block").await;
    problem(
        app.action(app.token("csirt"), &late, "mark_duplicate", &body)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}
