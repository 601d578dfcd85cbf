//! Staff sign-in for the web pages: the password check (argon2id) with a lockout against
//! guessing, and the server-side sessions that follow. A session is a random 256-bit id
//! given to the browser once and stored only as its SHA-256, with its own anti-CSRF token,
//! an idle limit and an absolute limit. Sessions live in the database so that several
//! instances share them. Every sign-in, refused or not, and every sign-out is audited.
//!
//! The second factor (TOTP, see `two_factor`): a user who has one gets a session in stage
//! [`Stage::Password`] after the password, which opens no staff page; the code (or a
//! recovery code) promotes it to [`Stage::Complete`] under a new id. A user whose role
//! must have one (`Rules::totp_required_roles`) and who has none gets a session in stage
//! [`Stage::Enrol`], which opens only the enrolment page; enrolling promotes it the same
//! way. Such half-way sessions end after [`PENDING_TIMEOUT`]. When the password is older
//! than the lifetime the national rules set (`LawSettings::password_max_age_days`), the
//! session that would be complete is [`Stage::Renew`] instead, after the second factor:
//! it opens only the password page, and the new password ends it like every change does. Failed login attempts are
//! forgotten only when a session is complete, so a known password alone does not reset the
//! count of wrong codes.
//!
//! Before anything else, the client's attempt is counted by the address throttle
//! (`throttle`): a client past its allowance is refused with `429` before any user is read
//! or any hash computed.
//!
//! The lockout: after [`LOCKOUT_FAILURES`] failed logins for one e-mail address within
//! [`LOCKOUT_WINDOW`], further attempts for that address are refused for
//! [`LOCKOUT_DURATION`], even with the right password, and answer exactly as a wrong
//! password does. Refused attempts during a lockout do not extend it, and their refusal is
//! audited once per account and throttle window. Wrong second-factor codes count as failed
//! logins. So that a stranger cannot keep a user out for ever, a client (keyed hash of its
//! network) from which that account completed a sign-in within `throttle::KNOWN_CLIENT_DAYS`
//! days is locked only by its own failures, not by those from elsewhere; the address
//! throttle limits it as any other.

use std::sync::OnceLock;

use chrono::Duration;
use serde_json::json;
use sigap_core::Email;
use sigap_store::sessions_api::{NewSession, SessionRow};
use sigap_store::{Tx, UserRow};

use crate::audit::login_entry;
use crate::auth::{Caller, hash_password, new_secret, token_hash, verify_password};
use crate::identity::throttle;
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
/// A session waiting for its second factor or its enrolment ends this long after the
/// password.
pub const PENDING_TIMEOUT: Duration = Duration::minutes(15);
/// Activity is written back at most this often (a page view is not a write each time).
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// The session stage of a fully signed-in user. A user with a second factor will first get
/// a session in stage [`STAGE_PASSWORD`], promoted to this one by the TOTP step.
pub const STAGE_COMPLETE: &str = "complete";
/// The stage of a session whose password was right and whose second factor is awaited.
pub const STAGE_PASSWORD: &str = "password";
/// The stage of a session whose password was right, whose role must have a second factor
/// and who has none yet: it opens only the enrolment page.
pub const STAGE_ENROL: &str = "enrol";
/// The stage of a session that passed every factor but whose password has outlived the
/// rules' lifetime: it opens only the password page.
pub const STAGE_RENEW: &str = "renew";

/// How far a session has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the TOTP code is awaited.
    Password,
    /// The password was right; the user must enrol a second factor first.
    Enrol,
    /// Every factor passed; the password is past its lifetime and must be changed first.
    Renew,
    /// Fully signed in.
    Complete,
}

impl Stage {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Password => STAGE_PASSWORD,
            Stage::Enrol => STAGE_ENROL,
            Stage::Renew => STAGE_RENEW,
            Stage::Complete => STAGE_COMPLETE,
        }
    }

    fn parse(text: &str) -> Option<Stage> {
        [Stage::Password, Stage::Enrol, Stage::Renew, Stage::Complete]
            .into_iter()
            .find(|stage| stage.as_str() == text)
    }
}

