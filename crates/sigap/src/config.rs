//! The typed settings of a deployment: defaults, then flags and `SIGAP_*` environment
//! variables (clap reads both), validated once at start. Secrets are redacted in `Debug`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use sigap_app::documents::config::DocumentConfig;
use sigap_app::outbox::webhooks::WebhookTarget;
use sigap_app::workflow::blocking::BlockingConfig;
use sigap_app::workflow::blocking_profiles::BlockingProfiles;
use sigap_app::{NoticeConfig, Policy, Rules};
use sigap_block::OutboundPolicy;
use sigap_block::proof::{ProofOptions, Resolver};
use sigap_core::{Email, Role, TicketNumber, WorkingCalendar};
use sigap_store::StoreOptions;

/// Where the data lives; shared by every command.
#[derive(Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; default: SQLite under the data dir.
    #[arg(long, env = "SIGAP_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and the evidence files.
    #[arg(
        long,
        env = "SIGAP_DATA_DIR",
        default_value = "./sigap-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// SQLite durability: `normal` (every acknowledged write survives a killed server) or
    /// `full` (an fsync per commit: also survives an OS crash or power loss, at about 70 %
    /// of the intake rate).
    #[arg(
        long,
        env = "SIGAP_SQLITE_SYNC",
        default_value = "normal",
        global = true
    )]
    pub sqlite_sync: String,
    /// Where evidence, received mail and issued PDFs are kept: `file:///PATH` or
    /// `s3://BUCKET/PREFIX` (an S3-compatible store, shared by every instance; endpoint,
    /// credentials and region from `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`); default: `evidence/` in the
    /// data directory.
    #[arg(long, env = "SIGAP_BLOB_URL", global = true)]
    pub blob_url: Option<String>,
    #[command(flatten)]
    pub key: crate::keys::KeyArgs,
}

impl std::fmt::Debug for DatabaseArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseArgs")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("data_dir", &self.data_dir)
            .field("blob_url", &self.blob_url)
            .finish()
    }
}

/// A URL with its password replaced.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("sigap.db").display()))
    }

    /// The database is PostgreSQL: several instances may share it.
    pub fn is_postgres(&self) -> bool {
        let url = self.url();
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    pub fn store_options(&self) -> anyhow::Result<StoreOptions> {
        let full = match self.sqlite_sync.as_str() {
            "full" => true,
            "normal" => false,
            other => anyhow::bail!("SIGAP_SQLITE_SYNC is `full` or `normal`, not `{other}`"),
        };
        Ok(StoreOptions {
            sqlite_synchronous_full: full,
            ..StoreOptions::default()
        })
    }
}

