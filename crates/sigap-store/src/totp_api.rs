//! The second factor of staff sign-in: the TOTP credential row and the [`Store`] / [`Tx`]
//! methods that forward to the backend functions in `totp.rs`. The secret arrives here
//! already sealed by the application; recovery codes arrive as their SHA-256.

use crate::{Result, Store, Tx};

/// A user's TOTP credential.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpRow {
    pub user_id: i64,
    /// The sealed secret (see `sigap_app::identity::totp`).
    pub secret: String,
    pub created_at: i64,
    /// `None` while the enrolment awaits its first code.
    pub enabled_at: Option<i64>,
    /// The last accepted 30-second time step.
    pub last_step: Option<i64>,
}

impl Store {
    pub async fn find_totp(&self, user_id: i64) -> Result<Option<TotpRow>> {
        read_pool!(self, find_totp(user_id))
    }
    pub async fn count_recovery_codes(&self, user_id: i64) -> Result<i64> {
        read_pool!(self, count_recovery_codes(user_id))
    }
    /// The ids of the users with an enabled authenticator.
    pub async fn list_totp_enrolled(&self) -> Result<Vec<i64>> {
        read_pool!(self, list_totp_enrolled())
    }
}

impl Tx {
    pub async fn find_totp(&mut self, user_id: i64) -> Result<Option<TotpRow>> {
        write_tx!(self, find_totp(user_id))
    }
    pub async fn put_pending_totp(&mut self, user_id: i64, secret: &str, now: i64) -> Result<()> {
        write_tx!(self, put_pending_totp(user_id, secret, now))
    }
    pub async fn enable_totp(&mut self, user_id: i64, step: i64, now: i64) -> Result<bool> {
        write_tx!(self, enable_totp(user_id, step, now))
    }
    pub async fn advance_totp_step(&mut self, user_id: i64, step: i64) -> Result<bool> {
        write_tx!(self, advance_totp_step(user_id, step))
    }
    pub async fn delete_totp(&mut self, user_id: i64) -> Result<bool> {
        write_tx!(self, delete_totp(user_id))
    }
    pub async fn replace_recovery_codes(
        &mut self,
        user_id: i64,
        code_hashes: &[String],
        now: i64,
    ) -> Result<()> {
        write_tx!(self, replace_recovery_codes(user_id, code_hashes, now))
    }
    pub async fn use_recovery_code(
        &mut self,
        user_id: i64,
        code_hash: &str,
        now: i64,
    ) -> Result<bool> {
        write_tx!(self, use_recovery_code(user_id, code_hash, now))
    }
    pub async fn count_recovery_codes(&mut self, user_id: i64) -> Result<i64> {
        write_tx!(self, count_recovery_codes(user_id))
    }
    pub async fn find_user_email(&mut self, user_id: i64) -> Result<Option<String>> {
        write_tx!(self, find_user_email(user_id))
    }
    pub async fn delete_user_sessions(&mut self, user_id: i64) -> Result<u64> {
        write_tx!(self, delete_user_sessions(user_id))
    }
}