/// A signed-in staff member, as a page handler needs them.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The per-session anti-CSRF token that every staff form must send back.
    pub csrf_token: String,
    /// The stored form of the session id.
    pub id_hash: String,
    pub stage: Stage,
    /// What the page header tells this staff member; filled by the web layer for each
    /// page (`workflow::queue::desk`), empty otherwise.
    pub desk: Desk,
}

/// What the page header tells a staff member on every page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desk {
    /// Tickets in "Giliran saya" with something the caller has not seen.
    pub unread: usize,
    /// Tickets waiting for the Regional Secretary's approval (for those who read them).
    pub approvals: usize,
    /// Received mail waiting in the inbox (for those who read it).
    pub inbox: usize,
    /// For admins: no mail server is set, so no mail leaves.
    pub mail_missing: bool,
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

/// Checks `email` and `password` and opens a new session. A client past the address
/// throttle gets `TooManyRequests` before any user is read; every other refusal (unknown
/// address, disabled user, wrong or too long password, locked account) is the same
/// `Unauthorized`.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let email = normalised_email(email);
    let now = millis(app.now());
    let client = throttle::client_key(app, source.as_deref());
    throttle::admit(app, &client, now, &email, source.clone()).await?;
    let mut tx = app.store.begin().await?;
    if account_locked(app, &mut tx, &email, source.as_deref(), now).await? {
        if throttle::first_in_window(&mut tx, &format!("account:{email}"), now).await? {
            tx.append_audit(&login_entry(
                now,
                &email,
                "unknown",
                "refused:locked",
                source,
            ))
            .await?;
        }
        tx.commit().await?;
        return Err(AppError::Unauthorized);
    }
    tx.commit().await?;
    let user = app.store.find_user(&email).await?;
    let Some(user) = check_password(app, user, password).await? else {
        let mut tx = app.store.begin().await?;
        tx.insert_login_failure(&email, now, source.as_deref())
            .await?;
        tx.append_audit(&login_entry(now, &email, "unknown", "refused:401", source))
            .await?;
        tx.commit().await?;
        return Err(AppError::Unauthorized);
    };
    if !app.rules.password_allowed(user.role) {
        let mut tx = app.store.begin().await?;
        let outcome = "refused:password-not-allowed";
        let entry = login_entry(now, &user.email, user.role.as_str(), outcome, source);
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        return Err(AppError::Forbidden(PASSWORD_NOT_ALLOWED.to_owned()));
    }
    let stage = stage_after_password(app, &user).await?;
    open_session(app, &user, stage, "password", source).await
}

/// The refusal of a right password of a role that must sign in through the provider
/// (`Rules::password_roles`); the page says to use "Masuk dengan SSO".
pub const PASSWORD_NOT_ALLOWED: &str = "this role signs in with single sign-on only";

/// Whether the account `email` is locked out for the client at `source` now: its failed
/// logins lock it, except that a client from which it completed a sign-in lately is locked
/// only by its own failures, not by a stranger's.
pub(crate) async fn account_locked(
    app: &App,
    tx: &mut Tx,
    email: &str,
    source: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    let since = now - (LOCKOUT_WINDOW + LOCKOUT_DURATION).num_milliseconds();
    let failures = tx.list_login_failure_sources(email, since).await?;
    let times: Vec<i64> = failures.iter().map(|(at, _)| *at).collect();
    if !is_locked(&times, now) {
        return Ok(false);
    }
    let client = throttle::client_key(app, source);
    let known_since = now - Duration::days(throttle::KNOWN_CLIENT_DAYS).num_milliseconds();
    if !tx
        .is_known_sign_in_client(email, &client, known_since)
        .await?
    {
        return Ok(true);
    }
    let own: Vec<i64> = failures
        .iter()
        .filter(|(_, from)| throttle::client_key(app, from.as_deref()) == client)
        .map(|(at, _)| *at)
        .collect();
    Ok(is_locked(&own, now))
}

