//! The database's own chores: the audit chain's check and its sealing under this server's
//! key (backups are in `backup`).

use std::process::ExitCode;

use sigap_app::App;
use sigap_store::ChainStatus;

use crate::config::DatabaseArgs;

use super::*;

pub(super) async fn audit_seal(db: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    match sigap_app::admin::audit_log::seal_legacy(&app)
        .await
        .map_err(explain)?
    {
        Ok(0) => {
            println!("nothing to seal: no entry is from before the keyed chain");
            Ok(ExitCode::SUCCESS)
        }
        Ok(n) => {
            println!("entries 1 to {n} accepted as written before the chain was keyed");
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            eprintln!(
                "error: not sealed: the audit log is broken at entry {}: {}",
                b.seq, b.reason
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Refuses to run a server whose key is not the one the audit log is sealed with: every
/// action would be refused, and TOTP secrets would not open.
pub(super) async fn check_audit_key(app: &App) -> anyhow::Result<()> {
    let head = app.store.audit_head_row().await?;
    let ours = app.store.audit_key().map(|k| k.id()).unwrap_or_default();
    if let Some(theirs) = head.key_id.filter(|id| *id != ours) {
        anyhow::bail!(
            "the audit log is sealed under the key {theirs}, and this server's key is {ours}: \
             start it with the SIGAP_SECRET_KEY (or the secret.key file) it was written with"
        );
    }
    Ok(())
}

pub(super) async fn audit_verify(db: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    match app.store.verify_audit_chain().await? {
        ChainStatus::Intact { entries, head } => {
            println!("audit log intact: {entries} entries, head {head}");
            Ok(ExitCode::SUCCESS)
        }
        ChainStatus::Broken(b) => {
            eprintln!("error: audit log broken at entry {}: {}", b.seq, b.reason);
            Ok(ExitCode::FAILURE)
        }
    }
}