/// The rules of the procedure that a deployment may change.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Base URL of this server, used in tracking links.
    #[arg(long, env = "SIGAP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Ticket number prefix (`BCSIRT` gives `BCSIRT-2026-00001`).
    #[arg(long, env = "SIGAP_TICKET_PREFIX", default_value = "BCSIRT")]
    pub ticket_prefix: String,
    /// Public holidays (YYYY-MM-DD, comma-separated) skipped by working-day deadlines.
    #[arg(long, env = "SIGAP_HOLIDAYS", value_delimiter = ',')]
    pub holidays: Vec<String>,
    /// Reactivation needs the Regional Secretary when an agency has more valid reports than this.
    #[arg(long, env = "SIGAP_APPROVAL_THRESHOLD", default_value_t = 3)]
    pub approval_threshold: u32,
    /// Count only the reports of the last N days towards the threshold (default: all time).
    #[arg(long, env = "SIGAP_APPROVAL_WINDOW_DAYS")]
    pub approval_window_days: Option<u32>,
    /// Largest evidence file, in bytes.
    #[arg(long, env = "SIGAP_MAX_FILE_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_bytes: usize,
    /// Public reports with the proof of work (the form with JavaScript, or an API client that
    /// solves challenges), per client address and hour; 0: no limit.
    #[arg(long, env = "SIGAP_REPORTS_PER_HOUR", default_value_t = 20)]
    pub reports_per_hour: u32,
    /// Public reports without the proof of work, per client address and hour; 0: no limit.
    #[arg(
        long,
        env = "SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF",
        default_value_t = 5
    )]
    pub reports_per_hour_without_proof: u32,
    /// Leading zero bits the report form's proof of work must reach (16: about 65,000
    /// SHA-256 hashes in the reporter's browser).
    #[arg(long, env = "SIGAP_REPORT_PROOF_BITS", default_value_t = 16,
          value_parser = clap::value_parser!(u8).range(8..=28))]
    pub report_proof_bits: u8,
    /// Reporter messages (`/track` and the API) per ticket, client address and hour; 0: no
    /// limit.
    #[arg(long, env = "SIGAP_MESSAGES_PER_HOUR", default_value_t = 10)]
    pub messages_per_hour: u32,
    /// Settings of the official documents (letterhead, signers, number patterns, copies), a
    /// TOML file as `docs/documents.example.toml` shows.
    #[arg(long, env = "SIGAP_DOCUMENTS_FILE")]
    pub documents_file: Option<PathBuf>,
    /// The office's contact on the maintenance page of a suspended system.
    #[arg(
        long,
        env = "SIGAP_BLOCK_CONTACT",
        default_value = "BATAM-CSIRT, Dinas Komunikasi dan Informatika Kota Batam, telp. +62 778 8073194"
    )]
    pub block_contact: String,
    /// Capture proof (DNS, HTTP, TLS, screenshot) around adapter blocks: `on` or `off`.
    #[arg(long, env = "SIGAP_PROOF", default_value = "on")]
    pub proof: String,
    /// The DNS server asked by proof captures (`ip:port`); the system's resolver otherwise.
    #[arg(long, env = "SIGAP_PROOF_RESOLVER")]
    pub proof_resolver: Option<std::net::SocketAddr>,
    /// Chromium for proof screenshots; none are taken when it is missing.
    #[arg(long, env = "SIGAP_CHROMIUM", default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,
    /// The unprivileged user Chromium runs as when sigap runs as root (its sandbox stays on).
    #[arg(long, env = "SIGAP_CHROMIUM_USER", default_value = "nobody")]
    pub chromium_user: String,
    /// Special addresses (CIDRs, comma-separated) the server may connect to for proof
    /// captures, adapter APIs and webhooks; loopback, private, link-local and metadata
    /// addresses are refused otherwise.
    #[arg(long, env = "SIGAP_OUTBOUND_ALLOW", default_value = "")]
    pub outbound_allow: String,
    /// The operator's blocking profiles (TOML): adapters with their commands, files, server
    /// addresses and secret variable names, chosen per system on the web.
    #[arg(long, env = "SIGAP_BLOCKING_FILE")]
    pub blocking_file: Option<PathBuf>,
    /// The CSIRT lead's address(es), comma-separated, told of every overdue step (default:
    /// the active CSIRT analysts).
    #[arg(long, env = "SIGAP_CSIRT_LEAD_EMAIL", value_delimiter = ',')]
    pub csirt_lead_email: Vec<String>,
    /// Who receives each issued periodic report with its PDF (comma-separated; e.g. the
    /// Kepala Dinas and the Sekretaris Daerah); unset: reports are issued and mailed to
    /// no one.
    #[arg(long, env = "SIGAP_REPORT_RECIPIENTS", value_delimiter = ',')]
    pub report_recipients: Vec<String>,
    /// Where replies to sigap's mail go.
    #[arg(long, env = "SIGAP_MAIL_REPLY_TO")]
    pub mail_reply_to: Option<String>,
    /// Replies to a ticket's mail go to a tagged address naming the ticket
    /// (`csirt+bcsirt-2026-00001.k7f3qx2a@…`): `on`, or `off` for a mail server without
    /// plus-addressing.
    #[arg(long, env = "SIGAP_MAIL_REPLY_TAGS", default_value = "on")]
    pub mail_reply_tags: String,
    /// URLs (comma-separated) that receive each state change as signed JSON.
    #[arg(long, env = "SIGAP_WEBHOOK_URLS")]
    pub webhook_urls: Option<String>,
    /// The HMAC-SHA256 key of webhook messages (header `X-Sigap-Signature`).
    #[arg(long, env = "SIGAP_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// The most messages a second the job worker hands to the mail server; 0: no limit.
    #[arg(long, env = "SIGAP_MAIL_PER_SECOND", default_value_t = 250)]
    pub mail_per_second: u32,
    /// Roles that must sign in with a second factor (TOTP), comma-separated; `none` for
    /// none. API tokens are not affected.
    #[arg(
        long,
        env = "SIGAP_TOTP_REQUIRED_ROLES",
        value_delimiter = ',',
        default_value = "admin,csirt,domain_officer"
    )]
    pub totp_required_roles: Vec<String>,
    /// The token a Prometheus server scrapes `/metrics` with (as `Authorization: Bearer`),
    /// at least 32 characters; loopback clients and staff API tokens need none.
    #[arg(long, env = "SIGAP_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub signing: crate::signing::SigningArgs,
    #[command(flatten)]
    pub sso: crate::sso::SsoArgs,
}