/// Whether the failed logins `failures` (since the lockout's reach) lock the address now.
pub(crate) fn is_locked(failures: &[i64], now: i64) -> bool {
    locked_until(failures).is_some_and(|until| now < until)
}

/// The stage a right password leads to: the code step for a user with a second factor,
/// enrolment for one whose role needs it, the password page for an outlived password,
/// complete otherwise.
async fn stage_after_password(app: &App, user: &UserRow) -> AppResult<Stage> {
    Ok(match stage_after_first_factor(app, user).await? {
        Stage::Complete if password_expired(app, user.password_set_at).await? => Stage::Renew,
        stage => stage,
    })
}

/// The stage a first factor (a password, or a provider's sign-in without a second factor)
/// leads to: the code step for a user with a second factor, enrolment for one whose role
/// needs it, complete otherwise.
pub(crate) async fn stage_after_first_factor(app: &App, user: &UserRow) -> AppResult<Stage> {
    let enrolled = app
        .store
        .find_totp(user.id)
        .await?
        .is_some_and(|t| t.enabled_at.is_some());
    let required = app.rules.totp_required(user.role);
    Ok(match (enrolled, required) {
        (true, _) => Stage::Password,
        (false, true) => Stage::Enrol,
        (false, false) => Stage::Complete,
    })
}

/// Whether a password set at `set_at` (ms) has outlived the lifetime the rules in force
/// give (none: never).
pub(crate) async fn password_expired(app: &App, set_at: i64) -> AppResult<bool> {
    let policy = app.policy().await?;
    Ok(policy.law.password_max_age_days.is_some_and(|days| {
        millis(app.now()) - set_at >= Duration::days(i64::from(days)).num_milliseconds()
    }))
}

/// E-mail addresses are compared in the form the registry stores them.
pub(crate) fn normalised_email(email: &str) -> String {
    match Email::parse(email) {
        Ok(email) => email.as_str().to_owned(),
        Err(_) => email.trim().chars().take(254).collect(),
    }
}

/// The user when `password` is theirs and they are enabled. The hash is checked off the
/// async workers, and a missing user costs the same work, so timing tells nothing.
pub(crate) async fn check_password(
    app: &App,
    user: Option<UserRow>,
    password: &str,
) -> AppResult<Option<UserRow>> {
    if password.len() > throttle::MAX_PASSWORD_BYTES {
        return Ok(None);
    }
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
    let _slot = app
        .rules
        .password_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("password slots: {e}")))?;
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

