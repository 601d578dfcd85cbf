//! The use cases of sigap, one function per user intention: submit a report, perform an
//! action, register an agency, create a token. Each opens one transaction on the store, asks
//! `sigap-core` to decide, writes, and commits, so that a refused or failed request leaves
//! nothing behind. The web layer and the command line both call these; neither decides
//! anything itself.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sigap_core::{DeadlinePolicy, FieldError, Role, WorkingCalendar};
use sigap_store::StoreError;

// The use cases by area of the SOP. An area names only the shared modules below it and the
// areas listed before it in `ARCHITECTURE.md` ("sigap-app by area"); the structure test
// fails on a cycle between areas or between the modules inside one.
pub mod admin;
pub mod documents;
pub mod exports;
pub mod identity;
pub mod inbox;
pub mod intake;
pub mod law;
pub mod outbox;
pub mod stats;
pub mod workflow;

// What every area shares: who calls, who may reach a ticket, the audit log's writing, the
// group commit of reports, what the instance measures, the evidence files, what a reader may
// learn of the reporter, the tables written for spreadsheets, and the answers' views.
pub mod access;
mod app;
pub(crate) mod audit;
pub mod auth;
pub mod evidence;
pub(crate) mod group;
pub mod meter;
pub mod privacy;
pub mod spreadsheet;
pub mod views;

// Not a use case: the worker's loop, wiring the job kinds at start.
pub mod worker;

pub use app::{App, Check, Readiness};
pub use auth::Caller;
pub use evidence::Upload;
pub use group::GroupStats;
pub use sigap_store::QUEUE_COUNT_CAP;

/// The part of the SOP's rules that an admin may change while sigap runs (on
/// `/admin/settings`, see `settings`). The binary gives the start values; a use case reads
/// the values in force with [`App::policy`], never the start values.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The working calendar with its holidays: the deadlines counted in working days.
    pub calendar: WorkingCalendar,
    /// Reactivation needs the Regional Secretary when the agency's valid reports exceed this.
    pub approval_threshold: u32,
    /// Only reports of the last N days count towards the threshold; `None` counts all.
    pub approval_window_days: Option<u32>,
    /// Letterhead, signers, number patterns and copies of the official documents.
    pub documents: Arc<documents::config::DocumentConfig>,
    /// The numbers of the national rules around the SOP (passwords, ...), with their
    /// rules' defaults ([`sigap_core::law`]).
    pub law: sigap_core::law::LawSettings,
}

impl Policy {
    /// The first instant whose valid reports count towards the "> 3 reports" rule at
    /// `now`; `None` when every report counts.
    pub fn approval_window_start(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.approval_window_days
            .map(|days| now - chrono::Duration::days(i64::from(days)))
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            calendar: WorkingCalendar::default(),
            approval_threshold: 3,
            approval_window_days: None,
            documents: Arc::default(),
            law: sigap_core::law::LawSettings::default(),
        }
    }
}

/// The rules and limits that hold from start to stop: read and validated by the binary at
/// start, changed by a restart only. What an admin may change is the [`Policy`].
#[derive(Debug, Clone)]
pub struct Rules {
    /// Ticket number prefix: `BCSIRT` gives `BCSIRT-2026-00001`.
    pub ticket_prefix: String,
    pub deadlines: DeadlinePolicy,
    /// Largest evidence file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Most evidence files in one request.
    pub max_files: usize,
    /// Base URL for tracking links.
    pub public_url: String,
    /// The office's contact on maintenance pages and how blocks are proven.
    pub blocking: workflow::blocking::BlockingConfig,
    /// The sender of every mail (`SIGAP_MAIL_FROM`), named as the organiser of meeting
    /// invitations.
    pub mail_from: String,
    /// Renders of official documents that may run at once, on blocking threads: one per
    /// core, so that a burst of steps never takes every core from the HTTP workers.
    pub render_slots: Arc<tokio::sync::Semaphore>,
    /// Argon2 password checks that may run at once: each takes a core and 19 MiB, so a
    /// burst of sign-ins waits here instead of exhausting the machine.
    pub password_slots: Arc<tokio::sync::Semaphore>,
    /// Who is told what beyond the step's own mail: escalations, reply-to, webhooks.
    pub notices: NoticeConfig,
    /// The roles that must sign in with a second factor (TOTP): after the password, a user
    /// of these roles without one is sent to enrolment and reaches no other staff page.
    pub totp_required_roles: Vec<Role>,
    /// The key that seals TOTP secrets in the database (and signs proof-of-work challenges).
    pub secret_key: identity::totp::SecretKey,
    /// Anti-spam of public intake: proof of work and limits per client address.
    pub intake_limits: intake::antispam::IntakeLimits,
    /// Reporter messages per ticket, client address and hour (0: no limit).
    pub messages_per_hour: u32,
    /// How mail to the CSIRT comes in: its domains, the trusted mail server, the size limit.
    pub mail_in: inbox::MailIn,
    /// The signer of certified electronic signatures made from sigap (the local PAdES
    /// signer or the BSrE client); `None`: documents are signed outside sigap only.
    pub signer: Option<Arc<dyn documents::signing::Signer>>,
    /// The token a Prometheus server scrapes `/metrics` with (`SIGAP_METRICS_TOKEN`).
    pub metrics_token: Option<admin::metrics::MetricsToken>,
    /// The OpenID Connect provider staff may sign in with (`SIGAP_OIDC_*`); `None`: none.
    pub sso: Option<Arc<identity::sso::Sso>>,
    /// The roles that may still sign in with a password (`SIGAP_PASSWORD_ROLES`); `None`:
    /// every role.
    pub password_roles: Option<Vec<Role>>,
}

