//! Blocking adapters and proof capture for suspending an electronic system while its
//! vulnerability is fixed.
//!
//! An [`AdapterConfig`] is parsed from the adapter name and the parameters stored for a
//! system; [`build_adapter`] turns it into an [`Adapter`] whose `block` returns a
//! [`BlockRecord`] of exactly what changed, and whose `unblock` takes that record back and
//! restores the previous state. Every adapter either completes or leaves nothing changed.
//! [`proof`] captures what a host answers (DNS, HTTP, TLS, a screenshot) before, during and
//! after a block, and compares the captures.
//!
//! The adapters and the proof capture are the default feature `adapters`; without it the
//! crate is the configuration alone ([`config`], [`profiles`], [`outbound`], [`request`],
//! [`record`]), parsed and checked without the network, DNS and TLS stacks.

pub mod config;
#[cfg(feature = "adapters")]
mod dns;
pub mod error;
#[cfg(feature = "adapters")]
mod http;
#[cfg(feature = "adapters")]
mod manual;
#[cfg(feature = "adapters")]
mod nginx;
pub mod outbound;
#[cfg(feature = "adapters")]
mod powerdns;
pub mod profiles;
#[cfg(feature = "adapters")]
pub mod proof;
pub mod record;
pub mod request;
#[cfg(feature = "adapters")]
mod rfc2136;
#[cfg(feature = "adapters")]
mod webhook;
#[cfg(feature = "adapters")]
mod zone;

#[cfg(feature = "adapters")]
use std::future::Future;
#[cfg(feature = "adapters")]
use std::pin::Pin;

#[cfg(feature = "adapters")]
use chrono::{DateTime, Utc};

pub use config::{AdapterConfig, AdapterSettings, ConfigError, Secret, process_env};
pub use error::{AdapterKind, BlockError, FailureKind};
#[cfg(feature = "adapters")]
pub use nginx::maintenance_page;
pub use outbound::{OutboundError, OutboundPolicy};
pub use profiles::BlockingProfiles;
pub use record::{BlockRecord, Change, Direction, RrSet};
pub use request::{BlockRequest, Hostname};
#[cfg(feature = "adapters")]
pub use webhook::{SIGNATURE_HEADER, signature};

/// The future an adapter returns.
#[cfg(feature = "adapters")]
pub type AdapterFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BlockError>> + Send + 'a>>;

/// A way of suspending hosts. Implementations change nothing when they fail.
#[cfg(feature = "adapters")]
pub trait Adapter: Send + Sync {
    /// Which adapter this is.
    fn kind(&self) -> AdapterKind;

    /// Suspends the host and returns what was changed.
    fn block<'a>(&'a self, request: &'a BlockRequest) -> AdapterFuture<'a, BlockRecord>;

    /// Puts back what `record` (returned by this adapter's `block`) changed.
    fn unblock<'a>(
        &'a self,
        record: &'a BlockRecord,
        now: DateTime<Utc>,
    ) -> AdapterFuture<'a, BlockRecord>;

    /// Checks without changing anything that the adapter can do its work: the server
    /// answers and takes the credentials, or the files and commands are there.
    fn check(&self) -> AdapterFuture<'_, ()>;
}

/// The adapter a configuration describes, whose connections follow `outbound`.
#[cfg(feature = "adapters")]
pub fn build_adapter(
    config: &AdapterConfig,
    outbound: &OutboundPolicy,
) -> Result<Box<dyn Adapter>, BlockError> {
    let timeout = config.timeout;
    Ok(match &config.settings {
        AdapterSettings::Manual => Box::new(manual::ManualAdapter),
        AdapterSettings::Nginx(settings) => {
            Box::new(nginx::NginxAdapter::new(settings.clone(), timeout))
        }
        AdapterSettings::PowerDns(settings) => Box::new(powerdns::PowerDnsAdapter::new(
            settings.clone(),
            timeout,
            outbound,
        )?),
        AdapterSettings::Rfc2136(settings) => Box::new(rfc2136::Rfc2136Adapter::new(
            settings.clone(),
            timeout,
            outbound.clone(),
        )),
        AdapterSettings::Webhook(settings) => Box::new(webhook::WebhookAdapter::new(
            settings.clone(),
            timeout,
            outbound,
        )?),
    })
}
