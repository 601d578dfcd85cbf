//! Sign-in through an OpenID Connect provider: the attempts on their way through the
//! provider, the (issuer, subject) pairs matched to staff users, and the ID token kept with
//! a session for the sign-out. The rows and the [`Store`] / [`Tx`] methods that forward to
//! the backend functions in `sso.rs`.

use crate::{Result, Store, Tx};

/// A new attempt, bound to its browser by `binding_hash` (the SHA-256 of its cookie).
#[derive(Debug, Clone)]
pub struct NewSsoAttempt<'a> {
    pub binding_hash: &'a str,
    pub state: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub now: i64,
}

/// What the callback needs of an attempt it has just taken.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TakenSsoAttempt {
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A checked attempt, as the step that opens the session reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckedSsoAttempt {
    pub user_id: i64,
    /// The sealed ID token.
    pub id_token: Option<String>,
    /// The provider asserted a second factor.
    pub mfa: bool,
}

impl Store {
    /// The user an earlier sign-in matched to (`issuer`, `subject`).
    pub async fn find_identity_user(&self, issuer: &str, subject: &str) -> Result<Option<i64>> {
        read_pool!(self, find_identity_user(issuer, subject))
    }
    /// The sealed ID token kept with a session, if it was opened through a provider.
    pub async fn session_id_token(&self, id_hash: &str) -> Result<Option<String>> {
        read_pool!(self, session_id_token(id_hash))
    }
}

impl Tx {
    pub async fn insert_sso_attempt(&mut self, a: &NewSsoAttempt<'_>) -> Result<()> {
        write_tx!(self, insert_sso_attempt(a))
    }
    /// Forgets the attempts started before `before`.
    pub async fn delete_old_sso_attempts(&mut self, before: i64) -> Result<u64> {
        write_tx!(self, delete_old_sso_attempts(before))
    }
    /// Takes the untaken attempt of `state` bound to `binding_hash` and started at or after
    /// `since`; `None` when there is none (unknown, replayed, expired or another browser's).
    pub async fn take_sso_attempt(
        &mut self,
        binding_hash: &str,
        state: &str,
        since: i64,
        now: i64,
    ) -> Result<Option<TakenSsoAttempt>> {
        write_tx!(self, take_sso_attempt(binding_hash, state, since, now))
    }
    /// Records whom a taken attempt signed in.
    pub async fn check_sso_attempt(
        &mut self,
        binding_hash: &str,
        user_id: i64,
        id_token: Option<&str>,
        mfa: bool,
    ) -> Result<()> {
        write_tx!(
            self,
            check_sso_attempt(binding_hash, user_id, id_token, mfa)
        )
    }
    /// Deletes the attempt bound to `binding_hash` and answers it when it was checked and
    /// taken at or after `since`.
    pub async fn finish_sso_attempt(
        &mut self,
        binding_hash: &str,
        since: i64,
    ) -> Result<Option<CheckedSsoAttempt>> {
        write_tx!(self, finish_sso_attempt(binding_hash, since))
    }
    /// Deletes the attempt bound to `binding_hash`, whatever its state.
    pub async fn delete_sso_attempt(&mut self, binding_hash: &str) -> Result<()> {
        write_tx!(self, delete_sso_attempt(binding_hash))
    }
    pub async fn find_identity_user(&mut self, issuer: &str, subject: &str) -> Result<Option<i64>> {
        write_tx!(self, find_identity_user(issuer, subject))
    }
    /// Records that (`issuer`, `subject`) is `user_id`; an existing pair is left as it is.
    pub async fn link_identity(
        &mut self,
        issuer: &str,
        subject: &str,
        user_id: i64,
        now: i64,
    ) -> Result<()> {
        write_tx!(self, link_identity(issuer, subject, user_id, now))
    }
    /// Forgets every (issuer, subject) of `user_id`; answers how many.
    pub async fn unlink_identities(&mut self, user_id: i64) -> Result<u64> {
        write_tx!(self, unlink_identities(user_id))
    }
    /// Keeps the sealed ID token with a session.
    pub async fn set_session_id_token(&mut self, id_hash: &str, id_token: &str) -> Result<()> {
        write_tx!(self, set_session_id_token(id_hash, id_token))
    }
    pub async fn session_id_token(&mut self, id_hash: &str) -> Result<Option<String>> {
        write_tx!(self, session_id_token(id_hash))
    }
}