/// Reads the roles of `SIGAP_TOTP_REQUIRED_ROLES`.
fn required_roles(names: &[String]) -> anyhow::Result<Vec<Role>> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if names == ["none"] {
        return Ok(Vec::new());
    }
    names
        .into_iter()
        .map(|name| {
            name.parse::<Role>().map_err(|_| {
                anyhow::anyhow!(
                    "SIGAP_TOTP_REQUIRED_ROLES: `{name}` is not a role (admin, helpdesk, csirt, \
                     domain_officer, system_owner, regional_secretary, auditor) or `none`"
                )
            })
        })
        .collect()
}

impl RuleArgs {
    /// How blocks are proven, from `SIGAP_PROOF`, `SIGAP_PROOF_RESOLVER` and `SIGAP_CHROMIUM`.
    fn blocking(&self) -> anyhow::Result<BlockingConfig> {
        let proof = match self.proof.trim() {
            "off" => None,
            "on" => Some(ProofOptions {
                resolver: match self.proof_resolver {
                    Some(at) => Resolver::At(at),
                    None => Resolver::System,
                },
                chromium: Some(self.chromium.clone()),
                chromium_user: self.chromium_user.clone(),
                ..ProofOptions::default()
            }),
            other => anyhow::bail!("SIGAP_PROOF is `on` or `off`, not `{other}`"),
        };
        let outbound = OutboundPolicy::parse(&self.outbound_allow)
            .map_err(|e| anyhow::anyhow!("SIGAP_OUTBOUND_ALLOW: {e}"))?;
        let profiles = match &self.blocking_file {
            Some(path) => BlockingProfiles::from_file(path, &sigap_block::process_env)
                .map_err(|e| anyhow::anyhow!("SIGAP_BLOCKING_FILE: {e}"))?,
            None => BlockingProfiles::default(),
        };
        Ok(BlockingConfig {
            contact: self.block_contact.clone(),
            proof,
            profiles,
            outbound,
        })
    }

    /// Escalation, reply-to and webhook settings, checked.
    fn notices(&self) -> anyhow::Result<NoticeConfig> {
        let csirt_lead = addresses("SIGAP_CSIRT_LEAD_EMAIL", &self.csirt_lead_email)?;
        let report_recipients = addresses("SIGAP_REPORT_RECIPIENTS", &self.report_recipients)?;
        let reply_to = match self.mail_reply_to.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(
                Email::parse(e)
                    .map_err(|_| {
                        anyhow::anyhow!("SIGAP_MAIL_REPLY_TO: `{e}` is not an e-mail address")
                    })?
                    .as_str()
                    .to_owned(),
            ),
        };
        let webhooks = match &self.webhook_urls {
            Some(urls) => WebhookTarget::parse_list(urls, self.webhook_secret.as_deref())
                .map_err(|e| anyhow::anyhow!("SIGAP_WEBHOOK_URLS: {e}"))?,
            None => Vec::new(),
        };
        let reply_tags = match self.mail_reply_tags.trim() {
            "on" => true,
            "off" => false,
            other => anyhow::bail!("SIGAP_MAIL_REPLY_TAGS is `on` or `off`, not `{other}`"),
        };
        Ok(NoticeConfig {
            csirt_lead,
            report_recipients,
            reply_to,
            reply_tags,
            webhooks,
            mail_enabled: false,
            mail_per_second: self.mail_per_second,
        })
    }

    /// Validated rules and the start values of the policy; `listen` gives the default
    /// public URL.
    pub fn rules(&self, listen: &str) -> anyhow::Result<(Rules, Policy)> {
        TicketNumber::check_prefix(&self.ticket_prefix)
            .map_err(|e| anyhow::anyhow!("SIGAP_TICKET_PREFIX: {}", e.message))?;
        let mut holidays = Vec::new();
        for h in self
            .holidays
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty())
        {
            let date = NaiveDate::parse_from_str(h, "%Y-%m-%d").map_err(|_| {
                anyhow::anyhow!("SIGAP_HOLIDAYS: `{h}` is not a date like 2026-08-17")
            })?;
            holidays.push(date);
        }
        let documents = match &self.documents_file {
            Some(path) => {
                read_documents(path).map_err(|e| anyhow::anyhow!("SIGAP_DOCUMENTS_FILE: {e}"))?
            }
            None => DocumentConfig::default(),
        };
        let policy = Policy {
            documents: std::sync::Arc::new(documents),
            calendar: WorkingCalendar::new(holidays),
            approval_threshold: self.approval_threshold,
            approval_window_days: self.approval_window_days,
            law: sigap_core::law::LawSettings::default(),
        };
        let rules = Rules {
            notices: self.notices()?,
            blocking: self.blocking()?,
            ticket_prefix: self.ticket_prefix.clone(),
            max_file_bytes: self.max_file_bytes,
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listen}")),
            totp_required_roles: required_roles(&self.totp_required_roles)?,
            intake_limits: sigap_app::intake::antispam::IntakeLimits {
                per_hour: self.reports_per_hour,
                without_proof_per_hour: self.reports_per_hour_without_proof,
                proof_bits: self.report_proof_bits,
            },
            messages_per_hour: self.messages_per_hour,
            signer: self.signing.signer()?,
            metrics_token: self
                .metrics_token
                .as_deref()
                .map(sigap_app::admin::metrics::MetricsToken::new)
                .transpose()
                .map_err(|e| anyhow::anyhow!("SIGAP_METRICS_TOKEN: {e}"))?,
            sso: self.sso.provider()?,
            password_roles: self.sso.password_roles()?,
            ..Rules::default()
        };
        Ok((rules, policy))
    }
}

