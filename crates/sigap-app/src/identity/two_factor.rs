//! The second factor of staff sign-in, as use cases: enrol a TOTP authenticator (a new
//! secret shown once as a QR code and as text, confirmed with a first code, then ten
//! recovery codes shown once), pass the code step of a sign-in with a code or a recovery
//! code, and the admin's reset of a user's second factor. Each is one transaction and is
//! audited like the other login events.
//!
//! A code is accepted once: the last accepted time step is stored and only a later one is
//! taken. Wrong codes, replayed codes and wrong recovery codes count as failed logins of
//! the address, so the password's lockout also stops guessing codes; during a lockout even
//! the right code is refused. API tokens do not pass through here.

use chrono::{DateTime, Utc};
use serde_json::json;
use sigap_core::{Email, Role};
use sigap_store::Tx;

use crate::audit::login_entry;
use crate::auth::Caller;
use crate::identity::login::{Session, SignedIn, Stage, account_locked, promote};
use crate::identity::totp::{self, SecretKey};
use crate::{App, AppError, AppResult, from_millis, millis};

/// Where a user's second factor stands, for the account security page.
#[derive(Debug, Clone)]
pub struct Status {
    /// When the authenticator was enrolled; `None` when there is none.
    pub enabled_at: Option<DateTime<Utc>>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
    /// Whether the user's role must have a second factor.
    pub required: bool,
}

/// An enrolment in progress: what the authenticator app needs.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
}

/// A completed enrolment: the recovery codes (shown once) and, when the enrolment was the
/// step that sign-in was waiting for, the complete session that replaces the half-way one.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub recovery_codes: Vec<String>,
    pub signed_in: Option<SignedIn>,
}

/// The second factor of the signed-in (or enrolling) user.
pub async fn status(app: &App, caller: &Caller) -> AppResult<Status> {
    let credential = app.store.find_totp(caller.user_id).await?;
    let enabled_at = credential.and_then(|c| c.enabled_at).map(from_millis);
    let recovery_codes_left = match enabled_at {
        Some(_) => app.store.count_recovery_codes(caller.user_id).await?,
        None => 0,
    };
    Ok(Status {
        enabled_at,
        recovery_codes_left,
        required: app.rules.totp_required(caller.role),
    })
}

/// Starts (or shows again) the enrolment of the session's user: a new secret, kept until
/// confirmed, or the one already waiting. Refused when an authenticator is enrolled.
pub async fn start_enrolment(app: &App, session: &Session) -> AppResult<Enrolment> {
    let caller = &session.caller;
    let key = &app.rules.secret_key;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let existing = tx.find_totp(caller.user_id).await?;
    if existing.as_ref().is_some_and(|c| c.enabled_at.is_some()) {
        return Err(AppError::Conflict(
            "an authenticator is enrolled already".to_owned(),
        ));
    }
    let waiting = existing.and_then(|c| key.open(caller.user_id, &c.secret));
    let secret = match waiting {
        Some(secret) => secret,
        None => {
            let secret = totp::new_secret();
            tx.put_pending_totp(caller.user_id, &seal(key, caller.user_id, &secret)?, now)
                .await?;
            let mut entry = audit(now, caller, "totp_enrol", "started", None);
            entry.details = json!({"channel": "web"});
            tx.append_audit(&entry).await?;
            secret
        }
    };
    tx.commit().await?;
    Ok(Enrolment {
        secret: totp::base32(&secret),
        uri: totp::otpauth_uri(&secret, &caller.email),
    })
}

/// Confirms the enrolment with a first code: the authenticator is enabled, ten recovery
/// codes replace any earlier ones, and a session waiting for this enrolment is promoted.
/// A wrong code is refused (`Invalid` on `code`) and counted as a failed login.
pub async fn confirm_enrolment(
    app: &App,
    session: &Session,
    code: &str,
    source: Option<String>,
) -> AppResult<Enrolled> {
    let caller = &session.caller;
    let now = app.now();
    let at = millis(now);
    let mut tx = app.store.begin().await?;
    let pending = tx
        .find_totp(caller.user_id)
        .await?
        .filter(|c| c.enabled_at.is_none())
        .ok_or_else(|| AppError::Conflict("no enrolment is waiting".to_owned()))?;
    let secret = open(&app.rules.secret_key, caller.user_id, &pending.secret)?;
    let locked = account_locked(app, &mut tx, &caller.email, source.as_deref(), at).await?;
    let step = totp::matching_step(&secret, code, now).filter(|_| !locked);
    let Some(step) = step else {
        let outcome = if locked {
            "refused:locked"
        } else {
            "refused:code"
        };
        refuse(tx, at, caller, "totp_enrol", outcome, source).await?;
        return Err(AppError::invalid("code", "the code is not right"));
    };
    tx.enable_totp(caller.user_id, step, at).await?;
    let recovery_codes = totp::new_recovery_codes();
    let hashes: Vec<String> = recovery_codes
        .iter()
        .map(|c| totp::recovery_code_hash(c))
        .collect();
    tx.replace_recovery_codes(caller.user_id, &hashes, at)
        .await?;
    let signed_in = match session.stage {
        Stage::Enrol => Some(promote(app, &mut tx, at, session, source.as_deref()).await?),
        Stage::Password | Stage::Renew | Stage::Complete => None,
    };
    tx.append_audit(&audit(at, caller, "totp_enrol", "ok", source))
        .await?;
    tx.commit().await?;
    Ok(Enrolled {
        recovery_codes,
        signed_in,
    })
}

