//! API tokens: created by an admin for a user (shown once, stored as SHA-256), with
//! scopes, an optional expiry and the time of their last use; listed and revoked by their
//! user or an admin. A token opens the API only within its scopes, and never more than its
//! user's role allows:
//!
//! - `read`: requests that change nothing (`GET`, `HEAD`);
//! - `act`: the workflow: actions, comments, meetings, documents of tickets;
//! - `admin`: everything else that writes: registries, users, settings, jobs, tokens.
//!
//! The web layer says which scope a request needs ([`Scope`]); [`authenticate`] decides.
//! A revoked or expired token, one of a disabled user, and one used outside its scopes
//! are refused, and each refusal of a known token is audited; an unknown token is audited
//! once per client and throttle window, so that a flood of guesses does not flood the log.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sigap_core::{Email, Given, Role};
use sigap_store::NewAuditEntry;
use sigap_store::tokens_api::{NewToken, TokenHolderRow, TokenRow};
use utoipa::ToSchema;

use crate::auth::{Caller, new_secret, token_hash};
use crate::identity::throttle;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Use of a token is written back at most this often.
const TOUCH_INTERVAL: Duration = Duration::minutes(1);
/// The longest lifetime a token may be given.
pub const MAX_LIFETIME_DAYS: i64 = 3650;

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Requests that change nothing.
    Read,
    /// Workflow actions, comments, meetings.
    Act,
    /// Registries, users, settings, jobs, tokens.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Act, Scope::Admin];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Act => "act",
            Scope::Admin => "admin",
        }
    }

    /// The scope named `text`, or an error naming the field.
    pub fn parse(text: &str) -> AppResult<Scope> {
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "scopes",
                    format!("unknown scope `{text}`: use read, act or admin"),
                )
            })
    }
}

/// A token as its user and the admins see it (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    /// The user the token acts as.
    pub email: String,
    pub label: String,
    pub scopes: Vec<Scope>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A token just created: its secret is answered this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub view: TokenView,
}

/// What a new token is to be.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub email: String,
    pub label: String,
    /// Empty: every scope.
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<i64>,
}

/// A token to create, as `POST /api/v1/tokens` sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TokenCreateRequest {
    /// The user the token acts as.
    #[schema(value_type = String)]
    pub email: Given,
    #[schema(value_type = Option<String>)]
    pub label: Given,
    /// `read`, `act`, `admin`; all three when left out.
    #[schema(value_type = Option<Vec<Scope>>)]
    pub scopes: Given,
    /// The token stops working after this many days (1-3650); never when left out.
    #[schema(value_type = Option<i64>)]
    pub expires_in_days: Given,
}

impl TryFrom<&TokenCreateRequest> for TokenRequest {
    type Error = AppError;

    /// Reads `scopes` as a list or as comma-separated text.
    fn try_from(request: &TokenCreateRequest) -> AppResult<TokenRequest> {
        let text = |given: &Given| given.as_str().map(str::to_owned);
        let scopes = match &request.scopes.0 {
            Value::Null => Vec::new(),
            Value::String(list) => parse_scopes(list)?,
            Value::Array(items) => items
                .iter()
                .map(|v| Scope::parse(v.as_str().unwrap_or("")))
                .collect::<AppResult<_>>()?,
            _ => return Err(AppError::invalid("scopes", "a list of scopes")),
        };
        let expires_in_days =
            match &request.expires_in_days.0 {
                Value::Null => None,
                v => Some(v.as_i64().ok_or_else(|| {
                    AppError::invalid("expires_in_days", "a whole number of days")
                })?),
            };
        Ok(TokenRequest {
            email: text(&request.email).unwrap_or_default(),
            label: text(&request.label).unwrap_or_else(|| "api".to_owned()),
            scopes,
            expires_in_days,
        })
    }
}

/// Comma-separated scope names.
pub fn parse_scopes(list: &str) -> AppResult<Vec<Scope>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(Scope::parse)
        .collect()
}

/// A lifetime such as `90d`, `12h` or `2w`, in whole days (hours rounded up), for the
/// command line's `--expires-in`.
pub fn parse_lifetime_days(text: &str) -> AppResult<i64> {
    let text = text.trim();
    let bad = || AppError::invalid("expires_in", format!("`{text}`: use e.g. 90d, 2w or 24h"));
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    match unit {
        "d" => Ok(n),
        "w" => Ok(n.saturating_mul(7)),
        "h" => Ok((n + 23) / 24),
        _ => Err(bad()),
    }
}

