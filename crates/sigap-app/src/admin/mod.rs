//! What the staff admin pages read: the registries with what a page shows beside each row
//! (how many systems an agency has, whether a user has a second factor) and the settings in
//! force. Admins and auditors read them; every other role is refused here, so that the
//! pages show nothing of the registries' administration to them. Changes go through the
//! use cases of `registry` and `two_factor`, which only admins pass.
//!
//! The area also holds what admins and auditors change and read: the registries
//! ([`registry`]), the settings in force ([`overrides`]) and the audit log ([`audit_log`]).

pub mod audit_export;
pub mod audit_log;
pub mod metrics;
pub mod overrides;
pub mod registry;
pub mod replies;
pub mod rules;
pub mod settings_view;

use std::collections::{BTreeMap, BTreeSet};

use sigap_core::Role;

use crate::auth::Caller;
use crate::views::{AgencyView, SystemView, UserView};
use crate::{App, AppResult};

/// The roles that read the admin pages.
pub const ADMIN_READERS: &[Role] = &[Role::Admin, Role::Auditor];

/// An agency with the number of its registered electronic systems and of its enabled
/// system-owner accounts (none: the CSIRT records remediation on the agency's behalf).
#[derive(Debug, Clone)]
pub struct AgencyOverview {
    pub agency: AgencyView,
    pub systems: usize,
    pub owner_accounts: usize,
}

/// A staff user with whether an authenticator (TOTP) is enrolled.
#[derive(Debug, Clone)]
pub struct UserOverview {
    pub user: UserView,
    pub second_factor: bool,
}

/// Every agency, by code, with how many systems and system-owner accounts it has.
pub async fn agencies(app: &App, caller: &Caller) -> AppResult<Vec<AgencyOverview>> {
    caller.require(ADMIN_READERS, "administer agencies")?;
    let agencies = registry::list_agencies(app, caller).await?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for system in registry::list_systems(app, caller).await? {
        *counts.entry(system.agency).or_default() += 1;
    }
    let owners: BTreeMap<i64, i64> = app.store.owner_accounts().await?.into_iter().collect();
    Ok(agencies
        .into_iter()
        .map(|agency| AgencyOverview {
            systems: counts.get(&agency.code).copied().unwrap_or(0),
            owner_accounts: owners
                .get(&agency.id)
                .map_or(0, |n| usize::try_from(*n).unwrap_or(0)),
            agency,
        })
        .collect())
}

/// Every electronic system with its agency, domains and blocking adapter.
pub async fn systems(app: &App, caller: &Caller) -> AppResult<Vec<SystemView>> {
    caller.require(ADMIN_READERS, "administer electronic systems")?;
    registry::list_systems(app, caller).await
}

/// Every staff user, by e-mail, with whether their second factor is enrolled.
pub async fn users(app: &App, caller: &Caller) -> AppResult<Vec<UserOverview>> {
    caller.require(ADMIN_READERS, "administer users")?;
    let users = registry::list_users(app, caller).await?;
    let enrolled: BTreeSet<i64> = app.store.list_totp_enrolled().await?.into_iter().collect();
    Ok(users
        .into_iter()
        .map(|user| UserOverview {
            second_factor: enrolled.contains(&user.id),
            user,
        })
        .collect())
}