/// The code step of a sign-in: a right code not used before promotes the session waiting
/// for it. Every refusal is the same `Unauthorized`.
pub async fn verify_code(
    app: &App,
    session: &Session,
    code: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let caller = &session.caller;
    let now = app.now();
    let at = millis(now);
    let mut tx = app.store.begin().await?;
    let locked = account_locked(app, &mut tx, &caller.email, source.as_deref(), at).await?;
    let credential = tx
        .find_totp(caller.user_id)
        .await?
        .filter(|c| c.enabled_at.is_some());
    let outcome = match credential {
        _ if locked => "refused:locked",
        None => "refused:no_totp",
        Some(credential) => {
            let secret = open(&app.rules.secret_key, caller.user_id, &credential.secret)?;
            match totp::matching_step(&secret, code, now) {
                None => "refused:code",
                Some(step) if tx.advance_totp_step(caller.user_id, step).await? => "ok",
                Some(_) => "refused:replay",
            }
        }
    };
    finish_step(app, tx, at, session, "totp", outcome, source).await
}

/// The code step of a sign-in with a recovery code: a right, unused code is used up and
/// promotes the session. Every refusal is the same `Unauthorized`.
pub async fn verify_recovery_code(
    app: &App,
    session: &Session,
    code: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let caller = &session.caller;
    let at = millis(app.now());
    let mut tx = app.store.begin().await?;
    let outcome = if account_locked(app, &mut tx, &caller.email, source.as_deref(), at).await? {
        "refused:locked"
    } else if totp::looks_like_recovery_code(code)
        && tx
            .use_recovery_code(caller.user_id, &totp::recovery_code_hash(code), at)
            .await?
    {
        "ok"
    } else {
        "refused:code"
    };
    finish_step(app, tx, at, session, "recovery_code", outcome, source).await
}

