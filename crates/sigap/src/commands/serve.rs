//! Serving: the web server with its worker thread (`serve`, with `--demo`), the worker on
//! its own (`worker`), and what they share: the mail settings, logging, shutdown.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use sigap_web::WebConfig;

use crate::config::{DatabaseArgs, RuleArgs};

use super::*;

/// Outgoing mail, as `serve` and `worker` read it.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct MailArgs {
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
    /// Receive mail to the CSIRT over LMTP from the city's mail server on this address
    /// (`127.0.0.1:2424`); unset: no mail is received.
    #[arg(long, env = "SIGAP_LMTP_LISTEN")]
    lmtp_listen: Option<String>,
    /// The domains of the CSIRT's addresses (comma-separated) whose mail LMTP takes; unset:
    /// the domain of the address replies go to.
    #[arg(long, env = "SIGAP_MAIL_DOMAINS", value_delimiter = ',')]
    mail_domains: Vec<String>,
    /// The receiving mail server's name in `Authentication-Results` (e.g.
    /// `mx.batam.go.id`): only its results count; unset: the topmost header counts.
    #[arg(long, env = "SIGAP_MAIL_AUTHSERV_ID")]
    mail_authserv_id: Option<String>,
    /// A mail written to the template with every field a report needs becomes a ticket
    /// without the help desk: `on` or `off`.
    #[arg(long, env = "SIGAP_EMAIL_AUTO_ACCEPT", default_value = "off")]
    email_auto_accept: String,
    /// The largest message received, in bytes.
    #[arg(long, env = "SIGAP_MAIL_MAX_BYTES", default_value_t = 35 * 1024 * 1024)]
    mail_max_bytes: usize,
    /// Read the CSIRT's mail from a hosted mailbox (`imaps://user@host/INBOX`); unset: no
    /// mailbox is read.
    #[arg(long, env = "SIGAP_IMAP_URL")]
    imap_url: Option<String>,
    /// The mailbox's password.
    #[arg(
        long,
        env = "SIGAP_IMAP_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    imap_password: String,
    /// Move kept messages to this folder instead of marking them read.
    #[arg(long, env = "SIGAP_IMAP_DONE_FOLDER")]
    imap_done_folder: Option<String>,
    /// CA certificates (PEM) trusted for the mailbox's TLS besides the system's.
    #[arg(long, env = "SIGAP_IMAP_CA_FILE")]
    imap_ca_file: Option<std::path::PathBuf>,
    /// The CSIRT's OpenPGP secret key (armored or binary): mail encrypted to it is opened,
    /// and its public half is served at `/pgp-key.txt` and named in security.txt.
    #[arg(long, env = "SIGAP_PGP_KEY_FILE")]
    pgp_key_file: Option<std::path::PathBuf>,
    /// The passphrase of that key (empty when it has none).
    #[arg(
        long,
        env = "SIGAP_PGP_PASSPHRASE",
        hide_env_values = true,
        default_value = ""
    )]
    pgp_passphrase: String,
    /// Public keys (armored) the CSIRT knows, to check signatures of mail against.
    #[arg(long, env = "SIGAP_PGP_KNOWN_KEYS")]
    pgp_known_keys: Option<std::path::PathBuf>,
}

/// What `worker` reads (and `doctor` checks): the address that makes the public URL's
/// default, the rules, the mail.
#[derive(Debug, clap::Args)]
pub(super) struct WorkerArgs {
    #[arg(long, env = "SIGAP_LISTEN", default_value = "127.0.0.1:8080")]
    pub(super) listen: String,
    #[command(flatten)]
    pub(super) rules: RuleArgs,
    #[command(flatten)]
    pub(super) mail: MailArgs,
}

impl MailArgs {
    /// The SMTP server's URL and the sender, when mail is sent.
    pub(super) fn smtp(&self) -> Option<(&str, &str)> {
        self.smtp_url
            .as_deref()
            .map(|url| (url, self.mail_from.as_str()))
    }

