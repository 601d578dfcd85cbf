//! `sigap backup` and `sigap restore`, for both databases and their files. SQLite: a copy of
//! the file taken while it is in use (`VACUUM INTO`). PostgreSQL: `pg_dump` (custom format)
//! of a snapshot that sigap holds open, and beside it `<out>.blobs`, the SHA-256 of every
//! file that snapshot's rows name, so the dump and the list agree. With `--blobs-out` the
//! files themselves are copied too (from an S3 store to a directory, say), each checked
//! against its hash; `restore --blobs-from` brings them back into `SIGAP_BLOB_URL`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use sigap_store::{BlobStore, Store};

use crate::config::DatabaseArgs;

use super::*;

#[derive(Debug, clap::Args)]
pub(super) struct BackupArgs {
    /// The file to write (a new one): the SQLite copy, or PostgreSQL's dump.
    #[arg(long)]
    out: PathBuf,
    /// Also copy every file the backup's rows name to this blob store (`file:///PATH`,
    /// `s3://BUCKET/PREFIX`); files already there are left.
    #[arg(long)]
    blobs_out: Option<String>,
}

#[derive(Debug, clap::Args)]
pub(super) struct RestoreArgs {
    /// The backup: an SQLite copy, or a PostgreSQL dump (into a new, empty database).
    file: PathBuf,
    /// Bring the files back from this blob store (where `backup --blobs-out` put them) into
    /// `SIGAP_BLOB_URL`'s.
    #[arg(long)]
    blobs_from: Option<String>,
}

/// The `.blobs` list beside a PostgreSQL dump.
fn list_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".blobs");
    PathBuf::from(name)
}

/// The database URL without its password, and the password (for `PGPASSWORD`, so that it
/// is not on a command line others can read).
fn pg_target(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).context("the database URL")?;
    let password = parsed.password().map(str::to_owned);
    let _ = parsed.set_password(None);
    Ok((parsed.to_string(), password))
}

fn pg_tool(tool: &str, url: &str) -> anyhow::Result<std::process::Command> {
    let (url, password) = pg_target(url)?;
    let mut cmd = std::process::Command::new(tool);
    cmd.arg(format!("--dbname={url}"));
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    Ok(cmd)
}

fn run(mut cmd: std::process::Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| {
        format!("cannot run {what}: install PostgreSQL's client tools (postgresql-client)")
    })?;
    anyhow::ensure!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

/// `sigap backup`.
pub(super) async fn backup(db: &DatabaseArgs, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    anyhow::ensure!(
        !args.out.exists(),
        "{} exists already; choose a new file",
        args.out.display()
    );
    let names = if app.store.is_postgres() {
        let snapshot = app.store.export_snapshot().await?;
        let mut dump = pg_tool("pg_dump", &db.url())?;
        dump.args(["--format=custom", "--no-owner", "--no-privileges"])
            .arg(format!("--snapshot={}", snapshot.id))
            .arg(format!("--file={}", args.out.display()));
        let working = super::copy::spinner("pg_dump: writing the database");
        run(dump, "pg_dump")?;
        working.finish_and_clear();
        let names = snapshot.blobs.clone();
        drop(snapshot);
        let list: String = names.iter().map(|n| format!("{n}\n")).collect();
        std::fs::write(list_path(&args.out), list)
            .with_context(|| format!("cannot write {}", list_path(&args.out).display()))?;
        println!(
            "backup written to {} (pg_dump) with the list of its {} files in {}",
            args.out.display(),
            names.len(),
            list_path(&args.out).display()
        );
        names
    } else {
        let working = super::copy::spinner("writing the database copy");
        app.store.backup_sqlite(&args.out).await?;
        working.finish_and_clear();
        println!("backup written to {}", args.out.display());
        // Rows are only added while it runs: the files named now cover the copy's.
        app.store.referenced_blobs().await?
    };
    if let Some(url) = &args.blobs_out {
        let to = BlobStore::open(Some(url), &db.data_dir, &[])
            .map_err(|e| anyhow::anyhow!("--blobs-out: {e}"))?;
        let written = super::copy::copy_blobs(&names, &app.blobs, &to).await?;
        println!(
            "{written} files copied to {} ({} named), each checked against its SHA-256",
            to.location(),
            names.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `sigap restore`.
pub(super) async fn restore(db: &DatabaseArgs, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.file.is_file(), "{} is not a file", args.file.display());
    if db.is_postgres() {
        restore_postgres(db, &args.file).await?;
    } else {
        restore_sqlite(db, &args.file).await?;
    }
    let app = admin_app(db).await?;
    let list = list_path(&args.file);
    let names = if list.is_file() {
        std::fs::read_to_string(&list)?
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        app.store.referenced_blobs().await?
    };
    if let Some(url) = &args.blobs_from {
        let from = BlobStore::open(Some(url), &db.data_dir, &[])
            .map_err(|e| anyhow::anyhow!("--blobs-from: {e}"))?;
        let written = super::copy::copy_blobs(&names, &from, &app.blobs).await?;
        println!("{written} files restored to {}", app.blobs.location());
    }
    let mut missing = 0;
    for name in &names {
        if app.blobs.open_read(name).await?.is_none() {
            missing += 1;
        }
    }
    if missing > 0 {
        eprintln!(
            "error: {missing} of the {} files the database names are not in {}: restore them \
             with --blobs-from",
            names.len(),
            app.blobs.location()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A dump into a new, empty database, then the store opened on it (migrating a backup of
/// an older version, refusing one of a newer).
async fn restore_postgres(db: &DatabaseArgs, file: &Path) -> anyhow::Result<()> {
    let url = db.url();
    let used = sigap_store::schema::postgres_holds_sigap(&url)
        .await
        .context("cannot reach the database")?;
    anyhow::ensure!(
        !used,
        "the database holds a sigap already: restore into a new, empty database (createdb)"
    );
    let mut pg_restore = pg_tool("pg_restore", &url)?;
    pg_restore
        .args(["--no-owner", "--no-privileges", "--exit-on-error"])
        .arg(file);
    let working = super::copy::spinner("pg_restore: reading the dump");
    run(pg_restore, "pg_restore")?;
    working.finish_and_clear();
    Store::open(&url, &db.store_options()?)
        .await
        .context("the restored database does not open as sigap's")?
        .close()
        .await;
    println!("database restored from {}", file.display());
    Ok(())
}

async fn restore_sqlite(db: &DatabaseArgs, file: &Path) -> anyhow::Result<()> {
    let url = db.url();
    let target = url
        .strip_prefix("sqlite://")
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("not an SQLite database: {url}"))?;
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
    let mut lock = staged.as_os_str().to_owned();
    lock.push(".migrate-lock");
    let _ = std::fs::remove_file(lock);
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
    Ok(())
}