/// Opens a session of `user` in `stage` after the first factor `factor` (`password` or
/// `sso`), audited.
pub(crate) async fn open_session(
    app: &App,
    user: &UserRow,
    stage: Stage,
    factor: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let now = millis(app.now());
    let caller = Caller {
        user_id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        agency_id: user.agency_id,
        agency_code: user.agency_code.clone(),
    };
    let mut tx = app.store.begin().await?;
    tx.delete_expired_sessions(now, now - IDLE_TIMEOUT.num_milliseconds())
        .await?;
    throttle::sweep(&mut tx, now).await?;
    let client = throttle::client_key(app, source.as_deref());
    tx.forgive_login_attempt(&client, throttle::window_start(now))
        .await?;
    let signed_in = insert_session(app, &mut tx, now, caller, stage, source.as_deref()).await?;
    let outcome = match stage {
        Stage::Complete => "ok",
        Stage::Password => "pending:totp",
        Stage::Enrol => "pending:enrol",
        Stage::Renew => "pending:renew",
    };
    let mut entry = login_entry(now, &user.email, user.role.as_str(), outcome, source);
    entry.details = json!({"channel": "web", "factor": factor});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// Stores a new session of `caller` in `stage` and answers its cookie value. A complete
/// session forgets the failed logins of its address (and every failure too old to count)
/// and makes its client known to the account's lockout.
async fn insert_session(
    app: &App,
    tx: &mut Tx,
    now: i64,
    caller: Caller,
    stage: Stage,
    source: Option<&str>,
) -> AppResult<SignedIn> {
    let cookie_value = new_secret("");
    let id_hash = token_hash(&cookie_value);
    let csrf_token = new_secret("");
    let lifetime = match stage {
        Stage::Complete => ABSOLUTE_TIMEOUT,
        Stage::Password | Stage::Enrol | Stage::Renew => PENDING_TIMEOUT,
    };
    if matches!(stage, Stage::Complete | Stage::Renew) {
        let forget_before = now - (LOCKOUT_WINDOW + LOCKOUT_DURATION).num_milliseconds();
        tx.clear_login_failures(&caller.email, forget_before)
            .await?;
        let client = throttle::client_key(app, source);
        tx.remember_sign_in_client(&caller.email, &client, now)
            .await?;
    }
    tx.insert_session(&NewSession {
        id_hash: &id_hash,
        user_id: caller.user_id,
        stage: stage.as_str(),
        csrf_token: &csrf_token,
        now,
        expires_at: now + lifetime.num_milliseconds(),
        source,
    })
    .await?;
    Ok(SignedIn {
        cookie_value,
        session: Session {
            caller,
            csrf_token,
            id_hash,
            stage,
            desk: Desk::default(),
        },
    })
}

/// Replaces a half-way session by a complete one under a new id, inside the caller's
/// transaction (the second factor's use cases); by one that must renew the password when
/// it has outlived its lifetime.
pub(crate) async fn promote(
    app: &App,
    tx: &mut Tx,
    now: i64,
    pending: &Session,
    source: Option<&str>,
) -> AppResult<SignedIn> {
    let set_at = tx
        .find_user(&pending.caller.email)
        .await?
        .map_or(now, |user| user.password_set_at);
    // A session opened through the provider keeps its ID token (for the sign-out there)
    // and owes nothing to the password's lifetime.
    let id_token = tx.session_id_token(&pending.id_hash).await?;
    let stage = if id_token.is_none() && password_expired(app, set_at).await? {
        Stage::Renew
    } else {
        Stage::Complete
    };
    tx.delete_session(&pending.id_hash).await?;
    let signed_in = insert_session(app, tx, now, pending.caller.clone(), stage, source).await?;
    if let Some(id_token) = id_token {
        tx.set_session_id_token(&signed_in.session.id_hash, &id_token)
            .await?;
    }
    Ok(signed_in)
}

/// The signed-in staff member behind a session cookie, or `None` when the session is
/// unknown, incomplete, idle too long or past its absolute limit. Activity is recorded.
pub async fn session(app: &App, cookie_value: &str) -> AppResult<Option<Session>> {
    session_at(app, cookie_value, &[Stage::Complete]).await
}

/// The session behind a cookie when it is in one of `stages` (the second-factor pages
/// accept half-way sessions), with the same limits as [`session`].
pub async fn session_at(
    app: &App,
    cookie_value: &str,
    stages: &[Stage],
) -> AppResult<Option<Session>> {
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
    let Some(stage) = Stage::parse(&row.stage).filter(|s| stages.contains(s)) else {
        return Ok(None);
    };
    if now - row.last_seen_at > TOUCH_INTERVAL.num_milliseconds() {
        let mut tx = app.store.begin().await?;
        tx.touch_session(&id_hash, now).await?;
        tx.commit().await?;
    }
    Ok(Some(session_of(row, stage)))
}

fn session_of(row: SessionRow, stage: Stage) -> Session {
    Session {
        caller: Caller {
            user_id: row.user_id,
            email: row.email,
            name: row.name,
            role: row.role,
            agency_id: row.agency_id,
            agency_code: row.agency_code,
        },
        csrf_token: row.csrf_token,
        id_hash: row.id_hash,
        stage,
        desk: Desk::default(),
    }
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
    let mut entry = login_entry(
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
