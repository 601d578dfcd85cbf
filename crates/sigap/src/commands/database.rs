//! The database's own chores: a backup of the SQLite file and its restore, the audit
//! chain's check and its sealing under this server's key.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sigap_app::App;
use sigap_store::{ChainStatus, Store};

use crate::config::DatabaseArgs;

use super::*;

/// `sigap backup`: a consistent copy of the SQLite database, to a new file.
pub(super) async fn backup(db: &DatabaseArgs, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    anyhow::ensure!(
        !out.exists(),
        "{} exists already; choose a new file",
        out.display()
    );
    app.store.backup_sqlite(out).await?;
    println!("backup written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

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

pub(super) async fn restore(db: &DatabaseArgs, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let url = db.url();
    let target = url
        .strip_prefix("sqlite://")
        .map(PathBuf::from)
        .ok_or_else(|| {
            anyhow::anyhow!("restore covers SQLite; restore PostgreSQL with pg_restore")
        })?;
    anyhow::ensure!(file.is_file(), "{} is not a file", file.display());
    // Check a copy opens as a sigap database (migrations applied) before it replaces the
    // live file in one rename.
    let staged = target.with_extension("restore");
    std::fs::copy(file, &staged).with_context(|| format!("cannot write {}", staged.display()))?;
    let check = Store::open(
        &format!("sqlite://{}", staged.display()),
        &db.store_options()?,
    )
    .await
    .context("the backup is not a sigap database");
    match check {
        Ok(store) => store.close().await,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    std::fs::rename(&staged, &target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    println!("database restored from {}", file.display());
    Ok(ExitCode::SUCCESS)
}