/// Creates a token (admin) for the user `request.email`; the secret is answered once.
pub async fn create(app: &App, caller: &Caller, request: &TokenRequest) -> AppResult<CreatedToken> {
    caller.require(&[Role::Admin], "create API tokens")?;
    let email = Email::parse(&request.email)?;
    let label: String = request.label.trim().chars().take(100).collect();
    let scopes = if request.scopes.is_empty() {
        Scope::ALL.to_vec()
    } else {
        request.scopes.clone()
    };
    let now = millis(app.now());
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days) if (1..=MAX_LIFETIME_DAYS).contains(&days) => {
            Some(now + Duration::days(days).num_milliseconds())
        }
        Some(_) => {
            return Err(AppError::invalid(
                "expires_in_days",
                format!("between 1 and {MAX_LIFETIME_DAYS} days"),
            ));
        }
    };
    let token = new_secret("sgp_");
    let mut tx = app.store.begin().await?;
    let user = tx
        .find_user(email.as_str())
        .await?
        .ok_or_else(|| AppError::invalid("email", format!("no user has the e-mail `{email}`")))?;
    let scope_text = scopes_text(&scopes);
    let id = tx
        .insert_scoped_token(&NewToken {
            user_id: user.id,
            token_hash: &token_hash(&token),
            label: &label,
            scopes: &scope_text,
            now,
            expires_at,
        })
        .await?;
    let details = json!({"email": email.as_str(), "label": label, "token": id,
        "scopes": scope_text, "expires_at": expires_at.map(from_millis)});
    crate::audit::record(&mut tx, caller, "token_create", now, details).await?;
    tx.commit().await?;
    let view = TokenView {
        id,
        email: user.email,
        label,
        scopes,
        created_at: from_millis(now),
        expires_at: expires_at.map(from_millis),
        last_used_at: None,
        revoked_at: None,
    };
    Ok(CreatedToken { token, view })
}

