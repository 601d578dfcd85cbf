//! `sigap store copy`: an installation moved from SQLite to PostgreSQL (and its files to
//! another blob store) without losing anything: the database's rows as they are, then every
//! file a row names, each checked against its hash; then the audit chain is verified on the
//! target under the server key. Resumes where a run cut short stopped.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sigap_store::{BlobStore, ChainStatus, CopyEvent, Store, StoreOptions};

use crate::config::DatabaseArgs;

#[derive(Debug, clap::Args)]
pub(super) struct CopyArgs {
    /// The SQLite database: `sqlite:///var/lib/sigap/sigap.db`. Stop its server first: rows
    /// written after the copy has read a table are not carried over.
    #[arg(long)]
    from: String,
    /// The PostgreSQL database, empty (or a copy cut short, which resumes).
    #[arg(long)]
    to: String,
    /// Where the source's files are: default `evidence/` beside the SQLite file.
    #[arg(long)]
    blobs_from: Option<String>,
    /// Where the target's files go (`s3://BUCKET/PREFIX`, `file:///PATH`); default: they
    /// stay where they are.
    #[arg(long)]
    blobs_to: Option<String>,
}

pub(super) async fn store_copy(db: &DatabaseArgs, args: CopyArgs) -> anyhow::Result<ExitCode> {
    let path = args
        .from
        .strip_prefix("sqlite://")
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("--from is an SQLite database: sqlite:///PATH"))?;
    anyhow::ensure!(path.is_file(), "{} is not a file", path.display());
    anyhow::ensure!(
        args.to.starts_with("postgres://") || args.to.starts_with("postgresql://"),
        "--to is a PostgreSQL database: postgres://USER@HOST/DB"
    );
    let data_dir = path.parent().map(PathBuf::from).unwrap_or_default();
    // The key the source's audit chain is sealed with: SIGAP_SECRET_KEY, its file, or the
    // source's data directory's key file.
    let key = db.key.load(&data_dir, false)?;
    let options = StoreOptions::default();
    let source = Store::open(&args.from, &options)
        .await
        .context("cannot open the source")?;
    let target = Store::open(&args.to, &options)
        .await
        .with_context(|| format!("cannot open {}", crate::config::redact_url(&args.to)))?;
    let summary = copy_rows(&source, &target).await?;
    let copied: u64 = summary.copied.values().sum();
    println!(
        "{copied} rows copied in {} tables{}",
        summary.copied.len(),
        if summary.resumed.is_empty() {
            String::new()
        } else {
            format!(
                " ({} tables copied by an earlier run)",
                summary.resumed.len()
            )
        }
    );
    if let Some(to) = &args.blobs_to {
        let from = args
            .blobs_from
            .clone()
            .unwrap_or_else(|| format!("file://{}", data_dir.join("evidence").display()));
        let from = BlobStore::open(Some(&from), &data_dir, &[])
            .map_err(|e| anyhow::anyhow!("--blobs-from: {e}"))?;
        let to = BlobStore::open(Some(to), &data_dir, &[])
            .map_err(|e| anyhow::anyhow!("--blobs-to: {e}"))?;
        let names = target.referenced_blobs().await?;
        let n = copy_blobs(&names, &from, &to).await?;
        println!(
            "{n} files copied to {}, each checked against its SHA-256",
            to.location()
        );
    }
    let target = target.with_audit_key(sigap_app::admin::audit_log::chain_key(&key));
    match target.verify_audit_chain().await? {
        ChainStatus::Intact { entries, .. } => {
            println!("audit log intact on the target: {entries} entries");
        }
        ChainStatus::Broken(b) => {
            eprintln!(
                "error: the copied audit log does not verify under this key at entry {}: {}",
                b.seq, b.reason
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    source.close().await;
    target.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The rows, with a progress bar per table (none when not on a terminal).
async fn copy_rows(source: &Store, target: &Store) -> anyhow::Result<sigap_store::CopySummary> {
    let style = ProgressStyle::with_template("{msg:<24} {bar:40} {pos}/{len}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let mut bar: Option<ProgressBar> = None;
    let mut on = move |event: CopyEvent| match event {
        CopyEvent::Table { name, rows } => {
            if let Some(done) = bar.take() {
                done.finish();
            }
            let next = ProgressBar::new(rows).with_style(style.clone());
            next.set_message(name);
            bar = Some(next);
        }
        CopyEvent::Rows { done, .. } => {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        }
        CopyEvent::Skipped { name } => println!("{name}: copied by an earlier run"),
    };
    let summary = source.copy_to(target, &mut on).await?;
    Ok(summary)
}

/// A spinner saying what runs (drawn only on a terminal), for work of unknown length.
pub(super) fn spinner(what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The files `names`, from `from` to `to`, each read back and checked against its name;
/// one already there is left. Answers how many were written.
pub(super) async fn copy_blobs(
    names: &[String],
    from: &BlobStore,
    to: &BlobStore,
) -> anyhow::Result<usize> {
    let bar = ProgressBar::new(names.len() as u64).with_style(
        ProgressStyle::with_template("{msg:<24} {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("files");
    let mut written = 0;
    for name in names {
        bar.inc(1);
        if to.open_read(name).await?.is_some() {
            continue;
        }
        let bytes = from
            .get(name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the file {name} is named by a row but missing"))?;
        anyhow::ensure!(
            BlobStore::hash(&bytes) == *name,
            "the file {name} does not match its hash: it is damaged"
        );
        let stored = to.put(&bytes).await?;
        anyhow::ensure!(stored == *name, "the file {name} was not stored as itself");
        written += 1;
    }
    bar.finish();
    Ok(written)
}
