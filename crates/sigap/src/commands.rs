//! The commands and what each one runs.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use serde_json::{Map, Value};
use sigap_app::{App, AppError, Caller, registry, tokens, two_factor};
use sigap_core::Clock;
use sigap_store::{BlobStore, ChainStatus, Store};
use sigap_web::WebSettings;

use crate::settings::{DatabaseArgs, RuleArgs};

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
    /// Write a consistent copy of the SQLite database while it is in use.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the SQLite database with a backup (the server must be stopped).
    Restore { file: PathBuf },
    /// Run the background jobs (mail, webhooks, deadline reminders and escalations) without
    /// serving HTTP, for larger setups; `serve` runs them too.
    Worker(WorkerArgs),
}

/// Outgoing mail, as `serve` and `worker` read it.
#[derive(Debug, Clone, clap::Args)]
struct MailArgs {
    /// Outgoing mail server (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`); unset: mail is queued and not sent.
    #[arg(long, env = "SIGAP_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of every mail.
    #[arg(
        long,
        env = "SIGAP_MAIL_FROM",
        default_value = "BATAM-CSIRT <csirt@batam.go.id>"
    )]
    mail_from: String,
}

#[derive(Debug, clap::Args)]
struct WorkerArgs {
    #[arg(long, env = "SIGAP_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    mail: MailArgs,
}

