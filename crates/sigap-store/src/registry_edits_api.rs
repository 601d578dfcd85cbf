//! Changes an admin makes to the registries after the fact: the [`Store`] / [`Tx`] methods
//! that forward to the backend functions in `registry_edits.rs`.

use crate::{Result, Store, Tx, UserRow};

impl Store {
    /// For each agency with at least one, how many enabled system-owner accounts it has.
    pub async fn owner_accounts(&self) -> Result<Vec<(i64, i64)>> {
        read_pool!(self, owner_accounts())
    }
    pub async fn get_user(&self, id: i64) -> Result<Option<UserRow>> {
        read_pool!(self, get_user(id))
    }
}

impl Tx {
    /// The agency `id` (or every agency), in the transaction.
    pub async fn list_agencies(&mut self, only: Option<i64>) -> Result<Vec<crate::AgencyRow>> {
        write_tx!(self, list_agencies(only))
    }
    pub async fn update_agency(
        &mut self,
        id: i64,
        name: &str,
        email: Option<&str>,
        head_email: Option<&str>,
        disabled: bool,
    ) -> Result<bool> {
        write_tx!(self, update_agency(id, name, email, head_email, disabled))
    }
    pub async fn update_system(&mut self, id: i64, name: &str, disabled: bool) -> Result<bool> {
        write_tx!(self, update_system(id, name, disabled))
    }
    /// Sets whether system `id` is vital information infrastructure and its category.
    pub async fn set_system_class(
        &mut self,
        id: i64,
        iiv: bool,
        category: Option<sigap_core::spbe::SystemCategory>,
    ) -> Result<bool> {
        write_tx!(self, set_system_class(id, iiv, category))
    }
    pub async fn system_domains(&mut self, system_id: i64) -> Result<Vec<String>> {
        write_tx!(self, system_domains(system_id))
    }
    pub async fn delete_system_domain(&mut self, system_id: i64, domain: &str) -> Result<()> {
        write_tx!(self, delete_system_domain(system_id, domain))
    }
    pub async fn get_user(&mut self, id: i64) -> Result<Option<UserRow>> {
        write_tx!(self, get_user(id))
    }
    pub async fn update_user(
        &mut self,
        id: i64,
        name: &str,
        role: &str,
        agency_id: Option<i64>,
    ) -> Result<bool> {
        write_tx!(self, update_user(id, name, role, agency_id))
    }
    pub async fn revoke_user_tokens(&mut self, user_id: i64, now: i64) -> Result<u64> {
        write_tx!(self, revoke_user_tokens(user_id, now))
    }
}
