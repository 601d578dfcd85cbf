//! The audit log: every action and refusal is recorded with actor, role and source; the
//! keyed hash chain verifies after a full walk and names the entry where it was tampered
//! with, also when the tamperer rebuilt the hashes without the server's key; the worker's
//! check alerts the admins once per break; auditors and admins filter and export the log,
//! other roles are refused (and the refusal is itself recorded).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_core::JobKind;
use sigap_store::{AuditEntry, ChainStatus, audit};
use sigap_testkit::{Backend, TestApp, bodies, error_fields, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    audit_chain_records_and_detects_tampering: sqlite_audit_chain_records_and_detects_tampering,
        postgres_audit_chain_records_and_detects_tampering;
    a_chain_rebuilt_without_the_key_is_broken: sqlite_a_chain_rebuilt_without_the_key_is_broken,
        postgres_a_chain_rebuilt_without_the_key_is_broken;
    another_key_is_told_and_appends_nothing: sqlite_another_key_is_told_and_appends_nothing,
        postgres_another_key_is_told_and_appends_nothing;
    entries_from_before_the_keyed_chain_are_accepted_once_sealed:
        sqlite_entries_from_before_the_keyed_chain_are_accepted_once_sealed,
        postgres_entries_from_before_the_keyed_chain_are_accepted_once_sealed;
    the_worker_alerts_the_admins_once_per_break:
        sqlite_the_worker_alerts_the_admins_once_per_break,
        postgres_the_worker_alerts_the_admins_once_per_break;
    auditors_filter_and_page_the_log: sqlite_auditors_filter_and_page_the_log,
        postgres_auditors_filter_and_page_the_log;
    the_export_is_every_selected_entry_as_json_lines:
        sqlite_the_export_is_every_selected_entry_as_json_lines,
        postgres_the_export_is_every_selected_entry_as_json_lines;
    refusals_of_registries_settings_and_jobs_are_audited:
        sqlite_refusals_of_registries_settings_and_jobs_are_audited,
        postgres_refusals_of_registries_settings_and_jobs_are_audited;
    a_check_while_entries_are_appended_stays_intact:
        sqlite_a_check_while_entries_are_appended_stays_intact,
        postgres_a_check_while_entries_are_appended_stays_intact;
}

fn entry(n: usize) -> sigap_store::NewAuditEntry {
    sigap_store::NewAuditEntry {
        at: 1_786_000_000_000,
        actor: "bench@example.go.id".to_owned(),
        role: "auditor".to_owned(),
        action: "ticket_read".to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details: json!({ "n": n }),
    }
}

/// The worker's full check walks thousands of entries while staff reads are audited: the
/// entries appended during the walk are not a break (the walk stops at the head it read).
async fn a_check_while_entries_are_appended_stays_intact(app: TestApp) {
    for chunk in 0..3 {
        let mut tx = app.store.begin().await.unwrap();
        for n in 0..1_000 {
            tx.append_audit(&entry(chunk * 1_000 + n)).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let store = app.store.clone();
    let writer = tokio::spawn(async move {
        for n in 0..400 {
            let mut tx = store.begin().await.unwrap();
            tx.append_audit(&entry(10_000 + n)).await.unwrap();
            tx.commit().await.unwrap();
        }
    });
    let mut checks = 0;
    while !writer.is_finished() || checks == 0 {
        let status = verify(&app).await;
        assert!(matches!(status, ChainStatus::Intact { .. }), "{status:?}");
        checks += 1;
    }
    writer.await.unwrap();
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));
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

/// SQL that lets a test write to the append-only log, and SQL that puts the guard back.
fn unguard(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        Backend::Sqlite => (
            "DROP TRIGGER IF EXISTS audit_log_no_update; \
             DROP TRIGGER IF EXISTS audit_log_no_delete;",
            "SELECT 1;",
        ),
        Backend::Postgres => (
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;",
            "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;",
        ),
    }
}

