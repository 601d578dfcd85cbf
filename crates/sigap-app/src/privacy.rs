//! What a reader may learn of the reporter and of the blocking internals, and the audit of
//! every read of the reporter's personal data and of evidence files.
//!
//! A system owner fixes the finding and the Regional Secretary approves a reactivation; neither
//! learns who reported ([`sigap_core::sees_reporter`]): no name or contact, no message of the
//! reporter (staff forward what an agency must know as a comment of their own), no file name
//! the reporter chose (the file itself, needed to fix, is named by its number). A system owner
//! reads the block and unblock steps as their public facts only
//! ([`sigap_core::sees_blocking_internals`]): when, "diblokir" or "dibuka kembali", and the
//! screenshots of the system's pages; never the adapter's record, the DNS, HTTP and TLS
//! captures or the officer's notes.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};
use sigap_core::{Action, Role, Visibility, sees_blocking_internals, sees_reporter};
use sigap_store::{CommentRow, EvidenceRow, NewAuditEntry, StepRecordRow};

use crate::auth::Caller;
use crate::views::EvidenceView;
use crate::{App, AppResult, millis};

/// Whether `role` may read a comment of this visibility: internal notes are the CSIRT's
/// side, and what the reporter wrote or was told stays with those who may know the reporter.
pub(crate) fn comment_visible(role: Role, visibility: Visibility) -> bool {
    match visibility {
        Visibility::Internal => role != Role::SystemOwner,
        Visibility::Reporter => sees_reporter(role),
        Visibility::Agency => true,
    }
}

/// The records of a step as `role` may read them: a block or unblock reduced to its public
/// fact for a system owner (the time is the entry's own), every other step as recorded.
pub(crate) fn step_records(role: Role, action: Action, records: Value) -> Value {
    if sees_blocking_internals(role) {
        return records;
    }
    let status = match action {
        Action::Block => "diblokir",
        Action::Unblock => "dibuka kembali",
        _ => return records,
    };
    let mut public = json!({ "status": status });
    if let (Some(documents), Value::Object(map)) = (records.get("documents"), &mut public) {
        map.insert("documents".to_owned(), documents.clone());
    }
    public
}

/// The keys that seal the reporters' contact data and make their blind index, derived from
/// the server's key for these uses alone.
pub fn contact_key(secret: &crate::identity::totp::SecretKey) -> sigap_store::ContactKey {
    sigap_store::ContactKey::new(
        secret.subkey("sigap reporter contact seal v1"),
        secret.subkey("sigap reporter contact index v1"),
    )
}

/// A neutral name for a file the reporter sent: the name they gave it may carry who they are.
pub(crate) fn neutral_name(id: i64, media_type: &str) -> String {
    sigap_core::evidence::neutral_name("bukti-pelapor", id, media_type)
}

/// The evidence files of a ticket that `role` may see, each under the name they may read:
/// not the files of comments hidden from them, not a block's or unblock's captures other
/// than pictures for a system owner, and the reporter's files under a neutral name for those
/// who may not know the reporter.
pub(crate) fn visible_evidence(
    role: Role,
    files: Vec<EvidenceRow>,
    steps: &[StepRecordRow],
    comments: &[CommentRow],
) -> Vec<EvidenceView> {
    let hidden_comments: HashSet<i64> = comments
        .iter()
        .filter(|c| !comment_visible(role, c.visibility))
        .map(|c| c.id)
        .collect();
    let blocking_steps: HashMap<i64, bool> = steps
        .iter()
        .map(|s| (s.id, matches!(s.action.as_str(), "block" | "unblock")))
        .collect();
    files
        .into_iter()
        .filter(|f| f.comment_id.is_none_or(|c| !hidden_comments.contains(&c)))
        .filter(|f| {
            sees_blocking_internals(role)
                || f.media_type.starts_with("image/")
                || !f
                    .step_record_id
                    .is_some_and(|s| blocking_steps.get(&s).copied().unwrap_or(false))
        })
        .map(|f| {
            let reporters = f.uploaded_by.is_none();
            let mut view = crate::views::evidence_view(f);
            if reporters && !sees_reporter(role) {
                view.name = neutral_name(view.id, &view.media_type);
            }
            view
        })
        .collect()
}

