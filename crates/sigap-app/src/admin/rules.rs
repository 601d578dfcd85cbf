//! The settings sections of the rules around the SOP: the numbers of the national rules
//! (`law`, [`sigap_core::law`]) and the CSIRT's public profile (`profile`, RFC 2350,
//! [`sigap_core::profile`]), written like every section by `admin::overrides`; and what
//! the profile's review decides: when `security.txt` expires, and the reminder to the
//! admins a month before.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_core::Role;
use sigap_core::law::{LawRequest, LawSettings};
use sigap_core::profile::{
    CsirtProfile, ProfileRequest, SECURITY_TXT_DAYS, SECURITY_TXT_WARN_DAYS,
};
use sigap_store::AuditFilter;

use crate::admin::overrides::{Section, begin, write};
use crate::auth::Caller;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Sets the numbers of the national rules (the whole section at once).
pub async fn set_law(app: &App, caller: &Caller, request: &LawRequest) -> AppResult<LawSettings> {
    let result = try_set_law(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_law", None, e, None).await;
    }
    result
}

async fn try_set_law(app: &App, caller: &Caller, request: &LawRequest) -> AppResult<LawSettings> {
    caller.require(&[Role::Admin], "change the settings")?;
    let law = LawSettings::try_from(request).map_err(AppError::Invalid)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(&law).map_err(|e| AppError::Internal(e.to_string()))?;
    write(
        app,
        caller,
        tx,
        revision,
        Section::Law,
        value.clone(),
        value,
    )
    .await?;
    Ok(law)
}

/// Sets the CSIRT's public profile (the whole of it); saving it, changed or not, is its
/// review and renews `security.txt`'s expiry.
pub async fn set_profile(
    app: &App,
    caller: &Caller,
    request: &ProfileRequest,
) -> AppResult<CsirtProfile> {
    let result = try_set_profile(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_profile", None, e, None).await;
    }
    result
}

async fn try_set_profile(
    app: &App,
    caller: &Caller,
    request: &ProfileRequest,
) -> AppResult<CsirtProfile> {
    caller.require(&[Role::Admin], "change the settings")?;
    let profile = CsirtProfile::try_from(request).map_err(AppError::Invalid)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(&profile).map_err(|e| AppError::Internal(e.to_string()))?;
    let details = json!({"reviewed": true});
    write(app, caller, tx, revision, Section::Profile, value, details).await?;
    Ok(profile)
}

/// When `security.txt` expires: [`SECURITY_TXT_DAYS`] after the profile's last review, or,
/// when it was never reviewed, after the installation's first recorded act (the first
/// entry of the audit log; now, on an empty database).
pub async fn security_txt_expires(app: &App) -> AppResult<DateTime<Utc>> {
    let effective = app.effective().await?;
    let reviewed = match &effective.profile_changed {
        Some(changed) => changed.at,
        None => match app.store.list_audit(0, 1).await?.first() {
            Some(entry) => from_millis(entry.at),
            None => app.now(),
        },
    };
    Ok(reviewed + Duration::days(SECURITY_TXT_DAYS))
}

/// The audit action that records the reminder (and keeps it to once per expiry).
const REMINDED: &str = "security_txt_expiring";

/// The worker's chore: from [`SECURITY_TXT_WARN_DAYS`] before `security.txt` expires,
/// tells the admins once (an alert job and an audit entry naming the expiry). Answers
/// whether it did now.
pub async fn remind_security_txt(app: &App) -> AppResult<bool> {
    let expires = security_txt_expires(app).await?;
    let now = app.now();
    if now < expires - Duration::days(SECURITY_TXT_WARN_DAYS) {
        return Ok(false);
    }
    let key = expires.to_rfc3339_opts(SecondsFormat::Secs, true);
    let earlier = app
        .store
        .search_audit(&AuditFilter {
            action: Some(REMINDED.to_owned()),
            limit: 50,
            ..AuditFilter::default()
        })
        .await?;
    let named = |details: &str| {
        serde_json::from_str::<serde_json::Value>(details)
            .is_ok_and(|d| d["expires"] == key.as_str())
    };
    if earlier.iter().any(|e| named(&e.details)) {
        return Ok(false);
    }
    let alert = ExpiryAlert {
        to_roles: vec![Role::Admin],
        alert: REMINDED.to_owned(),
        expires_at: millis(expires),
    };
    let mut tx = app.store.begin().await?;
    let details = json!({ "expires": key });
    crate::audit::alert_admins(&mut tx, REMINDED, &alert, details, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// The payload of the reminder's alert job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExpiryAlert {
    pub(crate) to_roles: Vec<Role>,
    pub(crate) alert: String,
    pub(crate) expires_at: i64,
}

/// The reminder's mail, from its job's payload.
pub(crate) fn expiry_mail(
    payload: &str,
    public: &sigap_notify::PublicUrl,
) -> Result<(Vec<Role>, sigap_notify::Rendered), String> {
    let alert: ExpiryAlert = serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
    let rendered = sigap_notify::alerts::SecurityTxtExpiring {
        expires: from_millis(alert.expires_at),
    }
    .render(public);
    Ok((alert.to_roles, rendered))
}