fn content(e: &AuditEntry) -> sigap_store::NewAuditEntry {
    sigap_store::NewAuditEntry {
        at: e.at,
        actor: e.actor.clone(),
        role: e.role.clone(),
        action: e.action.clone(),
        ticket_number: e.ticket_number.clone(),
        source: e.source.clone(),
        outcome: e.outcome.clone(),
        details: serde_json::from_str(&e.details).expect("details"),
    }
}

/// Rewrites the whole log as a writer of the database would: entry `change` altered by
/// `alter`, every hash recomputed with `hash`, the head moved along.
async fn rebuild(
    app: &TestApp,
    change: i64,
    alter: impl Fn(&mut AuditEntry),
    hash: impl Fn(i64, &str, &sigap_store::NewAuditEntry) -> String,
) {
    let (disable, enable) = unguard(app.backend);
    app.execute_sql(disable).await;
    let mut prev = audit::GENESIS_HASH.to_owned();
    let mut after = 0;
    loop {
        let batch = app.store.list_audit(after, 500).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for mut e in batch {
            if e.seq == change {
                alter(&mut e);
            }
            let new = hash(e.seq, &prev, &content(&e));
            app.execute_sql(&format!(
                "UPDATE audit_log SET outcome = {}, prev_hash = '{prev}', hash = '{new}' WHERE seq = {}",
                sql_text(Some(&e.outcome)),
                e.seq
            ))
            .await;
            prev = new;
        }
    }
    app.execute_sql(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
    ))
    .await;
    app.execute_sql(enable).await;
}

async fn a_chain_rebuilt_without_the_key_is_broken(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "remediating").await;
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let refused = log
        .iter()
        .find(|e| e.action == "validate")
        .expect("validate")
        .seq;
    // An unkeyed SHA-256 chain, the way the log was sealed before: consistent in itself.
    rebuild(
        &app,
        refused,
        |e| e.outcome = "refused:403".into(),
        audit::legacy_entry_hash,
    )
    .await;
    let ChainStatus::Broken(b) = verify(&app).await else {
        panic!("a chain rebuilt without the key verifies");
    };
    assert_eq!(b.seq, 1, "{b}");
    assert!(b.reason.contains("not sealed with the server's key"), "{b}");
    // A chain rebuilt under a key of the tamperer's own.
    let forged = audit::AuditKey::new([42; 32]);
    rebuild(
        &app,
        refused,
        |e| e.outcome = "refused:403".into(),
        |seq, prev, e| audit::entry_hash(&forged, seq, prev, e),
    )
    .await;
    let ChainStatus::Broken(b) = verify(&app).await else {
        panic!("a chain rebuilt under another key verifies");
    };
    assert_eq!(b.seq, 1, "{b}");
    assert!(b.reason.contains("another key"), "{b}");
}

async fn another_key_is_told_and_appends_nothing(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    let (head, _) = app.store.audit_head().await.unwrap();
    let mut rules = sigap_app::Rules::clone(&app.app.rules);
    rules.secret_key = sigap_app::identity::totp::SecretKey::random();
    let other = sigap_app::App::new(
        app.store.clone(),
        app.app.blobs.clone(),
        rules,
        sigap_app::Policy::default(),
        app.app.clock.clone(),
    );
    let ChainStatus::Broken(b) = other.store.verify_audit_chain().await.unwrap() else {
        panic!("the chain verifies under another key");
    };
    assert!(b.reason.contains("SIGAP_SECRET_KEY"), "{b}");
    // An action through the other key is refused whole: no entry, no change of state.
    let caller = sigap_app::identity::tokens::authenticate_token(&other, app.token("csirt"))
        .await
        .expect("the token is still valid");
    let refused = sigap_app::workflow::actions::perform_action(
        &other,
        &caller,
        &n,
        "validate",
        &bodies::validate(None),
        &[],
        None,
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(app.store.audit_head().await.unwrap().0, head);
    assert_eq!(app.ticket("csirt", &n).await["state"], "queued");
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));
}

