//! Staff sign-in for the web pages: the password check (argon2id) with a lockout against
//! guessing, and the server-side sessions that follow. A session is a random 256-bit id
//! given to the browser once and stored only as its SHA-256, with its own anti-CSRF token,
//! an idle limit and an absolute limit. Sessions live in the database so that several
//! instances share them. Every sign-in, refused or not, and every sign-out is audited.
//!
//! The lockout: after [`LOCKOUT_FAILURES`] failed logins for one e-mail address within
//! [`LOCKOUT_WINDOW`], further attempts for that address are refused for
//! [`LOCKOUT_DURATION`], even with the right password, and answer exactly as a wrong
//! password does. Refused attempts during a lockout do not extend it.

use std::sync::OnceLock;

use chrono::Duration;
use serde_json::json;
use sigap_core::{Email, Role};
use sigap_store::sessions_api::{NewSession, SessionRow};
use sigap_store::{NewAuditEntry, UserRow};

use crate::auth::{Caller, hash_password, new_secret, token_hash, verify_password};
use crate::{App, AppError, AppResult, millis};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, whatever the activity.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Failed logins for one address that trigger the lockout.
pub const LOCKOUT_FAILURES: usize = 5;
/// The window in which those failures must fall.
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(15);
/// How long further attempts are refused.
pub const LOCKOUT_DURATION: Duration = Duration::minutes(15);
/// Activity is written back at most this often (a page view is not a write each time).
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// The session stage of a fully signed-in user. A user with a second factor will first get
/// a session in stage [`STAGE_PASSWORD`], promoted to this one by the TOTP step.
pub const STAGE_COMPLETE: &str = "complete";
/// The stage of a session whose password was right and whose second factor is awaited.
pub const STAGE_PASSWORD: &str = "password";

/// A signed-in staff member, as a page handler needs them.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The per-session anti-CSRF token that every staff form must send back.
    pub csrf_token: String,
    /// The stored form of the session id.
    pub id_hash: String,
}

/// The result of a successful sign-in: the cookie value (shown once) and the session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie_value: String,
    pub session: Session,
}

/// When the lockout that `failures` (times in ms, oldest first) impose ends, if any: each
/// run of [`LOCKOUT_FAILURES`] failures within [`LOCKOUT_WINDOW`] locks the address until
/// [`LOCKOUT_DURATION`] after its last failure.
pub fn locked_until(failures: &[i64]) -> Option<i64> {
    let window = LOCKOUT_WINDOW.num_milliseconds();
    failures
        .windows(LOCKOUT_FAILURES)
        .filter(|run| run[LOCKOUT_FAILURES - 1] - run[0] <= window)
        .map(|run| run[LOCKOUT_FAILURES - 1] + LOCKOUT_DURATION.num_milliseconds())
        .max()
}

/// Checks `email` and `password` and opens a new session. Every refusal (unknown address,
/// disabled user, wrong password, locked address) is the same `Unauthorized`.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let email = normalised_email(email);
    let now = millis(app.now());
    let since = now - (LOCKOUT_WINDOW + LOCKOUT_DURATION).num_milliseconds();
    let failures = app.store.list_login_failures(&email, since).await?;
    if locked_until(&failures).is_some_and(|until| now < until) {
        audit_login(app, &email, "unknown", "refused:locked", source).await?;
        return Err(AppError::Unauthorized);
    }
    let user = app.store.find_user(&email).await?;
    let Some(user) = check_password(user, password).await? else {
        let mut tx = app.store.begin().await?;
        tx.insert_login_failure(&email, now, source.as_deref())
            .await?;
        tx.append_audit(&audit_entry(now, &email, "unknown", "refused:401", source))
            .await?;
        tx.commit().await?;
        return Err(AppError::Unauthorized);
    };
    // The second factor (TOTP) goes here: a user with a TOTP secret gets a session in stage
    // `STAGE_PASSWORD`, which opens no staff page until the code is checked.
    open_session(app, &user, STAGE_COMPLETE, source).await
}

/// E-mail addresses are compared in the form the registry stores them.
fn normalised_email(email: &str) -> String {
    match Email::parse(email) {
        Ok(email) => email.as_str().to_owned(),
        Err(_) => email.trim().chars().take(254).collect(),
    }
}

/// The user when `password` is theirs and they are enabled. The hash is checked off the
/// async workers, and a missing user costs the same work, so timing tells nothing.
async fn check_password(user: Option<UserRow>, password: &str) -> AppResult<Option<UserRow>> {
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.clone());
    let known = stored.is_some();
    let stored = match stored {
        Some(hash) => hash,
        None => dummy_hash()?,
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
    Ok(user.filter(|_| known && matches))
}

/// A hash that no password is checked against successfully, to spend the same time on an
/// unknown address as on a known one.
fn dummy_hash() -> AppResult<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash.clone());
    }
    let hash = hash_password(&new_secret(""))?;
    Ok(DUMMY.get_or_init(|| hash).clone())
}