fn scopes_text(scopes: &[Scope]) -> String {
    Scope::ALL
        .into_iter()
        .filter(|s| scopes.contains(s))
        .map(Scope::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn token_view(row: TokenRow) -> TokenView {
    TokenView {
        id: row.id,
        email: row.email,
        label: row.label,
        scopes: parse_scopes(&row.scopes).unwrap_or_default(),
        created_at: from_millis(row.created_at),
        expires_at: row.expires_at.map(from_millis),
        last_used_at: row.last_used_at.map(from_millis),
        revoked_at: row.revoked_at.map(from_millis),
    }
}

/// The tokens of the caller; an admin may name another user by `email`, or list every
/// token with `all`.
pub async fn list(
    app: &App,
    caller: &Caller,
    email: Option<&str>,
    all: bool,
) -> AppResult<Vec<TokenView>> {
    let user_id = match (email, all) {
        (None, false) => Some(caller.user_id),
        (Some(email), _) => {
            caller.require(&[Role::Admin], "list other users' tokens")?;
            let email = Email::parse(email)?;
            let user = app.store.find_user(email.as_str()).await?;
            Some(
                user.ok_or_else(|| AppError::NotFound("user".to_owned()))?
                    .id,
            )
        }
        (None, true) => {
            caller.require(&[Role::Admin], "list other users' tokens")?;
            None
        }
    };
    let rows = app.store.list_tokens(user_id).await?;
    Ok(rows.into_iter().map(token_view).collect())
}

/// Revokes the token `id`: the caller's own, or any for an admin. Another user's token
/// answers `NotFound`, as an unknown one does, and the refusal is audited.
pub async fn revoke(app: &App, caller: &Caller, id: i64, source: Option<String>) -> AppResult<()> {
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let row = tx
        .find_token(id)
        .await?
        .filter(|t| t.user_id == caller.user_id || caller.role == Role::Admin);
    let Some(row) = row else {
        drop(tx);
        let details = json!({"token": id});
        audit_refused(
            app,
            &caller.email,
            caller.role.as_str(),
            "token_revoke",
            "refused:404",
            details,
            source,
        )
        .await;
        return Err(AppError::NotFound("token".to_owned()));
    };
    let revoked = tx.revoke_token(id, now).await?;
    let mut entry = refusal_entry(
        now,
        &caller.email,
        caller.role.as_str(),
        "token_revoke",
        "ok",
        source,
    );
    entry.details = json!({"token": id, "email": row.email, "label": row.label,
        "already_revoked": !revoked});
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The staff member behind the API token `token` for a request that needs `needed`, or
/// `Unauthorized` (unknown, revoked or expired token, disabled user) or `Forbidden` (the
/// token lacks the scope). Each refusal is audited; use is recorded.
pub async fn authenticate(
    app: &App,
    token: &str,
    needed: Scope,
    source: Option<String>,
) -> AppResult<Caller> {
    let now = millis(app.now());
    let Some(holder) = app.store.find_token_holder(&token_hash(token)).await? else {
        refuse_unknown(app, now, source).await;
        return Err(AppError::Unauthorized);
    };
    let refusal = if holder.revoked_at.is_some() {
        Some("refused:revoked")
    } else if holder.expires_at.is_some_and(|at| now >= at) {
        Some("refused:expired")
    } else if holder.disabled {
        Some("refused:disabled")
    } else if !parse_scopes(&holder.scopes)
        .unwrap_or_default()
        .contains(&needed)
    {
        Some("refused:scope")
    } else {
        None
    };
    if let Some(outcome) = refusal {
        let details = json!({"token": holder.token_id, "scope": needed.as_str()});
        audit_refused(
            app,
            &holder.email,
            holder.role.as_str(),
            "token_use",
            outcome,
            details,
            source,
        )
        .await;
        return Err(if outcome == "refused:scope" {
            AppError::Forbidden(format!("this token lacks the scope `{}`", needed.as_str()))
        } else {
            AppError::Unauthorized
        });
    }
    touch(app, &holder, now).await?;
    Ok(caller_of(holder))
}

async fn touch(app: &App, holder: &TokenHolderRow, now: i64) -> AppResult<()> {
    let stale = holder
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_INTERVAL.num_milliseconds());
    if stale {
        let mut tx = app.store.begin().await?;
        tx.touch_token(holder.token_id, now).await?;
        tx.commit().await?;
    }
    Ok(())
}

fn caller_of(holder: TokenHolderRow) -> Caller {
    Caller {
        user_id: holder.user_id,
        email: holder.email,
        name: holder.name,
        role: holder.role,
        agency_id: holder.agency_id,
        agency_code: holder.agency_code,
    }
}

/// Audits an unknown token once per client and throttle window.
async fn refuse_unknown(app: &App, now: i64, source: Option<String>) {
    let client = throttle::client_key(app, source.as_deref());
    let entry = refusal_entry(
        now,
        "unknown",
        "unknown",
        "token_use",
        "refused:unknown",
        source,
    );
    let written = async {
        let mut tx = app.store.begin().await?;
        if throttle::first_in_window(&mut tx, &format!("token:{client}"), now).await? {
            tx.append_audit(&entry).await?;
        }
        tx.commit().await?;
        AppResult::Ok(())
    };
    if let Err(e) = written.await {
        tracing::error!(error = %e, "could not write a refusal to the audit log");
    }
}

fn refusal_entry(
    at: i64,
    actor: &str,
    role: &str,
    action: &str,
    outcome: &str,
    source: Option<String>,
) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: actor.to_owned(),
        role: role.to_owned(),
        action: action.to_owned(),
        ticket_number: None,
        source,
        outcome: outcome.to_owned(),
        details: Value::Null,
    }
}

/// The staff user behind an API token for a request that changes nothing, or
/// `Unauthorized`; see [`authenticate`] for the scopes.
pub async fn authenticate_token(app: &App, token: &str) -> AppResult<Caller> {
    authenticate(app, token, Scope::Read, None).await
}

/// Writes a refusal that concerns no ticket to the audit log in its own transaction; a
/// failure here is logged and does not hide the refusal from the caller.
pub(crate) async fn audit_refused(
    app: &App,
    actor: &str,
    role: &str,
    action: &str,
    outcome: &str,
    details: Value,
    source: Option<String>,
) {
    let mut entry = refusal_entry(millis(app.now()), actor, role, action, outcome, source);
    entry.details = details;
    crate::audit::append_refusal(app, &entry).await;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn lifetimes_read_days_weeks_and_hours() {
        assert_eq!(parse_lifetime_days("90d").unwrap(), 90);
        assert_eq!(parse_lifetime_days("2w").unwrap(), 14);
        assert_eq!(parse_lifetime_days("25h").unwrap(), 2);
        assert!(parse_lifetime_days("90").is_err());
        assert!(parse_lifetime_days("d").is_err());
    }

    #[test]
    fn scopes_parse_and_print_in_order() {
        let scopes = parse_scopes("admin, read").unwrap();
        assert_eq!(scopes_text(&scopes), "read,admin");
        assert!(parse_scopes("write").is_err());
    }
}