async fn entries_from_before_the_keyed_chain_are_accepted_once_sealed(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    let (legacy_head, _) = app.store.audit_head().await.unwrap();
    // The log as a server before the keyed chain wrote it: plain SHA-256, no key named.
    rebuild(&app, 0, |_| {}, audit::legacy_entry_hash).await;
    app.execute_sql("UPDATE audit_head SET key_id = NULL WHERE id = 1")
        .await;
    // The upgraded server goes on appending, under its key.
    app.act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    let ChainStatus::Broken(b) = verify(&app).await else {
        panic!("unsealed legacy entries verify");
    };
    assert_eq!(b.seq, 1);
    assert!(b.reason.contains("sigap audit seal"), "{b}");

    let sealed = sigap_app::admin::audit_log::seal_legacy(&app.app)
        .await
        .unwrap();
    assert_eq!(sealed, Ok(legacy_head));
    let ChainStatus::Intact { entries, .. } = verify(&app).await else {
        panic!("the sealed chain is broken: {:?}", verify(&app).await);
    };
    let log = app.store.list_audit(legacy_head, 100).await.unwrap();
    assert_eq!(log.last().unwrap().action, "audit_seal_legacy");
    assert_eq!(entries, log.last().unwrap().seq);
    // Sealing again changes nothing.
    assert_eq!(
        sigap_app::admin::audit_log::seal_legacy(&app.app)
            .await
            .unwrap(),
        Ok(legacy_head)
    );
    // Moving the record to cover a keyed entry breaks it.
    app.execute_sql(&format!(
        "UPDATE audit_head SET legacy_until = {} WHERE id = 1",
        legacy_head + 1
    ))
    .await;
    assert!(matches!(verify(&app).await, ChainStatus::Broken(_)));
}

/// How many alert jobs are queued.
async fn alert_jobs(app: &TestApp) -> usize {
    let jobs = app.store.list_jobs(None, 100).await.unwrap();
    jobs.iter().filter(|j| j.kind == JobKind::Alert).count()
}

/// `/metrics` as a loopback client reads it.
async fn read_metrics(app: &TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    response.text().await.unwrap()
}

async fn the_worker_alerts_the_admins_once_per_break(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    let first = sigap_app::admin::audit_log::watch(&app.app, true)
        .await
        .unwrap();
    assert!(first.intact);
    assert_eq!(first.checked_seq, app.store.audit_head().await.unwrap().0);
    // The next check walks only what came since.
    app.act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    let second = sigap_app::admin::audit_log::watch(&app.app, false)
        .await
        .unwrap();
    assert!(second.intact);
    assert!(second.checked_seq > first.checked_seq);

    let metrics = read_metrics(&app).await;
    assert!(metrics.contains("sigap_audit_chain_intact 1"), "{metrics}");

    // Alter an entry the last check covered: an incremental check does not look back, the
    // full check does.
    let (disable, enable) = unguard(app.backend);
    app.execute_sql(disable).await;
    app.execute_sql("UPDATE audit_log SET actor = 'someone@else' WHERE seq = 2")
        .await;
    app.execute_sql(enable).await;
    let broken = sigap_app::admin::audit_log::watch(&app.app, true)
        .await
        .unwrap();
    assert!(!broken.intact);
    assert_eq!(broken.broken_seq, Some(2));
    assert_eq!(alert_jobs(&app).await, 1);
    // Checked again: the same break is not mailed twice.
    sigap_app::admin::audit_log::watch(&app.app, false)
        .await
        .unwrap();
    sigap_app::admin::audit_log::watch(&app.app, true)
        .await
        .unwrap();
    assert_eq!(alert_jobs(&app).await, 1);
    let log = app.store.list_audit(0, 1000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "audit_chain_broken")
            .count(),
        1
    );

    let metrics = read_metrics(&app).await;
    assert!(metrics.contains("sigap_audit_chain_intact 0"), "{metrics}");

    // The alert reaches the admins over SMTP.
    let sink = sigap_notify::sink::SmtpSink::start().await.unwrap();
    let mail = super::mail::settings(&app, &sink.url());
    super::mail::drain(&app, &mail).await;
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    let alert = received
        .iter()
        .find(|m| super::mail::subject(m).contains("log audit"))
        .expect("the alert");
    assert!(
        super::mail::to(alert, app.seed.emails["admin"]),
        "{:?}",
        alert.rcpt_to
    );
    assert!(
        super::mail::subject(alert).contains("entri 2"),
        "{}",
        super::mail::subject(alert)
    );

    // The audit page shows the break.
    let (status, page) = read(
        app.get(Some(app.token("auditor")), "/api/v1/audit?limit=1")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["chain"]["intact"], false);
    assert_eq!(page["chain"]["broken_seq"], 2);
}

