//! The links of "Lupa kata sandi" (see the migration `0018_password_resets.sql`): the row,
//! and the [`Store`] / [`Tx`] methods that forward to the backend functions in `resets.rs`.
//! The store keeps a link's random nonce; only `sigap-app`, with the server key, makes the
//! link from it.

use sigap_core::Role;

use crate::{Result, Store, Tx};

/// A link sent, with its user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PasswordResetRow {
    pub id: i64,
    pub user_id: i64,
    pub nonce: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}

impl Store {
    pub async fn find_password_reset(&self, id: i64) -> Result<Option<PasswordResetRow>> {
        read_pool!(self, find_password_reset(id))
    }
}

impl Tx {
    pub async fn insert_password_reset(
        &mut self,
        user_id: i64,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<i64> {
        write_tx!(self, insert_password_reset(user_id, nonce, now, expires_at))
    }
    pub async fn count_password_resets(&mut self, user_id: i64, since: i64) -> Result<i64> {
        write_tx!(self, count_password_resets(user_id, since))
    }
    pub async fn find_password_reset(&mut self, id: i64) -> Result<Option<PasswordResetRow>> {
        write_tx!(self, find_password_reset(id))
    }
    pub async fn use_password_reset(&mut self, id: i64, now: i64) -> Result<bool> {
        write_tx!(self, use_password_reset(id, now))
    }
}
