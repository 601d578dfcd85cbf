//! "Lupa kata sandi": a staff member asks for a one-time link to their registered address
//! and chooses a new password with it.
//!
//! - **The same answer whatever the address.** [`request`] answers `Ok` for an unknown,
//!   disabled or busy address as for a real one, so that the page cannot tell who has an
//!   account; only the audit log says what happened (each request is an entry: `ok`,
//!   `refused:unknown`, `refused:disabled`, `refused:too_many`).
//! - **Throttled.** A request counts as a sign-in attempt of the client (the address
//!   throttle of [`crate::identity::throttle`], which a request never takes back), and an
//!   account is sent at most [`PER_ACCOUNT`] links in [`PER_ACCOUNT_WINDOW`].
//! - **The link is not in the database.** The link is `{id}.{mac}`, the MAC taken with the
//!   server key over the row's id and its random nonce (migration `0018_password_resets`);
//!   the mail job names only the row, and the worker makes the link when it sends the mail.
//!   A database copy alone opens no account.
//! - **Once, for an hour.** [`complete`] uses the link in the transaction that sets the
//!   password (two tabs cannot both), retires the account's other links, ends every
//!   session of the account and lifts its lockout. The second factor is still asked at the
//!   next sign-in: the link replaces the password, nothing else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_core::JobKind;
use sigap_store::{JobRow, NewJob, PasswordResetRow};
use subtle::ConstantTimeEq;

use crate::audit::login_entry;
use crate::auth::hash_password;
use crate::identity::passwords::check_new;
use crate::identity::throttle;
use crate::{App, AppError, AppResult, from_millis, millis};

/// How long a link works.
pub const VALID_FOR: Duration = Duration::hours(1);
/// The most links one account is sent in [`PER_ACCOUNT_WINDOW`].
pub const PER_ACCOUNT: i64 = 3;
/// The window of [`PER_ACCOUNT`].
pub const PER_ACCOUNT_WINDOW: Duration = Duration::hours(1);

/// The payload of a link's mail job: the row alone.
#[derive(Debug, Serialize, Deserialize)]
struct ResetJob {
    reset: i64,
}

/// The link's MAC for the row `id` with `nonce`.
fn mac(app: &App, id: i64, nonce: &str) -> String {
    let message = format!("{id}.{nonce}");
    URL_SAFE_NO_PAD.encode(
        app.rules
            .secret_key
            .mac("password-reset", message.as_bytes()),
    )
}

/// The link's token for a row.
fn token_of(app: &App, row: &PasswordResetRow) -> String {
    format!("{}.{}", row.id, mac(app, row.id, &row.nonce))
}