async fn audit_page(app: &TestApp, role: &str, query: &str) -> (StatusCode, Value) {
    read(
        app.get(Some(app.token(role)), &format!("/api/v1/audit{query}"))
            .await,
    )
    .await
}

fn seqs(page: &Value) -> Vec<i64> {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect()
}

async fn auditors_filter_and_page_the_log(app: TestApp) {
    let a = app.submit_ok(&valid_report()).await.number;
    let b = app.submit_ok(&valid_report()).await.number;
    app.drive(&a, "remediating").await;
    problem(
        app.action(
            app.token("helpdesk"),
            &b,
            "validate",
            &bodies::validate(None),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let (status, page) = audit_page(&app, "auditor", "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let all = seqs(&page);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    assert_eq!(all[0], app.store.audit_head().await.unwrap().0);

    // By ticket: only that ticket's entries, the same as the store holds.
    let (_, page) = audit_page(&app, "admin", &format!("?ticket={b}")).await;
    let mut expected: Vec<i64> = app
        .store
        .list_ticket_audit(&b)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    expected.reverse();
    assert_eq!(seqs(&page), expected);
    // By actor and outcome: the help desk's refusal.
    let helpdesk = &app.seed.emails["helpdesk"];
    let (_, page) = audit_page(
        &app,
        "auditor",
        &format!("?actor={helpdesk}&outcome=refused:403"),
    )
    .await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["action"], "validate");
    assert_eq!(entries[0]["ticket_number"], b.as_str());
    // By action.
    let (_, page) = audit_page(&app, "auditor", "?action=block").await;
    assert!(
        page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "block" && e["ticket_number"] == a.as_str()),
        "{page}"
    );
    assert_eq!(page["entries"].as_array().unwrap().len(), 1);
    // By time, in WIB days: the days of the first and the last entry hold everything, the
    // day before the first holds nothing.
    let stored = app.store.list_audit(0, 10_000).await.unwrap();
    let day = |at: i64| {
        chrono::DateTime::from_timestamp_millis(at)
            .unwrap()
            .with_timezone(&sigap_core::wib())
            .date_naive()
    };
    let (first, last) = (day(stored[0].at), day(stored[stored.len() - 1].at));
    let (_, page) = audit_page(&app, "auditor", &format!("?from={first}&until={last}")).await;
    assert_eq!(seqs(&page), all);
    let (_, page) = audit_page(
        &app,
        "auditor",
        &format!("?until={}", first.pred_opt().unwrap()),
    )
    .await;
    assert!(seqs(&page).is_empty(), "{page}");
    let (_, page) = audit_page(
        &app,
        "auditor",
        &format!("?from={}", last.succ_opt().unwrap()),
    )
    .await;
    assert!(seqs(&page).is_empty(), "{page}");

    // Pages of three, following next_before, give the whole log without overlap.
    let mut walked = Vec::new();
    let mut query = "?limit=3".to_owned();
    loop {
        let (_, page) = audit_page(&app, "auditor", &query).await;
        walked.extend(seqs(&page));
        match page["next_before"].as_i64() {
            Some(before) => query = format!("?limit=3&before={before}"),
            None => break,
        }
    }
    let head = app.store.audit_head().await.unwrap().0;
    assert_eq!(walked, (1..=head).rev().collect::<Vec<_>>());

    // Bad filters name their fields.
    let body = problem(
        app.get(
            Some(app.token("auditor")),
            "/api/v1/audit?from=kemarin&limit=9999",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&body), ["from", "limit"]);

    // Other roles are refused, and the refusal is in the log.
    for role in ["csirt", "helpdesk", "system_owner", "regional_secretary"] {
        problem(
            app.get(Some(app.token(role)), "/api/v1/audit").await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let (_, page) = audit_page(&app, "auditor", "?action=audit_search&outcome=refused:403").await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 4, "{page}");
}

async fn the_export_is_every_selected_entry_as_json_lines(app: TestApp) {
    let a = app.submit_ok(&valid_report()).await.number;
    app.drive(&a, "closed").await;
    let before = app.store.audit_head().await.unwrap().0;
    let response = app
        .get(
            Some(app.token("auditor")),
            &format!("/api/v1/audit/export?ticket={a}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/x-ndjson"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".jsonl")
    );
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let stored = app.store.list_ticket_audit(&a).await.unwrap();
    assert_eq!(lines.len(), stored.len());
    for (line, entry) in lines.iter().zip(&stored) {
        assert_eq!(line["seq"], entry.seq, "oldest first");
        assert_eq!(line["hash"], entry.hash.as_str());
        assert_eq!(line["prev_hash"], entry.prev_hash.as_str());
        assert_eq!(line["action"], entry.action.as_str());
    }
    // The whole log, more than one batch's worth is not needed: every entry once, in order.
    let text = app
        .get(Some(app.token("admin")), "/api/v1/audit/export")
        .await
        .text()
        .await
        .unwrap();
    let all: Vec<i64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(all, (1..=all.len() as i64).collect::<Vec<_>>());
    assert!(all.len() as i64 > before);
    // Each export is itself in the log, with its filter.
    let exports: Vec<AuditEntry> = app
        .store
        .list_audit(before, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "audit_export")
        .collect();
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0].ticket_number.as_deref(), Some(a.as_str()));
    assert_eq!(exports[0].actor, app.seed.emails["auditor"]);
    // Refused to others.
    problem(
        app.get(Some(app.token("csirt")), "/api/v1/audit/export")
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn refusals_of_registries_settings_and_jobs_are_audited(app: TestApp) {
    let before = app.store.audit_head().await.unwrap().0;
    let post = |role: &str, path: &str, body: Value| {
        let request = app
            .client
            .post(app.url(path))
            .bearer_auth(app.token(role))
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    problem(
        post(
            "csirt",
            "/api/v1/agencies",
            json!({"code": "DISX", "name": "Dinas X"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post("admin", "/api/v1/agencies", json!({"code": "", "name": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let settings = app
        .client
        .put(app.url("/api/v1/settings/approval"))
        .bearer_auth(app.token("csirt"))
        .json(&json!({"threshold": 1}))
        .send()
        .await
        .unwrap();
    problem(settings, StatusCode::FORBIDDEN).await;
    problem(
        post("admin", "/api/v1/jobs/999999/retry", json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(Some(app.token("helpdesk")), "/api/v1/jobs").await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let log = app.store.list_audit(before, 100).await.unwrap();
    let seen: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.role.as_str(), e.outcome.as_str()))
        .collect();
    for expected in [
        ("agency_add", "csirt", "refused:403"),
        ("agency_add", "admin", "refused:422"),
        ("settings_approval", "csirt", "refused:403"),
        ("job_retry", "admin", "refused:404"),
        ("job_list", "helpdesk", "refused:403"),
    ] {
        assert!(seen.contains(&expected), "{expected:?} not in {seen:?}");
    }
    let invalid = log
        .iter()
        .find(|e| e.outcome == "refused:422")
        .expect("the invalid agency");
    let details: Value = serde_json::from_str(&invalid.details).unwrap();
    assert!(
        details["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "code"),
        "{details}"
    );
    assert!(matches!(verify(&app).await, ChainStatus::Intact { .. }));
}
