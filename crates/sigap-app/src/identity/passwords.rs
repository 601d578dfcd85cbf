//! Changing passwords: a user changes their own (the current one required, checked under
//! the same address throttle as a sign-in, since it is a password guess too), and an admin
//! forces a reset (a generated password, answered once). Either way every session of the
//! user ends, so that whoever held one must sign in with the new password; API tokens are
//! left alone (they are revoked on their own). Both are audited, refusals included.

use serde_json::json;
use sigap_core::Role;

use crate::audit::login_entry;
use crate::auth::{Caller, hash_password, new_secret};
use crate::identity::login::{Session, check_password};
use crate::identity::throttle;
use crate::identity::two_factor::UserRef;
use crate::{App, AppError, AppResult, millis};

/// The fewest characters any setting allows ([`sigap_core::law::MIN_PASSWORD_CHARS`]).
pub const MIN_PASSWORD_CHARS: usize = sigap_core::law::MIN_PASSWORD_CHARS as usize;

/// Checks a new password of the person `name` <`email`> against the rules in force
/// ([`crate::identity::password_rules`]); the field is named in the error.
pub(crate) async fn check_new(
    app: &App,
    field: &str,
    password: &str,
    name: &str,
    email: &str,
) -> AppResult<()> {
    let policy = app.policy().await?;
    crate::identity::password_rules::check(&policy.law, field, password, name, email)
        .map_err(|e| AppError::Invalid(vec![e]))
}

/// Replaces the signed-in user's password when `current` is right, and ends all their
/// sessions (this one too). A wrong current password is `Invalid` on `current_password`,
/// counted as a failed sign-in and audited; a throttled client gets `TooManyRequests`
/// before any hash is computed.
pub async fn change_own(
    app: &App,
    session: &Session,
    current: &str,
    new: &str,
    source: Option<String>,
) -> AppResult<()> {
    let caller = &session.caller;
    check_new(app, "new_password", new, &caller.name, &caller.email).await?;
    let now = millis(app.now());
    let client = throttle::client_key(app, source.as_deref());
    throttle::admit(app, &client, now, &caller.email, source.clone()).await?;
    let user = app.store.find_user(&caller.email).await?;
    if check_password(app, user, current).await?.is_none() {
        let mut tx = app.store.begin().await?;
        tx.insert_login_failure(&caller.email, now, source.as_deref())
            .await?;
        let mut entry = login_entry(
            now,
            &caller.email,
            caller.role.as_str(),
            "refused:password",
            source,
        );
        entry.action = "password_change".to_owned();
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "current_password",
            "the current password is not right",
        ));
    }
    let hash = hash_password(new)?;
    let mut tx = app.store.begin().await?;
    tx.forgive_login_attempt(&client, throttle::window_start(now))
        .await?;
    tx.set_user_password(caller.user_id, &hash, now).await?;
    let ended = tx.delete_user_sessions(caller.user_id).await?;
    let mut entry = login_entry(now, &caller.email, caller.role.as_str(), "ok", source);
    entry.action = "password_change".to_owned();
    entry.details = json!({"sessions_ended": ended});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A user whose password an admin reset, with the generated password (shown once).
#[derive(Debug, Clone)]
pub struct ResetPassword {
    pub email: String,
    pub password: String,
}

/// Forces a new password on a user (admin): generated, answered once; all the user's
/// sessions end. `NotFound` for an unknown user; a refusal is audited.
pub async fn reset(
    app: &App,
    caller: &Caller,
    user: &UserRef,
    source: Option<String>,
) -> AppResult<ResetPassword> {
    if let Err(e) = caller.require(&[Role::Admin], "reset passwords") {
        let details = json!({"user": user_label(user)});
        crate::identity::tokens::audit_refused(
            app,
            &caller.email,
            caller.role.as_str(),
            "password_reset",
            "refused:403",
            details,
            source,
        )
        .await;
        return Err(e);
    }
    let password: String = new_secret("").chars().take(20).collect();
    let hash = hash_password(&password)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let (user_id, email) = match user {
        UserRef::Id(id) => (*id, tx.find_user_email(*id).await?),
        UserRef::Email(email) => {
            let row = tx.find_user(email.trim()).await?;
            (row.as_ref().map_or(0, |u| u.id), row.map(|u| u.email))
        }
    };
    let email = email.ok_or_else(|| AppError::NotFound("user".to_owned()))?;
    tx.set_user_password(user_id, &hash, now).await?;
    let ended = tx.delete_user_sessions(user_id).await?;
    let details = json!({"user": email, "sessions_ended": ended});
    crate::audit::record(&mut tx, caller, "password_reset", now, details).await?;
    tx.commit().await?;
    Ok(ResetPassword { email, password })
}

fn user_label(user: &UserRef) -> String {
    match user {
        UserRef::Id(id) => id.to_string(),
        UserRef::Email(email) => email.chars().take(254).collect(),
    }
}