/// A fresh code of the caller's authenticator, for an act that asks for the second factor
/// again (signing a document from sigap). Refused when no authenticator is enrolled or the
/// address is locked (`Forbidden`), or when the code is wrong or used before (`Invalid`
/// on `totp`, counted as a failed login so that the lockout stops guessing). The caller
/// audits the refusal.
pub(crate) async fn confirm_code(
    app: &App,
    caller: &Caller,
    code: &str,
    source: Option<&str>,
) -> AppResult<()> {
    let now = app.now();
    let at = millis(now);
    let mut tx = app.store.begin().await?;
    let locked = account_locked(app, &mut tx, &caller.email, source, at).await?;
    let Some(credential) = tx
        .find_totp(caller.user_id)
        .await?
        .filter(|c| c.enabled_at.is_some())
    else {
        return Err(AppError::Forbidden(
            "this needs a second factor: enrol an authenticator (TOTP) first".to_owned(),
        ));
    };
    if locked {
        return Err(AppError::Forbidden(
            "too many wrong codes or passwords: the account is locked for a while".to_owned(),
        ));
    }
    let secret = open(&app.rules.secret_key, caller.user_id, &credential.secret)?;
    let accepted = match totp::matching_step(&secret, code.trim(), now) {
        Some(step) => tx.advance_totp_step(caller.user_id, step).await?,
        None => false,
    };
    if !accepted {
        tx.insert_login_failure(&caller.email, at, source).await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "totp",
            "the authenticator code is wrong or was used already",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Which user an admin's reset is for.
#[derive(Debug, Clone)]
pub enum UserRef {
    Id(i64),
    Email(String),
}

/// Removes a user's second factor and recovery codes and ends their sessions (admin): at
/// their next sign-in they enrol again when their role needs it. Answers the user's
/// address; `NotFound` for an unknown user.
pub async fn reset(app: &App, caller: &Caller, user: &UserRef) -> AppResult<String> {
    if let Err(e) = caller.require(&[Role::Admin], "reset a user's second factor") {
        let target = match user {
            UserRef::Id(id) => id.to_string(),
            UserRef::Email(email) => email.chars().take(254).collect(),
        };
        let details = json!({"user": target});
        let role = caller.role.as_str();
        crate::identity::tokens::audit_refused(
            app,
            &caller.email,
            role,
            "totp_reset",
            "refused:403",
            details,
            None,
        )
        .await;
        return Err(e);
    }
    let at = millis(app.now());
    let mut tx = app.store.begin().await?;
    let (user_id, email) = match user {
        UserRef::Id(id) => (*id, tx.find_user_email(*id).await?),
        UserRef::Email(email) => {
            let email = Email::parse(email)
                .map(|e| e.as_str().to_owned())
                .unwrap_or_else(|_| email.clone());
            let row = tx.find_user(&email).await?;
            (row.as_ref().map_or(0, |u| u.id), row.map(|u| u.email))
        }
    };
    let email = email.ok_or_else(|| AppError::NotFound("user".to_owned()))?;
    let had_totp = tx.delete_totp(user_id).await?;
    let sessions_ended = tx.delete_user_sessions(user_id).await?;
    let mut entry = audit(at, caller, "totp_reset", "ok", None);
    entry.details = json!({"user": email, "had_totp": had_totp, "sessions_ended": sessions_ended});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(email)
}

/// Ends the code step: promotes the session on `ok`, otherwise records the failure.
async fn finish_step(
    app: &App,
    mut tx: Tx,
    at: i64,
    session: &Session,
    factor: &str,
    outcome: &str,
    source: Option<String>,
) -> AppResult<SignedIn> {
    let caller = &session.caller;
    if outcome != "ok" {
        let mut entry = audit(at, caller, "login", outcome, source.clone());
        entry.details = json!({"channel": "web", "factor": factor});
        if outcome != "refused:locked" {
            tx.insert_login_failure(&caller.email, at, source.as_deref())
                .await?;
        }
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        return Err(AppError::Unauthorized);
    }
    let signed_in = promote(app, &mut tx, at, session, source.as_deref()).await?;
    let mut entry = audit(at, caller, "login", "ok", source);
    entry.details = json!({"channel": "web", "factor": factor});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// Records a refused enrolment code as a failed login and commits.
async fn refuse(
    mut tx: Tx,
    at: i64,
    caller: &Caller,
    action: &str,
    outcome: &str,
    source: Option<String>,
) -> AppResult<()> {
    if outcome != "refused:locked" {
        tx.insert_login_failure(&caller.email, at, source.as_deref())
            .await?;
    }
    tx.append_audit(&audit(at, caller, action, outcome, source))
        .await?;
    tx.commit().await?;
    Ok(())
}

fn audit(
    at: i64,
    caller: &Caller,
    action: &str,
    outcome: &str,
    source: Option<String>,
) -> sigap_store::NewAuditEntry {
    let mut entry = login_entry(at, &caller.email, caller.role.as_str(), outcome, source);
    entry.action = action.to_owned();
    entry
}

fn seal(key: &SecretKey, user_id: i64, secret: &[u8]) -> AppResult<String> {
    key.seal(user_id, secret)
        .ok_or_else(|| AppError::Internal("cannot seal the TOTP secret".to_owned()))
}

/// Opens a stored secret; one that does not open was sealed under another key
/// (`SIGAP_SECRET_KEY` changed): an internal error for the operator, whom the log tells.
fn open(key: &SecretKey, user_id: i64, sealed: &str) -> AppResult<Vec<u8>> {
    key.open(user_id, sealed).ok_or_else(|| {
        AppError::Internal(format!(
            "the TOTP secret of user {user_id} does not open with this server's secret key \
             (was SIGAP_SECRET_KEY or the key file changed?)"
        ))
    })
}

/// Whether this server's key opens the stored TOTP secrets (`sigap doctor`): how many
/// enrolled users were tried, and those whose secret does not open (sealed under another
/// `SIGAP_SECRET_KEY`).
pub async fn unopened_secrets(app: &App) -> AppResult<(usize, Vec<i64>)> {
    let enrolled = app.store.list_totp_enrolled().await?;
    let mut unopened = Vec::new();
    for &user_id in &enrolled {
        if let Some(row) = app.store.find_totp(user_id).await?
            && app.rules.secret_key.open(user_id, &row.secret).is_none()
        {
            unopened.push(user_id);
        }
    }
    Ok((enrolled.len(), unopened))
}