impl Rules {
    /// Whether users of `role` must have a second factor.
    pub fn totp_required(&self, role: Role) -> bool {
        self.totp_required_roles.contains(&role)
    }

    /// Whether users of `role` may sign in with a password.
    pub fn password_allowed(&self, role: Role) -> bool {
        self.password_roles
            .as_ref()
            .is_none_or(|roles| roles.contains(&role))
    }

    /// The public URL without its trailing slash, for what outlives the request: the links
    /// printed on official documents. `None` when it names this machine only (`localhost`,
    /// a loopback or unspecified address: the default when `SIGAP_PUBLIC_URL` is not set),
    /// since a document that leaves the office must not carry a link that cannot work.
    pub fn document_base_url(&self) -> Option<&str> {
        let url = self.public_url.trim_end_matches('/');
        (!names_this_machine(url)).then_some(url)
    }
}

/// Whether `url`'s host is `localhost` (or a name under it), a loopback or an unspecified
/// address.
pub fn names_this_machine(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Who hears of missed deadlines, where replies go, and which tools hear of state changes.
#[derive(Debug, Clone, Default)]
pub struct NoticeConfig {
    /// The CSIRT lead's addresses (`SIGAP_CSIRT_LEAD_EMAIL`), told of every overdue step;
    /// empty: the active CSIRT analysts are told instead.
    pub csirt_lead: Vec<String>,
    /// Who receives each issued periodic report with its PDF (`SIGAP_REPORT_RECIPIENTS`:
    /// the Kepala Dinas, the Sekretaris Daerah); empty: it is issued and mailed to no one.
    pub report_recipients: Vec<String>,
    /// The address replies to sigap's mail go to (`SIGAP_MAIL_REPLY_TO`).
    pub reply_to: Option<String>,
    /// Whether replies go to a tagged address naming the ticket
    /// (`csirt+bcsirt-2026-00001.k7f3qx2a@…`); off (`SIGAP_MAIL_REPLY_TAGS=off`) for a mail
    /// server without plus-addressing.
    pub reply_tags: bool,
    /// Receivers of each state change (`SIGAP_WEBHOOK_URLS`).
    pub webhooks: Vec<outbox::webhooks::WebhookTarget>,
    /// Whether a mail server is set; without one mail is queued and not sent.
    pub mail_enabled: bool,
    /// The most messages a second a worker hands to the mail server
    /// (`SIGAP_MAIL_PER_SECOND`); 0: no limit.
    pub mail_per_second: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            ticket_prefix: "BCSIRT".to_owned(),
            deadlines: DeadlinePolicy::default(),
            max_file_bytes: 10 * 1024 * 1024,
            max_files: 10,
            public_url: "http://127.0.0.1:8080".to_owned(),
            blocking: workflow::blocking::BlockingConfig::default(),
            mail_from: "BATAM-CSIRT <csirt@batam.go.id>".to_owned(),
            password_slots: Arc::new(tokio::sync::Semaphore::new(2)),
            render_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, usize::from),
            )),
            notices: NoticeConfig {
                reply_tags: true,
                ..NoticeConfig::default()
            },
            totp_required_roles: vec![Role::Admin, Role::Csirt, Role::DomainOfficer],
            // A key of this process only: secrets sealed under it do not survive a restart.
            // The binary sets a kept one (`SIGAP_SECRET_KEY` or the key file).
            secret_key: identity::totp::SecretKey::random(),
            intake_limits: intake::antispam::IntakeLimits::off(),
            messages_per_hour: 0,
            mail_in: inbox::MailIn::default(),
            signer: None,
            metrics_token: None,
            sso: None,
            password_roles: None,
        }
    }
}

/// Why a use case did not complete. The web layer maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credential.
    #[error("authentication required")]
    Unauthorized,
    /// The thing does not exist, or is outside the caller's scope.
    #[error("{0} not found")]
    NotFound(String),
    /// The caller's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Not possible in the current state.
    #[error("{0}")]
    Conflict(String),
    /// Input is missing or wrong; each field says why.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// An upload is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests from one client (public intake's limits); try again after
    /// `retry_after` seconds. Nothing was stored.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// A server outside sigap that the action needs (a blocking adapter) failed; nothing
    /// was changed.
    #[error("{0}")]
    Upstream(String),
    /// The database or the disk failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The error on one line a person can act on: each bad field with its message.
    pub fn describe(&self) -> String {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound("record".to_owned()),
            StoreError::Conflict { field, value } => AppError::Invalid(vec![FieldError::new(
                field,
                format!("`{value}` is already registered"),
            )]),
            StoreError::Reference(field) => {
                AppError::invalid(&field, "refers to something that does not exist")
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> AppError {
        AppError::Internal(format!("file storage: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Milliseconds since the epoch, as the store keeps time.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of a stored millisecond count.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::names_this_machine;

    #[test]
    fn loopback_and_unspecified_addresses_name_this_machine() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://localhost:8080/x",
            "https://LOCALHOST.",
            "http://app.localhost",
            "http://[::1]:8080",
            "http://0.0.0.0:8080",
            "http://[::]:80",
            "http://user@127.0.0.1/",
            "http://",
        ] {
            assert!(names_this_machine(url), "{url}");
        }
        for url in [
            "https://csirt.batam.go.id",
            "https://csirt.batam.go.id:8443/sigap/",
            "http://10.20.30.40:8080",
            "http://[2001:db8::1]/",
            "https://localhost.batam.go.id",
        ] {
            assert!(!names_this_machine(url), "{url}");
        }
    }
}