/// Asks for a link for `email`. Answers `Ok` whether or not the address has an account;
/// `TooManyRequests` when the client is past the sign-in throttle.
pub async fn request(app: &App, email: &str, source: Option<String>) -> AppResult<()> {
    let email = crate::identity::login::normalised_email(email.trim());
    let email = email.as_str();
    let now = millis(app.now());
    let client = throttle::client_key(app, source.as_deref());
    throttle::admit(app, &client, now, email, source.clone()).await?;
    let mut tx = app.store.begin().await?;
    let user = if email.is_empty() || email.len() > 254 {
        None
    } else {
        tx.find_user(email).await?
    };
    let (outcome, role) = match &user {
        None => ("refused:unknown", "unknown".to_owned()),
        Some(u) if u.disabled => ("refused:disabled", u.role.as_str().to_owned()),
        Some(u) => {
            let since = now - PER_ACCOUNT_WINDOW.num_milliseconds();
            if tx.count_password_resets(u.id, since).await? >= PER_ACCOUNT {
                ("refused:too_many", u.role.as_str().to_owned())
            } else {
                let mut nonce = [0u8; 16];
                rand::rng().fill_bytes(&mut nonce);
                let expires = now + VALID_FOR.num_milliseconds();
                let id = tx
                    .insert_password_reset(u.id, &hex::encode(nonce), now, expires)
                    .await?;
                let payload = serde_json::to_string(&ResetJob { reset: id })
                    .map_err(|e| AppError::Internal(format!("reset job: {e}")))?;
                tx.enqueue_job(&NewJob {
                    kind: JobKind::Account,
                    payload: &payload,
                    ticket_id: None,
                    run_at: now,
                    now,
                })
                .await?;
                ("ok", u.role.as_str().to_owned())
            }
        }
    };
    let shown: String = email.chars().take(254).collect();
    let mut entry = login_entry(now, &shown, &role, outcome, source);
    entry.action = "password_forgot".to_owned();
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The link's row when `token` is a link that works now: made with this server's key,
/// unused and unexpired, for an account that is not disabled.
async fn usable(app: &App, token: &str) -> AppResult<Option<PasswordResetRow>> {
    let Some((id, given)) = token.split_once('.') else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(row) = app.store.find_password_reset(id).await? else {
        return Ok(None);
    };
    let expected = mac(app, row.id, &row.nonce);
    let genuine: bool = expected.as_bytes().ct_eq(given.as_bytes()).into();
    let now = millis(app.now());
    let fresh = row.used_at.is_none() && row.expires_at > now && !row.disabled;
    Ok((genuine && fresh).then_some(row))
}

/// Whether `token` is a link that works now (the page shows the form or says it does not).
pub async fn link_works(app: &App, token: &str) -> AppResult<bool> {
    Ok(usable(app, token).await?.is_some())
}

/// Sets `new` as the password of the link's account, once. `NotFound` for a link that does
/// not work (unknown, altered, used, expired); `Invalid` on `new_password` for a password
/// the rules refuse. Every outcome is audited.
pub async fn complete(app: &App, token: &str, new: &str, source: Option<String>) -> AppResult<()> {
    let now = millis(app.now());
    let Some(row) = usable(app, token).await? else {
        let mut tx = app.store.begin().await?;
        let mut entry = login_entry(now, "unknown", "unknown", "refused:link", source);
        entry.action = "password_recover".to_owned();
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        return Err(AppError::NotFound("password link".to_owned()));
    };
    check_new(app, "new_password", new, &row.name, &row.email).await?;
    let hash = hash_password(new)?;
    let mut tx = app.store.begin().await?;
    if !tx.use_password_reset(row.id, now).await? {
        // Another tab used it a moment ago.
        return Err(AppError::NotFound("password link".to_owned()));
    }
    tx.set_user_password(row.user_id, &hash, now).await?;
    let ended = tx.delete_user_sessions(row.user_id).await?;
    tx.clear_login_failures(&row.email, now + 1).await?;
    let mut entry = login_entry(now, &row.email, row.role.as_str(), "ok", source);
    entry.action = "password_recover".to_owned();
    entry.details = json!({"channel": "web", "sessions_ended": ended});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends one claimed link mail (the worker's `account` jobs) through `mailer`, with links
/// under `public`. A link used or expired by the time the mail goes is not sent.
pub(crate) async fn send(
    app: &App,
    mailer: &dyn sigap_notify::Mailer,
    public: &sigap_notify::PublicUrl,
    job: &JobRow,
) -> Result<String, (bool, String)> {
    let payload: ResetJob =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    let row = app
        .store
        .find_password_reset(payload.reset)
        .await
        .map_err(|e| (true, e.to_string()))?
        .ok_or_else(|| (false, "the link is gone".to_owned()))?;
    if row.used_at.is_some() || row.expires_at <= millis(app.now()) || row.disabled {
        return Ok(job.payload.clone());
    }
    let to = sigap_core::Email::parse(&row.email).map_err(|e| (false, e.to_string()))?;
    let rendered = sigap_notify::account::PasswordReset {
        name: row.name.clone(),
        token: token_of(app, &row),
        expires_at: from_millis(row.expires_at),
    }
    .render(public);
    // No fixed Message-ID: the mailer makes a random one, unique after a restore too.
    let mut envelope = sigap_notify::Envelope::new(vec![to], rendered);
    envelope.date = Some(app.now());
    mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(job.payload.clone())
}