/// The limits of the server's connections and request bodies.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest request body of staff routes (uploads), in bytes.
    #[arg(long, env = "SIGAP_MAX_REQUEST_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_request_bytes: usize,
    /// Largest request body of the public routes (reports, reporter messages), in bytes.
    #[arg(long, env = "SIGAP_MAX_PUBLIC_REQUEST_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub max_public_request_bytes: usize,
    /// Uploads (multipart bodies) read at once; more wait up to 10 s, then get 503.
    #[arg(long, env = "SIGAP_MAX_UPLOADS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_uploads: u32,
    /// Seconds for a request's body to arrive (408 after).
    #[arg(long, env = "SIGAP_BODY_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,
    /// Seconds for a request's headers to arrive, counted from when the connection waits
    /// for the request: also how long a kept-alive connection may sit idle.
    #[arg(long, env = "SIGAP_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout_secs: u64,
    /// Connections served at once; as many more are answered 503 and closed.
    #[arg(long, env = "SIGAP_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
}

impl LimitArgs {
    /// The limits, checked against each other and the largest evidence file.
    pub fn web(&self, max_file_bytes: usize) -> anyhow::Result<WebLimits> {
        if self.max_public_request_bytes > self.max_request_bytes {
            anyhow::bail!(
                "SIGAP_MAX_PUBLIC_REQUEST_BYTES ({}) is over SIGAP_MAX_REQUEST_BYTES ({})",
                self.max_public_request_bytes,
                self.max_request_bytes
            );
        }
        if max_file_bytes > self.max_public_request_bytes {
            anyhow::bail!(
                "SIGAP_MAX_FILE_BYTES ({max_file_bytes}) is over SIGAP_MAX_PUBLIC_REQUEST_BYTES \
                 ({}): a reporter could never send such a file",
                self.max_public_request_bytes
            );
        }
        Ok(WebLimits {
            max_request_bytes: self.max_request_bytes,
            max_public_request_bytes: self.max_public_request_bytes,
            max_uploads: self.max_uploads as usize,
            body_timeout: std::time::Duration::from_secs(self.body_timeout_secs),
            connections: sigap_web::ConnectionLimits {
                header_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
                max_connections: self.max_connections as usize,
            },
        })
    }
}

/// The checked limits of [`LimitArgs`], as the web layer takes them.
#[derive(Debug, Clone)]
pub struct WebLimits {
    pub max_request_bytes: usize,
    pub max_public_request_bytes: usize,
    pub max_uploads: usize,
    pub body_timeout: std::time::Duration,
    pub connections: sigap_web::ConnectionLimits,
}

