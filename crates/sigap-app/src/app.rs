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
    /// The store seals the audit chain with the key derived from `rules.secret_key`;
    /// `policy` holds until an admin changes it.
    pub fn new(
        store: Store,
        blobs: BlobStore,
        rules: Rules,
        policy: Policy,
        clock: Arc<dyn Clock>,
    ) -> App {
        let store = store.with_audit_key(audit_log::chain_key(&rules.secret_key));
        App {
            store,
            blobs,
            rules: Arc::new(rules),
            settings: Arc::new(overrides::Live::new(Arc::new(policy))),
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

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
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
