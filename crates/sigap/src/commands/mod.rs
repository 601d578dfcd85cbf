//! The commands and what each one runs.

mod backup;
mod copy;
mod database;
mod doctor;
mod registries;
mod serve;

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use sigap_app::{App, AppError};
use sigap_core::Clock;
use sigap_store::{BlobStore, Store};

use crate::config::DatabaseArgs;

use database::{audit_seal, audit_verify};
use registries::{agency_command, system, token_command, user_command};
use serve::{ServeArgs, WorkerArgs, serve, worker};

/// sigap: the city CSIRT's procedure for incident and vulnerability reports.
#[derive(Debug, Parser)]
#[command(name = "sigap", version)]
pub struct Cli {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Staff users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Regional agencies (Perangkat Daerah).
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Electronic systems and their domains.
    #[command(subcommand)]
    System(SystemCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent copy of the database while it is in use (SQLite: the file;
    /// PostgreSQL: pg_dump with the list of its files), and optionally its files.
    Backup(backup::BackupArgs),
    /// Bring back a backup (the server must be stopped; PostgreSQL: into a new, empty
    /// database), and optionally its files.
    Restore(backup::RestoreArgs),
    /// Run the background jobs (mail, webhooks, deadline reminders and escalations) without
    /// serving HTTP, for larger setups; `serve` runs them too.
    Worker(WorkerArgs),
    /// The database as a whole.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Check a deployment with the settings `serve` reads, changing nothing: a table of ok,
    /// warn and fail with the fix for each; exit status 1 when a check failed.
    Doctor(doctor::DoctorArgs),
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Copy an SQLite installation into an empty PostgreSQL database (and its files into
    /// another blob store), keeping every id, number, counter and the audit chain; resumes
    /// a copy cut short.
    Copy(copy::CopyArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff user; the password is read from stdin or generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, helpdesk, csirt, domain_officer, system_owner, regional_secretary, auditor
        #[arg(long)]
        role: String,
        /// The agency code (system_owner only).
        #[arg(long)]
        agency: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a user's second factor (TOTP) and recovery codes and end their sessions; at
    /// the next sign-in they enrol again when their role must have one.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(long)]
        email: String,
    },
    /// Force a new password on a user: a generated one is printed once and every session
    /// of the user ends.
    #[command(name = "reset-password")]
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Disable a user: no sign-in, API tokens refused, sessions ended.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled user again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Forget the provider identity (issuer and subject) recorded at the user's sign-ins
    /// with SSO; the next one is matched by verified e-mail address again.
    #[command(name = "unlink-sso")]
    UnlinkSso {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Print a new API token for a user (shown once, stored hashed).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// The token stops working after this long: `90d`, `2w`, `24h`; never when left out.
        #[arg(long)]
        expires_in: Option<String>,
        /// `read` (requests that change nothing), `act` (workflow actions, comments,
        /// meetings) or `admin` (registries, users, settings); repeat or separate by
        /// commas; all three when left out.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
    },
    /// List API tokens (never their secrets): one user's, or everyone's.
    List {
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke an API token by its id (from `token list`); it answers 401 from then on.
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum AgencyCommand {
    /// Register a regional agency.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Its official address for letters and notices.
        #[arg(long)]
        email: Option<String>,
        /// The address of the agency's head, told when a remediation is overdue.
        #[arg(long)]
        head_email: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum SystemCommand {
    /// Register an electronic system with its domain(s).
    Add {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
        #[arg(long, required = true)]
        domain: Vec<String>,
        /// Vital information infrastructure (IIV, Perpres 82/2022).
        #[arg(long)]
        iiv: bool,
        /// Kategori sistem elektronik: strategis, tinggi or rendah.
        #[arg(long)]
        category: Option<String>,
    },
    /// Set how a system is blocked; `--adapter manual` clears it.
    SetBlocking {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        adapter: String,
        /// KEY=VALUE, repeatable.
        #[arg(long = "param")]
        params: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the keyed hash chain with the server's key; exit status 0 only when intact.
    Verify,
    /// Accept, once after an upgrade, the entries written before the chain was keyed: they
    /// keep their plain SHA-256 hashes, and the record of how many they are is sealed with
    /// the server's key. Refused when any later entry does not verify.
    Seal,
}

/// The system clock: the one place the binary reads real time.
#[derive(Debug)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Turns a use-case error into one line a person can act on.
fn explain(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.describe())
}

/// The app on the database, with the server's key (`SIGAP_SECRET_KEY` or the key file): every
/// command that writes to the audit log seals its entries with it.
async fn open_app(
    db: &DatabaseArgs,
    mut rules: sigap_app::Rules,
    policy: sigap_app::Policy,
) -> anyhow::Result<App> {
    rules.secret_key = db.key.load(&db.data_dir, db.is_postgres())?;
    let url = db.url();
    let store = Store::open(&url, &db.store_options()?)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::config::redact_url(&url)
            )
        })?;
    let blobs = BlobStore::open(db.blob_url.as_deref(), &db.data_dir.join("evidence"), &[])
        .map_err(|e| anyhow::anyhow!("SIGAP_BLOB_URL: {e}"))?;
    if db.is_postgres() && !blobs.is_shared() {
        tracing::warn!(
            blobs = %blobs.location(),
            "evidence and documents are kept in this machine's directory: another instance on \
             this database would not find them; set SIGAP_BLOB_URL=s3://BUCKET/PREFIX to \
             share them"
        );
    }
    let app = App::new(store, blobs, rules, policy, Arc::new(SystemClock));
    database::check_audit_key(&app).await?;
    let sealed = app
        .store
        .seal_contacts()
        .await
        .context("sealing the reporters' contact data")?;
    if sealed > 0 {
        tracing::info!(
            reports = sealed,
            "the reporters' contact data kept in clear are sealed"
        );
    }
    Ok(app)
}

async fn admin_app(db: &DatabaseArgs) -> anyhow::Result<App> {
    open_app(
        db,
        sigap_app::Rules::default(),
        sigap_app::Policy::default(),
    )
    .await
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = cli.db;
    match cli.command {
        Command::Serve(args) => serve(&db, args).await,
        Command::User(command) => user_command(&db, command).await,
        Command::Token(command) => {
            let app = admin_app(&db).await?;
            token_command(&app, command).await
        }
        Command::Agency(command) => agency_command(&db, command).await,
        Command::System(cmd) => system(&db, cmd).await,
        Command::Audit(AuditCommand::Verify) => audit_verify(&db).await,
        Command::Audit(AuditCommand::Seal) => audit_seal(&db).await,
        Command::Backup(args) => backup::backup(&db, args).await,
        Command::Restore(args) => backup::restore(&db, args).await,
        Command::Worker(args) => worker(&db, args).await,
        Command::Store(StoreCommand::Copy(args)) => copy::store_copy(&db, args).await,
        Command::Doctor(args) => doctor::doctor(&db, args).await,
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the password from stdin")?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}