/// Raises the soft limit of open files to the hard one: each connection is a file, and
/// the default soft limit (often 1,024) is below what `SIGAP_MAX_CONNECTIONS` allows
/// (twice the cap, counting the connections answered 503, plus the database and evidence
/// files). Answers the limit in force; a warning when it is still too low.
pub fn raise_open_files(max_connections: usize) -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    let now = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => getrlimit(Resource::Nofile).current,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the limit of open files");
            limit.current
        }
    };
    let now = now.unwrap_or(u64::MAX);
    let needed = (max_connections as u64)
        .saturating_mul(2)
        .saturating_add(256);
    if now < needed {
        tracing::warn!(
            open_files = now,
            needed,
            "the limit of open files is below twice SIGAP_MAX_CONNECTIONS plus 256: lower \
             SIGAP_MAX_CONNECTIONS or raise the hard limit (ulimit -Hn, LimitNOFILE=)"
        );
    }
    now
}

/// Whether `listen` (`host:port`) is a loopback address: `127.0.0.0/8`, `::1` or
/// `localhost`.
pub fn is_loopback_listen(listen: &str) -> bool {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => listen
            .rsplit_once(':')
            .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
    }
}

/// Warns when the public URL is plain http on a host other than a loopback one: sign-in
/// passwords and session cookies would then cross the network in clear, and cookies are
/// not `Secure`.
pub fn warn_plain_http(public_url: &str) {
    let Some(rest) = public_url.strip_prefix("http://") else {
        return;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        tracing::warn!(
            public_url,
            "SIGAP_PUBLIC_URL is plain http on a non-loopback address: passwords and session \
             cookies cross the network in clear; serve it over https (a TLS reverse proxy)"
        );
    }
}

/// Reads and checks the documents file at `path`; a logo it names is read beside it.
fn read_documents(path: &std::path::Path) -> Result<DocumentConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let base = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    let beside = |name: &str| {
        let file = base.join(name);
        std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
    };
    DocumentConfig::from_toml(&text, &beside).map_err(|e| format!("{}: {e}", path.display()))
}

/// The e-mail addresses of a comma-separated variable, each checked.
fn addresses(variable: &str, list: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in list.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let email = Email::parse(e)
            .map_err(|_| anyhow::anyhow!("{variable}: `{e}` is not an e-mail address"))?;
        out.push(email.as_str().to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_documents_file_is_read_with_the_logo_beside_it() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        let read = read_documents(&docs.join("documents.demo.toml")).unwrap();
        assert_eq!(read.to_json(), DocumentConfig::demo().unwrap().to_json());
        let dir = std::env::temp_dir().join(format!("sigap-docfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("documents.toml");
        std::fs::write(
            &file,
            "[letterhead]\nlines = [\"A\"]\naddress = \"B\"\nlogo = \"gone.png\"\n",
        )
        .unwrap();
        let err = read_documents(&file).unwrap_err();
        assert!(err.contains("gone.png") && err.contains("logo"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn body_limits_are_checked_against_each_other() {
        let args = LimitArgs {
            max_request_bytes: 64 << 20,
            max_public_request_bytes: 25 << 20,
            max_uploads: 8,
            body_timeout_secs: 60,
            header_timeout_secs: 10,
            max_connections: 512,
        };
        let web = args.web(10 << 20).unwrap();
        assert_eq!(web.connections.max_connections, 512);
        assert_eq!(web.connections.header_timeout.as_secs(), 10);
        let err = args.web(30 << 20).unwrap_err().to_string();
        assert!(err.contains("SIGAP_MAX_FILE_BYTES"), "{err}");
        let wider = LimitArgs {
            max_public_request_bytes: 100 << 20,
            ..args
        };
        let err = wider.web(10 << 20).unwrap_err().to_string();
        assert!(err.contains("SIGAP_MAX_PUBLIC_REQUEST_BYTES"), "{err}");
    }

    #[test]
    fn required_roles_are_read_or_refused() {
        let names = |text: &str| text.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            required_roles(&names("admin, csirt,domain_officer")).unwrap(),
            vec![Role::Admin, Role::Csirt, Role::DomainOfficer]
        );
        assert!(required_roles(&names("none")).unwrap().is_empty());
        assert!(required_roles(&names("admin,root")).is_err());
    }
}