    /// How mail comes in, checked.
    fn mail_in(&self) -> anyhow::Result<sigap_app::inbox::MailIn> {
        let mut domains = Vec::new();
        for d in self
            .mail_domains
            .iter()
            .map(|d| d.trim())
            .filter(|d| !d.is_empty())
        {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let probe = format!("csirt@{d}");
            sigap_core::Email::parse(&probe)
                .map_err(|_| anyhow::anyhow!("SIGAP_MAIL_DOMAINS: `{d}` is not a domain"))?;
            domains.push(d);
        }
        Ok(sigap_app::inbox::MailIn {
            domains,
            authserv_id: self
                .mail_authserv_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            max_bytes: self.mail_max_bytes,
            auto_accept: match self.email_auto_accept.trim() {
                "on" => true,
                "off" => false,
                other => anyhow::bail!("SIGAP_EMAIL_AUTO_ACCEPT is `on` or `off`, not `{other}`"),
            },
            pgp: self.pgp_keys()?,
        })
    }

    /// The CSIRT's OpenPGP key, when `SIGAP_PGP_KEY_FILE` names one; a key that cannot be
    /// used stops the start with what is wrong.
    fn pgp_keys(&self) -> anyhow::Result<Option<std::sync::Arc<sigap_app::inbox::pgp::PgpKeys>>> {
        let Some(path) = &self.pgp_key_file else {
            if self.pgp_known_keys.is_some() {
                anyhow::bail!("SIGAP_PGP_KNOWN_KEYS needs SIGAP_PGP_KEY_FILE");
            }
            return Ok(None);
        };
        let secret = std::fs::read(path)
            .with_context(|| format!("SIGAP_PGP_KEY_FILE: cannot read {}", path.display()))?;
        let known = match &self.pgp_known_keys {
            Some(known) => std::fs::read(known).with_context(|| {
                format!("SIGAP_PGP_KNOWN_KEYS: cannot read {}", known.display())
            })?,
            None => Vec::new(),
        };
        let keys = sigap_app::inbox::pgp::PgpKeys::load(&secret, &self.pgp_passphrase, &known)
            .map_err(|e| anyhow::anyhow!("SIGAP_PGP_KEY_FILE {}: {e}", path.display()))?;
        tracing::info!(
            fingerprint = keys.fingerprint(),
            "mail encrypted to the CSIRT's key is opened"
        );
        Ok(Some(std::sync::Arc::new(keys)))
    }

    /// Starts reading the mailbox when `SIGAP_IMAP_URL` is set.
    fn spawn_imap(&self, app: &sigap_app::App) -> anyhow::Result<()> {
        let Some(url) = &self.imap_url else {
            return Ok(());
        };
        let source = sigap_notify::imap::ImapSource::parse(
            url,
            &self.imap_password,
            self.imap_done_folder.as_deref(),
            self.imap_ca_file.clone(),
        )
        .map_err(anyhow::Error::msg)?;
        tracing::info!(mailbox = %source.name(), "reading mail over IMAP");
        let drop = sigap_app::inbox::lmtp::MailDrop { app: app.clone() };
        tokio::spawn(source.run(std::sync::Arc::new(drop)));
        Ok(())
    }

    /// Starts the LMTP server when `SIGAP_LMTP_LISTEN` is set.
    async fn spawn_lmtp(&self, app: &sigap_app::App) -> anyhow::Result<()> {
        let Some(listen) = &self.lmtp_listen else {
            return Ok(());
        };
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("SIGAP_LMTP_LISTEN: cannot listen on {listen}"))?;
        let host = sigap_app::outbox::threads::message_host(app);
        let options = sigap_app::inbox::lmtp::options(app, &host);
        if options.domains.is_empty() {
            anyhow::bail!(
                "SIGAP_LMTP_LISTEN is set but no domain is known: set SIGAP_MAIL_DOMAINS"
            );
        }
        tracing::info!(%listen, domains = ?options.domains, "receiving mail over LMTP");
        let drop = sigap_app::inbox::lmtp::MailDrop { app: app.clone() };
        tokio::spawn(sigap_notify::lmtp::serve(
            listener,
            options,
            std::sync::Arc::new(drop),
        ));
        Ok(())
    }

    /// The mail settings, or `None` (with a log line) when no SMTP server is set.
    fn settings(
        &self,
        public_url: &str,
    ) -> anyhow::Result<Option<sigap_app::outbox::notify::MailSender>> {
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
        Ok(Some(sigap_app::outbox::notify::MailSender {
            mailer: std::sync::Arc::new(mailer),
            public,
        }))
    }
}

