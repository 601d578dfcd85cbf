//! The settings an admin changed: the row of one section and the [`Store`] / [`Tx`]
//! methods that forward to the backend functions in `settings.rs`. The application owns the
//! JSON of each section; the store only keeps it with its revision.

use crate::{Result, Store, Tx};

/// One changed section of the settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OverrideRow {
    /// `approval`, `holidays` or `documents`.
    pub name: String,
    /// The section's value as JSON text.
    pub value: String,
    /// The settings revision of this change.
    pub revision: i64,
    pub updated_at: i64,
    /// The e-mail of the admin who made the change.
    pub updated_by: String,
}

impl Store {
    /// The number of the last settings change (0: none yet).
    pub async fn settings_revision(&self) -> Result<i64> {
        read_pool!(self, settings_revision())
    }
    pub async fn list_settings(&self) -> Result<Vec<OverrideRow>> {
        read_pool!(self, list_settings())
    }
}

impl Tx {
    /// Raises the settings revision and answers it. On PostgreSQL this locks the counter
    /// row until the transaction ends, so that changes of the settings follow one another.
    pub async fn next_settings_revision(&mut self) -> Result<i64> {
        self.next_counter("settings", 0).await
    }
    pub async fn get_setting(&mut self, name: &str) -> Result<Option<OverrideRow>> {
        write_tx!(self, get_setting(name))
    }
    pub async fn put_setting(&mut self, row: &OverrideRow) -> Result<()> {
        write_tx!(self, put_setting(row))
    }
    pub async fn delete_setting(&mut self, name: &str) -> Result<bool> {
        write_tx!(self, delete_setting(name))
    }
}
