//! Persistence for sigap over two backends: embedded SQLite (the default, no set-up) and
//! PostgreSQL (several stateless instances on one database).
//!
//! The query text is written once (`common.rs`) and compiled twice, once per backend module,
//! with `Db` and `Conn` naming that backend's types; only connection set-up, counters, locks
//! and full-text search differ. `Store` picks the backend from the database URL at run time.
//! Writes go through a [`Tx`]: every user action is one transaction, committed whole or not
//! at all.

use std::path::Path;

pub mod audit;
pub mod blobs;
pub mod contact;
pub mod copy;
mod postgres;
mod rows;
pub mod schema;
mod signed_copies;
mod sqlite;

pub use audit::{AuditEntry, AuditHead, AuditKey, ChainBreak, NewAuditEntry};
pub use blobs::{BlobRead, BlobStore};
pub use contact::ContactKey;
pub use copy::{CopyEvent, CopySummary};
pub use rows::*;
pub use schema::SchemaVersion;
pub use signed_copies::{NewSignature, NewSignedCopy, SignedCopyRow};

/// Errors of the store. `NotFound` and `Conflict` are answers about the data; `Database`
/// is an outage or a bug and is never shown to a client in detail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key already holds this value (e.g. an agency code registered twice).
    #[error("{field} `{value}` is already registered")]
    Conflict { field: String, value: String },
    /// A referenced row does not exist (e.g. a system for an unknown agency).
    #[error("invalid reference: {0}")]
    Reference(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("bad database URL: {0}")]
    Url(String),
    /// The database was migrated by a newer sigap: this one would not know its schema.
    #[error(
        "the database was migrated by a newer sigap (schema version {database}; this sigap knows \
         versions up to {server}): start the newer sigap on it, or restore the backup taken \
         before the upgrade"
    )]
    NewerSchema { database: i64, server: i64 },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns a unique-key violation into `Conflict` naming the field; other errors pass through.
pub(crate) fn map_unique(err: sqlx::Error, field: &str, value: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            field: field.to_owned(),
            value: value.to_owned(),
        },
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Reference(field.to_owned())
        }
        _ => StoreError::Database(err),
    }
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections to hold open (PostgreSQL; SQLite readers).
    pub max_connections: u32,
    /// SQLite `synchronous` level: `FULL` survives power loss, `NORMAL` (in WAL mode)
    /// survives a killed process.
    pub sqlite_synchronous_full: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            sqlite_synchronous_full: false,
        }
    }
}

/// The database: a pool per backend, and the key that seals the audit chain. Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backends,
    audit_key: Option<AuditKey>,
    contact_key: Option<ContactKey>,
    /// Requests waiting now for a connection of the pools (see [`Store::pool_use`]).
    waiting: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

/// Counts a request waiting for a connection until dropped.
pub(crate) struct Waiting<'a>(&'a std::sync::atomic::AtomicU32);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Debug, Clone)]
enum Backends {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// One open write transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    inner: TxInner,
    audit_key: Option<AuditKey>,
    contact_key: Option<ContactKey>,
    /// The audit chain's head as this transaction's last append left it (see
    /// [`Tx::append_audit`]).
    audit_head: Option<(i64, String)>,
    /// A savepoint kept by [`Tx::release_savepoint`] and not yet released: released with
    /// the next savepoint or by the commit, without a round trip of its own.
    kept_savepoint: bool,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Store {
    /// Opens the database named by `url` (`sqlite://path` or `postgres://...`), creating an
    /// SQLite file when missing, and applies pending migrations.
    /// The store has no audit key until [`Store::with_audit_key`] gives it one; until then
    /// appending to the audit log fails.
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Store> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backends::Postgres(postgres::PgStore::open(url, options).await?)
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Backends::Sqlite(sqlite::SqliteStore::open(Path::new(path), options).await?)
        } else {
            return Err(StoreError::Url(
                "expected sqlite://PATH or postgres://USER@HOST/DB".to_owned(),
            ));
        };
        Ok(Store {
            backend,
            audit_key: None,
            contact_key: None,
            waiting: std::sync::Arc::default(),
        })
    }

    /// Counts the caller as waiting for a connection while the guard lives.
    pub(crate) fn waiting(&self) -> Waiting<'_> {
        self.waiting
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Waiting(&self.waiting)
    }

    /// Requests waiting now for a connection.
    pub(crate) fn waiting_now(&self) -> u32 {
        self.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The same store, sealing and verifying the audit chain with `key`.
    pub fn with_audit_key(mut self, key: AuditKey) -> Store {
        self.audit_key = Some(key);
        self
    }

    /// The same store, sealing the reporters' contact data with `key` (see [`contact`]).
    pub fn with_contact_key(mut self, key: ContactKey) -> Store {
        self.contact_key = Some(key);
        self
    }

    /// The key the audit chain is sealed with, once set.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_ref()
    }

    pub fn backend(&self) -> Backend {
        match self.backend {
            Backends::Sqlite(_) => Backend::Sqlite,
            Backends::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        let waiting = self.waiting();
        let inner = match &self.backend {
            Backends::Sqlite(s) => TxInner::Sqlite(s.begin().await?),
            Backends::Postgres(s) => TxInner::Postgres(s.begin().await?),
        };
        drop(waiting);
        Ok(Tx {
            inner,
            audit_key: self.audit_key.clone(),
            contact_key: self.contact_key.clone(),
            audit_head: None,
            kept_savepoint: false,
        })
    }

    /// Closes every connection (used before a backup is restored, and at shutdown).
    pub async fn close(&self) {
        match &self.backend {
            Backends::Sqlite(s) => s.close().await,
            Backends::Postgres(s) => s.close().await,
        }
    }
}

