//! [`App`]: what every use case is given. Its [`Rules`] hold from start to stop; the
//! [`Policy`] (what an admin may change while sigap runs) is not a field: [`App::policy`]
//! is the one way to it and answers the values in force, so no use case can act on a
//! value an admin has already changed.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sigap_core::Clock;
use sigap_store::{BlobStore, Store};

use crate::admin::{audit_log, overrides};
use crate::{AppResult, Policy, Rules};

/// Everything a use case needs. Cheap to clone. The clock is the system's in the binary
/// and a set one in tests.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub blobs: BlobStore,
    /// The rules read at start, which hold until a restart.
    pub rules: Arc<Rules>,
    pub clock: Arc<dyn Clock>,
    /// The policy read at start and the one in force built from it and the settings.
    settings: Arc<overrides::Live>,
    /// The reports written together in one transaction ([`crate::group`]).
    pub(crate) reports: Arc<crate::group::Group>,
    /// What this instance counts for `/metrics` ([`crate::meter`]).
    pub meter: Arc<crate::meter::Meter>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("rules", &self.rules)
            .finish()
    }
}

impl App {
    /// The store seals the audit chain and the reporters' contact data with keys derived
    /// from `rules.secret_key`;
    /// `policy` holds until an admin changes it.
    pub fn new(
        store: Store,
        blobs: BlobStore,
        rules: Rules,
        policy: Policy,
        clock: Arc<dyn Clock>,
    ) -> App {
        let store = store
            .with_audit_key(audit_log::chain_key(&rules.secret_key))
            .with_contact_key(crate::privacy::contact_key(&rules.secret_key));
        App {
            store,
            blobs,
            rules: Arc::new(rules),
            settings: Arc::new(overrides::Live::new(Arc::new(policy))),
            reports: Arc::default(),
            meter: Arc::default(),
            clock,
        }
    }

    /// The policy in force now: the start values with the settings an admin changed
    /// applied. One read of the settings revision; the policy is built anew only when it
    /// moved (on this instance or another one on the same database).
    pub async fn policy(&self) -> AppResult<Arc<Policy>> {
        Ok(Arc::clone(&self.effective().await?.policy))
    }

    pub(crate) fn live(&self) -> &overrides::Live {
        &self.settings
    }

    /// How the reports' writes have grouped into transactions since start.
    pub fn report_groups(&self) -> crate::GroupStats {
        self.reports.stats()
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Whether this instance can take requests (`/readyz`): the database answers with every
    /// migration of this build applied, and the blob store answers. Each check is bounded
    /// in time; a failure is logged here and answered as a word, never as its detail.
    pub async fn readiness(&self) -> Readiness {
        let limit = std::time::Duration::from_secs(3);
        let (schema, blobs) = tokio::join!(
            tokio::time::timeout(limit, self.store.schema_version()),
            tokio::time::timeout(limit, self.blobs.check()),
        );
        let (database, migrations, schema) = match schema {
            Ok(Ok(v)) if v.applied() => (Check::Ok, Check::Ok, Some(v)),
            Ok(Ok(v)) => (Check::Ok, Check::Failed, Some(v)),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "not ready: the database does not answer");
                (Check::Failed, Check::Failed, None)
            }
            Err(_) => {
                tracing::warn!("not ready: the database did not answer within 3 s");
                (Check::Failed, Check::Failed, None)
            }
        };
        let blobs = match blobs {
            Ok(Ok(())) => Check::Ok,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, blobs = %self.blobs.location(), "not ready: the blob store does not answer");
                Check::Failed
            }
            Err(_) => {
                tracing::warn!(blobs = %self.blobs.location(), "not ready: the blob store did not answer within 3 s");
                Check::Failed
            }
        };
        Readiness {
            database,
            migrations,
            blobs,
            schema,
        }
    }

    /// This app on another clock (the demo's story walks its own).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> App {
        App {
            clock,
            ..self.clone()
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// One check of [`App::readiness`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Ok,
    Failed,
}

/// What `/readyz` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub database: Check,
    /// Every migration of this build is applied to the database.
    pub migrations: Check,
    pub blobs: Check,
    /// The database's schema version and this build's (when the database answered).
    #[schema(value_type = Option<Object>)]
    pub schema: Option<sigap_store::SchemaVersion>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        [self.database, self.migrations, self.blobs]
            .iter()
            .all(|c| *c == Check::Ok)
    }
}
