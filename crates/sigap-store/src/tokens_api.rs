//! API tokens with their scopes, expiry and last use, and the sign-in throttle's counts:
//! the rows, and the [`Store`] / [`Tx`] methods that forward to the backend functions in
//! `tokens.rs`. A token's secret arrives here already as its SHA-256; a client address
//! arrives as the application's keyed hash of it.

use sigap_core::Role;

use crate::{Result, Store, Tx};

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub label: &'a str,
    /// Comma-separated scopes (`read`, `act`, `admin`).
    pub scopes: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

/// A token as it is listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub label: String,
    pub scopes: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A presented token with its user, whatever its state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenHolderRow {
    pub token_id: i64,
    pub scopes: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub disabled: bool,
}

impl Store {
    pub async fn find_token_holder(&self, token_hash: &str) -> Result<Option<TokenHolderRow>> {
        read_pool!(self, find_token_holder(token_hash))
    }
    pub async fn list_tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenRow>> {
        read_pool!(self, list_tokens(user_id))
    }
    pub async fn is_known_sign_in_client(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> Result<bool> {
        read_pool!(self, is_known_sign_in_client(email, client, since))
    }
}

impl Tx {
    pub async fn list_login_failure_sources(
        &mut self,
        email: &str,
        since: i64,
    ) -> Result<Vec<(i64, Option<String>)>> {
        write_tx!(self, list_login_failure_sources(email, since))
    }
    pub async fn is_known_sign_in_client(
        &mut self,
        email: &str,
        client: &str,
        since: i64,
    ) -> Result<bool> {
        write_tx!(self, is_known_sign_in_client(email, client, since))
    }
    pub async fn insert_scoped_token(&mut self, t: &NewToken<'_>) -> Result<i64> {
        write_tx!(self, insert_scoped_token(t))
    }
    pub async fn touch_token(&mut self, id: i64, now: i64) -> Result<()> {
        write_tx!(self, touch_token(id, now))
    }
    pub async fn find_token(&mut self, id: i64) -> Result<Option<TokenRow>> {
        write_tx!(self, find_token(id))
    }
    pub async fn revoke_token(&mut self, id: i64, now: i64) -> Result<bool> {
        write_tx!(self, revoke_token(id, now))
    }
    pub async fn count_login_attempt(&mut self, client: &str, window_start: i64) -> Result<i64> {
        write_tx!(self, count_login_attempt(client, window_start))
    }
    pub async fn forgive_login_attempt(&mut self, client: &str, window_start: i64) -> Result<()> {
        write_tx!(self, forgive_login_attempt(client, window_start))
    }
    pub async fn note_sign_in_refusal(&mut self, subject: &str, window_start: i64) -> Result<bool> {
        write_tx!(self, note_sign_in_refusal(subject, window_start))
    }
    pub async fn remember_sign_in_client(
        &mut self,
        email: &str,
        client: &str,
        at: i64,
    ) -> Result<()> {
        write_tx!(self, remember_sign_in_client(email, client, at))
    }
    pub async fn sweep_sign_in(&mut self, before: i64, known_before: i64) -> Result<()> {
        write_tx!(self, sweep_sign_in(before, known_before))
    }
    /// Sets the password of user `id` and records `now` as when it was set.
    pub async fn set_user_password(
        &mut self,
        id: i64,
        password_hash: &str,
        now: i64,
    ) -> Result<bool> {
        write_tx!(self, set_user_password(id, password_hash, now))
    }
}
