//! The audit log: every action and refusal is recorded with actor, role and source; the
//! hash chain verifies after a full walk and names the entry where it was tampered with.

use reqwest::StatusCode;
use sigap_store::{AuditEntry, ChainStatus};
use sigap_testkit::{Backend, TestApp, bodies, problem, valid_report};

both! {
    audit_chain_records_and_detects_tampering: sqlite_audit_chain_records_and_detects_tampering,
        postgres_audit_chain_records_and_detects_tampering;
}

async fn verify(app: &TestApp) -> ChainStatus {
    app.store
        .verify_audit_chain()
        .await
        .expect("verify the audit chain")
}

fn broken_at(status: &ChainStatus) -> i64 {
    match status {
        ChainStatus::Broken(b) => b.seq,
        ChainStatus::Intact { .. } => panic!("the chain verifies although it was tampered with"),
    }
}

async fn audit_chain_records_and_detects_tampering(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    problem(
        app.action(
            app.token("helpdesk"),
            &n,
            "validate",
            &bodies::validate(None),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.action(app.token("csirt"), &n, "assess", &bodies::assess_high())
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    app.drive(&n, "closed").await;

    let (head_seq, _) = app.store.audit_head().await.expect("head");
    match verify(&app).await {
        ChainStatus::Intact { entries, .. } => {
            assert!(entries > 0);
            assert_eq!(entries, head_seq);
        }
        broken @ ChainStatus::Broken(_) => panic!("an untouched chain is broken: {broken:?}"),
    }

    let log = app.store.list_ticket_audit(&n).await.expect("ticket audit");
    // The reads of the reporter's data between the steps are audited too (see privacy.rs).
    let log: Vec<AuditEntry> = log
        .into_iter()
        .filter(|e| e.action != "read_reporter_data")
        .collect();
    let summary: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.role.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("submit_report", "reporter", "ok"),
            ("validate", "helpdesk", "refused:403"),
            ("assess", "csirt", "refused:409"),
            ("validate", "csirt", "ok"),
            ("assess", "csirt", "ok"),
            ("block", "domain_officer", "ok"),
            ("notify_agency", "csirt", "ok"),
            ("submit_remediation", "csirt", "ok"),
            ("send_follow_up", "csirt", "ok"),
            ("review", "csirt", "ok"),
            ("unblock", "domain_officer", "ok"),
            ("close", "csirt", "ok"),
        ]
    );
    assert!(
        log.iter().all(|e| e.source.as_deref() == Some("127.0.0.1")),
        "{log:#?}"
    );
    assert_eq!(log[1].actor, app.seed.emails["helpdesk"]);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));

    // Alter one entry in the middle.
    let altered = &log[4];
    let (disable, enable) = match app.backend {
        Backend::Sqlite => (
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
            "SELECT 1;",
        ),
        Backend::Postgres => (
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;",
            "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;",
        ),
    };
    app.execute_sql(disable).await;
    app.execute_sql(&format!(
        "UPDATE audit_log SET outcome = 'refused:403' WHERE seq = {}",
        altered.seq
    ))
    .await;
    assert_eq!(broken_at(&verify(&app).await), altered.seq);
    // Put back, the chain verifies again: the check is on content, not on a flag.
    app.execute_sql(&format!(
        "UPDATE audit_log SET outcome = 'ok' WHERE seq = {}",
        altered.seq
    ))
    .await;
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));

    // Remove an entry in the middle; put it back and the chain verifies again.
    let removed = &log[6];
    app.execute_sql(&format!(
        "DELETE FROM audit_log WHERE seq = {}",
        removed.seq
    ))
    .await;
    assert_eq!(broken_at(&verify(&app).await), removed.seq);
    app.execute_sql(&insert_statement(removed)).await;
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));

    // Remove the last entry: the head still names it.
    app.execute_sql(&format!("DELETE FROM audit_log WHERE seq = {head_seq}"))
        .await;
    assert_eq!(broken_at(&verify(&app).await), head_seq);
    app.execute_sql(enable).await;
}

fn sql_text(value: Option<&str>) -> String {
    value.map_or_else(
        || "NULL".to_owned(),
        |v| format!("'{}'", v.replace('\'', "''")),
    )
}

fn insert_statement(e: &AuditEntry) -> String {
    format!(
        "INSERT INTO audit_log (seq, at, actor, role, action, ticket_number, source, outcome, details, prev_hash, hash) \
         VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        e.seq,
        e.at,
        sql_text(Some(&e.actor)),
        sql_text(Some(&e.role)),
        sql_text(Some(&e.action)),
        sql_text(e.ticket_number.as_deref()),
        sql_text(e.source.as_deref()),
        sql_text(Some(&e.outcome)),
        sql_text(Some(&e.details)),
        sql_text(Some(&e.prev_hash)),
        sql_text(Some(&e.hash)),
    )
}