impl MailArgs {
    /// The mail settings, or `None` (with a log line) when no SMTP server is set.
    fn settings(
        &self,
        public_url: &str,
    ) -> anyhow::Result<Option<sigap_app::notify::MailSettings>> {
        let Some(url) = &self.smtp_url else {
            tracing::warn!("SIGAP_SMTP_URL is not set: mail is queued and not sent");
            return Ok(None);
        };
        let mailer = sigap_notify::SmtpMailer::from_url(
            url,
            &self.mail_from,
            sigap_notify::SmtpOptions::default(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let public = sigap_notify::PublicUrl::parse(public_url)
            .map_err(|e| anyhow::anyhow!("SIGAP_PUBLIC_URL: {e}"))?;
        Ok(Some(sigap_app::notify::MailSettings {
            mailer: std::sync::Arc::new(mailer),
            public,
        }))
    }
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SIGAP_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Load the demo data set once (agencies, systems, one user per role, tickets). Its
    /// passwords are printed, so it listens only on a loopback address, and only on a
    /// database without users of its own.
    #[arg(long)]
    demo: bool,
    /// Let `--demo` listen on an address other hosts reach.
    #[arg(long, requires = "demo")]
    demo_public: bool,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    limits: crate::settings::LimitArgs,
    /// The contact in security.txt.
    #[arg(
        long,
        env = "SIGAP_SECURITY_CONTACT",
        default_value = "mailto:csirt@batam.go.id"
    )]
    security_contact: String,
    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-For` header names
    /// the client; the address counted by the report limits and written in the audit log.
    #[arg(long, env = "SIGAP_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
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
struct SystemClock;

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
    rules.secret_key = db.key.load(&db.data_dir)?;
    let url = db.url();
    let store = Store::open(&url, &db.store_options()?)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::settings::redact_url(&url)
            )
        })?;
    let blobs = BlobStore::new(db.data_dir.join("evidence"))
        .with_context(|| format!("cannot use {}", db.data_dir.display()))?;
    Ok(App::new(store, blobs, rules, policy, Arc::new(SystemClock)))
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
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            agency,
            password_stdin,
        }) => {
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let app = admin_app(&db).await?;
            let user = registry::UserRequest {
                email: email.into(),
                name: name.into(),
                role: role.into(),
                agency: agency.into(),
                password: password.into(),
            };
            let created = registry::add_user(&app, &Caller::system(), &user)
                .await
                .map_err(explain)?;
            println!(
                "user {} ({}) created",
                created.user.email, created.user.role
            );
            if let Some(p) = created.password {
                println!("password: {p}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Reset2fa { email }) => {
            let app = admin_app(&db).await?;
            let user = two_factor::UserRef::Email(email);
            let email = two_factor::reset(&app, &Caller::system(), &user)
                .await
                .map_err(explain)?;
            println!("second factor of {email} reset; they enrol again at their next sign-in");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::ResetPassword { email }) => {
            let app = admin_app(&db).await?;
            let user = two_factor::UserRef::Email(email);
            let reset = sigap_app::passwords::reset(&app, &Caller::system(), &user, None)
                .await
                .map_err(explain)?;
            println!("password of {} reset; their sessions ended", reset.email);
            println!("password: {}", reset.password);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Disable { email }) => {
            let app = admin_app(&db).await?;
            set_disabled(&app, &email, true).await
        }
        Command::User(UserCommand::Enable { email }) => {
            let app = admin_app(&db).await?;
            set_disabled(&app, &email, false).await
        }
        Command::Token(command) => {
            let app = admin_app(&db).await?;
            token_command(&app, command).await
        }
        Command::Agency(AgencyCommand::Add {
            code,
            name,
            email,
            head_email,
        }) => {
            let app = admin_app(&db).await?;
            let agency = registry::AgencyRequest {
                code: code.into(),
                name: name.into(),
                email: email.into(),
                head_email: head_email.into(),
            };
            let a = registry::add_agency(&app, &Caller::system(), &agency)
                .await
                .map_err(explain)?;
            println!("agency {} registered (id {})", a.code, a.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::System(cmd) => system(&db, cmd).await,
        Command::Audit(AuditCommand::Verify) => audit_verify(&db).await,
        Command::Audit(AuditCommand::Seal) => audit_seal(&db).await,
        Command::Backup { out } => {
            let app = admin_app(&db).await?;
            anyhow::ensure!(
                !out.exists(),
                "{} exists already; choose a new file",
                out.display()
            );
            app.store.backup_sqlite(&out).await?;
            println!("backup written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => restore(&db, &file).await,
        Command::Worker(args) => worker(&db, args).await,
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the password from stdin")?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

async fn system(db: &DatabaseArgs, cmd: SystemCommand) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    match cmd {
        SystemCommand::Add {
            agency,
            name,
            domain,
        } => {
            let system = registry::SystemRequest {
                agency: agency.into(),
                name: name.into(),
                domains: domain.into(),
                ..registry::SystemRequest::default()
            };
            let s = registry::add_system(&app, &Caller::system(), &system)
                .await
                .map_err(explain)?;
            println!(
                "system {} registered (id {}) for {}: {}",
                s.name,
                s.id,
                s.agency,
                s.domains.join(", ")
            );
        }
        SystemCommand::SetBlocking {
            domain,
            adapter,
            params,
        } => {
            let mut map = Map::new();
            for p in params {
                let (k, v) = p
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--param `{p}` is not KEY=VALUE"))?;
                map.insert(k.trim().to_owned(), Value::String(v.to_owned()));
            }
            registry::set_blocking(
                &app,
                &Caller::system(),
                &domain,
                &adapter,
                &Value::Object(map),
            )
            .await
            .map_err(explain)?;
            println!("blocking of {domain} set to {adapter}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit_seal(db: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    match sigap_app::audit_log::seal_legacy(&app)
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
async fn check_audit_key(app: &App) -> anyhow::Result<()> {
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

async fn audit_verify(db: &DatabaseArgs) -> anyhow::Result<ExitCode> {
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

async fn restore(db: &DatabaseArgs, file: &std::path::Path) -> anyhow::Result<ExitCode> {
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

async fn token_command(app: &App, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            email,
            label,
            expires_in,
            scopes,
        } => {
            let request = tokens::TokenRequest {
                email,
                label,
                scopes: tokens::parse_scopes(&scopes.join(",")).map_err(explain)?,
                expires_in_days: expires_in
                    .as_deref()
                    .map(tokens::parse_lifetime_days)
                    .transpose()
                    .map_err(explain)?,
            };
            let created = tokens::create(app, &Caller::system(), &request)
                .await
                .map_err(explain)?;
            println!("{}", created.token);
        }
        TokenCommand::List { email } => {
            let all = email.is_none();
            let list = tokens::list(app, &Caller::system(), email.as_deref(), all)
                .await
                .map_err(explain)?;
            for t in list {
                println!("{}", token_line(&t));
            }
        }
        TokenCommand::Revoke { id } => {
            tokens::revoke(app, &Caller::system(), id, None)
                .await
                .map_err(explain)?;
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One token as `token list` prints it: id, user, label, scopes, then its times.
fn token_line(t: &tokens::TokenView) -> String {
    let time = |at: Option<DateTime<Utc>>| at.map_or("-".to_owned(), |at| at.to_rfc3339());
    let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
    let state = if t.revoked_at.is_some() {
        "revoked"
    } else {
        "active"
    };
    format!(
        "{}\t{}\t{}\t{}\t{state}\tcreated {}\texpires {}\tlast used {}",
        t.id,
        t.email,
        t.label,
        scopes.join(","),
        t.created_at.to_rfc3339(),
        time(t.expires_at),
        time(t.last_used_at),
    )
}

/// Warns when official documents of some kinds would be issued as drafts (no signers in
/// the settings in force, from the file or the settings page).
async fn warn_draft_documents(app: &sigap_app::App) -> anyhow::Result<()> {
    let policy = app.policy().await.map_err(explain)?;
    let drafts = policy.documents.draft_kinds();
    if !drafts.is_empty() {
        let kinds: Vec<&str> = drafts.iter().map(|k| k.as_str()).collect();
        tracing::warn!(
            kinds = %kinds.join(", "),
            "official documents of these kinds have no signers configured and are issued as \
             drafts (\"DRAF — penandatangan belum diatur\"); set their signers in \
             SIGAP_DOCUMENTS_FILE or on /admin/settings"
        );
    }
    Ok(())
}

async fn serve(db: &DatabaseArgs, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    init_tracing();
    let (mut rules, mut policy) = args.rules.rules(&args.listen)?;
    rules.notices.mail_enabled = args.mail.smtp_url.is_some();
    rules.mail_from = args.mail.mail_from.clone();
    let limits = args.limits.web(rules.max_file_bytes)?;
    crate::settings::raise_open_files(limits.connections.max_connections);
    crate::settings::warn_plain_http(&rules.public_url);
    if args.demo && !args.demo_public && !crate::settings::is_loopback_listen(&args.listen) {
        anyhow::bail!(
            "--demo prints its accounts' passwords and listens only on a loopback address \
             (127.0.0.1, ::1); give --demo-public to listen on {} anyway",
            args.listen
        );
    }
    if args.demo && args.rules.documents_file.is_none() {
        policy.documents = std::sync::Arc::new(
            sigap_app::document_settings::DocumentSettings::demo().map_err(anyhow::Error::msg)?,
        );
    }
    if !args.demo && args.rules.public_url.is_none() {
        tracing::warn!(
            public_url = %rules.public_url,
            "SIGAP_PUBLIC_URL is not set: links in mail point to this machine, and official \
             documents are printed without their verification and tracking links (with the \
             verification code only); set it to the address the public reaches"
        );
    }
    let app = open_app(db, rules, policy).await?;
    check_audit_key(&app).await?;
    warn_draft_documents(&app).await?;
    if args.demo {
        sigap_app::demo::check_database(&app)
            .await
            .map_err(explain)?;
        print_demo(
            sigap_app::demo::load_demo(&app).await.map_err(explain)?,
            &app.rules.totp_required_roles,
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let web = WebSettings {
        max_request_bytes: limits.max_request_bytes,
        max_public_request_bytes: limits.max_public_request_bytes,
        max_uploads: limits.max_uploads,
        body_timeout: limits.body_timeout,
        connections: limits.connections,
        security_contact: args.security_contact,
        trusted_proxies: args.trusted_proxies,
    };
    let router = sigap_web::router(app.clone(), web);
    spawn_worker(app.clone(), &args.mail)?;
    tracing::info!(
        listen = %args.listen,
        database = %crate::settings::redact_url(&db.url()),
        ready_ms = started.elapsed().as_millis() as u64,
        "sigap is serving"
    );
    println!("sigap listening on http://{}", args.listen);
    sigap_web::serve(listener, router, limits.connections, shutdown_signal()).await?;
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `user disable` / `user enable`: the user with `email`, found among the staff.
async fn set_disabled(
    app: &sigap_app::App,
    email: &str,
    disabled: bool,
) -> anyhow::Result<ExitCode> {
    let wanted = email.trim().to_lowercase();
    let user = app
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.email == wanted)
        .ok_or_else(|| anyhow::anyhow!("no user with the e-mail address {email}"))?;
    let email = registry::set_user_disabled(app, &Caller::system(), user.id, disabled)
        .await
        .map_err(explain)?;
    println!(
        "{email} {}",
        if disabled {
            "disabled: no sign-in, API tokens refused, sessions ended"
        } else {
            "enabled"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs the background jobs of `serve` on a thread and runtime of their own, at a lower
/// scheduling priority (nice 10): building and sending a backlog of mail is CPU work, and on
/// its own thread the operating system shares the cores between it and the HTTP workers,
/// giving way to the requests people are waiting for, instead of requests queueing behind
/// mail in one runtime. The mail server's connection pool is made in that runtime too.
fn spawn_worker(app: sigap_app::App, mail: &MailArgs) -> anyhow::Result<()> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<()>>();
    let mail = mail.clone();
    std::thread::Builder::new()
        .name("sigap-worker".to_owned())
        .spawn(move || {
            if let Err(e) = lower_priority() {
                tracing::warn!(error = %e, "the job worker runs at normal priority");
            }
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e).context("cannot start the job worker"));
                    return;
                }
            };
            runtime.block_on(async move {
                match mail.settings(&app.rules.public_url) {
                    Ok(settings) => {
                        let _ = ready_tx.send(Ok(()));
                        sigap_app::worker::run_forever(app, settings).await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })
        .context("cannot start the job worker")?;
    ready_rx
        .recv()
        .context("the job worker stopped before it started")?
}

/// Lowers the calling thread's scheduling priority to nice 10 (Linux keeps the nice value
/// per thread).
fn lower_priority() -> std::io::Result<()> {
    let me = rustix::thread::gettid();
    let now = rustix::process::getpriority_process(Some(me))?;
    rustix::process::setpriority_process(Some(me), now.max(10))?;
    Ok(())
}

/// Runs the background jobs until stopped.
async fn worker(db: &DatabaseArgs, args: WorkerArgs) -> anyhow::Result<ExitCode> {
    init_tracing();
    let (mut rules, policy) = args.rules.rules(&args.listen)?;
    rules.notices.mail_enabled = args.mail.smtp_url.is_some();
    let app = open_app(db, rules, policy).await?;
    check_audit_key(&app).await?;
    let mail = args.mail.settings(&app.rules.public_url)?;
    println!(
        "sigap worker running ({})",
        if mail.is_some() {
            "mail, webhooks and deadlines"
        } else {
            "webhooks and deadlines; mail stays queued"
        }
    );
    tokio::select! {
        () = sigap_app::worker::run_forever(app.clone(), mail) => {}
        () = shutdown_signal() => {}
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn print_demo(demo: sigap_app::demo::DemoSummary, totp_roles: &[sigap_core::Role]) {
    if !demo.loaded {
        println!("demo data already loaded; the passwords were printed at the first start");
        return;
    }
    println!(
        "demo data loaded: {} tickets. Staff accounts (shown once):",
        demo.tickets.len()
    );
    for u in &demo.users {
        let agency = u
            .agency
            .as_deref()
            .map(|a| format!(" [{a}]"))
            .unwrap_or_default();
        println!("  {:<20} {:<32} {}{agency}", u.role, u.email, u.password);
    }
    if !totp_roles.is_empty() {
        let roles: Vec<&str> = totp_roles.iter().map(|r| r.as_str()).collect();
        println!(
            "Roles {} must use two-step verification: at their first sign-in they are shown a \
             QR code (and its key as text) to add to an authenticator app (FreeOTP, Aegis, \
             Google Authenticator; or `oathtool --totp -b KEY` in a terminal), then enter its \
             6-digit code. Other roles sign in with the password alone.",
            roles.join(", ")
        );
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGAP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