#[derive(Debug, clap::Args)]
pub(super) struct ServeArgs {
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
    limits: crate::config::LimitArgs,
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
    /// Seconds between SIGTERM and closing the listener, while `/readyz` answers 503 and
    /// requests are still served: a load balancer that probes `/readyz` takes the instance
    /// out first. 0 (the default) closes at once.
    #[arg(long, env = "SIGAP_DRAIN_SECONDS", default_value_t = 0)]
    drain_seconds: u64,
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

pub(super) async fn serve(db: &DatabaseArgs, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let telemetry = crate::telemetry::init()?;
    let (mut rules, mut policy) = args.rules.rules(&args.listen)?;
    rules.notices.mail_enabled = args.mail.smtp_url.is_some();
    rules.mail_from = args.mail.mail_from.clone();
    rules.mail_in = args.mail.mail_in()?;
    let limits = args.limits.web(rules.max_file_bytes)?;
    crate::config::raise_open_files(limits.connections.max_connections);
    crate::config::warn_plain_http(&rules.public_url);
    if args.demo && !args.demo_public && !crate::config::is_loopback_listen(&args.listen) {
        anyhow::bail!(
            "--demo prints its accounts' passwords and listens only on a loopback address \
             (127.0.0.1, ::1); give --demo-public to listen on {} anyway",
            args.listen
        );
    }
    if args.demo && args.rules.documents_file.is_none() {
        policy.documents = std::sync::Arc::new(
            sigap_app::documents::config::DocumentConfig::demo().map_err(anyhow::Error::msg)?,
        );
    }
    if args.demo && rules.signer.is_none() {
        rules.signer = demo_signer(&policy.documents)?;
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
    warn_draft_documents(&app).await?;
    if args.demo {
        crate::demo::check_database(&app).await.map_err(explain)?;
        print_demo(
            crate::demo::load_demo(&app).await.map_err(explain)?,
            &app.rules.totp_required_roles,
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let web = WebConfig {
        max_request_bytes: limits.max_request_bytes,
        max_public_request_bytes: limits.max_public_request_bytes,
        max_uploads: limits.max_uploads,
        body_timeout: limits.body_timeout,
        connections: limits.connections,
        security_contact: args.security_contact,
        trusted_proxies: args.trusted_proxies,
        stopping: stopped.clone(),
    };
    let router = sigap_web::router(app.clone(), web);
    spawn_meter_upkeep(&app);
    let worker = spawn_worker(app.clone(), &args.mail, stopped)?;
    args.mail.spawn_lmtp(&app).await?;
    args.mail.spawn_imap(&app)?;
    tracing::info!(
        listen = %args.listen,
        database = %crate::config::redact_url(&db.url()),
        blobs = %app.blobs.location(),
        ready_ms = started.elapsed().as_millis() as u64,
        "sigap is serving"
    );
    if !crate::telemetry::json_logs() {
        println!("sigap listening on http://{}", args.listen);
    }
    let signal = stopping(stop, std::time::Duration::from_secs(args.drain_seconds));
    sigap_web::serve(listener, router, limits.connections, signal).await?;
    worker_stopped(worker).await;
    app.store.close().await;
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    Ok(ExitCode::SUCCESS)
}

/// Ends when the listener should close: at SIGTERM (or Ctrl-C) `/readyz` and the worker are
/// told at once, the listener after `drain`.
async fn stopping(stop: tokio::sync::watch::Sender<bool>, drain: std::time::Duration) {
    shutdown_signal().await;
    let _ = stop.send(true);
    if !drain.is_zero() {
        tracing::info!(
            seconds = drain.as_secs(),
            "stopping: /readyz answers 503; requests are served until the drain ends"
        );
        tokio::time::sleep(drain).await;
    }
    tracing::info!("stopping: no new connections or jobs; finishing those under way");
}

/// How long a stopping process waits for its worker to record the jobs under way (a
/// message being handed to the mail server, a webhook); past it, their lease brings them
/// back to the queue.
const WORKER_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Waits, at most [`WORKER_GRACE`], for the worker to end.
async fn worker_stopped(worker: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(WORKER_GRACE, worker).await.is_err() {
        tracing::warn!(
            "the job worker did not finish within {} s; its jobs under way run again when their \
             lease passes",
            WORKER_GRACE.as_secs()
        );
    }
}

/// Runs the background jobs of `serve` on a thread and runtime of their own, at a lower
/// scheduling priority (nice 10): building and sending a backlog of mail is CPU work, and on
/// its own thread the operating system shares the cores between it and the HTTP workers,
/// giving way to the requests people are waiting for, instead of requests queueing behind
/// mail in one runtime. The mail server's connection pool is made in that runtime too.
/// Answers a future that resolves when the worker has stopped (after `stop` turns).
fn spawn_worker(
    app: sigap_app::App,
    mail: &MailArgs,
    stop: sigap_app::worker::Stop,
) -> anyhow::Result<impl std::future::Future<Output = ()>> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<()>>();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
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
                        sigap_app::worker::run_forever(app, settings, stop).await;
                        let _ = done_tx.send(());
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
        .context("the job worker stopped before it started")??;
    Ok(async move {
        let _ = done_rx.await;
    })
}

/// Folds the metrics' histogram samples into their buckets every few seconds, so that
/// samples between two scrapes do not pile up in memory.
fn spawn_meter_upkeep(app: &sigap_app::App) {
    let meter = app.meter.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            meter.upkeep();
        }
    });
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
pub(super) async fn worker(db: &DatabaseArgs, args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let telemetry = crate::telemetry::init()?;
    let (mut rules, policy) = args.rules.rules(&args.listen)?;
    rules.notices.mail_enabled = args.mail.smtp_url.is_some();
    rules.mail_from = args.mail.mail_from.clone();
    rules.mail_in = args.mail.mail_in()?;
    let app = open_app(db, rules, policy).await?;
    let mail = args.mail.settings(&app.rules.public_url)?;
    args.mail.spawn_lmtp(&app).await?;
    args.mail.spawn_imap(&app)?;
    println!(
        "sigap worker running ({})",
        if mail.is_some() {
            "mail, webhooks and deadlines"
        } else {
            "webhooks and deadlines; mail stays queued"
        }
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = sigap_app::worker::run_forever(app.clone(), mail, stopped);
    tokio::pin!(run);
    tokio::select! {
        () = &mut run => {}
        () = shutdown_signal() => {
            let _ = stop.send(true);
            worker_stopped(run).await;
        }
    }
    app.store.close().await;
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    Ok(ExitCode::SUCCESS)
}

/// The demo's signer, when its documents name a demo account as a signer (see
/// `demo::signer`).
fn demo_signer(
    documents: &sigap_app::documents::config::DocumentConfig,
) -> anyhow::Result<Option<std::sync::Arc<dyn sigap_app::documents::signing::Signer>>> {
    use crate::demo::signer::{DEMO_CA, DEMO_SIGNER_ACCOUNT, demo_signer, demo_signer_name};
    let Some(name) = demo_signer_name(documents) else {
        return Ok(None);
    };
    println!(
        "Signing from sigap: {DEMO_SIGNER_ACCOUNT} signs the documents of \"{name}\" \
         (\"Tandatangani\" on the ticket page) with a certificate made now under \"{DEMO_CA}\"."
    );
    let now = sigap_core::Clock::now(&super::SystemClock);
    Ok(Some(demo_signer(&name, now)?))
}

fn print_demo(demo: crate::demo::DemoSummary, totp_roles: &[sigap_core::Role]) {
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