/// Appends one audit entry for a read of the reporter's personal data or of an evidence
/// file, in its own small transaction. The read is refused when it cannot be recorded.
pub(crate) async fn audit_read(
    app: &App,
    caller: Option<&Caller>,
    number: &str,
    action: &str,
    details: Value,
) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.append_audit(&NewAuditEntry {
        at: millis(app.now()),
        actor: caller.map_or_else(|| "reporter".to_owned(), |c| c.email.clone()),
        role: caller.map_or("reporter", |c| c.role.as_str()).to_owned(),
        action: action.to_owned(),
        ticket_number: Some(number.to_owned()),
        source: None,
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(
        id: i64,
        step: Option<i64>,
        comment: Option<i64>,
        media: &str,
        by: Option<i64>,
    ) -> EvidenceRow {
        EvidenceRow {
            id,
            step_record_id: step,
            comment_id: comment,
            sha256: format!("{id:064}"),
            original_name: format!("Rina Saputri {id}.png"),
            media_type: media.to_owned(),
            destroyed_at: None,
            size: 1,
            uploaded_by: by,
            created_at: 0,
        }
    }

    fn step(id: i64, action: Action) -> StepRecordRow {
        StepRecordRow {
            id,
            action,
            round: 1,
            actor_name: None,
            actor_role: Role::DomainOfficer,
            from_state: sigap_core::State::AwaitingBlock,
            to_state: sigap_core::State::Notifying,
            records: "{}".to_owned(),
            started_at: 0,
            due_at: None,
            done_at: 0,
            overdue: false,
        }
    }

    fn comment(id: i64, visibility: Visibility) -> CommentRow {
        CommentRow {
            id,
            author_name: None,
            author_kind: sigap_core::Author::Reporter,
            visibility,
            body: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn owners_read_a_block_as_its_public_fact() {
        let records = json!({"method": "nginx", "adapter_record": {"file": "/etc/nginx/x"},
            "probes": [], "notes": "10.0.0.5", "documents": ["block_record"]});
        assert_eq!(
            step_records(Role::SystemOwner, Action::Block, records.clone()),
            json!({"status": "diblokir", "documents": ["block_record"]})
        );
        assert_eq!(
            step_records(Role::SystemOwner, Action::Unblock, json!({"notes": "x"})),
            json!({"status": "dibuka kembali"})
        );
        assert_eq!(
            step_records(Role::Csirt, Action::Block, records.clone()),
            records
        );
        assert_eq!(
            step_records(Role::SystemOwner, Action::Validate, records.clone()),
            records
        );
    }

    #[test]
    fn owners_see_the_files_needed_to_fix_without_the_reporters_names() {
        let files = vec![
            file(1, None, None, "image/png", None),
            file(2, None, Some(7), "text/plain", None),
            file(3, Some(9), None, "text/plain", Some(4)),
            file(4, Some(9), None, "image/png", Some(4)),
            file(5, None, Some(8), "text/plain", Some(4)),
        ];
        let steps = [step(9, Action::Block)];
        let comments = [
            comment(7, Visibility::Reporter),
            comment(8, Visibility::Agency),
        ];
        let owner = visible_evidence(Role::SystemOwner, files.clone(), &steps, &comments);
        let names: Vec<(i64, &str)> = owner.iter().map(|e| (e.id, e.name.as_str())).collect();
        assert_eq!(
            names,
            [
                (1, "bukti-pelapor-1.png"),
                (4, "Rina Saputri 4.png"),
                (5, "Rina Saputri 5.png")
            ]
        );
        let csirt = visible_evidence(Role::Csirt, files, &steps, &comments);
        assert_eq!(csirt.len(), 5);
        assert_eq!(csirt[0].name, "Rina Saputri 1.png");
    }
}