/// Calls the same-named function of the backend module with a connection from the store's
/// read pool.
macro_rules! read_pool {
    ($store:expr, $f:ident ( $($arg:expr),* )) => {
        match &$store.backend {
            $crate::Backends::Sqlite(s) => {
                let waiting = $store.waiting();
                let mut c = s.read_conn().await?;
                drop(waiting);
                $crate::sqlite::$f(&mut c, $($arg),*).await
            }
            $crate::Backends::Postgres(s) => {
                let waiting = $store.waiting();
                let mut c = s.pool.acquire().await?;
                drop(waiting);
                $crate::postgres::$f(&mut c, $($arg),*).await
            }
        }
    };
}

/// Calls the same-named function of the backend module inside the open transaction.
macro_rules! write_tx {
    ($tx:expr, $f:ident ( $($arg:expr),* )) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(t) => $crate::sqlite::$f(&mut *t, $($arg),*).await,
            $crate::TxInner::Postgres(t) => $crate::postgres::$f(&mut *t, $($arg),*).await,
        }
    };
}

pub mod meetings_api;
mod savepoints;
pub mod sessions_api;
pub mod sso_api;
mod store_api;
pub use meetings_api::{MeetingRow, MeetingUpdate, NewMeeting};
pub mod overrides_api;
pub mod receipts_api;
/// The most tickets the queue's count counts (`count_queue`); a count at the cap means
/// "at least that many".
pub const QUEUE_COUNT_CAP: i64 = 10_000;

pub mod gauges_api;
pub mod inbound_api;
mod jobs_api;
pub mod mail_threads_api;
pub mod period_reports_api;
pub mod personal_data_api;
pub mod redact;
pub mod registry_edits_api;
pub mod resets_api;
pub mod retention_api;
pub mod rights_api;
pub mod sectoral_api;
pub mod seen_api;
pub mod stats_api;
pub use gauges_api::{GaugeRow, JobGaugeRow, PoolUse};
pub use inbound_api::{InboundDecision, InboundFileRow, InboundRow, NewInbound, NewInboundFile};
pub use mail_threads_api::{MailMessageRow, NewMailMessage};
pub use overrides_api::OverrideRow;
pub use period_reports_api::{IssuedReport, NewPeriodReport, PeriodReportRow};
pub use personal_data_api::{
    BreachDraftRow, BreachNoticeRow, BreachRow, NewBreach, NewBreachDraft, NewBreachNotice,
};
pub use receipts_api::{NewReceipt, ReceiptRow};
pub use resets_api::PasswordResetRow;
pub use retention_api::{DestructionRecordRow, LegalHoldRow, NewDestructionRecord};
pub use rights_api::ReporterRequestRow;
pub use sectoral_api::{SectoralReportRow, SectoralSent};
pub use seen_api::SavedFilterRow;
pub use stats_api::{
    AgencyCountRow, BlockedRow, DayCountRow, FindingRow, IntakeRow, IntervalQuery, IntervalRow,
    ListedTicketRow, NoticeStepRow, PdpCountRow, StateCountRow, StatsScope, StepTimeRow,
};
pub mod tokens_api;
pub mod totp_api;
pub(crate) use store_api::search_words_all;
pub use store_api::{ChainStatus, ExportedSnapshot, search_words};
