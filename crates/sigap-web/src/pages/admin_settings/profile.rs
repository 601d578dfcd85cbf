//! The section of the settings page on the CSIRT's public profile (RFC 2350, `/rfc2350`):
//! when it was last reviewed, until when `security.txt` holds, and the form whose saving
//! is the review.

use axum::extract::State;
use serde_json::Value;
use sigap_app::admin::overrides::{Effective, ProfileRequest};
use sigap_core::Given;

use crate::AppState;
use crate::pages::admin::admin_field;
use crate::pages::forms::FormField;
use crate::pages::session::StaffSession;
use crate::pages::{PageLang, PageResult};

use super::{Refused, answer, checked_form, lines_of, refused_token};

/// The review's state as the section shows it.
pub(super) struct ProfileState {
    pub(super) reviewed: String,
    pub(super) expires: String,
}

/// The last review and `security.txt`'s expiry, in words.
pub(super) async fn profile_state(
    state: &AppState,
    lang: PageLang,
    effective: &Effective,
) -> ProfileState {
    let reviewed = match &effective.profile_changed {
        Some(changed) => format!("{} ({})", lang.wib(&changed.at), changed.by),
        None => lang.t("admin.profile.never").into_owned(),
    };
    let expires = match sigap_app::admin::rules::security_txt_expires(&state.app).await {
        Ok(at) => lang.wib(&at),
        Err(e) => {
            tracing::warn!(error = %e, "security.txt's expiry could not be read");
            String::new()
        }
    };
    ProfileState { reviewed, expires }
}

/// The form, filled with the profile in force.
pub(super) fn profile_fields(lang: PageLang, effective: &Effective) -> Vec<FormField> {
    let p = &effective.profile;
    let field = |name: &str, kind: &'static str, value: &str| {
        admin_field(lang, "profile", name, kind).with_value(value)
    };
    vec![
        field("team_name", "text", &p.team_name).required(),
        field("organisation", "text", &p.organisation).required(),
        field("address", "text", &p.address),
        field("phone", "text", &p.phone),
        field("hours", "textarea", &p.hours).required(),
        field("constituency", "textarea", &p.constituency).required(),
        field("mission", "textarea", &p.mission).required(),
        field("authority", "text", &p.authority),
        field("services", "textarea", &p.services.join("\n")).required(),
    ]
}

pub(super) async fn set_profile(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let text = |name: &str| Given::from(posted.text(name));
    let request = ProfileRequest {
        team_name: text("team_name"),
        organisation: text("organisation"),
        address: text("address"),
        phone: text("phone"),
        hours: text("hours"),
        constituency: text("constituency"),
        mission: text("mission"),
        authority: text("authority"),
        services: Given::list(&lines_of(posted.text("services"))),
    };
    let body = Value::Object(posted.fields);
    let result = sigap_app::admin::rules::set_profile(&state.app, &session.caller, &request)
        .await
        .map(drop);
    answer(&state, lang, &session, result, |e| {
        Refused::Profile(body, e)
    })
    .await
}
