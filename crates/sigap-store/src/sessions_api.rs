//! Staff web sessions and failed-login records: the rows, and the [`Store`] / [`Tx`]
//! methods that forward to the backend functions in `sessions.rs`. A session is stored
//! under the SHA-256 of its cookie value, so that a copy of the database opens no session.

use sigap_core::Role;

use crate::{Result, Store, Tx};

/// A session to store. `id_hash` is the SHA-256 (hex) of the cookie value.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    /// `complete`, or `password` while a second factor is awaited.
    pub stage: &'a str,
    pub csrf_token: &'a str,
    pub now: i64,
    /// The absolute limit: the session ends then whatever the activity.
    pub expires_at: i64,
    pub source: Option<&'a str>,
}

/// A stored session with its (enabled) user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub stage: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
}

impl Store {
    pub async fn find_session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        read_pool!(self, find_session(id_hash))
    }
    pub async fn list_login_failures(&self, email: &str, since: i64) -> Result<Vec<i64>> {
        read_pool!(self, list_login_failures(email, since))
    }
}

impl Tx {
    pub async fn insert_session(&mut self, s: &NewSession<'_>) -> Result<()> {
        write_tx!(self, insert_session(s))
    }
    pub async fn find_session(&mut self, id_hash: &str) -> Result<Option<SessionRow>> {
        write_tx!(self, find_session(id_hash))
    }
    pub async fn touch_session(&mut self, id_hash: &str, now: i64) -> Result<()> {
        write_tx!(self, touch_session(id_hash, now))
    }
    pub async fn delete_session(&mut self, id_hash: &str) -> Result<()> {
        write_tx!(self, delete_session(id_hash))
    }
    pub async fn delete_expired_sessions(&mut self, now: i64, idle_before: i64) -> Result<u64> {
        write_tx!(self, delete_expired_sessions(now, idle_before))
    }
    pub async fn insert_login_failure(
        &mut self,
        email: &str,
        at: i64,
        source: Option<&str>,
    ) -> Result<()> {
        write_tx!(self, insert_login_failure(email, at, source))
    }
    pub async fn list_login_failures(&mut self, email: &str, since: i64) -> Result<Vec<i64>> {
        write_tx!(self, list_login_failures(email, since))
    }
    pub async fn clear_login_failures(&mut self, email: &str, before: i64) -> Result<()> {
        write_tx!(self, clear_login_failures(email, before))
    }
}