async fn open_session(
    app: &App,
    user: &UserRow,
    stage: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let now = app.now();
    let cookie_value = new_secret("");
    let id_hash = token_hash(&cookie_value);
    let csrf_token = new_secret("");
    let mut tx = app.store.begin().await?;
    let forget_before = millis(now) - (LOCKOUT_WINDOW + LOCKOUT_DURATION).num_milliseconds();
    tx.clear_login_failures(&user.email, forget_before).await?;
    tx.delete_expired_sessions(millis(now), millis(now - IDLE_TIMEOUT))
        .await?;
    tx.insert_session(&NewSession {
        id_hash: &id_hash,
        user_id: user.id,
        stage,
        csrf_token: &csrf_token,
        now: millis(now),
        expires_at: millis(now + ABSOLUTE_TIMEOUT),
        source: source.as_deref(),
    })
    .await?;
    tx.append_audit(&audit_entry(
        millis(now),
        &user.email,
        &user.role,
        "ok",
        source,
    ))
    .await?;
    tx.commit().await?;
    let caller = caller_of(user.id, &user.email, &user.name, &user.role, user.agency_id)?;
    Ok(SignedIn {
        cookie_value,
        session: Session {
            caller: Caller {
                agency_code: user.agency_code.clone(),
                ..caller
            },
            csrf_token,
            id_hash,
        },
    })
}

fn caller_of(
    user_id: i64,
    email: &str,
    name: &str,
    role: &str,
    agency_id: Option<i64>,
) -> AppResult<Caller> {
    let role = role
        .parse::<Role>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Caller {
        user_id,
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        agency_id,
        agency_code: None,
    })
}

/// The signed-in staff member behind a session cookie, or `None` when the session is
/// unknown, incomplete, idle too long or past its absolute limit. Activity is recorded.
pub async fn session(app: &App, cookie_value: &str) -> AppResult<Option<Session>> {
    let id_hash = token_hash(cookie_value);
    let Some(row) = app.store.find_session(&id_hash).await? else {
        return Ok(None);
    };
    let now = millis(app.now());
    let idle = now - row.last_seen_at > IDLE_TIMEOUT.num_milliseconds();
    if idle || now >= row.expires_at {
        let mut tx = app.store.begin().await?;
        tx.delete_session(&id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if row.stage != STAGE_COMPLETE {
        return Ok(None);
    }
    if now - row.last_seen_at > TOUCH_INTERVAL.num_milliseconds() {
        let mut tx = app.store.begin().await?;
        tx.touch_session(&id_hash, now).await?;
        tx.commit().await?;
    }
    session_of(row).map(Some)
}

fn session_of(row: SessionRow) -> AppResult<Session> {
    let caller = caller_of(row.user_id, &row.email, &row.name, &row.role, row.agency_id)?;
    Ok(Session {
        caller: Caller {
            agency_code: row.agency_code,
            ..caller
        },
        csrf_token: row.csrf_token,
        id_hash: row.id_hash,
    })
}

/// Forgets the session behind an earlier cookie of the same browser (at a new sign-in), so
/// that an old id cannot be used again. An unknown value is ignored.
pub async fn discard(app: &App, cookie_value: &str) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.delete_session(&token_hash(cookie_value)).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the session (sign-out). Ending an unknown session is not an error.
pub async fn logout(app: &App, session: &Session, source: Option<String>) -> AppResult<()> {
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    tx.delete_session(&session.id_hash).await?;
    let mut entry = audit_entry(
        now,
        &session.caller.email,
        session.caller.role.as_str(),
        "ok",
        source,
    );
    entry.action = "logout".to_owned();
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(())
}

fn audit_entry(
    at: i64,
    email: &str,
    role: &str,
    outcome: &str,
    source: Option<String>,
) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: email.to_owned(),
        role: role.to_owned(),
        action: "login".to_owned(),
        ticket_number: None,
        source,
        outcome: outcome.to_owned(),
        details: json!({"channel": "web"}),
    }
}

async fn audit_login(
    app: &App,
    email: &str,
    role: &str,
    outcome: &str,
    source: Option<String>,
) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.append_audit(&audit_entry(
        millis(app.now()),
        email,
        role,
        outcome,
        source,
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() {
        let failures = [0, MINUTE, 2 * MINUTE, 3 * MINUTE, 4 * MINUTE];
        assert_eq!(locked_until(&failures), Some(19 * MINUTE));
        assert_eq!(locked_until(&failures[..4]), None);
    }

    #[test]
    fn failures_spread_wider_than_the_window_do_not_lock() {
        let failures = [0, 4 * MINUTE, 8 * MINUTE, 12 * MINUTE, 16 * MINUTE];
        assert_eq!(locked_until(&failures), None);
    }
}
