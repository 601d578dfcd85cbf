//! Every refusal (401, 403, 404, 409, 422) leaves the ticket exactly as it was and is
//! written to the audit log; a system owner of another agency cannot learn that a ticket
//! exists, in any view.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, EXE_BYTES};
use sigap_testkit::seed::{AGENCY_A, AGENCY_B, DOMAIN_B, UNREGISTERED_HOST};
use sigap_testkit::{TestApp, error_fields, number, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    refusals_change_nothing: sqlite_refusals_change_nothing, postgres_refusals_change_nothing;
    unauthenticated_calls_are_refused: sqlite_unauthenticated_calls_are_refused,
        postgres_unauthenticated_calls_are_refused;
    other_agency_sees_nothing: sqlite_other_agency_sees_nothing, postgres_other_agency_sees_nothing;
}

/// One refused request: who, what, and the answer expected.
struct Refused {
    role: &'static str,
    action: &'static str,
    body: Value,
    status: StatusCode,
    fields: &'static [&'static str],
}

fn refused(role: &'static str, action: &'static str, body: Value, status: StatusCode) -> Refused {
    Refused {
        role,
        action,
        body,
        status,
        fields: &[],
    }
}

async fn refusals_change_nothing(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    let before = app.ticket("csirt", &n).await;
    let owner_before = app.ticket("system_owner", &n).await;

    let cases = vec![
        // 403: the role may not perform the action.
        refused(
            "helpdesk",
            "assess",
            bodies::assess_high(),
            StatusCode::FORBIDDEN,
        ),
        refused(
            "auditor",
            "comment",
            bodies::comment("Catatan auditor", "internal"),
            StatusCode::FORBIDDEN,
        ),
        refused(
            "admin",
            "submit_remediation",
            bodies::remediation(),
            StatusCode::FORBIDDEN,
        ),
        refused(
            "regional_secretary",
            "submit_remediation",
            bodies::remediation(),
            StatusCode::FORBIDDEN,
        ),
        refused(
            "system_owner",
            "validate",
            bodies::validate(None),
            StatusCode::FORBIDDEN,
        ),
        // 404: out of scope, unknown action.
        refused(
            "system_owner_b",
            "submit_remediation",
            bodies::remediation(),
            StatusCode::NOT_FOUND,
        ),
        refused(
            "system_owner_b",
            "comment",
            bodies::comment("Bukan milik kami", "agency"),
            StatusCode::NOT_FOUND,
        ),
        refused("csirt", "reopen", json!({}), StatusCode::NOT_FOUND),
        // 409: not in this state.
        refused(
            "csirt",
            "validate",
            bodies::validate(None),
            StatusCode::CONFLICT,
        ),
        refused(
            "csirt",
            "review",
            bodies::review(true),
            StatusCode::CONFLICT,
        ),
        refused(
            "domain_officer",
            "unblock",
            bodies::unblock_text(),
            StatusCode::CONFLICT,
        ),
        refused("csirt", "close", bodies::close(), StatusCode::CONFLICT),
        // 422: a required record is missing or wrong.
        Refused {
            role: "system_owner",
            action: "submit_remediation",
            body: json!({}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: &["summary", "evidence"],
        },
        Refused {
            role: "system_owner",
            action: "submit_remediation",
            body: json!({"summary": "Sudah diperbaiki."}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: &["evidence"],
        },
        Refused {
            role: "csirt",
            action: "comment",
            body: json!({"body": "Tanpa visibilitas"}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: &["visibility"],
        },
        Refused {
            role: "system_owner",
            action: "comment",
            body: bodies::comment("Catatan yang ingin disembunyikan", "internal"),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: &["visibility"],
        },
        Refused {
            role: "csirt",
            action: "assign",
            body: json!({"assignee": "pj.sistem@disdik.batam.go.id"}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: &["assignee"],
        },
    ];
    for case in &cases {
        let response = app
            .action(app.token(case.role), &n, case.action, &case.body)
            .await;
        let p = problem(response, case.status).await;
        let mut fields = error_fields(&p);
        fields.sort();
        let mut expected: Vec<String> = case.fields.iter().map(|f| (*f).to_owned()).collect();
        expected.sort();
        assert_eq!(fields, expected, "{} {}: {p:#}", case.role, case.action);
        assert_eq!(
            app.ticket("csirt", &n).await,
            before,
            "{} {} changed the ticket",
            case.role,
            case.action
        );
    }

    // Multipart with a forbidden file type: refused before anything is stored.
    let form = Form::new().text("summary", "Perbaikan terlampir.").part(
        "evidence",
        Part::bytes(EXE_BYTES.to_vec()).file_name("patch.exe"),
    );
    let response = app
        .action_multipart(app.token("system_owner"), &n, "submit_remediation", form)
        .await;
    assert_eq!(
        error_fields(&problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["evidence"]
    );
    // An action on a ticket that does not exist.
    let response = app
        .action(
            app.token("csirt"),
            &number(999),
            "comment",
            &bodies::comment("x", "internal"),
        )
        .await;
    problem(response, StatusCode::NOT_FOUND).await;

    assert_eq!(app.ticket("csirt", &n).await, before);
    assert_eq!(app.ticket("system_owner", &n).await, owner_before);

    // Every refused attempt is in the audit log, with who tried.
    let audit = app.store.list_ticket_audit(&n).await.expect("audit");
    let count = |outcome: &str| audit.iter().filter(|e| e.outcome == outcome).count();
    assert_eq!(count("refused:403"), 5, "{audit:#?}");
    assert_eq!(count("refused:404"), 3);
    assert_eq!(count("refused:409"), 4);
    assert_eq!(count("refused:422"), 6);
    let by_other_agency = audit
        .iter()
        .find(|e| e.outcome == "refused:404" && e.action == "submit_remediation")
        .unwrap();
    assert_eq!(by_other_agency.actor, app.seed.emails["system_owner_b"]);
    assert_eq!(by_other_agency.role, "system_owner");
    assert_eq!(by_other_agency.source.as_deref(), Some("127.0.0.1"));
}

async fn unauthenticated_calls_are_refused(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    let before = app.ticket("csirt", &n).await;
    let path = format!("/api/v1/tickets/{n}/actions/validate");
    let headers = [
        None,
        Some("Bearer sgp_tidak-ada-token-seperti-ini"),
        Some("Bearer "),
        Some("Basic Y3NpcnQ6cmFoYXNpYQ=="),
    ];
    for header in headers {
        let mut post = app
            .client
            .post(app.url(&path))
            .json(&bodies::validate(None));
        let mut get = app.client.get(app.url(&format!("/api/v1/tickets/{n}")));
        let mut list = app.client.get(app.url("/api/v1/tickets"));
        if let Some(h) = header {
            post = post.header("Authorization", h);
            get = get.header("Authorization", h);
            list = list.header("Authorization", h);
        }
        problem(post.send().await.unwrap(), StatusCode::UNAUTHORIZED).await;
        problem(get.send().await.unwrap(), StatusCode::UNAUTHORIZED).await;
        problem(list.send().await.unwrap(), StatusCode::UNAUTHORIZED).await;
    }
    // The raw token without the `Bearer` scheme is not a credential either.
    let raw = app
        .client
        .get(app.url("/api/v1/stats"))
        .header("Authorization", app.token("csirt"))
        .send()
        .await
        .unwrap();
    problem(raw, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.ticket("csirt", &n).await, before);
}

async fn other_agency_sees_nothing(app: TestApp) {
    let a1 = app.submit_ok(&valid_report()).await.number;
    let a2 = app.submit_ok(&valid_report()).await.number;
    let mut on_b = valid_report();
    on_b["target"] = json!(format!("https://sik.{DOMAIN_B}/login"));
    let b1 = app.submit_ok(&on_b).await.number;
    let mut unlinked = valid_report();
    unlinked["target"] = json!(format!("https://{UNREGISTERED_HOST}/katalog"));
    let u1 = app.submit_ok(&unlinked).await.number;
    // Each agency told of its own tickets (step 6), so that their owners see them.
    for n in [&a1, &a2, &b1] {
        app.drive(n, "remediating").await;
    }

    // Another agency's ticket answers exactly as a ticket that does not exist.
    let hidden = problem(
        app.get_ticket(app.token("system_owner_b"), &a1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = problem(
        app.get_ticket(app.token("system_owner_b"), &number(999))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(hidden, missing, "no existence oracle");
    problem(
        app.get_ticket(app.token("system_owner"), &b1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get_ticket(app.token("system_owner"), &u1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get_ticket(app.token("system_owner_b"), &u1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let documents = app
        .get(
            Some(app.token("system_owner_b")),
            &format!("/api/v1/tickets/{a1}/documents"),
        )
        .await;
    problem(documents, StatusCode::NOT_FOUND).await;

    // Lists and searches.
    assert_eq!(
        app.list_all_numbers("system_owner", &[]).await,
        [a2.clone(), a1.clone()]
    );
    assert_eq!(
        app.list_all_numbers("system_owner_b", &[]).await,
        [b1.as_str()]
    );
    assert_eq!(
        app.list_all_numbers("system_owner_b", &[("agency", AGENCY_A)])
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        app.list_all_numbers("system_owner_b", &[("q", "sqlmap")])
            .await,
        [b1.as_str()]
    );
    assert_eq!(
        app.list_all_numbers("csirt", &[]).await,
        [u1.clone(), b1.clone(), a2.clone(), a1.clone()]
    );

    // Statistics.
    let stats = |role: &'static str| {
        let app = &app;
        async move {
            let (status, stats) = read(app.get(Some(app.token(role)), "/api/v1/stats").await).await;
            assert_eq!(status, StatusCode::OK);
            stats
        }
    };
    assert_eq!(stats("csirt").await["total"], 4);
    assert_eq!(stats("system_owner").await["total"], 2);
    let b_stats = stats("system_owner_b").await;
    assert_eq!(b_stats["total"], 1);
    let agencies: Vec<&Value> = b_stats["by_agency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["key"])
        .collect();
    assert_eq!(agencies, [&json!(AGENCY_B)]);

    // Registries: only their own agency and its systems.
    let (_, agencies) = read(
        app.get(Some(app.token("system_owner_b")), "/api/v1/agencies")
            .await,
    )
    .await;
    let codes: Vec<&str> = agencies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [AGENCY_B]);
    let (_, systems) = read(
        app.get(Some(app.token("system_owner_b")), "/api/v1/systems")
            .await,
    )
    .await;
    let ids: Vec<i64> = systems
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [app.seed.system_b_id]);
}
