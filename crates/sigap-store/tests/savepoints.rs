//! Savepoints inside one transaction, as the group commit of reports uses them: a member's
//! audit entry undone by its savepoint leaves the chain as if it had never been written,
//! the transaction's own head is read again after the undo, and the chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sigap_store::{AuditKey, ChainStatus, NewAuditEntry, Store};

sigap_testkit::on_both_backends! {
    sigap_testkit::open_store;
    an_undone_member_leaves_the_chain_whole: sqlite_an_undone_member_leaves_the_chain_whole,
        postgres_an_undone_member_leaves_the_chain_whole;
}

fn entry(n: i64) -> NewAuditEntry {
    NewAuditEntry {
        at: 1_000 + n,
        actor: "reporter".to_owned(),
        role: "reporter".to_owned(),
        action: "submit_report".to_owned(),
        ticket_number: Some(format!("BCSIRT-2026-{n:05}")),
        source: None,
        outcome: "ok".to_owned(),
        details: serde_json::json!({ "n": n }),
    }
}

async fn an_undone_member_leaves_the_chain_whole(store: Store) {
    let store = store.with_audit_key(AuditKey::new([7; 32]));
    let mut tx = store.begin().await.unwrap();
    tx.savepoint().await.unwrap();
    assert_eq!(tx.append_audit(&entry(1)).await.unwrap(), 1);
    tx.release_savepoint().await.unwrap();
    tx.savepoint().await.unwrap();
    assert_eq!(tx.append_audit(&entry(2)).await.unwrap(), 2);
    assert_eq!(tx.next_counter("ticket", 2026).await.unwrap(), 1);
    tx.rollback_to_savepoint().await.unwrap();
    tx.savepoint().await.unwrap();
    assert_eq!(
        tx.append_audit(&entry(3)).await.unwrap(),
        2,
        "the undone seq is taken again"
    );
    assert_eq!(
        tx.next_counter("ticket", 2026).await.unwrap(),
        1,
        "and the undone number"
    );
    assert_eq!(tx.append_audit(&entry(4)).await.unwrap(), 3);
    tx.release_savepoint().await.unwrap();
    tx.commit().await.unwrap();
    match store.verify_audit_chain().await.unwrap() {
        ChainStatus::Intact { entries, .. } => assert_eq!(entries, 3),
        ChainStatus::Broken(b) => panic!("broken at {}: {}", b.seq, b.reason),
    }
    let numbers: Vec<Option<String>> = store
        .list_audit(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.ticket_number)
        .collect();
    assert_eq!(
        numbers,
        [1, 3, 4].map(|n| Some(format!("BCSIRT-2026-{n:05}"))),
        "the undone entry is not in the log"
    );
}
